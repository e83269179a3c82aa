import { uuid } from './ids.js';
import type { KeyValueStorage } from './storage.js';

const ANONYMOUS_ID_KEY = 'chatmeter_anonymous_id';
const USER_ID_KEY = 'chatmeter_user_id';
const OPT_OUT_KEY = 'chatmeter_opt_out';

/**
 * Who the events are about, and whether they may be tracked at all: the
 * anonymous id, the identified user and the opt-out, shared by every tab
 * through localStorage. Read on every event, so another tab's identify,
 * reset or opt-out applies at once: these reads fit in trackPrompt's
 * 10 µs median (Chromium, 2026-12); it is storage writes (~20 µs each) that
 * session and conversation state avoid, and these values change rarely.
 */
export class Identity {
  readonly #storage: KeyValueStorage;

  constructor(storage: KeyValueStorage) {
    this.#storage = storage;
  }

  get anonymousId(): string {
    return this.#storage.get(ANONYMOUS_ID_KEY) ?? this.#newAnonymousId();
  }

  get userId(): string | null {
    return this.#storage.get(USER_ID_KEY);
  }

  get optedOut(): boolean {
    return this.#storage.get(OPT_OUT_KEY) === '1';
  }

  identify(userId: string): void {
    this.#storage.set(USER_ID_KEY, userId);
  }

  /** Forgets the user: no user id, a new anonymous id. */
  reset(): void {
    this.#storage.remove(USER_ID_KEY);
    this.#newAnonymousId();
  }

  setOptedOut(optedOut: boolean): void {
    if (optedOut) this.#storage.set(OPT_OUT_KEY, '1');
    else this.#storage.remove(OPT_OUT_KEY);
  }

  #newAnonymousId(): string {
    const id = uuid();
    this.#storage.set(ANONYMOUS_ID_KEY, id);
    return id;
  }
}
