import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/test-app.js';

/**
 * Erasure must leave nothing a forensic read of the files could recover:
 * secure_delete zeroes deleted rows in their pages, and the checkpoint
 * empties the WAL whose older frames still hold them.
 */

const TRAIT_MARKER = 'trait-marker-7f3e9c1d';
const PROPERTY_MARKER = 'property-marker-52ab80e4';
const PROMPT_MARKER = 'prompt-marker-c4d21f97';
const USER_ID = 'user-erased-91d3';
const ANONYMOUS_ID = 'anon-erased-0b6f';

/** Which of the strings appear in the database file or its WAL, as raw bytes. */
function foundInFiles(app: TestApp, strings: readonly string[]): string[] {
  const files = [app.dbPath, `${app.dbPath}-wal`].filter((path) => existsSync(path)).map((path) => readFileSync(path));
  return strings.filter((text) => files.some((bytes) => bytes.includes(Buffer.from(text, 'utf8'))));
}

describe('erasing a user from SQLite', () => {
  let app: TestApp;
  afterEach(async () => {
    await app.close();
  });

  it("leaves none of the user's bytes in the database file or its WAL", async () => {
    app = await startTestApp();
    const result = await app.post('/v1/batch', {
      batch: [
        // Texts long enough that SQLite stores them on overflow pages too.
        { type: 'track', event: 'ai_user_prompt_created', messageId: 'e-1', anonymousId: ANONYMOUS_ID,
          properties: { conversation_id: 'c-1', prompt_text: `${PROMPT_MARKER} ${'x'.repeat(6000)}`, note: PROPERTY_MARKER } },
        { type: 'identify', messageId: 'e-2', userId: USER_ID, anonymousId: ANONYMOUS_ID, traits: { email: TRAIT_MARKER, bio: 'y'.repeat(6000) } },
        { type: 'track', event: 'ai_llm_response_received', messageId: 'e-3', userId: USER_ID,
          properties: { conversation_id: 'c-1', model_used: 'gpt-a', latency_ms: 900, note: PROPERTY_MARKER } },
        { type: 'track', event: 'ai_user_prompt_created', messageId: 'e-4', userId: 'someone-else', properties: { conversation_id: 'c-2', note: 'kept-marker' } },
      ],
    });
    expect(result.status).toBe(200);
    const markers = [TRAIT_MARKER, PROPERTY_MARKER, PROMPT_MARKER, USER_ID, ANONYMOUS_ID];
    // The test can fail: before erasure every marker is on disk.
    expect(foundInFiles(app, markers)).toEqual(markers);

    const outcome = await app.store.eraseUser(USER_ID);

    expect(outcome).toEqual({ events: 3, identities: 1, users: 2 });
    expect(foundInFiles(app, markers)).toEqual([]);
    expect(foundInFiles(app, ['kept-marker', 'someone-else'])).toEqual(['kept-marker', 'someone-else']);
    expect(app.store.db.prepare('SELECT COUNT(*) FROM intent_queue').pluck().get()).toBe(0);
  });

  it("leaves none of the user's contexts (user agent, page URL) in the files, and keeps a context another user's events share", async () => {
    app = await startTestApp();
    const userAgent = 'Mozilla/5.0 (ua-marker-3c8e51aa) Firefox/128.0';
    const pageUrl = 'https://example.test/account/url-marker-9d02b7e4';
    const shared = { library: { name: 'chatmeter-sdk', version: '1.4.0' }, locale: 'shared-marker-e61f0c2d' };
    const result = await app.post('/v1/batch', {
      batch: [
        { type: 'track', event: 'ai_user_prompt_created', messageId: 'e-1', userId: USER_ID, properties: { conversation_id: 'c-1' }, context: { sessionId: 's-1', userAgent, page: { url: pageUrl } } },
        { type: 'track', event: 'ai_user_prompt_created', messageId: 'e-2', userId: USER_ID, properties: { conversation_id: 'c-2' }, context: { sessionId: 's-2', ...shared } },
        { type: 'track', event: 'ai_user_prompt_created', messageId: 'e-3', userId: 'someone-else', properties: { conversation_id: 'c-3' }, context: { sessionId: 's-3', ...shared } },
      ],
    });
    expect(result.body).toMatchObject({ accepted: 3 });
    const markers = ['ua-marker-3c8e51aa', 'url-marker-9d02b7e4'];
    expect(foundInFiles(app, [...markers, 'shared-marker-e61f0c2d'])).toEqual([...markers, 'shared-marker-e61f0c2d']);

    await app.store.eraseUser(USER_ID);

    expect(foundInFiles(app, markers)).toEqual([]);
    expect(foundInFiles(app, ['shared-marker-e61f0c2d'])).toEqual(['shared-marker-e61f0c2d']);
    expect(app.store.db.prepare('SELECT refs FROM contexts').pluck().all()).toEqual([1]);
  });

  it('erases events submitted just before the request, still waiting for their group commit', async () => {
    app = await startTestApp();
    const submitted = app.store.insertEvents([
      {
        writeKey: 'wk', messageId: 'in-flight', type: 'track', event: 'ai_user_prompt_created', userId: USER_ID, anonymousId: null, previousId: null,
        sessionId: null, conversationId: 'c-1', promptNumber: 1, timestamp: Date.UTC(2026, 2, 10), originalTimestamp: null, sentAt: null,
        receivedAt: Date.UTC(2026, 2, 10), latencyMs: null, timeToFirstTokenMs: null, tokensPerSecond: null, responseId: null, regeneratedFrom: null,
        promptTokens: null, completionTokens: null, totalTokens: null, cost: null, model: null, status: null, errorType: null, intent: null,
        actionType: null, feedbackType: null, feedbackValue: null, rating: null, thumbsUp: null, debug: false, bot: false, internal: false, properties: {}, context: {},
        acquisitionChannel: null, traits: null, extra: {}, pendingPromptText: null, ingestClassificationUsage: null,
      },
    ]);

    const outcome = await app.store.eraseUser(USER_ID);

    expect(await submitted).toEqual({ inserted: 1, duplicates: 0 });
    expect(outcome).toEqual({ events: 1, identities: 0, users: 1 });
    expect(app.store.db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0);
  });

  it('removes the user from every rollup the metrics read', async () => {
    app = await startTestApp();
    await app.post('/v1/batch', {
      batch: [
        { type: 'page', messageId: 'p-1', anonymousId: ANONYMOUS_ID, context: { sessionId: 's-1', campaign: { source: 'newsletter' } } },
        { type: 'identify', messageId: 'i-1', userId: USER_ID, anonymousId: ANONYMOUS_ID },
        { type: 'track', event: 'ai_user_prompt_created', messageId: 'e-1', userId: USER_ID, context: { sessionId: 's-1' }, properties: { conversation_id: 'c-1' } },
        { type: 'track', event: 'ai_llm_response_received', messageId: 'e-2', userId: USER_ID, context: { sessionId: 's-1' }, properties: { conversation_id: 'c-1', latency_ms: 10 } },
      ],
    });
    const tables = ['user_activity', 'user_first_activity', 'session_rollup', 'conversation_rollup', 'user_first_touch'];
    const rowsOf = (table: string): number => app.store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    // The events are in the rollups once folded, as before any metric read.
    app.store.rollups?.catchUp();
    expect(tables.map(rowsOf)).toEqual([1, 1, 1, 1, 1]);

    await app.store.eraseUser(USER_ID);

    expect(tables.map(rowsOf)).toEqual([0, 0, 0, 0, 0]);
  });
});
