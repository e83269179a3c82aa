import { FEEDBACK_MODEL } from './005-streaming-response-ids-delivery.js';
import { type BatchFoldStatement, dropReplacedTriggers } from './027-grouped-rollup-folds.js';
import type { Migration } from './migration.js';

const RESPONSE = `'ai_llm_response_received'`;
const ACTION = `'ai_user_action'`;
/** A UTC quarter-hour, as in the migrations before. */
const QUARTER_MS = 900_000;

/** The responses `r` of one fold batch, ids in (@after, @through]. */
const IN_BATCH = `r.id > @after AND r.id <= @through AND r.event = ${RESPONSE}`;
/** The batch's responses as the outer loop of a join: NOT INDEXED, the batch is a primary-key range; CROSS JOIN keeps it outside. */
const BATCH_RESPONSES_JOIN = 'events r NOT INDEXED CROSS JOIN';
/** Feedback `f` that takes its model from its turn's or its rated response (it names no model itself). */
const FEEDBACK_WITHOUT_MODEL = `f.event = ${ACTION} AND f.feedback_type IS NOT NULL AND f.model IS NULL`;

/**
 * The statements that replace the two per-response fold triggers of
 * migration 005: the batch's responses counted per conversation, flags, model
 * and quarter; and the turn model recomputed (in full, as the triggers did)
 * for the feedback a response of the batch can give a model — feedback of its
 * turn (or, without a prompt number, of its conversation after it) when the
 * response has a model, and feedback naming the response by id. FEEDBACK_MODEL
 * reads only responses and the feedback row itself, so one update per row
 * leaves the value that one update per response left. They run before the
 * satisfaction fold, which counts the batch's feedback under its turn model.
 */
export const GROUPED_RESPONSE_FOLDS: readonly BatchFoldStatement[] = [
  {
    triggers: ['fold_conversation_quarters'],
    sql: `INSERT INTO conversation_response_quarters (conversation_id, debug, model, quarter, responses)
      SELECT r.conversation_id, r.debug, COALESCE(r.model, ''), r.ts / ${QUARTER_MS}, COUNT(*)
        FROM events r NOT INDEXED WHERE ${IN_BATCH} AND r.conversation_id IS NOT NULL
       GROUP BY 1, 2, 3, 4
      ON CONFLICT (conversation_id, debug, model, quarter) DO UPDATE SET responses = responses + excluded.responses`,
  },
  {
    // One update for both ways in: a feedback row that names its response and shares its turn is recomputed once.
    triggers: ['fold_conversation_quarters', 'fold_rated_response'],
    sql: `UPDATE events SET turn_model = ${FEEDBACK_MODEL}
       WHERE id IN (SELECT f.id FROM ${BATCH_RESPONSES_JOIN} events f INDEXED BY events_feedback_turn
                     WHERE ${IN_BATCH} AND r.conversation_id IS NOT NULL AND r.model IS NOT NULL
                       AND ${FEEDBACK_WITHOUT_MODEL} AND f.conversation_id = r.conversation_id
                       AND (f.prompt_number = r.prompt_number OR (f.prompt_number IS NULL AND f.ts >= r.ts))
                    UNION
                    SELECT f.id FROM ${BATCH_RESPONSES_JOIN} events f INDEXED BY events_feedback_response
                     WHERE ${IN_BATCH} AND r.response_id IS NOT NULL
                       AND ${FEEDBACK_WITHOUT_MODEL} AND f.response_id IS NOT NULL
                       AND f.write_key = r.write_key AND f.response_id = r.response_id)`,
  },
];

/**
 * Responses folded per batch: the two per-response fold triggers go
 * (conversation quarters and the turn model of feedback that arrived before
 * its response), and batch-fold.ts runs GROUPED_RESPONSE_FOLDS over each
 * batch instead, so only feedback and events with a channel still pass
 * through `events_to_fold`. Nothing to backfill. Tested with migration 027
 * (027-grouped-rollup-folds.test.ts): the same events folded before either,
 * between them and after both leave the same tables.
 */
export const groupedResponseFoldsMigration: Migration = {
  version: 28,
  name: 'responses folded per batch',
  sql: dropReplacedTriggers(GROUPED_RESPONSE_FOLDS),
};
