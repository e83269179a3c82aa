import type Database from 'better-sqlite3';
import { type FoldEvent, quarterOf, VALUE_COLUMN_INDEX } from './fold-event.js';
import { inKeyOrder } from './key-order.js';
import { createMultiRowUpsert } from './multi-row-upsert.js';
import type { ValueList } from './migrations/005-streaming-response-ids-delivery.js';
import { VALUE_BYTES, VALUES_PER_CHUNK } from './migrations/010-binary-value-lists.js';

/** One key's values of the batch, in id order. */
interface KeyValues { quarter: number; debug: number; model: string; intent: string; values: number[] }

/**
 * A value as float64-sql.ts encodes it: zero of either sign as +0, and (as
 * that SQL does) ±Infinity as 0 too, which ingest never stores (it keeps finite numbers only)
 * but an event written by other means could hold; NaN cannot be stored.
 */
const encodable = (value: number): number => (value === 0 || !Number.isFinite(value) ? 0 : value);

/**
 * One fold batch's values of one binary value list (migration 010): `add`
 * takes the batch's responses in id order and keeps each value under its key
 * (quarter, flags, model, intent, '' for none); `write` appends them to the
 * key's last chunk and on to new chunks of VALUES_PER_CHUNK values — the
 * chunks one event at a time would have made, with one write per chunk
 * instead of one concatenation per value.
 */
export class ValueListBatch {
  readonly #column: number;
  readonly #lastChunk: Database.Statement;
  readonly #append: (rows: readonly (readonly unknown[])[]) => void;
  readonly #keys = new Map<string, KeyValues>();

  constructor(db: Database.Database, { table, list, column }: ValueList) {
    const index = VALUE_COLUMN_INDEX[column];
    if (index === undefined) throw new Error(`value list ${table}: column ${column} is not read by the batch fold (fold-event.ts)`);
    this.#column = index;
    this.#lastChunk = db
      .prepare(`SELECT chunk, length(${list}) / ${VALUE_BYTES} FROM ${table} WHERE quarter = ? AND debug = ? AND model = ? AND intent = ? ORDER BY chunk DESC LIMIT 1`)
      .raw();
    // `||` of two BLOBs gives TEXT, which length() would stop reading at a zero byte: cast back (as migration 010 does).
    this.#append = createMultiRowUpsert(db, {
      insert: `INSERT INTO ${table} (quarter, debug, model, intent, chunk, ${list})`,
      columns: 6,
      onConflict: `ON CONFLICT (quarter, debug, model, intent, chunk) DO UPDATE SET ${list} = CAST(${list} || excluded.${list} AS BLOB)`,
    });
  }

  /** Keeps a response's value (none when NULL); call in id order. */
  add(row: FoldEvent): void {
    const value = row[this.#column] as number | null;
    if (value === null) return;
    const quarter = quarterOf(row[1]);
    const debug = row[2];
    const model = row[6] ?? '';
    const intent = row[7] ?? '';
    // The numbers, then model with its length so that no two (model, intent) pairs run together.
    const key = `${quarter}:${debug}:${model.length}:${model}${intent}`;
    const values = this.#keys.get(key);
    if (values === undefined) this.#keys.set(key, { quarter, debug, model, intent, values: [value] });
    else values.values.push(value);
  }

  /** Appends every key's values to its chunks. */
  write(): void {
    const chunks: (readonly unknown[])[] = [];
    for (const { quarter, debug, model, intent, values } of inKeyOrder(this.#keys.values(), ['quarter', 'debug', 'model', 'intent'])) {
      const last = this.#lastChunk.get(quarter, debug, model, intent) as [chunk: number, filled: number] | undefined;
      const [lastChunk, filled] = last ?? [0, 0];
      // The values are numbered on from the last chunk's: value `position` goes to chunk lastChunk + ⌊(filled + position) / VALUES_PER_CHUNK⌋.
      let position = 0;
      while (position < values.length) {
        const chunk = Math.floor((filled + position) / VALUES_PER_CHUNK);
        const end = Math.min(values.length, (chunk + 1) * VALUES_PER_CHUNK - filled);
        const bytes = Buffer.allocUnsafe((end - position) * VALUE_BYTES);
        for (let index = position; index < end; index += 1) bytes.writeDoubleBE(encodable(values[index] as number), (index - position) * VALUE_BYTES);
        chunks.push([quarter, debug, model, intent, lastChunk + chunk, bytes]);
        position = end;
      }
    }
    // After every lookup: the appends change the last chunks the lookups read.
    this.#append(chunks);
  }

  /** Forgets the batch: call after write(), or when the batch was rolled back. */
  clear(): void {
    this.#keys.clear();
  }
}
