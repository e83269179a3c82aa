import type Database from 'better-sqlite3';

/**
 * Every value of a value list table (`response_latencies`, `response_ttfts`,
 * `response_token_rates`) as a sorted `[quarter, debug, model, intent, value]`
 * entry: a list is a multiset per key, whatever its chunks and order. Reads
 * the binary lists of migration 010 (big-endian binary64, decoded here with
 * readDoubleBE) and the comma-separated text the backfills of migrations 004
 * and 005 still write, so that the two can be compared.
 */
export function valueListEntries(db: Database.Database, table: string, list: string): string[] {
  const rows = db.prepare(`SELECT quarter, debug, model, intent, ${list} AS list FROM ${table}`).all() as {
    quarter: number;
    debug: number;
    model: string;
    intent: string;
    list: Buffer | string;
  }[];
  return rows
    .flatMap((row) => decode(row.list).map((value) => JSON.stringify([row.quarter, row.debug, row.model, row.intent, value])))
    .sort();
}

function decode(list: Buffer | string): number[] {
  if (typeof list === 'string') return list.split(',').map(Number);
  if (list.length % 8 !== 0) throw new Error(`a binary value list of ${list.length} bytes is not whole 8-byte values`);
  return Array.from({ length: list.length / 8 }, (_, index) => list.readDoubleBE(index * 8));
}
