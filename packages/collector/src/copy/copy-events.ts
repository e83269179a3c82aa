import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EventSink } from '../store/event-sink.js';
import { messageIdFromStored } from '../store/sqlite/message-ids.js';
import type { SettingsStore } from '../store/settings-store.js';
import { readEventPages } from './sqlite-event-source.js';

/** Where events are copied to: any store's write side and its settings (which keep the progress). */
export type CopyDestination = EventSink & SettingsStore;

export interface CopyProgress {
  /** The source's row id this run continued after (0: from the start). */
  resumedAfterRowId: number;
  /** The last source row id now stored in the destination. */
  lastRowId: number;
  /** Events read from the source by this run. */
  read: number;
  /** As the destination counted them: new events, and events it already had (an earlier, interrupted run). */
  inserted: number;
  duplicates: number;
}

export interface CopyEventsOptions {
  source: Database.Database;
  destination: CopyDestination;
  /** Events per insert: 10,000 is a few MB per request, well inside ClickHouse's comfort zone for one INSERT. */
  pageSize?: number;
  /** Called after each page is stored, e.g. to print progress. */
  onPage?: (progress: CopyProgress) => void;
}

/**
 * Copies every event of a SQLite file into another store, page by page.
 * Idempotent: the destination skips a message id it already holds for the
 * write key, so copying twice stores each event once. Resumable: after each
 * page is acknowledged, the last copied row id is saved in the destination's
 * settings under a name derived from the source's first event, and the next
 * run continues after it (a page that was in flight when a run stopped is
 * read again and deduplicated).
 */
export async function copyEvents(options: CopyEventsOptions): Promise<CopyProgress> {
  const progressSetting = await progressSettingFor(options.source);
  const saved = progressSetting === null ? null : await options.destination.getSetting(progressSetting);
  const resumedAfterRowId = saved === null ? 0 : Number(saved);
  const progress: CopyProgress = { resumedAfterRowId, lastRowId: resumedAfterRowId, read: 0, inserted: 0, duplicates: 0 };
  if (progressSetting === null) return progress;
  for await (const page of readEventPages(options.source, resumedAfterRowId, options.pageSize ?? 10_000)) {
    const outcome = await options.destination.insertEvents(page.records);
    // Only now is the page in the destination: saving the id earlier could skip it after a crash.
    await options.destination.setSetting(progressSetting, String(page.lastRowId));
    progress.read += page.records.length;
    progress.inserted += outcome.inserted;
    progress.duplicates += outcome.duplicates;
    progress.lastRowId = page.lastRowId;
    options.onPage?.({ ...progress });
  }
  return progress;
}

/**
 * The setting that records how far a copy of this source got; null for a
 * source without events. Named after the source's first event rather than
 * its path, so a moved or renamed file resumes and another file never does.
 */
async function progressSettingFor(source: Database.Database): Promise<string | null> {
  const first = source.prepare('SELECT write_key, message_id FROM events ORDER BY id LIMIT 1').get() as
    | { write_key: string; message_id: string | Buffer }
    | undefined;
  if (first === undefined) return null;
  const identity = createHash('sha256').update(`${first.write_key}\n${messageIdFromStored(first.message_id)}`).digest('hex').slice(0, 16);
  return `copy_progress_sqlite_${identity}`;
}
