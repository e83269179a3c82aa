import { Analytics } from '@segment/analytics-node';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from './support/start-collector.js';

describe('a real Segment client', () => {
  let collector: StartedCollector | undefined;
  afterEach(async () => {
    await collector?.stop();
  });

  it('delivers track and identify calls from @segment/analytics-node that are stored', async () => {
    collector = await startCollector();
    const analytics = new Analytics({ writeKey: collector.writeKey, host: collector.url, flushAt: 10, flushInterval: 100 });
    const failures: unknown[] = [];
    analytics.on('error', (error) => failures.push(error));
    analytics.identify({ userId: 'segment-user', traits: { plan: 'enterprise', email_verified: true } });
    analytics.track({
      userId: 'segment-user',
      event: 'ai_llm_response_received',
      properties: { conversation_id: 'seg-conv', latency_ms: 420, model_used: 'gpt-4o-mini', response_status: 'success' },
    });
    analytics.track({ anonymousId: 'seg-anon', event: 'Checkout Started', properties: { value: 42 } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(failures).toEqual([]);

    const db = new Database(collector.dbPath, { readonly: true });
    const rows = db.prepare('SELECT type, event, user_key, latency_ms, model FROM events ORDER BY id').all();
    const user = db.prepare("SELECT traits FROM users WHERE user_key = 'segment-user'").get() as { traits: string };
    db.close();
    expect(rows).toEqual([
      { type: 'identify', event: null, user_key: 'segment-user', latency_ms: null, model: null },
      { type: 'track', event: 'ai_llm_response_received', user_key: 'segment-user', latency_ms: 420, model: 'gpt-4o-mini' },
      { type: 'track', event: 'Checkout Started', user_key: 'seg-anon', latency_ms: null, model: null },
    ]);
    expect(JSON.parse(user.traits)).toEqual({ plan: 'enterprise', email_verified: true });
  });
});
