import type { Statements } from './statements.js';
import { TRAFFIC_BIT } from './traffic-flags.js';

/** The flags that belong to a user rather than to one event (debug mode is per event). */
export const USER_TRAFFIC_BITS = TRAFFIC_BIT.bot | TRAFFIC_BIT.internal;

interface PendingUser {
  firstTs: number;
  lastTs: number;
  traffic: number;
}

/**
 * The `users` rows one request transaction touches (event-writer.ts): first
 * and last seen and the sticky traffic flags are gathered per user and
 * written once per user, where one upsert (and one read of the flags) per
 * event cost most of a batch's user work. MIN, MAX and OR commute, so the
 * order of the gathered events does not matter; what does not commute is
 * written at once, after the user's gathered rows: an identify's traits (a
 * JSON merge patch), and a merge of one user into another (`flushAll` first).
 */
export class UserUpdates {
  readonly #statements: Statements;
  readonly #pending = new Map<string, PendingUser>();
  /** The user's sticky flags as this transaction knows them: stored, plus its own events'. */
  readonly #traffic = new Map<string, number>();

  constructor(statements: Statements) {
    this.#statements = statements;
  }

  /** Bot and internal flags an earlier event of this user showed (stored or in this transaction). */
  trafficOf(userKey: string): number {
    let traffic = this.#traffic.get(userKey);
    if (traffic === undefined) {
      traffic = ((this.#statements.userTraffic.get(userKey) as number | undefined) ?? 0) & USER_TRAFFIC_BITS;
      this.#traffic.set(userKey, traffic);
    }
    return traffic;
  }

  /** One stored event of the user; `traits` (JSON) for an identify that carried some. */
  seen(userKey: string, ts: number, eventTraffic: number, traits: string | null): void {
    const traffic = eventTraffic & USER_TRAFFIC_BITS;
    this.#traffic.set(userKey, this.trafficOf(userKey) | traffic);
    if (traits !== null) {
      this.#flush(userKey);
      this.#upsert(userKey, { firstTs: ts, lastTs: ts, traffic }, traits);
      return;
    }
    const pending = this.#pending.get(userKey);
    if (pending === undefined) {
      this.#pending.set(userKey, { firstTs: ts, lastTs: ts, traffic });
      return;
    }
    pending.firstTs = Math.min(pending.firstTs, ts);
    pending.lastTs = Math.max(pending.lastTs, ts);
    pending.traffic |= traffic;
  }

  /** `userKey` absorbed another user's row (identify/alias): its flags are read again. */
  merged(userKey: string): void {
    this.#traffic.delete(userKey);
  }

  /** Writes every gathered row (before a merge reads them, and at the end of the transaction). */
  flushAll(): void {
    for (const [userKey, pending] of this.#pending) this.#upsert(userKey, pending, null);
    this.#pending.clear();
  }

  #flush(userKey: string): void {
    const pending = this.#pending.get(userKey);
    if (pending === undefined) return;
    this.#upsert(userKey, pending, null);
    this.#pending.delete(userKey);
  }

  #upsert(userKey: string, user: PendingUser, traits: string | null): void {
    this.#statements.upsertUser.run({ user_key: userKey, first_ts: user.firstTs, last_ts: user.lastTs, traits, traffic: user.traffic });
  }
}
