import type Database from 'better-sqlite3';
import type { ErasureOutcome } from '../data-lifecycle.js';

/** Erasure and retention as synchronous transactions over one connection. */
export interface LifecycleStatements {
  eraseUser(userId: string): ErasureOutcome;
  deleteEventsBefore(cutoffMs: number, limit: number): number;
}

/**
 * Deletes go through the events table only: the AFTER DELETE triggers of
 * migration 008 take each event out of the rollups, and `intent_queue`
 * (ON DELETE CASCADE) loses the prompt texts still waiting.
 *
 * Those triggers undo what the fold did, so each delete runs in one
 * transaction with `catchUp` (rollup-materializer.ts) before it: every
 * event it removes has been folded. Afterwards the watermark comes down to
 * the highest id left, since SQLite numbers the next event after that one
 * (ids of deleted events are reused) and the fold must not skip it.
 */
export function prepareLifecycleStatements(db: Database.Database, catchUp: () => void): LifecycleStatements {
  const linkedAnonymousIds = db.prepare('SELECT anonymous_id FROM identities WHERE user_id = ?').pluck();
  // Two statements rather than one OR, so each walks the user keys' part of events_user_ts.
  const deleteEventsOfKey = db.prepare('DELETE FROM events WHERE user_key = ?');
  // An anonymous id's events stored under other keys: the keys come from anonymous_user_keys (migration 030).
  const deleteEventsOfAnonymousId = db.prepare(
    `DELETE FROM events INDEXED BY events_user_ts
      WHERE user_key IN (SELECT user_key FROM anonymous_user_keys WHERE anonymous_id = @key) AND anonymous_id = @key`,
  );
  const deleteAnonymousPairs = db.prepare('DELETE FROM anonymous_user_keys WHERE anonymous_id = @key OR user_key = @key');
  // The delete trigger took the pairs of sessions that lost their last message; a session other keys still have keeps its.
  const deleteSessionPairs = db.prepare('DELETE FROM session_user_keys WHERE user_key = @key');
  const deleteLinks = db.prepare('DELETE FROM identities WHERE user_id = ?');
  const deleteUser = db.prepare('DELETE FROM users WHERE user_key = ?');
  // The quarter lists keep numbers, not keys (migration 014): the number's key goes with the user.
  const deleteOrdinal = db.prepare('DELETE FROM user_ordinals WHERE user_key = ?');
  // So do the SDK health lists' browsers (migration 026): a browser is an anonymous id or a user key.
  const deleteBrowser = db.prepare('DELETE FROM sdk_browsers WHERE browser = ?');
  const deleteOldest = db.prepare(
    `DELETE FROM events WHERE id IN (
       SELECT id FROM events INDEXED BY events_ts WHERE ts < ? ORDER BY ts LIMIT ?)`,
  );
  const lowerWatermark = db.prepare(
    'UPDATE rollup_watermark SET folded_through = MIN(folded_through, COALESCE((SELECT MAX(id) FROM events), 0))',
  );

  const eraseUser = db.transaction((userId: string): ErasureOutcome => {
    catchUp();
    // The user's own key, then every anonymous id identify/alias linked to it:
    // their events were relabelled to the user, but one stored under another
    // key (a link that moved on) still carries the anonymous id.
    const keys = [userId, ...(linkedAnonymousIds.all(userId) as string[]).filter((id) => id !== userId)];
    let events = 0;
    let users = 0;
    for (const key of keys) {
      events += deleteEventsOfKey.run(key).changes;
      events += deleteEventsOfAnonymousId.run({ key }).changes;
      deleteAnonymousPairs.run({ key });
      deleteSessionPairs.run({ key });
      users += deleteUser.run(key).changes;
      deleteOrdinal.run(key);
      deleteBrowser.run(key);
    }
    const identities = deleteLinks.run(userId).changes;
    lowerWatermark.run();
    return { events, identities, users };
  });
  const deleteEventsBefore = db.transaction((cutoffMs: number, limit: number): number => {
    catchUp();
    const deleted = deleteOldest.run(cutoffMs, limit).changes;
    lowerWatermark.run();
    return deleted;
  });

  // IMMEDIATE: the writer thread's connection may commit between a deferred transaction's first read and its first write.
  return {
    eraseUser: (userId) => eraseUser.immediate(userId),
    deleteEventsBefore: (cutoffMs, limit) => deleteEventsBefore.immediate(cutoffMs, limit),
  };
}
