import { AI_EVENT } from '../../protocol/index.js';
import { BINARY_VALUE_LISTS, VALUE_BYTES, VALUES_PER_CHUNK } from './migrations/010-binary-value-lists.js';
import type { ValueList } from './migrations/005-streaming-response-ids-delivery.js';
import { float64HexSql } from './migrations/float64-sql.js';

const RESPONSE = `'${AI_EVENT.responseReceived}'`;
/** A UTC quarter-hour, as in the migrations. */
const QUARTER_MS = 900_000;
/** The events of one fold batch: ids in (@after, @through]. */
const IN_BATCH = 'id > @after AND id <= @through';
const KEY_COLUMNS = 'quarter, debug, model, intent';

/**
 * Appends one fold batch's values to a binary value list (migration 010) in
 * one statement: the batch's values are numbered per key in id order, the
 * numbering continues the key's last chunk, and every VALUES_PER_CHUNK values
 * make a chunk — the chunks one event at a time would have made, with one
 * write per chunk instead of one concatenation per event. The SELECT reads the
 * last chunks as they were before the statement (SQLite materialises it,
 * since it reads the table it inserts into).
 */
function valueListFoldSql({ table, list, column }: ValueList): string {
  return `INSERT INTO ${table} (${KEY_COLUMNS}, chunk, ${list})
     SELECT ${KEY_COLUMNS}, last_chunk + (filled + position) / ${VALUES_PER_CHUNK}, unhex(group_concat(hex, '' ORDER BY position))
       FROM (SELECT batch.*, COALESCE(last.chunk, 0) AS last_chunk, COALESCE(length(last.${list}) / ${VALUE_BYTES}, 0) AS filled
               FROM (SELECT ts / ${QUARTER_MS} AS quarter, debug, COALESCE(model, '') AS model, COALESCE(intent, '') AS intent,
                            ${float64HexSql(column)} AS hex,
                            ROW_NUMBER() OVER (PARTITION BY ts / ${QUARTER_MS}, debug, COALESCE(model, ''), COALESCE(intent, '') ORDER BY id) - 1 AS position
                       FROM events
                      WHERE ${IN_BATCH} AND event = ${RESPONSE} AND ${column} IS NOT NULL) AS batch
               LEFT JOIN ${table} AS last
                 ON last.quarter = batch.quarter AND last.debug = batch.debug AND last.model = batch.model AND last.intent = batch.intent
                AND last.chunk = (SELECT MAX(chunk) FROM ${table} AS other
                                   WHERE other.quarter = batch.quarter AND other.debug = batch.debug
                                     AND other.model = batch.model AND other.intent = batch.intent))
      GROUP BY ${KEY_COLUMNS}, last_chunk + (filled + position) / ${VALUES_PER_CHUNK}
     ON CONFLICT (${KEY_COLUMNS}, chunk) DO UPDATE SET ${list} = CAST(${list} || excluded.${list} AS BLOB)`;
}

/**
 * The value lists' part of the fold, one statement per list per batch (run
 * by rollup-materializer.ts with the batch's id range). Folding a batch's
 * values together rather than in the fold's per-event trigger spares one
 * read-modify-write of a list row per value.
 */
export const VALUE_LIST_FOLDS: readonly string[] = BINARY_VALUE_LISTS.map(valueListFoldSql);
