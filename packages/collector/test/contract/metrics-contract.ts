import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { StoreFactory } from '../support/store-factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Contract suite: every metric endpoint against one small fixture whose
 * answers are worked out by hand below. Every engine runs it unchanged
 * (test/contract/<engine>.contract.test.ts) and must give exactly these
 * answers. Events carry an explicit `timestamp` and no `sentAt`,
 * so no clock-skew correction moves them (src/ingest/event-time.ts).
 *
 * 2026-03-01 is a Sunday. America/New_York moves from EST (−5) to EDT (−4) on
 * 2026-03-08 at 07:00 UTC, so that local day is 23 hours long.
 *
 * Prompts (P), not debug, with local days:
 *  #  user   when (UTC)            intent   conversation/session  Tokyo  New York
 *  1  alice  03-01 10:00:00        billing  c-a1 #1 / s-a1        03-01  03-01 05:00
 *  2  alice  03-01 10:01:00        billing  c-a1 #2 / s-a1        03-01  03-01 05:01
 *  3  bob*   03-01 23:30:00        tech     c-b1 #1 / s-b1        03-02  03-01 18:30
 *  4  alice  03-02 09:00:00        tech     c-a2 #1 / s-a2        03-02  03-02 04:00
 *  5  bob    03-02 12:00:10        billing  c-b2 #1 / s-b2        03-02  03-02 07:00
 *  9  bob    03-02 12:02:00        tech     c-b2 #2 / s-b2        03-02  03-02 07:02
 *  6  carol  03-08 04:30:00        billing  c-c0 #1 / s-c0        03-08  03-07 23:30 EST
 *  7  alice  03-08 12:00:00        —        c-a3 #1 / s-a3        03-08  03-08 08:00 EDT
 *  8  carol  03-09 04:30:00        tech     c-c1 #1 / s-c1        03-09  03-09 00:30 EDT
 * (*) sent as anonymous `anon-bob`; identify links it to `bob` afterwards.
 * Debug: dave 03-03 10:00 (prompt + response, latency 9000, gpt-a).
 * Live: erin on 03-20, minutes before NOW.
 *
 * Responses (R): turn        model  latency  cost   tokens p/c/t   status   ttft  tokens/s
 *                c-a1 #1     gpt-a  1000     0.01   100/50/150     success  200   50
 *                c-a1 #2     gpt-a  2000     0.02   200/100/300    success  400   40
 *                c-b1 #1     gpt-a  3000     0.03   300/0/300      timeout  —     —
 *                c-a2 #1     gpt-b  4000     0.05   500/500/1000   error    —     —
 *                c-b2 #1     gpt-a   500     0.005  50/50/100      success  100   25
 *                c-c1 #1     gpt-b  1500     0.015  100/100/200    success  300   80
 * (dave's debug response has ttft 5000.)
 * Feedback: rating 4 on c-a1 #2, rating 2 on c-b1 #1, thumbs up on c-a2 #1,
 * thumbs down on c-b2 #1, rating 5 on c-c1 (no prompt_number); plus one
 * non-feedback action. Traits: bob plan=free, carol plan=pro, alice none.
 *
 * First touch (acquisition channel): alice's first prompt carries
 * context.campaign source `Newsletter` (→ newsletter; her 03-08 prompt's
 * `google` comes later and does not count). anon-bob's prompt of 03-01 23:30
 * has an outside referrer www.google.com (→ google.com); bob's own `landing`
 * event of 03-02 08:00 names `twitter` and is stored first, but identify
 * merges anon-bob into bob and the earlier touch wins. carol has no touch
 * (→ direct).
 *
 * SDK delivery: alice's five c-a1 events of 03-01 (2 prompts, 2 responses,
 * the rating) come from the Chatmeter SDK (context.library); the others look
 * like a Segment client's. Health reports (session s-health, which must not
 * count as a session, nor their browsers as users):
 *  when (UTC)     browser    queued sent retried full rejected storage   Tokyo
 *  03-01 10:05    browser-1  6      5    1       0    0        indexeddb 03-01
 *  03-01 23:40    browser-2  2      1    0       1    0        memory    03-02
 *  03-02 09:10    browser-1  0      0    0       0    1        indexeddb 03-02
 */

const NOW = Date.parse('2026-03-20T12:00:00.000Z');
const RANGE = 'from=2026-03-01&to=2026-03-10';

let sequence = 0;

type Who = { userId: string } | { anonymousId: string };

function track(who: Who, event: string, timestamp: string, properties: Record<string, unknown>, sessionId?: string) {
  sequence += 1;
  return {
    type: 'track',
    event,
    messageId: `fixture-${sequence}`,
    timestamp,
    ...who,
    ...(sessionId === undefined ? {} : { context: { sessionId } }),
    properties,
  };
}

function prompt(who: Who, timestamp: string, conversation: string, promptNumber: number, session: string, intent?: string) {
  return track(who, 'ai_user_prompt_created', timestamp, {
    conversation_id: conversation,
    prompt_number: promptNumber,
    ...(intent === undefined ? {} : { classified_intent: intent }),
  }, session);
}

function response(
  who: Who,
  timestamp: string,
  conversation: string,
  promptNumber: number,
  session: string,
  details: { model: string; latency: number; cost: number; tokens: [number, number, number]; status: string; ttft?: number; speed?: number },
) {
  return track(who, 'ai_llm_response_received', timestamp, {
    conversation_id: conversation,
    prompt_number: promptNumber,
    model_used: details.model,
    latency_ms: details.latency,
    ...(details.ttft === undefined ? {} : { time_to_first_token_ms: details.ttft }),
    ...(details.speed === undefined ? {} : { tokens_per_second: details.speed }),
    cost: details.cost,
    token_count: { prompt_tokens: details.tokens[0], completion_tokens: details.tokens[1], total_tokens: details.tokens[2] },
    response_status: details.status,
  }, session);
}

function feedback(who: Who, timestamp: string, conversation: string, promptNumber: number | null, type: 'rating' | 'thumbs', value: unknown) {
  return track(who, 'ai_user_action', timestamp, {
    conversation_id: conversation,
    ...(promptNumber === null ? {} : { prompt_number: promptNumber }),
    action_type: 'feedback_given',
    action_details: { feedback_type: type, feedback_value: value },
  });
}

/** The event with more context (a campaign, a page). */
function withContext<T extends { context?: Record<string, unknown> }>(event: T, context: Record<string, unknown>): T {
  return { ...event, context: { ...event.context, ...context } };
}

/** The event as the Chatmeter SDK sends it: its library named in the context. */
function fromSdk<T extends { context?: Record<string, unknown> }>(event: T): T {
  return { ...event, context: { ...event.context, library: { name: '@chatmeter/sdk', version: '0.9.0' } } };
}

function healthReport(anonymousId: string, timestamp: string, counts: [queued: number, sent: number, retried: number, full: number, rejected: number], storage: string) {
  const [queued, sent, retried, full, rejected] = counts;
  const report = track({ anonymousId }, 'chatmeter_sdk_health', timestamp, {
    queued, sent, retried, dropped_queue_full: full, dropped_rejected: rejected, storage, oldest_waiting_ms: 1200,
  }, 's-health');
  return fromSdk(report);
}

const alice = { userId: 'alice' };
const anonBob = { anonymousId: 'anon-bob' };
const bob = { userId: 'bob' };
const carol = { userId: 'carol' };
const dave = { userId: 'dave' };
const erin = { userId: 'erin' };

/**
 * Runs the hand-computed fixture against one engine, through the real HTTP
 * app: `createStore` opens a fresh, empty store of that engine.
 */
export function describeMetricsContract(engineName: string, createStore: StoreFactory): void {
  describe(`${engineName}: metrics of a hand-computed fixture`, () => {
    let app: TestApp<Store>;

    async function send(batch: unknown[]): Promise<void> {
      const result = await app.post('/v1/batch', { batch });
      expect(result.status).toBe(200);
      expect(result.body.rejected).toEqual([]);
    }

    async function metric(path: string): Promise<any> {
      const result = await app.get(`/v1/metrics/${path}`);
      expect(result.status, result.text).toBe(200);
      return result.body;
    }

    async function badRequest(path: string): Promise<string> {
      const result = await app.get(`/v1/metrics/${path}`);
      expect(result.status, result.text).toBe(400);
      expect(result.body.error.code).toBe('invalid_parameter');
      return result.body.error.message as string;
    }

    beforeAll(async () => {
      app = await startTestApp({ now: () => NOW, createStore });
      await send([
        { type: 'identify', messageId: 'carol-identify', userId: 'carol', timestamp: '2026-03-07T00:00:00.000Z', traits: { plan: 'pro' } },
        withContext(fromSdk(prompt(alice, '2026-03-01T10:00:00.000Z', 'c-a1', 1, 's-a1', 'billing')), { campaign: { source: 'Newsletter', medium: 'email', name: 'spring' } }),
        fromSdk(response(alice, '2026-03-01T10:00:02.000Z', 'c-a1', 1, 's-a1', { model: 'gpt-a', latency: 1000, cost: 0.01, tokens: [100, 50, 150], status: 'success', ttft: 200, speed: 50 })),
        fromSdk(prompt(alice, '2026-03-01T10:01:00.000Z', 'c-a1', 2, 's-a1', 'billing')),
        fromSdk(response(alice, '2026-03-01T10:01:03.000Z', 'c-a1', 2, 's-a1', { model: 'gpt-a', latency: 2000, cost: 0.02, tokens: [200, 100, 300], status: 'success', ttft: 400, speed: 40 })),
        fromSdk(feedback(alice, '2026-03-01T10:02:00.000Z', 'c-a1', 2, 'rating', 4)),
        healthReport('browser-1', '2026-03-01T10:05:00.000Z', [6, 5, 1, 0, 0], 'indexeddb'),
        healthReport('browser-2', '2026-03-01T23:40:00.000Z', [2, 1, 0, 1, 0], 'memory'),
        healthReport('browser-1', '2026-03-02T09:10:00.000Z', [0, 0, 0, 0, 1], 'indexeddb'),
        track(alice, 'ai_user_action', '2026-03-01T10:02:30.000Z', { conversation_id: 'c-a1', prompt_number: 2, action_type: 'copied_response' }),
        withContext(prompt(anonBob, '2026-03-01T23:30:00.000Z', 'c-b1', 1, 's-b1', 'tech'), {
          page: { url: 'https://chat.example/app', referrer: 'https://www.google.com/search' },
        }),
        withContext(track(bob, 'landing', '2026-03-02T08:00:00.000Z', {}), { campaign: { source: 'twitter' } }),
        response(anonBob, '2026-03-01T23:30:01.000Z', 'c-b1', 1, 's-b1', { model: 'gpt-a', latency: 3000, cost: 0.03, tokens: [300, 0, 300], status: 'timeout' }),
        feedback(anonBob, '2026-03-01T23:31:00.000Z', 'c-b1', 1, 'rating', 2),
        prompt(alice, '2026-03-02T09:00:00.000Z', 'c-a2', 1, 's-a2', 'tech'),
        response(alice, '2026-03-02T09:00:04.000Z', 'c-a2', 1, 's-a2', { model: 'gpt-b', latency: 4000, cost: 0.05, tokens: [500, 500, 1000], status: 'error' }),
        feedback(alice, '2026-03-02T09:05:00.000Z', 'c-a2', 1, 'thumbs', true),
      ]);
      // Identify in a later batch: bob's anonymous prompt of 03-01 now counts for bob.
      await send([
        { type: 'identify', messageId: 'bob-identify', userId: 'bob', anonymousId: 'anon-bob', timestamp: '2026-03-02T12:00:00.000Z', traits: { plan: 'free' } },
        prompt(bob, '2026-03-02T12:00:10.000Z', 'c-b2', 1, 's-b2', 'billing'),
        response(bob, '2026-03-02T12:00:12.000Z', 'c-b2', 1, 's-b2', { model: 'gpt-a', latency: 500, cost: 0.005, tokens: [50, 50, 100], status: 'success', ttft: 100, speed: 25 }),
        feedback(bob, '2026-03-02T12:01:00.000Z', 'c-b2', 1, 'thumbs', false),
        prompt(bob, '2026-03-02T12:02:00.000Z', 'c-b2', 2, 's-b2', 'tech'),
        { ...prompt(dave, '2026-03-03T10:00:00.000Z', 'c-d1', 1, 's-d1', 'tech'), properties: { conversation_id: 'c-d1', prompt_number: 1, classified_intent: 'tech', debug_mode: true } },
        {
          ...response(dave, '2026-03-03T10:00:09.000Z', 'c-d1', 1, 's-d1', { model: 'gpt-a', latency: 9000, cost: 1, tokens: [1, 1, 2], status: 'success' }),
          properties: { conversation_id: 'c-d1', prompt_number: 1, model_used: 'gpt-a', latency_ms: 9000, time_to_first_token_ms: 5000, cost: 1, debug_mode: true },
        },
        prompt(carol, '2026-03-08T04:30:00.000Z', 'c-c0', 1, 's-c0', 'billing'),
        withContext(prompt(alice, '2026-03-08T12:00:00.000Z', 'c-a3', 1, 's-a3'), { campaign: { source: 'google' } }),
        prompt(carol, '2026-03-09T04:30:00.000Z', 'c-c1', 1, 's-c1', 'tech'),
        response(carol, '2026-03-09T04:30:01.000Z', 'c-c1', 1, 's-c1', { model: 'gpt-b', latency: 1500, cost: 0.015, tokens: [100, 100, 200], status: 'success', ttft: 300, speed: 80 }),
        feedback(carol, '2026-03-09T04:31:00.000Z', 'c-c1', null, 'rating', 5),
        prompt(erin, '2026-03-20T11:50:00.000Z', 'c-old', 1, 's-e1', 'tech'),
        prompt(erin, '2026-03-20T11:57:00.000Z', 'c-live', 1, 's-e2', 'tech'),
        response(erin, '2026-03-20T11:57:02.000Z', 'c-live', 1, 's-e2', { model: 'gpt-a', latency: 800, cost: 0.001, tokens: [1, 1, 2], status: 'success' }),
      ]);
      // The background classifier's own spend, as it records it (per UTC day).
      await app.store.recordClassifications([], {
        day: '2026-03-02', classifier: 'llm', prompts: 8, cached: 0, errors: 0, notSampled: 0, promptTokens: 100, completionTokens: 20, cost: 0.5,
      });
      await app.store.recordClassifications([], {
        day: '2026-03-15', classifier: 'llm', prompts: 1, cached: 0, errors: 0, notSampled: 0, promptTokens: 9, completionTokens: 9, cost: 9,
      });
    });

    afterAll(async () => {
      await app.close();
    });

    describe('GET /v1/metrics/active-users', () => {
      it('counts DAU, WAU and MAU per UTC day, with bob merged into one user', async () => {
        const { series } = await metric(`active-users?${RANGE}`);
        expect(series).toEqual([
          { date: '2026-03-01', dau: 2, wau: 2, mau: 2, stickiness: 1 },
          { date: '2026-03-02', dau: 2, wau: 2, mau: 2, stickiness: 1 },
          { date: '2026-03-03', dau: 0, wau: 2, mau: 2, stickiness: 0 },
          { date: '2026-03-04', dau: 0, wau: 2, mau: 2, stickiness: 0 },
          { date: '2026-03-05', dau: 0, wau: 2, mau: 2, stickiness: 0 },
          { date: '2026-03-06', dau: 0, wau: 2, mau: 2, stickiness: 0 },
          { date: '2026-03-07', dau: 0, wau: 2, mau: 2, stickiness: 0 },
          { date: '2026-03-08', dau: 2, wau: 3, mau: 3, stickiness: 0.6667 },
          { date: '2026-03-09', dau: 1, wau: 2, mau: 3, stickiness: 0.3333 },
          { date: '2026-03-10', dau: 0, wau: 2, mau: 3, stickiness: 0 },
        ]);
      });

      it('looks back before from for WAU and MAU', async () => {
        const { series } = await metric('active-users?from=2026-03-08&to=2026-03-08');
        expect(series).toEqual([{ date: '2026-03-08', dau: 2, wau: 3, mau: 3, stickiness: 0.6667 }]);
      });

      it('puts 23:30 UTC on the next day in Asia/Tokyo', async () => {
        const { series } = await metric('active-users?from=2026-03-01&to=2026-03-02&tz=Asia/Tokyo');
        expect(series).toEqual([
          { date: '2026-03-01', dau: 1, wau: 1, mau: 1, stickiness: 1 },
          { date: '2026-03-02', dau: 2, wau: 2, mau: 2, stickiness: 1 },
        ]);
      });

      it('follows the DST change in America/New_York', async () => {
        const { series } = await metric(`active-users?${RANGE}&tz=America/New_York`);
        expect(series.map((row: { dau: number }) => row.dau)).toEqual([2, 2, 0, 0, 0, 0, 1, 1, 1, 0]);
      });

      it('leaves debug events out unless include_debug=true', async () => {
        const excluded = await metric('active-users?from=2026-03-03&to=2026-03-03');
        expect(excluded.series[0]).toEqual({ date: '2026-03-03', dau: 0, wau: 2, mau: 2, stickiness: 0 });
        const included = await metric('active-users?from=2026-03-03&to=2026-03-03&include_debug=true');
        expect(included.series[0]).toEqual({ date: '2026-03-03', dau: 1, wau: 3, mau: 3, stickiness: 0.3333 });
      });

      it('defaults to the 30 days ending today in the requested zone', async () => {
        const utc = await metric('active-users');
        expect(utc.series).toHaveLength(30);
        expect(utc.series[0].date).toBe('2026-02-19');
        expect(utc.series[29]).toEqual({ date: '2026-03-20', dau: 1, wau: 1, mau: 4, stickiness: 0.25 });
        // NOW is 01:00 on 03-21 in Auckland (NZDT, +13).
        const auckland = await metric('active-users?tz=Pacific/Auckland');
        expect(auckland.series[29].date).toBe('2026-03-21');
      });

      it('answers zeros for a range without events', async () => {
        const { series } = await metric('active-users?from=2025-01-01&to=2025-01-02');
        expect(series).toEqual([
          { date: '2025-01-01', dau: 0, wau: 0, mau: 0, stickiness: 0 },
          { date: '2025-01-02', dau: 0, wau: 0, mau: 0, stickiness: 0 },
        ]);
      });

      it('answers CSV with format=csv', async () => {
        const result = await app.get('/v1/metrics/active-users?from=2026-03-01&to=2026-03-03&format=csv');
        expect(result.status).toBe(200);
        expect(result.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        expect(result.text).toBe(
          'date,dau,wau,mau,stickiness\r\n2026-03-01,2,2,2,1\r\n2026-03-02,2,2,2,1\r\n2026-03-03,0,2,2,0\r\n',
        );
      });
    });

    describe('GET /v1/metrics/retention', () => {
      it('follows first-seen cohorts with null beyond to', async () => {
        const { cohorts } = await metric(`retention?${RANGE}`);
        expect(cohorts).toEqual([
          { date: '2026-03-01', size: 2, retention: { '1': 100, '7': 50, '30': null } },
          { date: '2026-03-02', size: 0, retention: { '1': 0, '7': 0, '30': null } },
          { date: '2026-03-03', size: 0, retention: { '1': 0, '7': 0, '30': null } },
          { date: '2026-03-04', size: 0, retention: { '1': 0, '7': null, '30': null } },
          { date: '2026-03-05', size: 0, retention: { '1': 0, '7': null, '30': null } },
          { date: '2026-03-06', size: 0, retention: { '1': 0, '7': null, '30': null } },
          { date: '2026-03-07', size: 0, retention: { '1': 0, '7': null, '30': null } },
          { date: '2026-03-08', size: 1, retention: { '1': 100, '7': null, '30': null } },
          { date: '2026-03-09', size: 0, retention: { '1': 0, '7': null, '30': null } },
          { date: '2026-03-10', size: 0, retention: { '1': null, '7': null, '30': null } },
        ]);
      });

      it('follows cohorts of active users with custom days', async () => {
        const { cohorts } = await metric(`retention?${RANGE}&cohort=active&days=1,7`);
        expect(cohorts.filter((cohort: { size: number }) => cohort.size > 0)).toEqual([
          { date: '2026-03-01', size: 2, retention: { '1': 100, '7': 50 } },
          { date: '2026-03-02', size: 2, retention: { '1': 0, '7': 0 } },
          { date: '2026-03-08', size: 2, retention: { '1': 50, '7': null } },
          { date: '2026-03-09', size: 1, retention: { '1': 0, '7': null } },
        ]);
      });

      it('uses local days: bob is first seen on 03-02 in Tokyo', async () => {
        const { cohorts } = await metric('retention?from=2026-03-01&to=2026-03-09&tz=Asia/Tokyo&days=1,7');
        expect(cohorts.slice(0, 2)).toEqual([
          { date: '2026-03-01', size: 1, retention: { '1': 100, '7': 100 } },
          { date: '2026-03-02', size: 1, retention: { '1': 0, '7': 0 } },
        ]);
      });

      it('writes null cells as empty CSV fields', async () => {
        const result = await app.get('/v1/metrics/retention?from=2026-03-09&to=2026-03-10&format=csv');
        expect(result.text).toBe('date,size,day_1,day_7,day_30\r\n2026-03-09,0,0,,\r\n2026-03-10,0,,,\r\nall,0,,,\r\n');
      });

      it('groups cohorts by ISO week (Monday start) and adds a summary row weighted by cohort size', async () => {
        // 03-01 is a Sunday: its week starts on 02-23. The week of 03-02 pools 03-02 (2 users, 0 back)
        // with 03-08 (2 users, 1 back); 03-10 is not observed on day 1 yet.
        const weekly = await metric(`retention?${RANGE}&cohort=active&days=1&cohort_period=week`);
        expect(weekly).toEqual({
          cohort_period: 'week',
          cohorts: [
            { date: '2026-02-23', size: 2, retention: { '1': 100 } },
            { date: '2026-03-02', size: 4, retention: { '1': 25 } },
            { date: '2026-03-09', size: 1, retention: { '1': 0 } },
          ],
          // (2 + 0 + 1 + 0) / (2 + 2 + 2 + 1) users, not the plain mean of 100, 0, 50 and 0.
          summary: { size: 7, retention: { '1': 42.9 } },
        });
      });

      it('leaves a pooled rate of no observed users null and keeps unobserved days null', async () => {
        const weekly = await metric(`retention?${RANGE}&cohort_period=week`);
        expect(weekly.cohorts).toEqual([
          { date: '2026-02-23', size: 2, retention: { '1': 100, '7': 50, '30': null } },
          { date: '2026-03-02', size: 1, retention: { '1': 100, '7': null, '30': null } },
          { date: '2026-03-09', size: 0, retention: { '1': null, '7': null, '30': null } },
        ]);
        expect(weekly.summary).toEqual({ size: 3, retention: { '1': 100, '7': 50, '30': null } });
      });

      it('defaults to a row per day up to 35 days and a row per week beyond', async () => {
        const daily = await metric('retention?from=2026-02-06&to=2026-03-12');
        expect(daily.cohort_period).toBe('day');
        expect(daily.cohorts).toHaveLength(35);
        const weekly = await metric('retention?from=2026-02-05&to=2026-03-12');
        expect(weekly.cohort_period).toBe('week');
        // 02-05 is a Thursday: weeks of 02-02, 02-09, 02-16, 02-23, 03-02, 03-09.
        expect(weekly.cohorts.map((cohort: { date: string }) => cohort.date)).toEqual([
          '2026-02-02', '2026-02-09', '2026-02-16', '2026-02-23', '2026-03-02', '2026-03-09',
        ]);
        expect(weekly.summary).toEqual({ size: 3, retention: { '1': 100, '7': 50, '30': null } });
      });

      it('writes weekly rows and the summary row as CSV', async () => {
        const result = await app.get(`/v1/metrics/retention?${RANGE}&cohort=active&days=1&cohort_period=week&format=csv`);
        expect(result.text).toBe('week,size,day_1\r\n2026-02-23,2,100\r\n2026-03-02,4,25\r\n2026-03-09,1,0\r\nall,7,42.9\r\n');
      });

      it('rejects an unknown cohort period', async () => {
        expect(await badRequest(`retention?${RANGE}&cohort_period=month`)).toContain('cohort_period');
      });
    });

    describe('breakdown=channel and breakdown=trait:<name>', () => {
      /** [date, dau, wau, mau] per day 03-01 … 03-10. */
      const activity = (series: { date: string; dau: number; wau: number; mau: number }[]) =>
        series.map((row) => [row.date.slice(5), row.dau, row.wau, row.mau]);
      const newsletterActivity = [
        ['03-01', 1, 1, 1], ['03-02', 1, 1, 1], ['03-03', 0, 1, 1], ['03-04', 0, 1, 1], ['03-05', 0, 1, 1],
        ['03-06', 0, 1, 1], ['03-07', 0, 1, 1], ['03-08', 1, 1, 1], ['03-09', 0, 1, 1], ['03-10', 0, 1, 1],
      ];
      const googleActivity = [
        ['03-01', 1, 1, 1], ['03-02', 1, 1, 1], ['03-03', 0, 1, 1], ['03-04', 0, 1, 1], ['03-05', 0, 1, 1],
        ['03-06', 0, 1, 1], ['03-07', 0, 1, 1], ['03-08', 0, 1, 1], ['03-09', 0, 0, 1], ['03-10', 0, 0, 1],
      ];
      const directActivity = [
        ['03-01', 0, 0, 0], ['03-02', 0, 0, 0], ['03-03', 0, 0, 0], ['03-04', 0, 0, 0], ['03-05', 0, 0, 0],
        ['03-06', 0, 0, 0], ['03-07', 0, 0, 0], ['03-08', 1, 1, 1], ['03-09', 1, 1, 1], ['03-10', 0, 1, 1],
      ];

      it('gives DAU, WAU and MAU per first-touch channel, bob keeping his earlier anonymous touch', async () => {
        const body = await metric(`active-users?${RANGE}&breakdown=channel`);
        expect(body.breakdown).toBe('channel');
        expect(body.groups.map((group: any) => [group.value, group.users])).toEqual([['direct', 1], ['google.com', 1], ['newsletter', 1]]);
        expect(activity(body.groups[0].series)).toEqual(directActivity);
        expect(activity(body.groups[1].series)).toEqual(googleActivity);
        expect(activity(body.groups[2].series)).toEqual(newsletterActivity);
        expect(body.groups[0].series[0].stickiness).toBe(0);
        expect(body.groups[0].series[7].stickiness).toBe(1);
      });

      it('gives DAU, WAU and MAU per value of a trait, users without it as (none)', async () => {
        const body = await metric(`active-users?${RANGE}&breakdown=trait:plan`);
        expect(body.breakdown).toBe('trait:plan');
        expect(body.groups.map((group: any) => [group.value, group.users])).toEqual([['(none)', 1], ['free', 1], ['pro', 1]]);
        expect(activity(body.groups[0].series)).toEqual(newsletterActivity);
        expect(activity(body.groups[1].series)).toEqual(googleActivity);
        expect(activity(body.groups[2].series)).toEqual(directActivity);
      });

      it('writes one CSV row per value and day, for the values with users in the range', async () => {
        const result = await app.get(`/v1/metrics/active-users?from=2026-03-01&to=2026-03-02&breakdown=channel&format=csv`);
        expect(result.text).toBe(
          'value,date,dau,wau,mau,stickiness\r\n' +
            'google.com,2026-03-01,1,1,1,1\r\ngoogle.com,2026-03-02,1,1,1,1\r\n' +
            'newsletter,2026-03-01,1,1,1,1\r\nnewsletter,2026-03-02,1,1,1,1\r\n',
        );
      });

      it('follows first-seen cohorts per channel, with a summary per channel', async () => {
        const body = await metric(`retention?${RANGE}&breakdown=channel`);
        expect(body.breakdown).toBe('channel');
        expect(body.cohort_period).toBe('day');
        const byValue = Object.fromEntries(body.groups.map((group: any) => [group.value, group]));
        expect(Object.keys(byValue)).toEqual(['direct', 'google.com', 'newsletter']);
        expect(byValue['newsletter'].cohorts[0]).toEqual({ date: '2026-03-01', size: 1, retention: { 1: 100, 7: 100, 30: null } });
        expect(byValue['newsletter'].summary).toEqual({ size: 1, retention: { 1: 100, 7: 100, 30: null } });
        expect(byValue['google.com'].cohorts[0]).toEqual({ date: '2026-03-01', size: 1, retention: { 1: 100, 7: 0, 30: null } });
        expect(byValue['google.com'].summary).toEqual({ size: 1, retention: { 1: 100, 7: 0, 30: null } });
        expect(byValue['direct'].cohorts[0]).toEqual({ date: '2026-03-01', size: 0, retention: { 1: 0, 7: 0, 30: null } });
        expect(byValue['direct'].cohorts[7]).toEqual({ date: '2026-03-08', size: 1, retention: { 1: 100, 7: null, 30: null } });
        expect(byValue['direct'].summary).toEqual({ size: 1, retention: { 1: 100, 7: null, 30: null } });
        expect(byValue['direct'].cohorts).toHaveLength(10);
      });

      it('follows cohorts per value of a trait', async () => {
        const body = await metric(`retention?${RANGE}&breakdown=trait:plan`);
        expect(body.groups.map((group: any) => [group.value, group.users, group.summary])).toEqual([
          ['(none)', 1, { size: 1, retention: { 1: 100, 7: 100, 30: null } }],
          ['free', 1, { size: 1, retention: { 1: 100, 7: 0, 30: null } }],
          ['pro', 1, { size: 1, retention: { 1: 100, 7: null, 30: null } }],
        ]);
      });

      it('gives the report headline numbers per channel and per trait value', async () => {
        const byChannel = await metric(`report?${RANGE}&breakdown=channel`);
        expect(byChannel).toEqual({
          breakdown: 'channel',
          groups: [
            { value: 'direct', users: 1, dau: 0.2, wau: 0.3, mau: 0.3, stickiness: 0.6667, retention: { d1: 100, d7: null, d30: null } },
            { value: 'google.com', users: 1, dau: 0.2, wau: 0.8, mau: 1, stickiness: 0.2, retention: { d1: 100, d7: 0, d30: null } },
            { value: 'newsletter', users: 1, dau: 0.3, wau: 1, mau: 1, stickiness: 0.3, retention: { d1: 100, d7: 100, d30: null } },
          ],
        });
        const byPlan = await metric(`report?${RANGE}&breakdown=trait:plan`);
        expect(byPlan.groups.map((group: any) => [group.value, group.dau, group.wau, group.retention.d7])).toEqual([
          ['(none)', 0.3, 1, 100],
          ['free', 0.2, 0.8, 0],
          ['pro', 0.2, 0.3, null],
        ]);
      });

      it('leaves debug users out unless include_debug=true', async () => {
        const body = await metric(`active-users?${RANGE}&breakdown=channel&include_debug=true`);
        // dave (debug, no touch) joins carol in direct.
        expect(body.groups.map((group: any) => [group.value, group.users])).toEqual([['direct', 2], ['google.com', 1], ['newsletter', 1]]);
      });

      it('rejects a breakdown that is neither channel nor trait:<name>, naming the parameter', async () => {
        expect(await badRequest('retention?breakdown=plan')).toMatch(/^breakdown: must be channel or trait:<name>/);
        expect(await badRequest('active-users?breakdown=trait:a.b')).toMatch(/^breakdown: /);
        expect(await badRequest('report?breakdown=trait:')).toMatch(/^breakdown: /);
      });
    });

    describe('GET /v1/metrics/sessions', () => {
      it('summarises the sessions that start in the range', async () => {
        expect(await metric(`sessions?${RANGE}`)).toEqual({
          sessions: 7,
          avg_duration_seconds: 25.6,
          median_duration_seconds: 1,
          avg_messages: 2.14,
          avg_prompts: 1.29,
          single_prompt_share: 0.7143,
          single_message_share: 0.2857,
          sessions_per_user: 2.33,
        });
      });

      it('answers zeros for an empty range', async () => {
        expect(await metric('sessions?from=2025-01-01&to=2025-01-31')).toEqual({
          sessions: 0, avg_duration_seconds: 0, median_duration_seconds: 0, avg_messages: 0, avg_prompts: 0, single_prompt_share: 0,
          single_message_share: 0, sessions_per_user: 0,
        });
      });

      it('describes one session and 404s an unknown one', async () => {
        expect(await metric('sessions/s-a1')).toEqual({ message_count: 4, duration_seconds: 63, user_messages: 2, bot_messages: 2 });
        const unknown = await app.get('/v1/metrics/sessions/nope');
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.code).toBe('session_not_found');
        expect((await app.get('/v1/metrics/sessions/s-d1')).status).toBe(404);
        expect(await metric('sessions/s-d1?include_debug=true')).toEqual({ message_count: 2, duration_seconds: 9, user_messages: 1, bot_messages: 1 });
      });
    });

    describe('GET /v1/metrics/conversations', () => {
      it('counts conversations, per user and prompts per conversation', async () => {
        expect(await metric(`conversations?${RANGE}`)).toEqual({ conversations: 7, conversations_per_user: 2.33, avg_prompts_per_conversation: 1.29 });
      });

      it('lists users with group_by=user', async () => {
        expect(await metric(`conversations?${RANGE}&group_by=user`)).toEqual({
          conversations: 7,
          conversations_per_user: 2.33,
          avg_prompts_per_conversation: 1.29,
          by_user: [
            { user: 'alice', conversations: 3, prompts: 4 },
            { user: 'bob', conversations: 2, prompts: 3 },
            { user: 'carol', conversations: 2, prompts: 2 },
          ],
        });
      });
    });

    describe('GET /v1/metrics/intents and /classification', () => {
      it('shares prompts between intents, unclassified included', async () => {
        expect(await metric(`intents?${RANGE}`)).toEqual([
          { intent: 'billing', count: 4, percentage: 44.4 },
          { intent: 'tech', count: 4, percentage: 44.4 },
          { intent: 'unclassified', count: 1, percentage: 11.1 },
        ]);
      });

      it('filters by conversation', async () => {
        expect(await metric(`intents?${RANGE}&conversation_id=c-b2`)).toEqual([
          { intent: 'billing', count: 1, percentage: 50 },
          { intent: 'tech', count: 1, percentage: 50 },
        ]);
      });

      it('uses the 23-hour DST day of New York as its range', async () => {
        // 2026-03-08 in New York is [05:00Z 03-08, 04:00Z 03-09): only prompt 7.
        expect(await metric('intents?from=2026-03-08&to=2026-03-08&tz=America/New_York')).toEqual([
          { intent: 'unclassified', count: 1, percentage: 100 },
        ]);
      });

      it('reports sampling and classifier spend', async () => {
        expect(await metric(`classification?${RANGE}`)).toEqual({
          prompts: 9, sampled: 8, not_sampled: 0, pending: 0, no_text: 1, sampling_rate: 1, classifier_cost: 0.5, classifier_tokens: 120,
          // Today (NOW, 03-20) no classifier ran, and the contract app has no budget.
          budget: { day: '2026-03-20', daily_limit: null, spent_today: 0, remaining_today: null, exhausted: false },
        });
      });
    });

    describe('GET /v1/metrics/latency', () => {
      it('gives interpolated percentiles per model', async () => {
        expect(await metric(`latency?${RANGE}`)).toEqual([
          { key: 'gpt-a', count: 4, avg_ms: 1625, p50_ms: 1500, p95_ms: 2850, p99_ms: 2970 },
          { key: 'gpt-b', count: 2, avg_ms: 2750, p50_ms: 2750, p95_ms: 3875, p99_ms: 3975 },
        ]);
      });

      it('groups by intent', async () => {
        expect(await metric(`latency?${RANGE}&group_by=intent`)).toEqual([
          { key: 'billing', count: 3, avg_ms: 1166.7, p50_ms: 1000, p95_ms: 1900, p99_ms: 1980 },
          { key: 'tech', count: 3, avg_ms: 2833.3, p50_ms: 3000, p95_ms: 3900, p99_ms: 3980 },
        ]);
      });

      it('filters by model and by intent', async () => {
        expect(await metric(`latency?${RANGE}&model=gpt-b`)).toEqual([
          { key: 'gpt-b', count: 2, avg_ms: 2750, p50_ms: 2750, p95_ms: 3875, p99_ms: 3975 },
        ]);
        expect(await metric(`latency?${RANGE}&intent=tech`)).toEqual([
          { key: 'gpt-b', count: 2, avg_ms: 2750, p50_ms: 2750, p95_ms: 3875, p99_ms: 3975 },
          { key: 'gpt-a', count: 1, avg_ms: 3000, p50_ms: 3000, p95_ms: 3000, p99_ms: 3000 },
        ]);
      });

      it('counts debug responses only with include_debug=true', async () => {
        const [gptA] = await metric(`latency?${RANGE}&include_debug=true`);
        expect(gptA).toEqual({ key: 'gpt-a', count: 5, avg_ms: 3100, p50_ms: 2000, p95_ms: 7800, p99_ms: 8760 });
      });

      // gpt-a TTFTs 100, 200, 400: p95 at rank 1.9 = 200 + 0.9 × 200; speeds 25, 40, 50.
      it('gives time-to-first-token percentiles and the median streaming speed with metric=ttft', async () => {
        expect(await metric(`latency?${RANGE}&metric=ttft`)).toEqual([
          { key: 'gpt-a', count: 3, avg_ms: 233.3, p50_ms: 200, p95_ms: 380, p99_ms: 396, median_tokens_per_second: 40 },
          { key: 'gpt-b', count: 1, avg_ms: 300, p50_ms: 300, p95_ms: 300, p99_ms: 300, median_tokens_per_second: 80 },
        ]);
      });

      it('groups time to first token by intent, and filters it', async () => {
        expect(await metric(`latency?${RANGE}&metric=ttft&group_by=intent`)).toEqual([
          { key: 'billing', count: 3, avg_ms: 233.3, p50_ms: 200, p95_ms: 380, p99_ms: 396, median_tokens_per_second: 40 },
          { key: 'tech', count: 1, avg_ms: 300, p50_ms: 300, p95_ms: 300, p99_ms: 300, median_tokens_per_second: 80 },
        ]);
        expect(await metric(`latency?${RANGE}&metric=ttft&conversation_id=c-a1`)).toEqual([
          { key: 'gpt-a', count: 2, avg_ms: 300, p50_ms: 300, p95_ms: 390, p99_ms: 398, median_tokens_per_second: 45 },
        ]);
      });

      // 100, 200, 400, 5000: p50 at rank 1.5 = 300, p95 at rank 2.85 = 400 + 0.85 × 4600; dave sent no speed.
      it('counts debug time to first token only with include_debug=true', async () => {
        const [gptA] = await metric(`latency?${RANGE}&metric=ttft&include_debug=true`);
        expect(gptA).toEqual({ key: 'gpt-a', count: 4, avg_ms: 1425, p50_ms: 300, p95_ms: 4310, p99_ms: 4862, median_tokens_per_second: 40 });
      });

      it('answers time to first token as CSV', async () => {
        const result = await app.get(`/v1/metrics/latency?${RANGE}&metric=ttft&format=csv`);
        expect(result.text).toBe(
          'key,count,avg_ms,p50_ms,p95_ms,p99_ms,median_tokens_per_second\r\ngpt-a,3,233.3,200,380,396,40\r\ngpt-b,1,300,300,300,300,80\r\n',
        );
      });
    });

    describe('GET /v1/metrics/delivery', () => {
      const quietDay = (date: string) => ({
        date, reports: 0, queued: 0, sent: 0, stored: 0, retried: 0, dropped: 0, dropped_queue_full: 0, dropped_rejected: 0,
        reporting_browsers: 0, memory_browsers: 0, memory_share: 0,
      });

      it('compares what the SDK reports sending with the SDK events stored, per UTC day', async () => {
        const answer = await metric(`delivery?${RANGE}`);
        expect(answer.total).toEqual({
          reports: 3, queued: 8, sent: 6, stored: 5, retried: 1, dropped: 2, dropped_queue_full: 1, dropped_rejected: 1,
          reporting_browsers: 2, memory_browsers: 1, memory_share: 0.5,
        });
        expect(answer.days).toHaveLength(10);
        expect(answer.days[0]).toEqual({
          date: '2026-03-01', reports: 2, queued: 8, sent: 6, stored: 5, retried: 1, dropped: 1, dropped_queue_full: 1, dropped_rejected: 0,
          reporting_browsers: 2, memory_browsers: 1, memory_share: 0.5,
        });
        expect(answer.days[1]).toEqual({
          date: '2026-03-02', reports: 1, queued: 0, sent: 0, stored: 0, retried: 0, dropped: 1, dropped_queue_full: 0, dropped_rejected: 1,
          reporting_browsers: 1, memory_browsers: 0, memory_share: 0,
        });
        expect(answer.days[2]).toEqual(quietDay('2026-03-03'));
      });

      it('puts reports on their local day in Asia/Tokyo', async () => {
        const answer = await metric('delivery?from=2026-03-01&to=2026-03-02&tz=Asia/Tokyo');
        expect(answer.days).toEqual([
          {
            date: '2026-03-01', reports: 1, queued: 6, sent: 5, stored: 5, retried: 1, dropped: 0, dropped_queue_full: 0, dropped_rejected: 0,
            reporting_browsers: 1, memory_browsers: 0, memory_share: 0,
          },
          {
            date: '2026-03-02', reports: 2, queued: 2, sent: 1, stored: 0, retried: 0, dropped: 2, dropped_queue_full: 1, dropped_rejected: 1,
            reporting_browsers: 2, memory_browsers: 1, memory_share: 0.5,
          },
        ]);
      });

      it('answers CSV, one row per day', async () => {
        const result = await app.get('/v1/metrics/delivery?from=2026-03-01&to=2026-03-02&format=csv');
        expect(result.text).toBe(
          'date,reports,queued,sent,stored,retried,dropped,dropped_queue_full,dropped_rejected,reporting_browsers,memory_browsers,memory_share\r\n' +
            '2026-03-01,2,8,6,5,1,1,1,0,2,1,0.5\r\n' +
            '2026-03-02,1,0,0,0,0,1,0,1,1,0,0\r\n',
        );
      });

      it('answers zeros for a range without reports', async () => {
        const answer = await metric('delivery?from=2025-01-01&to=2025-01-02');
        expect(answer.days).toEqual([quietDay('2025-01-01'), quietDay('2025-01-02')]);
        expect(answer.total).toEqual({ ...quietDay(''), date: undefined });
      });
    });

    describe('GET /v1/metrics/cost', () => {
      const zero = { cost: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, conversations: 0, cost_per_conversation: 0 };

      it('sums spend per day with every day present', async () => {
        expect(await metric(`cost?${RANGE}`)).toEqual([
          { key: '2026-03-01', cost: 0.06, prompt_tokens: 600, completion_tokens: 150, total_tokens: 750, conversations: 2, cost_per_conversation: 0.03 },
          { key: '2026-03-02', cost: 0.055, prompt_tokens: 550, completion_tokens: 550, total_tokens: 1100, conversations: 2, cost_per_conversation: 0.0275 },
          { key: '2026-03-03', ...zero },
          { key: '2026-03-04', ...zero },
          { key: '2026-03-05', ...zero },
          { key: '2026-03-06', ...zero },
          { key: '2026-03-07', ...zero },
          { key: '2026-03-08', ...zero },
          { key: '2026-03-09', cost: 0.015, prompt_tokens: 100, completion_tokens: 100, total_tokens: 200, conversations: 1, cost_per_conversation: 0.015 },
          { key: '2026-03-10', ...zero },
        ]);
      });

      it('puts 00:30 EDT on its own day after the DST change', async () => {
        expect(await metric('cost?from=2026-03-08&to=2026-03-09&tz=America/New_York')).toEqual([
          { key: '2026-03-08', ...zero },
          { key: '2026-03-09', cost: 0.015, prompt_tokens: 100, completion_tokens: 100, total_tokens: 200, conversations: 1, cost_per_conversation: 0.015 },
        ]);
      });

      it('groups by model', async () => {
        expect(await metric(`cost?${RANGE}&group_by=model`)).toEqual([
          { key: 'gpt-a', cost: 0.065, prompt_tokens: 650, completion_tokens: 200, total_tokens: 850, conversations: 3, cost_per_conversation: 0.021667 },
          { key: 'gpt-b', cost: 0.065, prompt_tokens: 600, completion_tokens: 600, total_tokens: 1200, conversations: 2, cost_per_conversation: 0.0325 },
        ]);
      });

      it('groups by a user trait', async () => {
        expect(await metric(`cost?${RANGE}&group_by=segment&segment_trait=plan`)).toEqual([
          { key: 'unknown', cost: 0.08, prompt_tokens: 800, completion_tokens: 650, total_tokens: 1450, conversations: 2, cost_per_conversation: 0.04 },
          { key: 'free', cost: 0.035, prompt_tokens: 350, completion_tokens: 50, total_tokens: 400, conversations: 2, cost_per_conversation: 0.0175 },
          { key: 'pro', cost: 0.015, prompt_tokens: 100, completion_tokens: 100, total_tokens: 200, conversations: 1, cost_per_conversation: 0.015 },
        ]);
      });

      it('answers CSV', async () => {
        const result = await app.get(`/v1/metrics/cost?${RANGE}&group_by=model&format=csv`);
        expect(result.text).toBe(
          'key,cost,prompt_tokens,completion_tokens,total_tokens,conversations,cost_per_conversation\r\n' +
            'gpt-a,0.065,650,200,850,3,0.021667\r\ngpt-b,0.065,600,600,1200,2,0.0325\r\n',
        );
      });
    });

    describe('GET /v1/metrics/errors', () => {
      it('rates errors and timeouts per model', async () => {
        expect(await metric(`errors?${RANGE}`)).toEqual([
          { key: 'gpt-a', responses: 4, errors: 0, timeouts: 1, error_rate: 0.25 },
          { key: 'gpt-b', responses: 2, errors: 1, timeouts: 0, error_rate: 0.5 },
        ]);
      });

      it('rates them per day', async () => {
        const days = await metric('errors?from=2026-03-01&to=2026-03-03&group_by=day');
        expect(days).toEqual([
          { key: '2026-03-01', responses: 3, errors: 0, timeouts: 1, error_rate: 0.3333 },
          { key: '2026-03-02', responses: 2, errors: 1, timeouts: 0, error_rate: 0.5 },
          { key: '2026-03-03', responses: 0, errors: 0, timeouts: 0, error_rate: 0 },
        ]);
      });
    });

    describe('GET /v1/metrics/satisfaction', () => {
      it('averages ratings and thumbs per intent', async () => {
        expect(await metric(`satisfaction?${RANGE}`)).toEqual([
          { key: 'tech', ratings: 2, avg_rating: 3.5, thumbs: 1, thumbs_up_rate: 1 },
          { key: 'billing', ratings: 1, avg_rating: 4, thumbs: 1, thumbs_up_rate: 0 },
        ]);
      });

      it('takes the model from the response of the same turn', async () => {
        expect(await metric(`satisfaction?${RANGE}&group_by=model`)).toEqual([
          { key: 'gpt-a', ratings: 2, avg_rating: 3, thumbs: 1, thumbs_up_rate: 0 },
          { key: 'gpt-b', ratings: 1, avg_rating: 5, thumbs: 1, thumbs_up_rate: 1 },
        ]);
        expect(await metric(`satisfaction?${RANGE}&model=gpt-b`)).toEqual([
          { key: 'tech', ratings: 1, avg_rating: 5, thumbs: 1, thumbs_up_rate: 1 },
        ]);
      });
    });

    describe('GET /v1/metrics/peak-hours', () => {
      function matrixWith(cells: [weekday: number, hour: number, prompts: number][]): number[][] {
        const matrix = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
        for (const [weekday, hour, prompts] of cells) (matrix[weekday] as number[])[hour] = prompts;
        return matrix;
      }

      it('counts prompts by weekday (0 = Monday) and UTC hour', async () => {
        expect(await metric(`peak-hours?${RANGE}`)).toEqual({
          matrix: matrixWith([[6, 10, 2], [6, 23, 1], [0, 9, 1], [0, 12, 2], [6, 4, 1], [6, 12, 1], [0, 4, 1]]),
        });
      });

      it('uses local hours across the DST change in New York', async () => {
        expect(await metric(`peak-hours?${RANGE}&tz=America/New_York`)).toEqual({
          matrix: matrixWith([[6, 5, 2], [6, 18, 1], [0, 4, 1], [0, 7, 2], [5, 23, 1], [6, 8, 1], [0, 0, 1]]),
        });
      });

      it('filters by intent from the events', async () => {
        expect(await metric(`peak-hours?${RANGE}&intent=unclassified`)).toEqual({ matrix: matrixWith([[6, 12, 1]]) });
      });
    });

    describe('GET /v1/metrics/intent-flows', () => {
      // Last prompts in the range: c-a1 billing, c-b1 tech, c-a2 tech, c-b2 tech, c-c0 billing, c-a3 unclassified, c-c1 tech.
      it('counts intent transitions between consecutive prompts and where conversations end', async () => {
        expect(await metric(`intent-flows?${RANGE}`)).toEqual([
          { from: 'tech', to: null, count: 4 },
          { from: 'billing', to: null, count: 2 },
          { from: 'billing', to: 'billing', count: 1 },
          { from: 'billing', to: 'tech', count: 1 },
          { from: 'unclassified', to: null, count: 1 },
        ]);
      });

      it('ends a conversation at its last prompt in the range, even when it goes on later', async () => {
        // On 03-01 (UTC) c-a1 ends on its second billing prompt and c-b1 on its tech one; c-b2 starts on 03-02.
        expect(await metric('intent-flows?from=2026-03-01&to=2026-03-01')).toEqual([
          { from: 'billing', to: 'billing', count: 1 },
          { from: 'billing', to: null, count: 1 },
          { from: 'tech', to: null, count: 1 },
        ]);
      });

      it('ends flows of one conversation, and of debug conversations with include_debug=true', async () => {
        expect(await metric(`intent-flows?${RANGE}&conversation_id=c-b2`)).toEqual([
          { from: 'billing', to: 'tech', count: 1 },
          { from: 'tech', to: null, count: 1 },
        ]);
        const withDebug = await metric(`intent-flows?${RANGE}&include_debug=true`);
        expect(withDebug[0]).toEqual({ from: 'tech', to: null, count: 5 });
      });

      it('writes the end of a conversation as an empty to in CSV', async () => {
        const result = await app.get('/v1/metrics/intent-flows?from=2026-03-01&to=2026-03-01&format=csv');
        expect(result.text).toBe('from,to,count\r\nbilling,billing,1\r\nbilling,,1\r\ntech,,1\r\n');
      });
    });

    describe('GET /v1/metrics/active-conversations', () => {
      it('lists conversations with a message in the last minutes', async () => {
        expect(await metric('active-conversations')).toEqual({
          count: 1,
          conversations: [{ conversation_id: 'c-live', user: 'erin', messages: 2, last_message_at: '2026-03-20T11:57:02.000Z' }],
        });
        const wider = await metric('active-conversations?minutes=15');
        expect(wider.count).toBe(2);
        expect(wider.conversations.map((conversation: { conversation_id: string }) => conversation.conversation_id)).toEqual(['c-live', 'c-old']);
      });
    });

    describe('GET /v1/metrics/report', () => {
      it('summarises the range and flags it against support-bot references', async () => {
        expect(await metric(`report?${RANGE}`)).toEqual({
          dau: 0.7,
          wau: 2.1,
          mau: 2.3,
          stickiness: 0.3043,
          // 02-19…02-28 had no activity: no change can be computed.
          previous: { dau: 0, wau: 0, mau: 0, stickiness: 0 },
          change: { dau: null, wau: null, mau: null, stickiness: null },
          retention: { d1: 100, d7: 50, d30: null },
          sessions: {
            sessions: 7,
            avg_duration_seconds: 25.6,
            median_duration_seconds: 1,
            avg_messages: 2.14,
            avg_prompts: 1.29,
            single_prompt_share: 0.7143,
            single_message_share: 0.2857,
            sessions_per_user: 2.33,
          },
          intent_sampling_rate: 1,
          delivery: { reports: 3, sent: 6, stored: 5, dropped: 2, memory_share: 0.5 },
          // Latencies 500, 1000, 1500, 2000, 3000, 4000: p95 at rank 4.75 = 3000 + 0.75 × 1000; nothing in 02-22…02-28.
          // 2 of 6 responses failed; 0.13 spent on 5 conversations; nothing in 02-19…02-28.
          ai: {
            latency_p95_ms: 3750,
            baseline_latency_p95_ms: null,
            latency_p95_change: null,
            responses: 6,
            failed: 2,
            error_rate: 0.3333,
            cost_per_conversation: 0.026,
            previous_cost_per_conversation: null,
            cost_per_conversation_change: null,
          },
          flags: [
            { metric: 'retention_d1', value: 100, status: 'healthy', reference: expect.any(String) },
            { metric: 'retention_d7', value: 50, status: 'healthy', reference: expect.any(String) },
            { metric: 'stickiness', value: 0.3043, status: 'healthy', reference: expect.any(String) },
            { metric: 'single_prompt_share', value: 0.7143, status: 'warning', reference: expect.any(String) },
            { metric: 'avg_messages', value: 2.14, status: 'info', reference: expect.any(String) },
            { metric: 'avg_duration_seconds', value: 25.6, status: 'info', reference: expect.any(String) },
            { metric: 'delivery_dropped', value: 2, status: 'warning', reference: 'events dropped by the SDK (queue full or rejected): more than 0 in the range is a warning' },
            { metric: 'latency_p95_regression', value: null, status: 'info', reference: 'p95 latency over the range vs the 7 days before it: 20% or more higher is a warning' },
            { metric: 'error_rate', value: 0.3333, status: 'warning', reference: '(errors + timeouts) / responses: above 5% is a warning' },
            { metric: 'cost_per_conversation_trend', value: null, status: 'info', reference: 'cost per conversation vs the previous period of the same length: 25% or more higher is a warning' },
          ],
        });
      });

      it('answers zeros and nulls for an empty range', async () => {
        const report = await metric('report?from=2025-01-01&to=2025-01-10');
        expect(report).toMatchObject({ dau: 0, wau: 0, mau: 0, stickiness: 0, retention: { d1: null, d7: null, d30: null }, intent_sampling_rate: 0 });
        expect(report.flags.map((flag: { status: string }) => flag.status)).toEqual(['info', 'info', 'info', 'info', 'info', 'info', 'info', 'info', 'info', 'info']);
      });

      it('compares with the previous period of the same length', async () => {
        // 03-08…03-09 against 03-06…03-07: DAU 2, 1 vs 0, 0; WAU 3, 2 vs 2, 2; MAU 3, 3 vs 2, 2.
        const later = await metric('report?from=2026-03-08&to=2026-03-09');
        expect(later).toMatchObject({ dau: 1.5, wau: 2.5, mau: 3, stickiness: 0.5 });
        expect(later.previous).toEqual({ dau: 0, wau: 2, mau: 2, stickiness: 0 });
        expect(later.change).toEqual({ dau: null, wau: 25, mau: 50, stickiness: null });
        // 03-03…03-04 against 03-01…03-02: DAU 0, 0 vs 2, 2.
        const quiet = await metric('report?from=2026-03-03&to=2026-03-04');
        expect(quiet.previous).toEqual({ dau: 2, wau: 2, mau: 2, stickiness: 1 });
        expect(quiet.change).toEqual({ dau: -100, wau: 0, mau: 0, stickiness: -100 });
      });

      it('takes day-N cohorts from before the range when their day N falls inside it', async () => {
        // Day 7 of 03-08…03-09 is measured on the cohorts of 03-01…03-02: alice and bob (03-01), alice back on 03-08.
        // Day 1 on the cohorts of 03-07…03-08: carol (03-08), back on 03-09.
        const report = await metric('report?from=2026-03-08&to=2026-03-09');
        expect(report.retention).toEqual({ d1: 100, d7: 50, d30: null });
        // Day 30 of 03-31 is measured on the cohort of 03-01: neither alice nor bob came back on 03-31.
        const late = await metric('report?from=2026-03-31&to=2026-03-31');
        expect(late.retention).toEqual({ d1: null, d7: null, d30: 0 });
      });

      it('warns when most sessions have a single prompt, even though every prompt got a reply', async () => {
        // 2026-03-09 (UTC) starts one session, s-c1: carol's one prompt and its reply (two messages).
        const report = await metric('report?from=2026-03-09&to=2026-03-09');
        expect(report.sessions).toMatchObject({ sessions: 1, avg_messages: 2, avg_prompts: 1, single_prompt_share: 1, single_message_share: 0 });
        expect(report.flags[3]).toMatchObject({ metric: 'single_prompt_share', value: 1, status: 'warning' });
      });

      it('flags a p95 latency regression against the 7 days before, failed responses and a rising cost per conversation', async () => {
        // 03-02…03-03 with debug: latencies 500, 4000, 9000 (p95 at rank 1.9 = 4000 + 0.9 × 5000) against 02-23…03-01:
        // 1000, 2000, 3000 (2000 + 0.9 × 1000); 1 of 3 responses failed; 1.055 on c-a2, c-b2, c-d1 against 0.06 on c-a1, c-b1.
        const report = await metric('report?from=2026-03-02&to=2026-03-03&include_debug=true');
        expect(report.ai).toEqual({
          latency_p95_ms: 8500,
          baseline_latency_p95_ms: 2900,
          latency_p95_change: 193.1,
          responses: 3,
          failed: 1,
          error_rate: 0.3333,
          cost_per_conversation: 0.351667,
          previous_cost_per_conversation: 0.03,
          cost_per_conversation_change: 1072.2,
        });
        expect(report.flags.slice(7).map((flag: { metric: string; value: number; status: string }) => [flag.metric, flag.value, flag.status])).toEqual([
          ['latency_p95_regression', 193.1, 'warning'],
          ['error_rate', 0.3333, 'warning'],
          ['cost_per_conversation_trend', 1072.2, 'warning'],
        ]);
      });

      it('stays healthy on a faster p95, no failures and a cheaper conversation', async () => {
        // 03-09…03-10: carol's 1500 ms success against 03-02…03-08 (500, 4000: p95 = 500 + 0.95 × 3500); no response on 03-07…03-08.
        const later = await metric('report?from=2026-03-09&to=2026-03-10');
        expect(later.ai).toMatchObject({ latency_p95_ms: 1500, baseline_latency_p95_ms: 3825, latency_p95_change: -60.8, error_rate: 0, cost_per_conversation: 0.015, previous_cost_per_conversation: null });
        expect(later.flags.slice(7).map((flag: { status: string }) => flag.status)).toEqual(['healthy', 'healthy', 'info']);
        // 03-02: 0.055 on 2 conversations against 0.06 on 2 on 03-01.
        const day = await metric('report?from=2026-03-02&to=2026-03-02');
        expect(day.ai).toMatchObject({ cost_per_conversation: 0.0275, previous_cost_per_conversation: 0.03, cost_per_conversation_change: -8.3 });
        expect(day.flags[9]).toMatchObject({ metric: 'cost_per_conversation_trend', value: -8.3, status: 'healthy' });
      });

      it('writes the AI health figures as CSV rows', async () => {
        const result = await app.get(`/v1/metrics/report?${RANGE}&format=csv`);
        expect(result.text).toContain('\r\nai.latency_p95_ms,3750,,\r\n');
        expect(result.text).toContain('\r\nai.error_rate,0.3333,,\r\n');
        expect(result.text).toContain('\r\nerror_rate,0.3333,warning,(errors + timeouts) / responses: above 5% is a warning\r\n');
      });

      it('stays healthy when at most half of the sessions have a single prompt', async () => {
        // 2026-03-02 (UTC) starts s-a2 (one prompt) and s-b2 (two prompts).
        const report = await metric('report?from=2026-03-02&to=2026-03-02');
        expect(report.sessions).toMatchObject({ sessions: 2, avg_prompts: 1.5, single_prompt_share: 0.5 });
        expect(report.flags[3]).toMatchObject({ metric: 'single_prompt_share', value: 0.5, status: 'healthy' });
      });
    });

    describe('metric requests', () => {
      it('need the read key', async () => {
        const missing = await app.get(`/v1/metrics/active-users?${RANGE}`, { auth: false });
        expect(missing.status).toBe(401);
        expect(missing.body.error.code).toBe('missing_read_key');
        const wrong = await fetch(`${app.url}/v1/metrics/report`, { headers: { authorization: 'Bearer nope' } });
        expect(wrong.status).toBe(401);
      });

      it('name the bad parameter in a 400', async () => {
        expect(await badRequest('active-users?tz=Mars/Olympus')).toMatch(/^tz: must be an IANA time zone/);
        expect(await badRequest('active-users?from=2026-02-30')).toMatch(/^from: must be a calendar date YYYY-MM-DD/);
        expect(await badRequest('active-users?from=2026-03-10&to=2026-03-01')).toBe('from: must be on or before to (2026-03-01)');
        expect(await badRequest('active-users?from=2024-01-01&to=2026-01-01')).toMatch(/^from: the range spans 732 days/);
        expect(await badRequest('active-users?include_debug=maybe')).toBe('include_debug: must be true or false');
        expect(await badRequest('active-users?format=xml')).toBe('format: must be json or csv');
        expect(await badRequest('active-users?from=2026-03-01&from=2026-03-02')).toBe('from: give it once');
        expect(await badRequest('active-users?model=gpt-a')).toMatch(/^model: active-users cannot be filtered by model/);
        expect(await badRequest('active-users?form=2026-03-01')).toMatch(/^form: unknown parameter for active-users/);
        expect(await badRequest('latency?group_by=day')).toBe('group_by: must be model or intent');
        expect(await badRequest('latency?metric=tpot')).toBe('metric: must be latency or ttft');
        expect(await badRequest('delivery?model=gpt-a')).toMatch(/^model: delivery cannot be filtered by model/);
        expect(await badRequest('retention?days=0,7')).toBe('days: every day must be 1–365');
        expect(await badRequest('retention?days=one')).toMatch(/^days: must be comma-separated whole numbers/);
        expect(await badRequest('retention?cohort=weekly')).toBe('cohort: must be first_seen or active');
        expect(await badRequest('cost?group_by=segment')).toMatch(/^segment_trait: is required with group_by=segment/);
        expect(await badRequest('cost?group_by=segment&segment_trait=a.b')).toMatch(/^segment_trait: must be a trait name/);
        expect(await badRequest('active-conversations?minutes=0')).toBe('minutes: must be 1–1440');
        expect(await badRequest('conversations?group_by=user&limit=abc')).toBe('limit: must be a whole number');
      });
    });

    describe('activity rollup maintenance', () => {
      it('keeps each user counted once when prompts arrive late and identities merge', async () => {
        const late = await startTestApp({ now: () => NOW, createStore });
        try {
          const event = (who: Who, timestamp: string, id: string) => ({
            type: 'track', event: 'ai_user_prompt_created', messageId: id, timestamp, ...who, properties: { conversation_id: `c-${id}` },
          });
          const post = async (batch: unknown[]) => expect((await late.post('/v1/batch', { batch })).status).toBe(200);
          await post([event({ userId: 'u1' }, '2026-03-01T12:00:00Z', 'a'), event({ userId: 'u1' }, '2026-03-10T12:00:00Z', 'b')]);
          await post([event({ userId: 'u1' }, '2026-03-05T12:00:00Z', 'c')]);
          await post([event({ anonymousId: 'anon-u1' }, '2026-03-03T12:00:00Z', 'd')]);
          await post([{ type: 'identify', messageId: 'e', userId: 'u1', anonymousId: 'anon-u1', timestamp: '2026-03-11T00:00:00Z' }]);
          const result = await late.get('/v1/metrics/active-users?from=2026-03-01&to=2026-03-11');
          expect(result.body.series.map((row: { dau: number; wau: number; mau: number }) => [row.dau, row.wau, row.mau])).toEqual([
            [1, 1, 1], [0, 1, 1], [1, 1, 1], [0, 1, 1], [1, 1, 1], [0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 1, 1], [1, 1, 1], [0, 1, 1],
          ]);
          const cohorts = await late.get('/v1/metrics/retention?from=2026-03-01&to=2026-03-03&days=2');
          expect(cohorts.body.cohorts[0]).toEqual({ date: '2026-03-01', size: 1, retention: { '2': 100 } });
        } finally {
          await late.close();
        }
      });
    });
  });
}
