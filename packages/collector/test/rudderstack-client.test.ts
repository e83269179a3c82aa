import Analytics from '@rudderstack/rudder-sdk-node';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from './support/start-collector.js';

describe('a real RudderStack client', () => {
  let collector: StartedCollector | undefined;
  afterEach(async () => {
    await collector?.stop();
  });

  it('delivers track and identify calls from @rudderstack/rudder-sdk-node with its default options (gzip, urlencoded type)', async () => {
    collector = await startCollector();
    const failures: unknown[] = [];
    // Only the data plane URL: the defaults gzip each batch and label it
    // application/x-www-form-urlencoded, which is what customers run.
    const analytics = new Analytics(collector.writeKey, { dataPlaneUrl: collector.url, retryCount: 0, errorHandler: (error) => failures.push(error) });
    analytics.identify({ userId: 'rudder-user', traits: { plan: 'pro' } });
    analytics.track({
      userId: 'rudder-user',
      event: 'ai_llm_response_received',
      properties: { conversation_id: 'rudder-conv', latency_ms: 310, model_used: 'gpt-4o-mini', response_status: 'success' },
    });
    const flushError = await new Promise<Error | undefined>((resolve) => {
      void analytics.flush((error) => resolve(error));
    });
    expect(flushError).toBeUndefined();
    expect(failures).toEqual([]);

    const db = new Database(collector.dbPath, { readonly: true });
    const rows = db.prepare('SELECT type, event, user_key, latency_ms, model FROM events ORDER BY id').all();
    const user = db.prepare("SELECT traits FROM users WHERE user_key = 'rudder-user'").get() as { traits: string };
    db.close();
    expect(rows).toEqual([
      { type: 'identify', event: null, user_key: 'rudder-user', latency_ms: null, model: null },
      { type: 'track', event: 'ai_llm_response_received', user_key: 'rudder-user', latency_ms: 310, model: 'gpt-4o-mini' },
    ]);
    expect(JSON.parse(user.traits)).toEqual({ plan: 'pro' });
  });
});
