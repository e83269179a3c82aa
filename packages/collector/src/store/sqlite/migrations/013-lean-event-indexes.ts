import type { Migration } from './migration.js';

/**
 * Drops the `events` indexes no statement needs since the metrics read the
 * rollups of migrations 009–012. Every index costs bytes per stored event and
 * a b-tree insert per event on the ingest path; at 50,000 bench events the
 * two dropped here held 86 of the table's 280 index bytes per event.
 *
 * - `events_event_ts (event, ts)` (migration 001): no statement needs it any
 *   more, and the fold was its worst user. Each batch statement of
 *   user-rollup-folds.ts (`id > @after AND id <= @through AND event = …`) was
 *   planned through it, i.e. walked every stored event of that name once per
 *   batch; without it they read the batch's id range. The per-event metrics
 *   it once served read the rollups; what still reads event ranges has a
 *   better index: a conversation filter `events_conversation` or
 *   `events_turn_intent`, the live conversations `events_ts` (named in
 *   live-queries.ts; the planner would otherwise walk `events_conversation`
 *   whole), flows with mixed traffic flags `events_ts`, the per-response
 *   fallbacks `events_response_ts` below. No trigger names it.
 * - `events_response_metrics` (migration 003, 12 columns over every response,
 *   44 B/event): a covering index for the per-response metrics, which now
 *   read `response_rollup`, the value lists and the entry rollups. Left over
 *   are the read-time fallbacks for what the rollups have no column for (an
 *   intent or model filter on cost per segment, the distinct conversations of
 *   debug or flagged traffic or of one intent); these need only the
 *   responses of the range, so it is replaced by
 *   `events_response_ts (ts) WHERE event = 'ai_llm_response_received'`,
 *   which finds them without reading the other events, and the rows are read
 *   from the table (slower than the covering index on these rare filters,
 *   in exchange for every event being smaller and cheaper to store).
 *
 * Kept, each because a per-event or per-request statement would otherwise
 * scan `events`: the unique (write_key, message_id) (dedupe at insert),
 * `events_user_ts` (identify/alias relabel, erasure, named in migration 008's
 * and 009's triggers), `events_anonymous` (erasure of linked anonymous ids),
 * `events_session` and `events_turn_intent` (delete triggers, intent lookups
 * at ingest and classification), `events_conversation` (turn-intent
 * propagation per classified prompt, conversation filters),
 * `events_response_turn`, `events_response_id`, `events_feedback_turn`,
 * `events_feedback_response` (the fold's and the delete triggers' turn-model
 * lookups), `events_user_channel` (first touch), `events_ts` (retention,
 * live conversations), and the small partial `events_feedback_turn_metrics`
 * (satisfaction, which has no rollup) and `events_sdk_health` (delivery).
 */
export const leanEventIndexesMigration: Migration = {
  version: 13,
  name: 'drop the events indexes the rollups replaced',
  sql: `
    DROP INDEX events_event_ts;
    DROP INDEX events_response_metrics;
    CREATE INDEX events_response_ts ON events (ts) WHERE event = 'ai_llm_response_received';
  `,
};
