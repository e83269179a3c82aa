import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { ConversationTotals, UserConversations } from '../../../metrics/metrics-source.js';
import type { TrafficInclusion } from '../../../metrics/metric-scope.js';
import { CONVERSATION_LISTS, DistinctUsers, readQuarterEntries, type QuarterEntries } from '../quarter-lists.js';
import { andTrafficSql, trafficView } from '../traffic-flags.js';

/**
 * Conversations of the range from the rollup: a conversation belongs to the
 * range its first prompt falls in (with flagged traffic included: the earliest
 * first prompt of its rows of the counted flags).
 */
function conversationsSql(traffic: TrafficInclusion): string {
  const counted = andTrafficSql('debug', traffic);
  return trafficView(traffic) !== 'ordinary'
    ? `SELECT MAX(user_key) AS user_key, SUM(prompts) AS prompts
         FROM conversation_rollup
        WHERE conversation_id IN (SELECT conversation_id FROM conversation_rollup WHERE first_ts >= @start AND first_ts < @end${counted})${counted}
        GROUP BY conversation_id
       HAVING MIN(first_ts) >= @start`
    : `SELECT user_key, prompts
         FROM conversation_rollup WHERE first_ts >= @start AND first_ts < @end AND debug = 0`;
}

/**
 * Ordinary traffic over quarter-hour bounds (every zone's days) reads the
 * conversation lists of migration 014 (quarter-lists.ts); flagged traffic
 * merges rows of several flags per conversation, which only the rollup has.
 */
function entriesOf(db: Database.Database, scope: MetricScope): QuarterEntries | null {
  return trafficView(scope) === 'ordinary' ? readQuarterEntries(db, CONVERSATION_LISTS, scope.startMs, scope.endMs) : null;
}

export function conversationTotals(db: Database.Database, scope: MetricScope): ConversationTotals {
  const entries = entriesOf(db, scope);
  return entries === null ? conversationTotalsFromRollup(db, scope) : totalsOf(entries);
}

function totalsOf({ lists, width, stale, maxOrdinal }: QuarterEntries): ConversationTotals {
  const users = new DistinctUsers(maxOrdinal);
  const totals: ConversationTotals = { conversations: stale.length, users: 0, prompts: 0 };
  for (const list of lists) {
    totals.conversations += list.length / width;
    for (let at = 0; at < list.length; at += width) {
      users.add(list[at] as number);
      totals.prompts += list[at + 1] as number;
    }
  }
  for (const [ordinal, userKey, prompts] of stale) {
    users.add(ordinal, userKey);
    totals.prompts += prompts as number;
  }
  totals.users = users.size;
  return totals;
}

export function conversationTotalsFromRollup(db: Database.Database, scope: MetricScope): ConversationTotals {
  return db
    .prepare(
      `SELECT COUNT(*) AS conversations, COUNT(DISTINCT user_key) AS users, COALESCE(SUM(prompts), 0) AS prompts
         FROM (${conversationsSql(scope)})`,
    )
    .get({ start: scope.startMs, end: scope.endMs }) as ConversationTotals;
}

export function conversationsByUser(db: Database.Database, scope: MetricScope, limit: number): UserConversations[] {
  // One transaction: the keys of the ordinals are those of the lists read.
  return db.transaction(() => {
    const entries = entriesOf(db, scope);
    return entries === null ? conversationsByUserFromRollup(db, scope, limit) : topUsersOf(db, entries, limit);
  })();
}

/**
 * The users with most conversations (then prompts, then key, as the SQL
 * orders them): counted per ordinal in arrays, sorted by the counts, and only
 * the users that can make the cut (those tied with the last one included)
 * are looked up by key for the final order.
 */
function topUsersOf(db: Database.Database, { lists, width, stale, maxOrdinal }: QuarterEntries, limit: number): UserConversations[] {
  const conversations = new Uint32Array(maxOrdinal + 1);
  const prompts = new Float64Array(maxOrdinal + 1);
  for (const list of lists) {
    for (let at = 0; at < list.length; at += width) {
      const ordinal = list[at] as number;
      conversations[ordinal] = (conversations[ordinal] ?? 0) + 1;
      prompts[ordinal] = (prompts[ordinal] ?? 0) + (list[at + 1] as number);
    }
  }
  const unnumbered = new Map<string, UserConversations>();
  for (const [ordinal, userKey, count] of stale) {
    if (ordinal !== null) {
      conversations[ordinal] = (conversations[ordinal] ?? 0) + 1;
      prompts[ordinal] = (prompts[ordinal] ?? 0) + (count as number);
      continue;
    }
    const user = unnumbered.get(userKey) ?? { user: userKey, conversations: 0, prompts: 0 };
    user.conversations += 1;
    user.prompts += count as number;
    unnumbered.set(userKey, user);
  }
  const counted: { ordinal: number | null; user: UserConversations | null; conversations: number; prompts: number }[] = [];
  conversations.forEach((count, ordinal) => {
    if (count > 0) counted.push({ ordinal, user: null, conversations: count, prompts: prompts[ordinal] as number });
  });
  for (const user of unnumbered.values()) counted.push({ ordinal: null, user, conversations: user.conversations, prompts: user.prompts });
  counted.sort((a, b) => b.conversations - a.conversations || b.prompts - a.prompts);
  const last = counted[Math.min(limit, counted.length) - 1];
  if (last === undefined) return [];
  const candidates = counted.filter((user) => user.conversations > last.conversations || (user.conversations === last.conversations && user.prompts >= last.prompts));
  const keyOf = db.prepare('SELECT user_key FROM user_ordinals WHERE ordinal = ?').pluck();
  return candidates
    .map(({ ordinal, user, conversations: count, prompts: sum }) => user ?? { user: keyOf.get(ordinal) as string, conversations: count, prompts: sum })
    .sort((a, b) => b.conversations - a.conversations || b.prompts - a.prompts || compareKeys(a.user, b.user))
    .slice(0, limit);
}

/** SQLite's default BINARY collation: byte order of the UTF-8 text, which is code point order. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function conversationsByUserFromRollup(db: Database.Database, scope: MetricScope, limit: number): UserConversations[] {
  return db
    .prepare(
      `SELECT user_key AS user, COUNT(*) AS conversations, SUM(prompts) AS prompts
         FROM (${conversationsSql(scope)})
        GROUP BY user_key
        ORDER BY conversations DESC, prompts DESC, user_key
        LIMIT @limit`,
    )
    .all({ start: scope.startMs, end: scope.endMs, limit }) as UserConversations[];
}
