/** A span of whole UTC quarter-hours built from quarter lists: a day (`quarter / 96`) or a week of 7 days (`quarter / 672`). */
export interface QuarterUnit {
  column: 'day' | 'week';
  quarters: number;
}

export const DAY_UNIT: QuarterUnit = { column: 'day', quarters: 96 };
export const WEEK_UNIT: QuarterUnit = { column: 'week', quarters: 7 * 96 };

/**
 * SQL for a table of days or weeks built from a quarter list table whose
 * stale quarters `quarterStale` holds (migration 014's lists): the units'
 * own stale marks, and a trigger that marks a unit stale when one of its
 * quarters turns stale. Quarter marks come from the rollups' triggers in the
 * background fold, and one insert per quarter that turns stale (not per row)
 * marks its unit: the units cost ingest nothing more, and a reader needs only
 * the unit marks. Quarters before 1970 have no unit (SQLite's division
 * truncates toward zero: unit 0 would take them too); a reader always takes
 * them from the quarters. Every unit that holds a quarter list or a stale
 * quarter starts stale, so that the background fold writes the units of an
 * upgraded database.
 */
export function staleUnitsSql(quarterLists: string, quarterStale: string, unitStale: string, { column, quarters }: QuarterUnit): string {
  return `
    CREATE TABLE ${unitStale} (${column} INTEGER PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER ${unitStale}_quarter AFTER INSERT ON ${quarterStale}
    WHEN NEW.quarter >= 0 AND NOT EXISTS (SELECT 1 FROM ${unitStale} WHERE ${column} = NEW.quarter / ${quarters})
    BEGIN
      INSERT INTO ${unitStale} (${column}) VALUES (NEW.quarter / ${quarters});
    END;
    INSERT INTO ${unitStale} (${column})
      SELECT quarter / ${quarters} FROM ${quarterLists} WHERE quarter >= 0
      UNION SELECT quarter / ${quarters} FROM ${quarterStale} WHERE quarter >= 0;`;
}
