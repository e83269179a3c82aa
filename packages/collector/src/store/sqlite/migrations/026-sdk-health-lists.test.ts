import { describe, expect, it } from 'vitest';
import { databasesBefore } from '../../../../test/support/migration-database.js';
import { dayScope } from '../../../../test/support/metric-scope.js';
import { SDK_HEALTH_EVENT } from '../../../protocol/index.js';
import { delivery } from '../metrics/delivery-queries.js';
import { migrate } from '../migrate.js';
import { RollupMaterializer } from '../rollup-materializer.js';
import { migrations } from './index.js';
import { sdkHealthListsMigration } from './026-sdk-health-lists.js';

/** Upgrading a database of migration 025: every quarter holding a health report is stale until the fold writes its list, and `delivery` answers as before. */

const DAY_MS = 86_400_000;
const QUARTER_MS = 900_000;
/** 2026-03-02 00:00 UTC. */
const T0 = Date.UTC(2026, 2, 2);

const databaseBefore = databasesBefore();

describe('migration 026 (SDK health lists)', () => {
  it('marks the quarters of existing reports stale, then answers from the lists as from the reports', () => {
    const db = databaseBefore(sdkHealthListsMigration);
    const insert = db.prepare(
      `INSERT INTO events (write_key, message_id, type, event, anonymous_id, user_key, ts, received_at, properties)
       VALUES ('wk', ?, 'track', ?, ?, ?, ?, ?, ?)`,
    );
    const report = (id: string, browser: string, ts: number, properties: object): void => {
      insert.run(id, SDK_HEALTH_EVENT, browser, browser, ts, ts, JSON.stringify(properties));
    };
    report('m-1', 'anon-1', T0 + 60_000, { queued: 4, sent: 3, retried: 1, storage: 'indexeddb' });
    report('m-2', 'anon-2', T0 + 90_000, { queued: 2, sent: 1, dropped_queue_full: 1, storage: 'memory' });
    report('m-3', 'anon-1', T0 + DAY_MS + 5 * QUARTER_MS, { sent: 2, dropped_rejected: 1, storage: 'indexeddb' });
    insert.run('m-4', 'ai_user_prompt_created', 'anon-1', 'anon-1', T0 + 2 * QUARTER_MS, T0, '{}');
    const scope = dayScope('UTC', T0 / DAY_MS, T0 / DAY_MS + 1);
    // A range off quarter-hours reads the reports themselves, which the database before the migration can answer.
    const before = delivery(db, { ...scope, startMs: scope.startMs - 1 });
    expect(before.total).toMatchObject({ reports: 3, queued: 6, sent: 6, retried: 1, droppedQueueFull: 1, droppedRejected: 1, reportingBrowsers: 2, memoryBrowsers: 1 });

    migrate(db, migrations);

    expect(db.prepare('SELECT quarter FROM sdk_health_lists_stale ORDER BY quarter').pluck().all()).toEqual([T0 / QUARTER_MS, (T0 + DAY_MS) / QUARTER_MS + 5]);
    expect(delivery(db, scope)).toEqual(before);

    const materializer = new RollupMaterializer(db);
    materializer.refreshLists();

    // The background fold leaves the newest report's quarter stale: ingest keeps changing it.
    expect(db.prepare('SELECT quarter FROM sdk_health_lists_stale').pluck().all()).toEqual([(T0 + DAY_MS) / QUARTER_MS + 5]);
    expect(db.prepare('SELECT quarter FROM sdk_health_lists').pluck().all()).toEqual([T0 / QUARTER_MS]);
    expect(delivery(db, scope)).toEqual(before);
    materializer.refreshAllLists();
    expect(db.prepare('SELECT quarter FROM sdk_health_lists').pluck().all()).toEqual([T0 / QUARTER_MS, (T0 + DAY_MS) / QUARTER_MS + 5]);
    expect(delivery(db, scope)).toEqual(before);
  });
});
