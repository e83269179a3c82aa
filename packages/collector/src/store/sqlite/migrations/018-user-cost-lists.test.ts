import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { readCompactValues } from '../compact-values.js';
import { migrate } from '../migrate.js';
import { costBySegmentFromLists, costBySegmentFromRollups } from '../metrics/segment-cost-queries.js';
import { UserSegments } from '../metrics/user-segments.js';
import { userCostListsWriter } from '../user-cost-lists.js';
import { USER_COST_WIDTH } from '../user-cost-sums.js';
import { migrations } from './index.js';
import { userCostListsMigration } from './018-user-cost-lists.js';

/** Upgrading a database of migration 017: every quarter with per-user cost rows is stale until the fold writes its list, and answers stay. */

const DAY_MS = 86_400_000;
/** 2026-03-02 00:00 UTC. */
const DAY0 = Date.UTC(2026, 2, 2) / DAY_MS;

/** Segments in key order: the lists give them in the order users were numbered. */
const byKey = <T extends { key: unknown }>(rows: T[]): T[] => [...rows].sort((a, b) => String(a.key).localeCompare(String(b.key)));

const databaseBefore = databasesBefore();

describe('migration 018 (per-user cost lists)', () => {
  it('marks the quarters of existing rows stale, then answers from the lists as from the rollup', () => {
    const db = databaseBefore(userCostListsMigration);
    db.prepare(`INSERT INTO users (user_key, traits, first_seen_ts, last_seen_ts) VALUES ('ada', '{"plan":"pro"}', 0, 0), ('bob', '{}', 0, 0)`).run();
    const row = db.prepare(
      `INSERT INTO user_cost_rollup (quarter, debug, user_key, responses, cost, prompt_tokens, completion_tokens, total_tokens, new_conversations)
       VALUES (?, ?, ?, 1, ?, 10, 5, 15, 1)`,
    );
    row.run(DAY0 * 96 + 3, 0, 'ada', 0.5);
    row.run(DAY0 * 96 + 3, 0, 'bob', 0.25);
    row.run(DAY0 * 96 + 50, 0, 'ada', 1);
    row.run(DAY0 * 96 + 60, 1, 'ada', 8);
    const scope = dayScope('UTC', DAY0, DAY0);
    const before = costBySegmentFromRollups(db, scope, 'plan');
    expect(before).toEqual([
      { key: null, cost: 0.25, promptTokens: 10, completionTokens: 5, totalTokens: 15, conversations: 1 },
      { key: 'pro', cost: 1.5, promptTokens: 20, completionTokens: 10, totalTokens: 30, conversations: 2 },
    ]);

    migrate(db, migrations);

    // Debug rows have no list.
    expect(db.prepare('SELECT quarter FROM user_cost_lists_stale ORDER BY quarter').pluck().all()).toEqual([DAY0 * 96 + 3, DAY0 * 96 + 50]);
    expect(db.prepare('SELECT version FROM user_traits_version').pluck().get()).toBe(0);
    const segments = new UserSegments();
    expect(byKey(costBySegmentFromLists(db, scope, 'plan', segments))).toEqual(byKey(before));
    expect(db.transaction(() => userCostListsWriter(db).refresh(10))()).toBe(2);
    const lists = db.prepare('SELECT quarter, entries FROM user_cost_lists ORDER BY quarter').raw().all() as [number, Buffer][];
    expect(lists.map(([quarter, entries]) => [quarter, readCompactValues(entries).length / USER_COST_WIDTH])).toEqual([
      [DAY0 * 96 + 3, 2],
      [DAY0 * 96 + 50, 1],
    ]);
    expect(byKey(costBySegmentFromLists(db, scope, 'plan', segments))).toEqual(byKey(before));

    db.prepare(`UPDATE users SET traits = '{"plan":"team"}' WHERE user_key = 'bob'`).run();
    expect(db.prepare('SELECT version FROM user_traits_version').pluck().get()).toBe(1);
    expect(byKey(costBySegmentFromLists(db, scope, 'plan', segments)).map((group) => group.key)).toEqual(['pro', 'team']);
  });
});
