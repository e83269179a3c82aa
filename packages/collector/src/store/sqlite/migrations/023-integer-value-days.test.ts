import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import { writeFloat64Values } from '../metrics/float64-values.js';
import { latency } from '../metrics/response-queries.js';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { integerValueDaysMigration } from './023-integer-value-days.js';
import { migrations } from './index.js';

/** Upgrading day value lists written as binary64: every day stale, then rewritten as int32 where every value is a whole int32. */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9);
const DAY = Math.floor(T0 / DAY_MS);
const QUARTERS_PER_DAY = 96;

const databaseBefore = databasesBefore();

describe('migration 023 (day value lists of integers as int32)', () => {
  it('marks written days stale, then rewrites a day of whole milliseconds as int32 and one with a fraction or -0 as binary64', () => {
    const db = databaseBefore(integerValueDaysMigration);
    const quarter = (day: number): number => (DAY + day) * QUARTERS_PER_DAY + 40;
    const chunk = db.prepare(`INSERT INTO response_latencies (quarter, debug, model, intent, chunk, latencies) VALUES (?, 0, 'm1', '', 0, ?)`);
    chunk.run(quarter(0), writeFloat64Values(Float64Array.of(812, 1234)));
    chunk.run(quarter(1), writeFloat64Values(Float64Array.of(90.5)));
    chunk.run(quarter(2), writeFloat64Values(Float64Array.of(-0)));
    chunk.run(quarter(3), writeFloat64Values(Float64Array.of(7)));
    // The day lists as migration 016's writer left them: binary64, every day but the latest written.
    db.exec(`INSERT INTO response_latencies_days (day, debug, model, intent, latencies)
               SELECT quarter / ${QUARTERS_PER_DAY}, debug, model, intent, latencies FROM response_latencies WHERE quarter < ${quarter(3)};
             DELETE FROM response_latencies_days_stale WHERE day < ${DAY + 3};`);

    migrate(db, migrations);
    const scope = dayScope('UTC', DAY, DAY + 3);
    const before = latency(db, scope, 'total', 'latency');
    expect(before[0]).toMatchObject({ count: 5 });

    expect(db.prepare('SELECT day FROM response_latencies_days_stale ORDER BY day').pluck().all()).toEqual([DAY, DAY + 1, DAY + 2, DAY + 3]);
    expect(latency(db, scope, 'total', 'latency')).toEqual(before);
    new RollupMaterializer(db).refreshAllLists();
    // The latest day stays with its quarters.
    expect(db.prepare('SELECT day, int32 FROM response_latencies_days ORDER BY day').raw().all()).toEqual([[DAY, 1], [DAY + 1, 0], [DAY + 2, 0]]);
    expect(latency(db, scope, 'total', 'latency')).toEqual(before);
  });
});
