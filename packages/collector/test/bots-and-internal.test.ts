import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Bots (crawler user agents, automated browsers) and internal users (the
 * team's own) are classified at ingest and left out of every metric unless
 * include_bots / include_internal ask for them; excluded-traffic counts them.
 */

const RECEIVED_AT = Date.parse('2026-03-10T12:00:00.000Z');
const RANGE = 'from=2026-03-10&to=2026-03-10';
const PERSON_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

let sequence = 0;

/** One prompt and its response by `userId`, a minute apart, in conversation `conversation`. */
function turn(userId: string, context: Record<string, unknown> = { userAgent: PERSON_AGENT }, conversation = `conv-${userId}`) {
  sequence += 1;
  const common = { userId, context: { sessionId: `session-${userId}`, ...context } };
  return [
    {
      type: 'track', event: 'ai_user_prompt_created', messageId: `p-${sequence}`, timestamp: '2026-03-10T11:00:00.000Z', ...common,
      properties: { conversation_id: conversation, prompt_number: sequence, classified_intent: 'billing' },
    },
    {
      type: 'track', event: 'ai_llm_response_received', messageId: `r-${sequence}`, timestamp: '2026-03-10T11:01:00.000Z', ...common,
      properties: { conversation_id: conversation, prompt_number: sequence, model_used: 'gpt-x', latency_ms: 1000 * sequence, cost: 0.5 },
    },
  ];
}

function identify(userId: string, traits: Record<string, unknown>) {
  sequence += 1;
  return { type: 'identify', messageId: `i-${sequence}`, userId, traits, timestamp: '2026-03-10T10:00:00.000Z' };
}

describe('bot and internal traffic', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ now: () => RECEIVED_AT, appOptions: { internalUsers: ['*@acme.com', 'qa-*'] } });
  });
  afterEach(async () => {
    await app.close();
  });

  async function send(batch: unknown[]): Promise<void> {
    const response = await app.post('/v1/batch', { batch });
    expect(response.status).toBe(200);
    expect(response.body.rejected).toEqual([]);
  }

  async function dau(query = ''): Promise<number> {
    const response = await app.get(`/v1/metrics/active-users?${RANGE}${query}`);
    expect(response.status).toBe(200);
    return response.body.series[0].dau;
  }

  it('leaves a prompt with a Googlebot user agent out of DAU, and counts it with include_bots=true', async () => {
    await send([...turn('alice'), ...turn('crawler-1', { userAgent: GOOGLEBOT })]);
    expect(await dau()).toBe(1);
    expect(await dau('&include_bots=true')).toBe(2);
    expect((await app.get(`/v1/metrics/excluded-traffic?${RANGE}`)).body).toEqual({ excluded_users: { bots: 1, internal: 0 } });
    expect((await app.get(`/v1/metrics/excluded-traffic?${RANGE}&include_bots=true`)).body).toEqual({ excluded_users: { bots: 0, internal: 0 } });
  });

  it('counts a browser driven by automation (context.webdriver from the SDK, or a headless user agent) as a bot', async () => {
    await send([
      ...turn('alice'),
      ...turn('driven', { userAgent: PERSON_AGENT, webdriver: true }),
      ...turn('headless', { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36' }),
    ]);
    expect(await dau()).toBe(1);
    expect((await app.get(`/v1/metrics/excluded-traffic?${RANGE}`)).body.excluded_users.bots).toBe(2);
  });

  it('counts users with the internal trait, an email or an id matching --internal-users as internal, from the identify on', async () => {
    await send([
      identify('staff-1', { internal: true }),
      identify('staff-2', { email: 'Dana@ACME.com' }),
      identify('customer', { email: 'eve@example.com' }),
      ...turn('staff-1'),
      ...turn('staff-2'),
      ...turn('qa-7'),
      ...turn('customer'),
    ]);
    expect(await dau()).toBe(1);
    expect(await dau('&include_internal=true')).toBe(4);
    expect((await app.get(`/v1/metrics/excluded-traffic?${RANGE}`)).body).toEqual({ excluded_users: { bots: 0, internal: 3 } });
  });

  it('keeps a user flagged once an event showed it: a bot whose later events carry an ordinary user agent stays out', async () => {
    await send([...turn('crawler-1', { userAgent: GOOGLEBOT })]);
    await send([...turn('crawler-1', { userAgent: PERSON_AGENT }, 'conv-later')]);
    expect(await dau()).toBe(0);
    const conversations = await app.get(`/v1/metrics/conversations?${RANGE}`);
    expect(conversations.body.conversations).toBe(0);
    expect((await app.get(`/v1/metrics/conversations?${RANGE}&include_bots=true`)).body.conversations).toBe(2);
  });

  it('carries the flag of an anonymous bot to the user it is identified as', async () => {
    const anonymousPrompt = { ...turn('x', { userAgent: GOOGLEBOT })[0], userId: undefined, anonymousId: 'anon-bot' };
    await send([anonymousPrompt, { type: 'identify', messageId: 'link', anonymousId: 'anon-bot', userId: 'bob', timestamp: '2026-03-10T11:30:00.000Z' }]);
    await send([...turn('bob')]);
    expect(await dau()).toBe(0);
    expect(await dau('&include_bots=true')).toBe(1);
  });

  it('leaves bot and internal traffic out of every metric, and include_bots brings only the bots back', async () => {
    await send([identify('staff-1', { internal: true }), ...turn('alice'), ...turn('crawler-1', { userAgent: GOOGLEBOT }), ...turn('staff-1')]);
    const counted = async (query: string) => ({
      sessions: (await app.get(`/v1/metrics/sessions?${RANGE}${query}`)).body.sessions,
      conversations: (await app.get(`/v1/metrics/conversations?${RANGE}${query}`)).body.conversations,
      intents: (await app.get(`/v1/metrics/intents?${RANGE}${query}`)).body.map((row: { count: number }) => row.count),
      latency: (await app.get(`/v1/metrics/latency?${RANGE}&group_by=model${query}`)).body.map((row: { count: number }) => row.count),
      cost: (await app.get(`/v1/metrics/cost?${RANGE}&group_by=model${query}`)).body.map((row: { cost: number }) => row.cost),
      errors: (await app.get(`/v1/metrics/errors?${RANGE}${query}`)).body.map((row: { responses: number }) => row.responses),
      peakPrompts: ((await app.get(`/v1/metrics/peak-hours?${RANGE}${query}`)).body.matrix as number[][]).flat().reduce((sum, n) => sum + n, 0),
      firstSeenCohort: (await app.get(`/v1/metrics/retention?${RANGE}&cohort=first_seen${query}`)).body.summary.size,
      live: (await app.get(`/v1/metrics/active-conversations?minutes=1440${query}`)).body.count,
    });
    const everything = (n: number) => ({
      sessions: n, conversations: n, intents: [n], latency: [n], cost: [n / 2], errors: [n], peakPrompts: n, firstSeenCohort: n, live: n,
    });
    expect(await counted('')).toEqual(everything(1));
    expect(await counted('&include_bots=true')).toEqual(everything(2));
    expect(await counted('&include_bots=true&include_internal=true')).toEqual(everything(3));
  });

  it('rejects include_bots values other than true or false, naming the parameter', async () => {
    const response = await app.get(`/v1/metrics/active-users?${RANGE}&include_bots=yes`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('include_bots');
  });
});
