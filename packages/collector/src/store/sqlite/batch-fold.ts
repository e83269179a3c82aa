import type Database from 'better-sqlite3';
import { SDK_HEALTH_EVENT } from '../../protocol/index.js';
import { FOLD_EVENT_COLUMNS, type FoldEvent, PROMPT_EVENT, quarterOf, RESPONSE_EVENT } from './fold-event.js';
import { BINARY_VALUE_LISTS } from './migrations/010-binary-value-lists.js';
import { IntentFlowBatch } from './intent-flow-folds.js';
import { FOLD_SATISFACTION_SQL } from './migrations/015-satisfaction-rollup.js';
import { SDK_HEALTH_LISTS } from './migrations/026-sdk-health-lists.js';
import { GROUPED_ROLLUP_FOLDS, PER_EVENT_FOLD_TRIGGERS } from './migrations/027-grouped-rollup-folds.js';
import { GROUPED_RESPONSE_FOLDS } from './migrations/028-grouped-response-folds.js';
import { FOLD_ANONYMOUS_USER_KEYS } from './migrations/030-anonymous-user-keys.js';
import { FOLD_SESSION_USER_KEYS } from './migrations/031-session-user-keys.js';
import { UserRollupBatch } from './user-rollup-folds.js';
import { ValueListBatch } from './value-list-folds.js';
import { eventComparisonsFor } from './vocabulary-codes.js';

/** The events of one fold batch: ids in (after, through]. */
export interface FoldRange {
  after: number;
  through: number;
}

/**
 * Ids read at a time: the rows of a slice are garbage before the next one is
 * read, where a catch-up batch's 10,000 rows read at once would outlive
 * several scavenges and be copied by each.
 */
const READ_SLICE = 500;

/** The tables the database has. */
function tableNames(db: Database.Database): Set<string> {
  return new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
}

/** The per-event fold triggers the database has on `events_to_fold` (migrations 009 onwards). */
function foldTriggers(db: Database.Database): Set<string> {
  return new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events_to_fold'`).pluck().all() as string[]);
}

/**
 * The statement that passes a batch's events through `events_to_fold`, whose
 * per-event triggers then fold them. Since migration 027 only the events a
 * trigger acts on go in (PER_EVENT_FOLD_TRIGGERS); a database with a trigger
 * not named there gets every event, as before. ORDER BY id: the triggers see
 * the events in the order they were stored.
 */
export function perEventFoldSql(db: Database.Database): string {
  // NOT INDEXED: the batch is a primary-key range, whatever partial index the conditions below match.
  const all = 'INSERT INTO events_to_fold SELECT * FROM events NOT INDEXED WHERE id > @after AND id <= @through';
  const conditions = [...foldTriggers(db)].map((trigger) => PER_EVENT_FOLD_TRIGGERS[trigger]);
  if (conditions.some((condition) => condition === undefined)) return `${all} ORDER BY id`;
  if (conditions.length === 0) return `${all} AND 0`;
  return eventComparisonsFor(db)(`${all} AND (${conditions.map((condition) => `(${condition})`).join(' OR ')}) ORDER BY id`);
}

/**
 * The part of the fold that aggregates a batch rather than one event: the
 * user-level rollups (user-rollup-folds.ts), the binary value lists
 * (value-list-folds.ts), the intent flows (intent-flow-folds.ts, migration
 * 025), the satisfaction rollup (migration 015), the stale marks of the
 * SDK health lists (migration 026), the prompt, response and SDK-event
 * rollups (one grouped upsert each, migration 027) and the responses'
 * conversation quarters and feedback turn models (migration 028), and the
 * anonymous ids' and sessions' user keys (migrations 030, 031). For the
 * user rollups, value lists and intent flows, one SELECT reads the batch's
 * prompts, responses and health reports in id order, JavaScript aggregates
 * them per rollup key, and the aggregates are merged with multi-row upserts
 * (multi-row-upsert.ts). It replaced nine
 * grouped SQL statements, each of which read the batch again — through
 * events_event_ts, i.e. every prompt or response of the file, with no
 * sqlite_stat1 to say otherwise — and grouped it in a temporary b-tree.
 * Measured 2026-12-02 on the 50,000-event bench database (CPU time per event,
 * loaded machine, alternate runs): 500-event batches 52 → 10–12 µs, the
 * whole background fold 59–61 → 31–35 µs; 10,000-event catch-up batches
 * 9–11 → 12–13 µs, the whole catch-up 25 → 28 µs.
 *
 * Returns the function rollup-materializer.ts calls inside the batch's
 * transaction, after the per-event triggers of `events_to_fold`.
 */
export function createBatchFold(db: Database.Database): (range: FoldRange) => void {
  // The grouped statements compare event names; on a schema that stores codes they compare the codes, as the
  // partial indexes they use do.
  const inSchema = eventComparisonsFor(db);
  // NOT INDEXED: the batch is a primary-key range. With an index on the event name (events_event_ts until
  // migration 013) the planner read every prompt and response of the file for each batch and sorted them by id.
  const read = db
    .prepare(`SELECT ${FOLD_EVENT_COLUMNS} FROM events NOT INDEXED WHERE id > ? AND id <= ? AND event IN (?, ?, ?) ORDER BY id`)
    .raw();
  const userRollups = new UserRollupBatch(db);
  const intentFlows = new IntentFlowBatch(db);
  const valueLists = BINARY_VALUE_LISTS.map((list) => new ValueListBatch(db, list));
  // Feedback is few (4% of the bench events): one grouped statement over the batch's id range, after the
  // per-event triggers and the turn-model updates of migration 028, so that feedback whose turn model a later
  // response of the same batch set counts under it.
  const foldSatisfaction = db.prepare(inSchema(FOLD_SATISFACTION_SQL));
  // The statements of migrations 027 and 028, for a database whose per-event trigger doing that work is gone
  // (the turn models first, which the satisfaction fold reads), and those of 030 and 031 once their tables exist.
  const triggers = foldTriggers(db);
  const tables = tableNames(db);
  const groupedFolds = [...GROUPED_RESPONSE_FOLDS, ...GROUPED_ROLLUP_FOLDS, FOLD_ANONYMOUS_USER_KEYS, FOLD_SESSION_USER_KEYS]
    .filter((statement) => !statement.triggers.some((trigger) => triggers.has(trigger)))
    .filter((statement) => statement.table === undefined || tables.has(statement.table))
    .map(({ sql }) => db.prepare(inSchema(sql)));
  // A health report's quarter turns stale (migration 026): its list is rewritten from the reports.
  const markHealthStale = db.prepare(`INSERT OR IGNORE INTO ${SDK_HEALTH_LISTS.stale} (quarter) VALUES (?)`);
  const healthQuarters = new Set<number>();
  return ({ after, through }) => {
    for (const fold of groupedFolds) fold.run({ after, through });
    foldSatisfaction.run({ after, through });
    try {
      for (let from = after; from < through; from += READ_SLICE) {
        for (const row of read.all(from, Math.min(through, from + READ_SLICE), PROMPT_EVENT, RESPONSE_EVENT, SDK_HEALTH_EVENT) as FoldEvent[]) {
          if (row[0] === SDK_HEALTH_EVENT) {
            healthQuarters.add(quarterOf(row[1]));
            continue;
          }
          userRollups.add(row);
          intentFlows.add(row);
          if (row[0] === RESPONSE_EVENT) for (const list of valueLists) list.add(row);
        }
      }
      // The order of the SQL it replaced: user rollups (cost rows before conversation quarters), then the lists.
      userRollups.write();
      for (const list of valueLists) list.write();
      intentFlows.write(after);
      for (const quarter of healthQuarters) markHealthStale.run(quarter);
    } finally {
      // A failed write rolls the transaction back: nothing of this batch may stay for the next one.
      userRollups.clear();
      for (const list of valueLists) list.clear();
      intentFlows.clear();
      healthQuarters.clear();
    }
  };
}
