import { it } from 'vitest';
import { openClickHouseStore } from '../src/store/clickhouse/index.js';
import { startTestApp } from './support/test-app.js';
import { ZoneCalendar } from '../src/metrics/zone-calendar.js';

it('scratch', async () => {
  const app = await startTestApp({ createStore: () => openClickHouseStore({ url: 'http://127.0.0.1:18123', database: `scratch_${Date.now()}` }) });
  const r = await app.post('/v1/batch', { batch: [
    { type: 'track', event: 'ai_user_prompt_created', messageId: 'p1', userId: 'u', timestamp: '2026-03-01T10:00:00Z', properties: { conversation_id: 'c', prompt_number: 1, classified_intent: 'billing' } },
    { type: 'track', event: 'ai_llm_response_received', messageId: 'r1', userId: 'u', timestamp: '2026-03-01T10:00:01Z', properties: { conversation_id: 'c', prompt_number: 1, model_used: 'm', latency_ms: 5 } },
    { type: 'track', event: 'ai_user_action', messageId: 'a1', userId: 'u', timestamp: '2026-03-01T10:00:02Z', properties: { conversation_id: 'c', action_type: 'feedback_given', action_details: { feedback_type: 'rating', feedback_value: 4 } } },
  ] });
  console.log(r.body);
  const start = Date.UTC(2026, 2, 1);
  const scope = { fromDay: start / 86400000, toDay: start / 86400000 + 1, startMs: start, endMs: start + 2 * 86400000, calendar: new ZoneCalendar('UTC', start - 40 * 86400000, start + 3 * 86400000), includeDebug: false, filters: {} };
  const m = app.store.metrics as any;
  for (const [name, args] of [['intentCounts', [scope]], ['latency', [scope, 'model', 'latency']], ['satisfaction', [scope, 'model']], ['cost', [scope, { by: 'day' }]], ['promptsByQuarterHour', [scope]], ['classification', [scope]]] as const) {
    try { console.log(name, JSON.stringify(await m[name](...args))); } catch (e) { console.log(name, String(e).slice(0, 1500)); }
  }
  await app.close();
});
