import { addResponseSql, removeResponseSql } from './004-event-rollups.js';
import { TOKEN_RATE_LIST, TTFT_LIST, type ValueList } from './005-streaming-response-ids-delivery.js';
import { FOLDED_THROUGH } from './009-rollup-materializer.js';
import { float64BlobSql, float64HexSql } from './float64-sql.js';
import type { Migration } from './migration.js';

const RESPONSE = `'ai_llm_response_received'`;
/** A UTC quarter-hour, as in migrations 003–009. */
const QUARTER_MS = 900_000;
const key = (expression: string): string => `COALESCE(${expression}, '')`;

/** Every latency_ms (migration 004's list, kept in the same table and column). */
export const LATENCY_LIST: ValueList = { table: 'response_latencies', list: 'latencies', column: 'latency_ms' };
/** The per-response measures whose every value is kept, for exact percentiles. */
export const BINARY_VALUE_LISTS = [LATENCY_LIST, TTFT_LIST, TOKEN_RATE_LIST] as const;

/** Bytes per value: an IEEE-754 binary64 (float64-sql.ts). */
export const VALUE_BYTES = 8;
/**
 * A list row takes this many values before the next chunk starts: 800 bytes,
 * so that a row (with its key) stays inside its b-tree page — a WITHOUT ROWID
 * row over about 1000 bytes spills into overflow pages (4 KiB pages) — and
 * so that taking one value out rewrites at most that much.
 */
export const VALUES_PER_CHUNK = 100;
const CHUNK_BYTES = VALUES_PER_CHUNK * VALUE_BYTES;

const LIST_KEY = (row: string): string =>
  `quarter = ${row}.ts / ${QUARTER_MS} AND debug = ${row}.debug AND model = ${key(`${row}.model`)} AND intent = ${key(`${row}.intent`)}`;

/**
 * `||` of two BLOBs gives TEXT with the same bytes; stored as TEXT, a list
 * would stop at its first zero byte for length(), so every concatenation is
 * cast back.
 */
const concatBlobsSql = (left: string, right: string): string => `CAST(${left} || ${right} AS BLOB)`;

/** Appends the row's value to the last chunk of its key, or starts the next chunk when that one is full. */
export function addBinaryValueSql({ table, list, column }: ValueList, row: string): string {
  return `INSERT INTO ${table} (quarter, debug, model, intent, chunk, ${list})
      SELECT ${row}.ts / ${QUARTER_MS}, ${row}.debug, ${key(`${row}.model`)}, ${key(`${row}.intent`)},
             COALESCE((SELECT chunk + (length(${list}) >= ${CHUNK_BYTES}) FROM ${table}
                        WHERE ${LIST_KEY(row)} ORDER BY chunk DESC LIMIT 1), 0),
             ${float64BlobSql(`${row}.${column}`)}
       WHERE ${row}.${column} IS NOT NULL
      ON CONFLICT (quarter, debug, model, intent, chunk) DO UPDATE SET ${list} = ${concatBlobsSql(list, `excluded.${list}`)};`;
}

/**
 * 1-based byte position of the first occurrence of `target` (8 bytes) in
 * `list` that starts a value, 0 when there is none. instr() matches at any
 * byte, and a value's bytes can also appear across two neighbours: each
 * unaligned match sends the search on past it.
 */
function alignedPositionSql(list: string, target: string): string {
  const next = `instr(substr(${list}, position + 1), ${target})`;
  return `COALESCE((WITH RECURSIVE found(position) AS (
          SELECT instr(${list}, ${target})
          UNION ALL
          SELECT CASE WHEN ${next} = 0 THEN 0 ELSE position + ${next} END FROM found
           WHERE position > 0 AND position % ${VALUE_BYTES} <> 1)
        SELECT position FROM found WHERE position % ${VALUE_BYTES} = 1 LIMIT 1), 0)`;
}

/** Takes one occurrence of the row's value out of its key's chunks (a list is a multiset); an emptied chunk goes. */
export function removeBinaryValueSql({ table, list, column }: ValueList, row: string): string {
  const position = alignedPositionSql(list, float64BlobSql(`${row}.${column}`));
  return `UPDATE ${table}
         SET ${list} = ${concatBlobsSql(`substr(${list}, 1, ${position} - 1)`, `substr(${list}, ${position} + ${VALUE_BYTES})`)}
       WHERE ${row}.${column} IS NOT NULL AND ${LIST_KEY(row)}
         AND chunk = (SELECT chunk FROM ${table} WHERE ${LIST_KEY(row)} AND ${position} > 0 ORDER BY chunk LIMIT 1);
      DELETE FROM ${table} WHERE ${row}.${column} IS NOT NULL AND ${LIST_KEY(row)} AND length(${list}) = 0;`;
}

/**
 * One text list table (comma-separated numbers, as migrations 004 and 005
 * wrote them) rewritten as binary chunks of VALUES_PER_CHUNK values, in the
 * order the text held them. json_each reads each number as SQLite's own
 * text-to-REAL conversion does, which gives back the double that was written.
 */
function convertListSql({ table, list }: ValueList): string {
  return `CREATE TABLE ${table}_binary (
      quarter INTEGER NOT NULL,
      debug   INTEGER NOT NULL,
      model   TEXT    NOT NULL, -- '' = none
      intent  TEXT    NOT NULL, -- '' = none
      chunk   INTEGER NOT NULL,
      ${list} BLOB    NOT NULL, -- big-endian binary64 values, ${VALUE_BYTES} bytes each
      PRIMARY KEY (quarter, debug, model, intent, chunk)
    ) WITHOUT ROWID;
    INSERT INTO ${table}_binary (quarter, debug, model, intent, chunk, ${list})
      SELECT quarter, debug, model, intent, position / ${VALUES_PER_CHUNK}, unhex(group_concat(hex, '' ORDER BY position))
        FROM (SELECT t.quarter, t.debug, t.model, t.intent, ${float64HexSql('v.value')} AS hex,
                     ROW_NUMBER() OVER (PARTITION BY t.quarter, t.debug, t.model, t.intent ORDER BY t.chunk, v.key) - 1 AS position
                FROM ${table} AS t, json_each('[' || t.${list} || ']') AS v)
       GROUP BY quarter, debug, model, intent, position / ${VALUES_PER_CHUNK};
    DROP TABLE ${table};
    ALTER TABLE ${table}_binary RENAME TO ${table};`;
}

/** The triggers of migrations 008 and 009 that write the text lists. */
const TEXT_LIST_TRIGGERS = [
  'fold_response_rollups',
  'events_response_rollups_intent',
  'events_stream_lists_intent',
  'events_response_rollups_delete',
] as const;

/**
 * Value lists as binary: `response_latencies`, `response_ttfts` and
 * `response_token_rates` keep every value as big-endian binary64, 8 bytes
 * each, instead of comma-separated text. Exact percentiles read the
 * concatenated bytes as a Float64Array (metrics/float64-values.ts) instead of
 * parsing text, which at 10M events cost about 0.55 s of a 0.8 s answer.
 *
 * - Existing lists are converted in place (same tables, same keys, same values).
 * - The fold appends a batch's values a chunk at a time (value-list-folds.ts)
 *   instead of one concatenation per event: the list parts leave the fold's
 *   per-event trigger.
 * - Classification (intent moves a value between keys) and deletion
 *   (migration 008) take one occurrence of the value out of its key's
 *   chunks, as they did from the text.
 */
export const binaryValueListsMigration: Migration = {
  version: 10,
  name: 'value lists as binary64 arrays',
  sql: `
    ${TEXT_LIST_TRIGGERS.map((name) => `DROP TRIGGER ${name};`).join('\n    ')}

    ${BINARY_VALUE_LISTS.map(convertListSql).join('\n    ')}

    CREATE TRIGGER fold_response_rollups INSTEAD OF INSERT ON events_to_fold
    WHEN NEW.event = ${RESPONSE}
    BEGIN
      ${addResponseSql('NEW')}
    END;

    CREATE TRIGGER events_response_rollups_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${RESPONSE} AND OLD.intent IS NOT NEW.intent AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${addResponseSql('NEW')}
      ${removeResponseSql('OLD')}
    END;

    CREATE TRIGGER events_value_lists_intent AFTER UPDATE OF intent ON events
    WHEN NEW.event = ${RESPONSE} AND OLD.intent IS NOT NEW.intent AND OLD.id <= ${FOLDED_THROUGH}
    BEGIN
      ${BINARY_VALUE_LISTS.map((list) => `${addBinaryValueSql(list, 'NEW')}\n      ${removeBinaryValueSql(list, 'OLD')}`).join('\n      ')}
    END;

    CREATE TRIGGER events_response_rollups_delete AFTER DELETE ON events
    WHEN OLD.event = ${RESPONSE}
    BEGIN
      ${removeResponseSql('OLD')}
      ${BINARY_VALUE_LISTS.map((list) => removeBinaryValueSql(list, 'OLD')).join('\n      ')}
    END;
  `,
};
