import { createStore, delMany, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import { hasIndexedDb } from './global-scope.js';
import type { MessageInput } from './protocol/index.js';
import { warn } from './warn.js';

export interface QueuedMessage {
  key: string;
  message: MessageInput;
}

/**
 * Events waiting for the collector's acknowledgement, oldest first. An event
 * is added before any send attempt and removed only once acknowledged.
 */
export interface EventQueue {
  add(message: MessageInput): Promise<void>;
  /** The oldest waiting events, left in the queue. */
  peek(limit: number): Promise<QueuedMessage[]>;
  remove(keys: readonly string[]): Promise<void>;
  clear(): Promise<void>;
  /** Events dropped because the queue was full. */
  readonly dropped: number;
  /** True while events survive a reload. */
  readonly persistent: boolean;
}

let sequence = 0;
/** Keys sort by time, then by a per-page counter, so iteration is oldest first. */
function queueKey(message: MessageInput): string {
  sequence += 1;
  return `${Date.now().toString(36).padStart(9, '0')}.${sequence.toString(36).padStart(6, '0')}.${String(message.messageId)}`;
}

/** When an event was queued (epoch ms), read from its key. */
export function queuedAt(key: string): number {
  return parseInt(key.slice(0, 9), 36);
}

/** An in-memory queue: Node, and the fallback when IndexedDB is unavailable. */
export class MemoryQueue implements EventQueue {
  dropped = 0;
  readonly persistent = false;
  readonly #entries = new Map<string, MessageInput>();
  readonly #maxSize: number;

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
  }

  async add(message: MessageInput): Promise<void> {
    this.#entries.set(queueKey(message), message);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxSize) break;
      this.#entries.delete(key);
      this.dropped += 1;
    }
  }

  async peek(limit: number): Promise<QueuedMessage[]> {
    return [...this.#entries].slice(0, limit).map(([key, message]) => ({ key, message }));
  }

  async remove(keysToRemove: readonly string[]): Promise<void> {
    for (const key of keysToRemove) this.#entries.delete(key);
  }

  async clear(): Promise<void> {
    this.#entries.clear();
  }
}

/**
 * Persists events in IndexedDB (a database of its own) so they survive
 * reloads, crashes and offline periods. Private mode, quota errors or a
 * blocked database switch it to memory for the rest of the page, without
 * throwing.
 */
export class ResilientQueue implements EventQueue {
  readonly #memory: MemoryQueue;
  readonly #maxSize: number;
  /** Undefined where there is no IndexedDB, and once it failed. */
  #store: UseStore | undefined;
  /** Events in the store, estimated (other tabs add and remove too). */
  #count: number | undefined;
  #dropped = 0;
  #pending: [string, MessageInput][] = [];
  #writing: Promise<void> | undefined;

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
    this.#memory = new MemoryQueue(maxSize);
    try {
      if (hasIndexedDb()) this.#store = createStore('chatmeter', 'events');
    } catch {
      // memory it is
    }
  }

  get dropped(): number {
    return this.#dropped + this.#memory.dropped;
  }

  get persistent(): boolean {
    return this.#store !== undefined;
  }

  /**
   * Events added during one task are written together, in one IndexedDB
   * transaction at the end of it: each transaction costs ~450 µs of main
   * thread in Chromium (bench/sdk-main-thread.mjs, 2026-12), ten times an
   * event's whole budget.
   */
  add(message: MessageInput): Promise<void> {
    this.#pending.push([queueKey(message), message]);
    return (this.#writing ??= Promise.resolve().then(() => {
      const entries = this.#pending;
      this.#pending = [];
      this.#writing = undefined;
      return this.#run(
        (store) => this.#write(store, entries),
        async () => {
          for (const [, queued] of entries) await this.#memory.add(queued);
        },
      );
    }));
  }

  peek(limit: number): Promise<QueuedMessage[]> {
    return this.#run(
      async (store) => {
        const oldest = (await keys<string>(store)).sort().slice(0, limit);
        const messages = await getMany<MessageInput | undefined>(oldest, store);
        return oldest.flatMap((key, index) => {
          const message = messages[index];
          return message === undefined ? [] : [{ key, message }];
        });
      },
      () => this.#memory.peek(limit),
    );
  }

  remove(keysToRemove: readonly string[]): Promise<void> {
    return this.#run(
      async (store) => {
        await delMany([...keysToRemove], store);
        if (this.#count !== undefined) this.#count -= keysToRemove.length;
      },
      () => this.#memory.remove(keysToRemove),
    );
  }

  clear(): Promise<void> {
    this.#pending = [];
    return this.#run(
      async (store) => {
        await delMany(await keys(store), store);
        this.#count = 0;
      },
      () => this.#memory.clear(),
    );
  }

  async #write(store: UseStore, entries: [string, MessageInput][]): Promise<void> {
    await setMany(entries, store);
    // Counting keys on every write would make a long offline queue quadratic:
    // keep an estimate and count for real only when it says the bound is hit.
    this.#count = (this.#count ?? (await keys(store)).length - entries.length) + entries.length;
    if (this.#count <= this.#maxSize) return;
    const all = (await keys<string>(store)).sort();
    const excess = all.length - this.#maxSize;
    this.#count = all.length;
    if (excess > 0) {
      await delMany(all.slice(0, excess), store);
      this.#dropped += excess;
      this.#count = this.#maxSize;
    }
  }

  async #run<T>(onDisk: (store: UseStore) => Promise<T>, inMemory: () => Promise<T>): Promise<T> {
    const store = this.#store;
    if (store !== undefined) {
      try {
        return await onDisk(store);
      } catch (error) {
        if (this.#store !== undefined) warn('IndexedDB unavailable, keeping events in memory', error);
        this.#store = undefined;
      }
    }
    return inMemory();
  }
}
