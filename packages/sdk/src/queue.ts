import { createStore, delMany, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import { hasIndexedDb } from './global-scope.js';
import type { MessageInput } from './protocol/index.js';

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

/** Persists events in IndexedDB (its own database) so they survive reloads, crashes and offline periods. */
export class IndexedDbQueue implements EventQueue {
  dropped = 0;
  readonly persistent = true;
  readonly #store: UseStore;
  /** Events in the store, estimated (other tabs add and remove too). */
  #count: number | undefined;

  readonly #maxSize: number;

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
    this.#store = createStore('chatmeter', 'events');
  }

  /**
   * Events added during one task are written together, in one IndexedDB
   * transaction at the end of it: a transaction per event cost ~700 µs of
   * main thread each in Chromium (2026-03).
   */
  add(message: MessageInput): Promise<void> {
    this.#pending.push([queueKey(message), message]);
    return (this.#writing ??= Promise.resolve().then(() => this.#writePending()));
  }

  #pending: [string, MessageInput][] = [];
  #writing: Promise<void> | undefined;

  async #writePending(): Promise<void> {
    const entries = this.#pending;
    this.#pending = [];
    this.#writing = undefined;
    await setMany(entries, this.#store);
    // Counting keys on every write would make a long offline queue quadratic:
    // keep an estimate and count for real only when it says the bound is hit.
    this.#count = (this.#count ?? (await keys(this.#store)).length - entries.length) + entries.length;
    if (this.#count <= this.#maxSize) return;
    const all = await this.#sortedKeys();
    const excess = all.length - this.#maxSize;
    this.#count = all.length;
    if (excess > 0) {
      await delMany(all.slice(0, excess), this.#store);
      this.dropped += excess;
      this.#count = this.#maxSize;
    }
  }

  async peek(limit: number): Promise<QueuedMessage[]> {
    const oldest = (await this.#sortedKeys()).slice(0, limit);
    const messages = await getMany<MessageInput | undefined>(oldest, this.#store);
    return oldest.flatMap((key, index) => {
      const message = messages[index];
      return message === undefined ? [] : [{ key, message }];
    });
  }

  async remove(keysToRemove: readonly string[]): Promise<void> {
    await delMany([...keysToRemove], this.#store);
    if (this.#count !== undefined) this.#count -= keysToRemove.length;
  }

  async clear(): Promise<void> {
    this.#pending = [];
    await delMany(await keys(this.#store), this.#store);
    this.#count = 0;
  }

  async #sortedKeys(): Promise<string[]> {
    return (await keys<string>(this.#store)).sort();
  }
}

/**
 * IndexedDB when it works, memory otherwise. Private mode, quota errors or a
 * blocked database switch to memory for the rest of the page without throwing.
 */
export class ResilientQueue implements EventQueue {
  #active: EventQueue;
  readonly #memory: MemoryQueue;

  constructor(maxSize: number) {
    this.#memory = new MemoryQueue(maxSize);
    this.#active = this.#memory;
    try {
      if (hasIndexedDb()) this.#active = new IndexedDbQueue(maxSize);
    } catch {
      this.#active = this.#memory;
    }
  }

  get dropped(): number {
    return this.#active.dropped + (this.#active === this.#memory ? 0 : this.#memory.dropped);
  }

  get persistent(): boolean {
    return this.#active !== this.#memory;
  }

  add(message: MessageInput): Promise<void> {
    return this.#run((queue) => queue.add(message));
  }

  peek(limit: number): Promise<QueuedMessage[]> {
    return this.#run((queue) => queue.peek(limit));
  }

  remove(keysToRemove: readonly string[]): Promise<void> {
    return this.#run((queue) => queue.remove(keysToRemove));
  }

  clear(): Promise<void> {
    return this.#run((queue) => queue.clear());
  }

  async #run<T>(operation: (queue: EventQueue) => Promise<T>): Promise<T> {
    if (this.#active === this.#memory) return operation(this.#memory);
    try {
      return await operation(this.#active);
    } catch (error) {
      console.warn('chatmeter: IndexedDB unavailable, keeping events in memory', error);
      this.#active = this.#memory;
      return operation(this.#memory);
    }
  }
}
