import { uuid } from './ids.js';
import { SYNC_INTERVAL_MS } from './persisted-state.js';
import type { KeyValueStorage } from './storage.js';

const ANONYMOUS_ID_KEY = 'chatmeter_anonymous_id';
const USER_ID_KEY = 'chatmeter_user_id';
const OPT_OUT_KEY = 'chatmeter_opt_out';

/**
 * Who the events are about, and whether they may be tracked at all: the
 * anonymous id, the identified user and the opt-out, shared by every tab
 * through localStorage. Changes are rare and written at once; reads come
 * from memory, refreshed at most once a second so another tab's identify,
 * reset or opt-out is followed without a storage read per event.
 */
export class Identity {
  readonly #storage: KeyValueStorage;
  readonly #now: () => number;
  #readAt = -Infinity;
  #anonymousId: string | null = null;
  #userId: string | null = null;
  #optedOut = false;

  constructor(storage: KeyValueStorage, now: () => number) {
    this.#storage = storage;
    this.#now = now;
  }

  get anonymousId(): string {
    this.#refresh();
    if (this.#anonymousId === null) this.#setAnonymousId(uuid());
    return this.#anonymousId!;
  }

  get userId(): string | null {
    this.#refresh();
    return this.#userId;
  }

  get optedOut(): boolean {
    this.#refresh();
    return this.#optedOut;
  }

  identify(userId: string): void {
    this.#userId = userId;
    this.#storage.set(USER_ID_KEY, userId);
  }

  /** Forgets the user: no user id, a new anonymous id. */
  reset(): void {
    this.#userId = null;
    this.#storage.remove(USER_ID_KEY);
    this.#setAnonymousId(uuid());
  }

  setOptedOut(optedOut: boolean): void {
    this.#optedOut = optedOut;
    if (optedOut) this.#storage.set(OPT_OUT_KEY, '1');
    else this.#storage.remove(OPT_OUT_KEY);
  }

  #setAnonymousId(id: string): void {
    this.#anonymousId = id;
    this.#storage.set(ANONYMOUS_ID_KEY, id);
  }

  #refresh(): void {
    const now = this.#now();
    if (now - this.#readAt < SYNC_INTERVAL_MS) return;
    this.#readAt = now;
    this.#anonymousId = this.#storage.get(ANONYMOUS_ID_KEY);
    this.#userId = this.#storage.get(USER_ID_KEY);
    this.#optedOut = this.#storage.get(OPT_OUT_KEY) === '1';
  }
}
