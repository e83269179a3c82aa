import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { DAY_MS } from '../../../metrics/local-day.js';
import { writeFloat64Values } from '../metrics/float64-values.js';
import { latency } from '../metrics/response-queries.js';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { valueBucketsMigration } from './024-value-buckets.js';
import { migrations } from './index.js';

/** Upgrading day value lists without buckets: every day stale, then rewritten with its histogram and bucket rows. */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9);
const DAY = Math.floor(T0 / DAY_MS);
const QUARTERS_PER_DAY = 96;

const databaseBefore = databasesBefore();

describe('migration 024 (day value lists split by value)', () => {
  it('marks written days stale, then writes the buckets of whole-millisecond days and none for a day with a fraction', () => {
    const db = databaseBefore(valueBucketsMigration);
    const quarter = (day: number): number => (DAY + day) * QUARTERS_PER_DAY + 40;
    const chunk = db.prepare(`INSERT INTO response_latencies (quarter, debug, model, intent, chunk, latencies) VALUES (?, 0, ?, '', 0, ?)`);
    chunk.run(quarter(0), 'm1', writeFloat64Values(Float64Array.of(812, 1234, 815)));
    chunk.run(quarter(0), 'm2', writeFloat64Values(Float64Array.of(90)));
    chunk.run(quarter(1), 'm1', writeFloat64Values(Float64Array.of(90.5, 3)));
    chunk.run(quarter(2), 'm1', writeFloat64Values(Float64Array.of(7)));
    // The day lists as migration 023's writer left them (binary64 here: their form does not matter), every day but the latest.
    db.exec(`INSERT INTO response_latencies_days (day, debug, model, intent, latencies)
               SELECT quarter / ${QUARTERS_PER_DAY}, debug, model, intent, latencies FROM response_latencies WHERE quarter < ${quarter(2)};
             DELETE FROM response_latencies_days_stale WHERE day < ${DAY + 2};`);

    migrate(db, migrations);
    // Read from the quarter lists: every day is stale.
    const scope = dayScope('UTC', DAY, DAY + 2);
    const before = ['total', 'model'].map((groupBy) => latency(db, scope, groupBy as 'total' | 'model', 'latency'));
    expect(before[1]?.map((group) => [group.key, group.count])).toEqual([['m1', 6], ['m2', 1]]);
    expect(db.prepare('SELECT day FROM response_latencies_days_stale ORDER BY day').pluck().all()).toEqual([DAY, DAY + 1, DAY + 2]);
    new RollupMaterializer(db).refreshAllLists();
    // The latest day stays with its quarters; the day with 90.5 has a histogram row but no bucket rows.
    expect(db.prepare('SELECT day FROM response_latencies_day_histograms ORDER BY day').pluck().all()).toEqual([DAY, DAY + 1]);
    expect(db.prepare('SELECT DISTINCT day FROM response_latencies_day_buckets').pluck().all()).toEqual([DAY]);
    expect(db.prepare('SELECT model FROM value_list_keys ORDER BY model').pluck().all()).toEqual(['m1', 'm2']);
    expect(['total', 'model'].map((groupBy) => latency(db, scope, groupBy as 'total' | 'model', 'latency'))).toEqual(before);
  });
});
