import { entries, createStore } from 'idb-keyval';
import { webStorage, type KeyValueStorage } from '../../src/storage.js';
import { createChatmeter } from '../../src/index.js';
import type { ChatmeterInternals } from '../../src/client.js';
import type { ChatmeterOptions } from '../../src/options.js';

/** Storage of one "browser": shared localStorage-like map, and a per-tab sessionStorage-like map. */
export function memoryStorage(): KeyValueStorage {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
}

export function makeClient(options: Partial<ChatmeterOptions> & { endpoint: string }, internals: ChatmeterInternals = {}) {
  return createChatmeter({ writeKey: 'wk_test', flushIntervalMs: 60_000, ...options }, internals);
}

/** What IndexedDB holds right now (the SDK's own database), health reports left out unless asked for. */
export async function storedMessages({ withHealthReports = false } = {}): Promise<Array<Record<string, any>>> {
  const all = await entries(createStore('chatmeter', 'events'));
  return all.map(([, value]) => value as Record<string, any>).filter((message) => withHealthReports || message['event'] !== 'chatmeter_sdk_health');
}

export { webStorage };
