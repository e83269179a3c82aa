/** Quarter-hours per UTC day: a quarter's day is `quarter / 96`. */
const QUARTERS_PER_DAY = 96;

/**
 * SQL for a table of days built from a quarter table whose stale quarters
 * `quarterStale` lists (migration 014's lists): the days' own stale marks,
 * and a trigger that marks a day stale when one of its quarters turns stale.
 * Quarter marks come from the rollups' triggers in the background fold, and
 * one insert per quarter that turns stale (not per row) marks its day: the
 * days cost ingest nothing more, and a reader needs only the day marks. The
 * quarters before 1970 have no day (SQLite's division truncates toward zero:
 * day 0 would take them too); a reader always takes them from the quarters.
 * Every day that holds a quarter list (`quarterLists`) or a stale quarter
 * starts stale, so that the background fold writes the days of an upgraded
 * database.
 */
export function dayStalenessSql(quarterLists: string, quarterStale: string, dayStale: string): string {
  return `
    CREATE TABLE ${dayStale} (day INTEGER PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER ${dayStale}_quarter AFTER INSERT ON ${quarterStale}
    WHEN NEW.quarter >= 0 AND NOT EXISTS (SELECT 1 FROM ${dayStale} WHERE day = NEW.quarter / ${QUARTERS_PER_DAY})
    BEGIN
      INSERT INTO ${dayStale} (day) VALUES (NEW.quarter / ${QUARTERS_PER_DAY});
    END;
    INSERT INTO ${dayStale} (day)
      SELECT quarter / ${QUARTERS_PER_DAY} FROM ${quarterLists} WHERE quarter >= 0
      UNION SELECT quarter / ${QUARTERS_PER_DAY} FROM ${quarterStale} WHERE quarter >= 0;`;
}
