import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { migrate } from '../migrate.js';
import { cost, errors } from '../metrics/response-queries.js';
import { ResponseDayWriter } from '../response-day-rollup.js';
import { responseDayRollupMigration } from './019-response-day-rollup.js';
import { migrations } from './index.js';

/** Upgrading a database of earlier migrations: every day of existing responses is written at once, and answers stay. */

const DAY_MS = 86_400_000;
/** 2026-03-02 00:00 UTC. */
const DAY0 = Date.UTC(2026, 2, 2) / DAY_MS;

const databaseBefore = databasesBefore();

function scopeOf(timeZone: string, fromDay: number, toDay: number): MetricScope {
  const calendar = new ZoneCalendar(timeZone, (fromDay - 31) * DAY_MS, (toDay + 2) * DAY_MS);
  return {
    fromDay, toDay, startMs: calendar.startOfDay(fromDay), endMs: calendar.startOfDay(toDay + 1), calendar,
    includeDebug: false, includeBots: false, includeInternal: false, filters: {},
  };
}

describe('migration 019 (response sums per UTC day)', () => {
  it('writes the day sums of existing quarter rows, then marks a day stale when its quarters change', () => {
    const db = databaseBefore(responseDayRollupMigration);
    const quarterRow = db.prepare(
      `INSERT INTO response_rollup (quarter, debug, model, intent, responses, errors, timeouts, cost, prompt_tokens, completion_tokens, total_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    quarterRow.run(DAY0 * 96 + 3, 0, 'm1', '', 2, 1, 0, 0.25, 100, 50, 150);
    quarterRow.run(DAY0 * 96 + 40, 0, 'm1', '', 1, 0, 1, 0.5, 10, 5, 15);
    quarterRow.run(DAY0 * 96 + 41, 0, 'm2', 'tech', 3, 0, 0, 1.5, 30, 30, 60);
    quarterRow.run(DAY0 * 96 + 41, 1, 'm2', 'tech', 1, 1, 0, 4, 1, 1, 2);
    quarterRow.run((DAY0 + 1) * 96 + 2, 0, 'm1', '', 4, 0, 2, 2, 40, 40, 80);
    // Before the epoch: SQLite's division puts quarter -3 on day 0, which a reader takes from the quarters instead.
    quarterRow.run(-3, 0, 'm1', '', 1, 0, 0, 1, 1, 1, 2);

    migrate(db, migrations);

    expect(db.prepare('SELECT day FROM response_day_rollup_stale').pluck().all()).toEqual([]);
    expect(
      db.prepare('SELECT day - ? AS day, debug, model, intent, responses, errors, timeouts, cost, total_tokens FROM response_day_rollup ORDER BY 1, 2, 3').all(DAY0),
    ).toEqual([
      { day: 0, debug: 0, model: 'm1', intent: '', responses: 3, errors: 1, timeouts: 1, cost: 0.75, total_tokens: 165 },
      { day: 0, debug: 0, model: 'm2', intent: 'tech', responses: 3, errors: 0, timeouts: 0, cost: 1.5, total_tokens: 60 },
      { day: 0, debug: 1, model: 'm2', intent: 'tech', responses: 1, errors: 1, timeouts: 0, cost: 4, total_tokens: 2 },
      { day: 1, debug: 0, model: 'm1', intent: '', responses: 4, errors: 0, timeouts: 2, cost: 2, total_tokens: 80 },
    ]);
    const utc = scopeOf('UTC', DAY0, DAY0 + 1);
    const byModel = [
      { key: 'm1', responses: 7, errors: 1, timeouts: 3 },
      { key: 'm2', responses: 3, errors: 0, timeouts: 0 },
    ];
    expect(errors(db, utc, 'model')).toEqual(byModel);
    expect(cost(db, utc, { by: 'day' })).toEqual([
      { key: '2026-03-02', cost: 2.25, promptTokens: 140, completionTokens: 85, totalTokens: 225, conversations: 0 },
      { key: '2026-03-03', cost: 2, promptTokens: 40, completionTokens: 40, totalTokens: 80, conversations: 0 },
    ]);
    // New York's 2026-03-01 is 05:00 UTC on 03-01 to 05:00 UTC on 03-02: only DAY0's quarter 3 (00:45 UTC).
    expect(errors(db, scopeOf('America/New_York', DAY0 - 1, DAY0 - 1), 'day')).toEqual([{ key: '2026-03-01', responses: 2, errors: 1, timeouts: 0 }]);

    // A response folded into an existing quarter row (an UPDATE): its day is stale and read from the quarters until rewritten.
    db.prepare('UPDATE response_rollup SET responses = responses + 1, errors = errors + 1 WHERE quarter = ? AND debug = 0 AND model = ?').run(DAY0 * 96 + 40, 'm1');
    expect(db.prepare('SELECT day - ? FROM response_day_rollup_stale').pluck().all(DAY0)).toEqual([0]);
    const afterUpdate = [
      { key: 'm1', responses: 8, errors: 2, timeouts: 3 },
      { key: 'm2', responses: 3, errors: 0, timeouts: 0 },
    ];
    expect(errors(db, utc, 'model')).toEqual(afterUpdate);
    expect(new ResponseDayWriter(db).refresh(10)).toBe(1);
    expect(db.prepare('SELECT responses, errors FROM response_day_rollup WHERE day = ? AND debug = 0 AND model = ?').get(DAY0, 'm1')).toEqual({ responses: 4, errors: 2 });
    expect(errors(db, utc, 'model')).toEqual(afterUpdate);
  });
});
