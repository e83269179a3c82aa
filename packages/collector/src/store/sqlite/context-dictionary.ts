import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * Recently used contexts kept in memory. The events of one page session share
 * their context, and a busy product has a few thousand sessions sending within
 * minutes of each other; at about 500 bytes per context this holds ~5 MB.
 */
export const CACHED_CONTEXTS = 10_000;

/**
 * The dictionary's key for a context JSON text: the first 48 bits of its
 * SHA-1, which SQLite stores in 6 bytes. Rows are found by hash and text, so
 * two texts with one hash are two rows; 48 bits keep that rare enough that the
 * extra comparison never shows.
 */
export function contextHash(text: string): number {
  return createHash('sha1').update(text).digest().readIntBE(0, 6);
}

/**
 * The writer's side of the context dictionary (migration 017): the id of each
 * event's context JSON, and the count of events naming it.
 *
 * Ids are remembered across transactions (text → id, least recently used
 * forgotten first), so an event whose context is known costs a Map lookup,
 * and one not remembered a hash and a select (and an insert when new). Two
 * things could make a remembered id wrong, and both make it forget:
 * - the transaction that added the row rolled back: ids found in a
 *   transaction are only remembered once it has committed (`committed`);
 * - another connection deleted the row (erasure, retention: its last event
 *   went) and SQLite may give the id to another text: each transaction first
 *   reads the counter of deletions (`begin`), under the write lock, so no
 *   deletion can come between that read and the inserts.
 *
 * One instance per writing connection; every method but `committed` and
 * `rolledBack` runs inside the write transaction.
 */
export class ContextDictionary {
  readonly #find: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #addReferences: Database.Statement;
  readonly #deleteUnreferenced: Database.Statement;
  readonly #deletions: Database.Statement;
  readonly #capacity: number;
  /** Committed rows by text, least recently used first (a Map keeps insertion order). */
  readonly #ids = new Map<string, number>();
  /** Rows found or added by the open transaction, remembered once it commits. */
  readonly #found = new Map<string, number>();
  /** Rows the open transaction added. */
  readonly #added = new Set<number>();
  /** Events the open transaction stored, per context id. */
  readonly #references = new Map<number, number>();
  #deletionsSeen = -1;

  constructor(db: Database.Database, capacity = CACHED_CONTEXTS) {
    this.#find = db.prepare('SELECT id FROM contexts WHERE hash = ? AND context = ?').pluck();
    // The select and the insert run in one write transaction: no other connection can add the same text in between.
    this.#insert = db.prepare('INSERT INTO contexts (hash, context) VALUES (?, ?)');
    this.#addReferences = db.prepare('UPDATE contexts SET refs = refs + ? WHERE id = ?');
    this.#deleteUnreferenced = db.prepare('DELETE FROM contexts WHERE id = ? AND refs = 0');
    this.#deletions = db.prepare('SELECT deletions FROM context_deletions').pluck();
    this.#capacity = capacity;
  }

  /** Opens a transaction's use: forgets every id when a dictionary row was deleted since the last one. */
  begin(): void {
    const deletions = this.#deletions.get() as number;
    if (deletions !== this.#deletionsSeen) this.#ids.clear();
    this.#deletionsSeen = deletions;
  }

  /** The id of the context JSON `text`, added to the dictionary when new. */
  idOf(text: string): number {
    const found = this.#found.get(text);
    if (found !== undefined) return found;
    const remembered = this.#ids.get(text);
    if (remembered !== undefined) {
      // Through #found, so that committing marks it recently used.
      this.#found.set(text, remembered);
      return remembered;
    }
    const hash = contextHash(text);
    let id = this.#find.get(hash, text) as number | undefined;
    if (id === undefined) {
      id = Number(this.#insert.run(hash, text).lastInsertRowid);
      this.#added.add(id);
    }
    this.#found.set(text, id);
    return id;
  }

  /** Counts one stored event naming `id`. */
  reference(id: number): void {
    this.#references.set(id, (this.#references.get(id) ?? 0) + 1);
  }

  /**
   * Writes the transaction's reference counts, one statement per context
   * rather than one per event, and deletes the rows it added for events that
   * turned out to be duplicates (no event names them).
   */
  finish(): void {
    for (const [id, count] of this.#references) this.#addReferences.run(count, id);
    for (const id of this.#added) {
      if (this.#references.has(id)) continue;
      // Its own deletion moves the counter too: that one is known, not a reason to forget.
      this.#deletionsSeen += this.#deleteUnreferenced.run(id).changes;
      for (const [text, found] of this.#found) if (found === id) this.#found.delete(text);
    }
  }

  /** The transaction committed: its ids are valid from now on. */
  committed(): void {
    for (const [text, id] of this.#found) {
      this.#ids.delete(text);
      this.#ids.set(text, id);
    }
    for (const text of this.#ids.keys()) {
      if (this.#ids.size <= this.#capacity) break;
      this.#ids.delete(text);
    }
    this.#clearTransaction();
  }

  /** The transaction rolled back: the rows it added are gone, and the ids it found are not remembered. */
  rolledBack(): void {
    this.#clearTransaction();
  }

  #clearTransaction(): void {
    this.#found.clear();
    this.#added.clear();
    this.#references.clear();
  }
}
