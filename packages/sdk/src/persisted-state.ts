import { readJson, type KeyValueStorage } from './storage.js';
import { unref } from './unref-timer.js';

/**
 * Storage is read and written at most this often per value. A synchronous
 * localStorage write costs ~20 µs of main thread (Chromium, 2026-12), more
 * than the whole budget of one tracked event; once a second is invisible
 * next to session timeouts counted in minutes.
 */
export const SYNC_INTERVAL_MS = 1000;

/**
 * A JSON value kept in memory and backed by storage that other tabs may
 * share: re-read at most once per second (merging this tab's unwritten
 * change with what another tab wrote), written at once when the last write
 * is a second old, else by a timer, and on `persist()` (page hidden).
 */
export class PersistedState<T> {
  readonly #storage: KeyValueStorage;
  readonly #key: string;
  readonly #now: () => number;
  readonly #merge: (mine: T, stored: T | null) => T;
  #value: T | null;
  #dirty = false;
  #readAt: number;
  #writtenAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(storage: KeyValueStorage, key: string, now: () => number, merge: (mine: T, stored: T | null) => T) {
    this.#storage = storage;
    this.#key = key;
    this.#now = now;
    this.#merge = merge;
    this.#value = readJson<T>(storage, key);
    this.#readAt = now();
  }

  get(): T | null {
    const now = this.#now();
    if (now - this.#readAt >= SYNC_INTERVAL_MS) {
      this.#readAt = now;
      const stored = readJson<T>(this.#storage, this.#key);
      this.#value = this.#dirty && this.#value !== null ? this.#merge(this.#value, stored) : stored;
    }
    return this.#value;
  }

  set(value: T): void {
    this.#value = value;
    this.#dirty = true;
    if (this.#now() - this.#writtenAt >= SYNC_INTERVAL_MS) this.persist();
    else this.#timer ??= unref(setTimeout(() => this.persist(), SYNC_INTERVAL_MS));
  }

  /** Forgets the value here and in storage (reset, opt-out). */
  remove(): void {
    this.#value = null;
    this.#dirty = false;
    this.#storage.remove(this.#key);
  }

  /** Writes an unwritten change now: the page is being hidden, or the client shut down. */
  persist(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#dirty || this.#value === null) return;
    this.#dirty = false;
    this.#writtenAt = this.#now();
    this.#storage.set(this.#key, JSON.stringify(this.#value));
  }
}
