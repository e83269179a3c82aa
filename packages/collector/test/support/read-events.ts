import Database from 'better-sqlite3';

export interface StoredEventRow {
  message_id: string;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  session_id: string | null;
  conversation_id: string | null;
  prompt_number: number | null;
  intent: string | null;
  properties: string;
  context: string;
  ts: number;
}

/** Reads the collector's events through a second, read-only connection (WAL allows it while the collector writes). */
export function readEvents(dbPath: string, where = '1 = 1'): StoredEventRow[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT * FROM events WHERE ${where} ORDER BY id`).all() as StoredEventRow[];
  } finally {
    db.close();
  }
}

/** Polls until `check` passes (it throws until then) or the timeout ends. */
export async function eventually<T>(check: () => T, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
