import Database from 'better-sqlite3';
import type { EventKey } from './event-ids.js';

/** One prompt text waiting for background classification, with the ids that name its user. */
export interface LocalQueuedPrompt extends EventKey {
  text: string;
  userId: string | null;
  anonymousId: string | null;
  enqueuedAt: number;
}

/**
 * The classification backlog of one collector: prompt texts in a small local
 * SQLite file, never in ClickHouse (texts must not reach the shared store).
 * It is the one thing a collector keeps on its own disk; losing it loses
 * only classifications not made yet. `secure_delete` overwrites erased texts;
 * `:memory:` (no path) keeps them for the process's lifetime only.
 */
export class LocalPromptQueue {
  readonly #db: Database.Database;
  readonly #statements: Record<'enqueue' | 'next' | 'dequeue' | 'count' | 'oldest', Database.Statement>;

  constructor(path: string | undefined) {
    this.#db = new Database(path ?? ':memory:');
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('secure_delete = ON');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS prompt_queue (
      position     INTEGER PRIMARY KEY,
      write_key    TEXT NOT NULL,
      message_id   TEXT NOT NULL,
      user_id      TEXT,
      anonymous_id TEXT,
      prompt_text  TEXT NOT NULL,
      enqueued_at  INTEGER NOT NULL,
      UNIQUE (write_key, message_id)
    )`);
    this.#statements = {
      enqueue: this.#db.prepare(`INSERT INTO prompt_queue (write_key, message_id, user_id, anonymous_id, prompt_text, enqueued_at)
        VALUES (@writeKey, @messageId, @userId, @anonymousId, @text, @enqueuedAt) ON CONFLICT (write_key, message_id) DO NOTHING`),
      next: this.#db.prepare(`SELECT write_key AS writeKey, message_id AS messageId, user_id AS userId, anonymous_id AS anonymousId,
        prompt_text AS text, enqueued_at AS enqueuedAt FROM prompt_queue ORDER BY position LIMIT ?`),
      dequeue: this.#db.prepare('DELETE FROM prompt_queue WHERE write_key = ? AND message_id = ?'),
      count: this.#db.prepare('SELECT COUNT(*) AS count FROM prompt_queue'),
      oldest: this.#db.prepare('SELECT write_key AS writeKey, message_id AS messageId, enqueued_at AS enqueuedAt FROM prompt_queue ORDER BY position LIMIT 1'),
    };
  }

  /** Adds prompts (all or none); a prompt already queued is kept once. */
  enqueue(prompts: readonly LocalQueuedPrompt[]): void {
    this.#db.transaction(() => {
      for (const prompt of prompts) this.#statements.enqueue.run(prompt);
    })();
  }

  next(limit: number): LocalQueuedPrompt[] {
    return this.#statements.next.all(limit) as LocalQueuedPrompt[];
  }

  dequeue(keys: readonly EventKey[]): void {
    this.#db.transaction(() => {
      for (const key of keys) this.#statements.dequeue.run(key.writeKey, key.messageId);
    })();
  }

  count(): number {
    return (this.#statements.count.get() as { count: number }).count;
  }

  oldest(): (EventKey & { enqueuedAt: number }) | null {
    return (this.#statements.oldest.get() as (EventKey & { enqueuedAt: number }) | undefined) ?? null;
  }

  /** Drops the queued texts of prompts sent under any of these user or anonymous ids (an erasure); resolves with how many went. */
  eraseUsers(ids: readonly string[]): number {
    const erase = this.#db.prepare('DELETE FROM prompt_queue WHERE user_id = ? OR anonymous_id = ?');
    return this.#db.transaction(() => ids.reduce((erased, id) => erased + erase.run(id, id).changes, 0))();
  }

  /** Copies the WAL (which still held erased texts) into the main file and empties it. */
  purge(): void {
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.purge();
    this.#db.close();
  }
}
