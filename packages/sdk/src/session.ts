import { uuid } from './ids.js';
import { readJson, type KeyValueStorage } from './storage.js';

const SESSION_KEY = 'chatmeter_session';
/** Sessions are cut at 24 h even when activity never stops (Amplitude, GA4 do the same). */
const MAX_SESSION_MS = 24 * 60 * 60 * 1000;

interface SessionState {
  id: string;
  startedAt: number;
  lastActivityAt: number;
}

/**
 * The session id shared by every tab of the origin: it lives in
 * localStorage, so any tab's activity extends it and a reload keeps it.
 */
export class SessionTracker {
  readonly #storage: KeyValueStorage;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(storage: KeyValueStorage, timeoutMs: number, now: () => number) {
    this.#storage = storage;
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** The current session id, renewing the session when it expired; counts as activity. */
  touch(): string {
    const now = this.#now();
    let state = readJson<SessionState>(this.#storage, SESSION_KEY);
    if (state === null || now - state.lastActivityAt >= this.#timeoutMs || now - state.startedAt >= MAX_SESSION_MS) {
      state = { id: uuid(), startedAt: now, lastActivityAt: now };
    }
    state.lastActivityAt = now;
    this.#storage.set(SESSION_KEY, JSON.stringify(state));
    return state.id;
  }

  /** Ends the session now (reset, opt-out): the next event starts a new one. */
  end(): void {
    this.#storage.remove(SESSION_KEY);
  }
}
