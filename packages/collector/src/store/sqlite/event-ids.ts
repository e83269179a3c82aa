/**
 * Event ids are opaque strings to callers (ClickHouse has no autoincrement
 * ids); in SQLite they are the events table's integer rowid, written in
 * decimal. These two functions are the only conversion between the two.
 */

/** The id callers see for a rowid. */
export function toEventId(rowId: number): string {
  return String(rowId);
}

/** The rowid behind an id this store handed out; throws a RangeError for any other string. */
export function toRowId(eventId: string): number {
  const rowId = /^[1-9][0-9]{0,15}$/.test(eventId) ? Number(eventId) : Number.NaN;
  if (!Number.isSafeInteger(rowId)) {
    throw new RangeError(`event id must be the decimal rowid this SQLite store handed out (e.g. "42"), got ${JSON.stringify(eventId)}`);
  }
  return rowId;
}
