import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { readCompactValues } from '../compact-values.js';
import { costBySegmentFromLists, costBySegmentFromRollups } from '../metrics/segment-cost-queries.js';
import { UserSegments } from '../metrics/user-segments.js';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { migrations } from './index.js';
import { userCostWeekListsMigration } from './020-user-cost-week-lists.js';

/** Upgrading a database of migration 019: every week with per-user cost rows or quarter lists is stale until the fold writes its list, and answers stay. */

/** Week 2929: 2026-02-19 (a Thursday) to 2026-02-25, UTC; days 20503 to 20509. */
const WEEK = 2929;
const Q = WEEK * 672;

/** Segments in key order: the lists give them in the order users were numbered. */
const byKey = <T extends { key: unknown }>(rows: T[]): T[] => [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)));

const databaseBefore = databasesBefore();

describe('migration 020 (per-user cost lists per week)', () => {
  it('marks the weeks of existing rows and lists stale, then answers from the week lists as from the rollup', () => {
    const db = databaseBefore(userCostWeekListsMigration);
    db.prepare(`INSERT INTO users (user_key, traits, first_seen_ts, last_seen_ts) VALUES ('ada', '{"plan":"pro"}', 0, 0), ('bob', '{}', 0, 0), ('cy', '{"plan":"team"}', 0, 0)`).run();
    const row = db.prepare(
      `INSERT INTO user_cost_rollup (quarter, debug, user_key, responses, cost, prompt_tokens, completion_tokens, total_tokens, new_conversations)
       VALUES (?, ?, ?, 1, ?, 10, 5, 15, 1)`,
    );
    row.run(Q + 3, 0, 'ada', 0.5);
    row.run(Q + 3, 0, 'bob', 0.25);
    row.run(Q + 50, 0, 'ada', 1);
    row.run(Q + 60, 1, 'ada', 8);
    // Debug rows only: no list, no week.
    row.run(Q - 672 + 10, 1, 'bob', 4);
    // The latest week.
    row.run(Q + 672 + 2, 0, 'cy', 2);
    // Before the epoch: in no week.
    row.run(-5, 0, 'dee', 16);
    // A quarter list whose rows went since (its quarter stale): its week is stale too.
    const gone = Q - 2 * 672 + 7;
    db.prepare('INSERT INTO user_cost_lists (quarter, entries) VALUES (?, ?)').run(gone, Buffer.from('3ff0000000000000'.repeat(6), 'hex'));
    db.prepare('INSERT INTO user_cost_lists_stale (quarter) VALUES (?)').run(gone);
    const scope = dayScope('UTC', (WEEK - 2) * 7, (WEEK + 1) * 7 + 6);
    const before = costBySegmentFromRollups(db, scope, 'plan');
    expect(byKey(before)).toEqual([
      { key: null, cost: 0.25, promptTokens: 10, completionTokens: 5, totalTokens: 15, conversations: 1 },
      { key: 'pro', cost: 1.5, promptTokens: 20, completionTokens: 10, totalTokens: 30, conversations: 2 },
      { key: 'team', cost: 2, promptTokens: 10, completionTokens: 5, totalTokens: 15, conversations: 1 },
    ]);

    migrate(db, migrations);

    expect(db.prepare('SELECT week FROM user_cost_week_lists_stale ORDER BY week').pluck().all()).toEqual([WEEK - 2, WEEK, WEEK + 1]);
    const segments = new UserSegments();
    expect(byKey(costBySegmentFromLists(db, scope, 'plan', segments))).toEqual(byKey(before));

    new RollupMaterializer(db).refreshAllLists();

    // The latest week stays stale; the others are written, to no list when their rows went.
    expect(db.prepare('SELECT week FROM user_cost_week_lists_stale').pluck().all()).toEqual([WEEK + 1]);
    const lists = db.prepare('SELECT week, entries FROM user_cost_week_lists').raw().all() as [number, Buffer][];
    // dee is numbered first (quarter -5), then ada and bob (quarter Q + 3).
    expect(lists.map(([week, entries]) => [week, [...readCompactValues(entries)]])).toEqual([[WEEK, [2, 1.5, 20, 10, 30, 2, 3, 0.25, 10, 5, 15, 1]]]);
    expect(byKey(costBySegmentFromLists(db, scope, 'plan', segments))).toEqual(byKey(before));
  });
});
