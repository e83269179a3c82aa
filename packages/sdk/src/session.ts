import { uuid } from './ids.js';
import { PersistedState } from './persisted-state.js';
import type { KeyValueStorage } from './storage.js';

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
 * localStorage (read back at most once a second), so any tab's activity
 * extends it and a reload keeps it.
 */
export class SessionTracker {
  readonly #state: PersistedState<SessionState>;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(storage: KeyValueStorage, timeoutMs: number, now: () => number) {
    this.#state = new PersistedState(storage, SESSION_KEY, now, mergeSessions);
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** The current session id, renewing the session when it expired; counts as activity. */
  touch(): string {
    const now = this.#now();
    const state = this.#state.get();
    const id = this.current() ?? uuid();
    this.#state.set({ id, startedAt: id === state?.id ? state.startedAt : now, lastActivityAt: now });
    return id;
  }

  /** The current session id without counting as activity (SDK health reports); undefined when none is running. */
  current(): string | undefined {
    const now = this.#now();
    const state = this.#state.get();
    return state === null || now - state.lastActivityAt >= this.#timeoutMs || now - state.startedAt >= MAX_SESSION_MS ? undefined : state.id;
  }

  /** Ends the session now (reset, opt-out): the next event starts a new one. */
  end(): void {
    this.#state.remove();
  }

  /** Writes this tab's latest activity (page hidden). */
  persist(): void {
    this.#state.persist();
  }
}

/** This tab's unwritten activity against another tab's: the same session keeps the latest activity, else the newer session wins. */
function mergeSessions(mine: SessionState, stored: SessionState | null): SessionState {
  if (stored === null || mine.startedAt > stored.startedAt) return mine;
  return stored.id === mine.id ? { ...stored, lastActivityAt: Math.max(stored.lastActivityAt, mine.lastActivityAt) } : stored;
}
