import type Database from 'better-sqlite3';

/**
 * The bytes `events.write_key` holds for the code `code`: its decimal digits
 * as a BLOB, as migration 029's writeKeyCodeSql makes them.
 */
export function writeKeyCodeBytes(code: number): Buffer {
  return Buffer.from(String(code), 'latin1');
}

/** SQL: the write key of the events row `row` (a table alias), which holds the key's code (migration 029). */
export const storedWriteKeySql = (row: string): string =>
  `(SELECT write_key FROM write_keys WHERE code = CAST(CAST(${row}.write_key AS TEXT) AS INTEGER))`;

/**
 * The writer's side of the write-key codes (migration 029): the code of each
 * event's write key, added when the key is new.
 *
 * Codes are remembered across transactions, since `write_keys` rows are never
 * deleted; a code found in a transaction is remembered only once that
 * transaction committed, because a rolled-back insert could hand the same
 * code to another key later. One instance per writing connection; `codeOf`
 * runs inside the write transaction.
 */
export class WriteKeyCodes {
  readonly #find: Database.Statement;
  readonly #insert: Database.Statement;
  /** Committed codes by key. */
  readonly #codes = new Map<string, Buffer>();
  /** Codes found or added by the open transaction, remembered once it commits. */
  readonly #found = new Map<string, Buffer>();

  constructor(db: Database.Database) {
    this.#find = db.prepare('SELECT code FROM write_keys WHERE write_key = ?').pluck();
    this.#insert = db.prepare('INSERT INTO write_keys (write_key) VALUES (?)');
  }

  /** The stored form of `writeKey`'s code, the key added when new. */
  codeOf(writeKey: string): Buffer {
    const known = this.#codes.get(writeKey) ?? this.#found.get(writeKey);
    if (known !== undefined) return known;
    const code = (this.#find.get(writeKey) as number | undefined) ?? Number(this.#insert.run(writeKey).lastInsertRowid);
    const bytes = writeKeyCodeBytes(code);
    this.#found.set(writeKey, bytes);
    return bytes;
  }

  /** The transaction committed: its codes are valid from now on. */
  committed(): void {
    for (const [writeKey, bytes] of this.#found) this.#codes.set(writeKey, bytes);
    this.#found.clear();
  }

  /** The transaction rolled back: the codes it added are gone. */
  rolledBack(): void {
    this.#found.clear();
  }
}
