import { webStorageArea } from './global-scope.js';

/**
 * Key-value persistence that never throws: localStorage can be missing
 * (Node), disabled (privacy settings) or full (quota). Values then live in
 * memory for the life of the page, which is the best we can do.
 */
export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export function webStorage(kind: 'localStorage' | 'sessionStorage'): KeyValueStorage {
  const memory = new Map<string, string>();
  const backing = (): Storage | undefined => webStorageArea(kind);
  return {
    get(key) {
      try {
        const value = backing()?.getItem(key);
        if (value !== undefined && value !== null) return value;
      } catch {
        // fall through to memory
      }
      return memory.get(key) ?? null;
    },
    set(key, value) {
      memory.set(key, value);
      try {
        backing()?.setItem(key, value);
      } catch {
        // quota or disabled: memory keeps it
      }
    },
    remove(key) {
      memory.delete(key);
      try {
        backing()?.removeItem(key);
      } catch {
        // nothing to do
      }
    },
  };
}

export function readJson<T>(storage: KeyValueStorage, key: string): T | null {
  const raw = storage.get(key);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}
