import type { Migration } from './migration.js';

/**
 * The fold's intent flows per batch (intent-flow-folds.ts): the per-prompt
 * trigger of migration 009 goes, and batch-fold.ts counts the transitions of
 * each conversation of a batch at once. The trigger looked both neighbours
 * of every prompt up in each of the two chains, six statements per prompt,
 * about a quarter of the fold's time (2026-12-02). Nothing to backfill: the
 * rollup stays as the trigger left it, and the classification and deletion
 * triggers of folded prompts are unchanged.
 */
export const intentFlowBatchFoldMigration: Migration = {
  version: 25,
  name: 'intent flows folded per batch',
  sql: 'DROP TRIGGER fold_intent_flows;',
};
