import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Feedback bound to the answer it rates: prompt 1 of c-1 is answered by A
 * (model m1), regenerated as B (model m2, regenerated_from A); the user rates
 * A down and B up. Both ratings share conversation and prompt_number, so only
 * response_id can tell which model each one judges.
 */

const NOW = Date.parse('2026-03-20T12:00:00.000Z');
const RANGE = 'from=2026-03-01&to=2026-03-10';

let app: TestApp;
let sequence = 0;

beforeEach(async () => {
  app = await startTestApp({ now: () => NOW });
});

afterEach(async () => {
  await app.close();
});

function track(event: string, timestamp: string, properties: Record<string, unknown>) {
  sequence += 1;
  return { type: 'track', event, messageId: `rated-${sequence}`, userId: 'u1', timestamp, properties };
}

const promptOne = () => track('ai_user_prompt_created', '2026-03-02T10:00:00.000Z', { conversation_id: 'c-1', prompt_number: 1, classified_intent: 'billing' });
const answerA = () =>
  track('ai_llm_response_received', '2026-03-02T10:00:02.000Z', { conversation_id: 'c-1', prompt_number: 1, model_used: 'm1', response_id: 'resp-A' });
const answerB = () =>
  track('ai_llm_response_received', '2026-03-02T10:00:30.000Z', {
    conversation_id: 'c-1', prompt_number: 1, model_used: 'm2', response_id: 'resp-B', regenerated_from: 'resp-A',
  });
const thumbs = (responseId: string | undefined, up: boolean, timestamp: string) =>
  track('ai_user_action', timestamp, {
    conversation_id: 'c-1', prompt_number: 1, action_type: 'feedback_given', action_details: { feedback_type: 'thumbs', feedback_value: up },
    ...(responseId === undefined ? {} : { response_id: responseId }),
  });
const thumbsDownOnA = () => thumbs('resp-A', false, '2026-03-02T10:01:00.000Z');
const thumbsUpOnB = () => thumbs('resp-B', true, '2026-03-02T10:01:10.000Z');

async function send(...batch: unknown[]): Promise<void> {
  const result = await app.post('/v1/batch', { batch });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  expect(result.body.rejected).toEqual([]);
}

async function satisfactionByModel(): Promise<unknown> {
  const result = await app.get(`/v1/metrics/satisfaction?${RANGE}&group_by=model`);
  expect(result.status, result.text).toBe(200);
  return result.body;
}

const M1_DOWN_M2_UP = [
  { key: 'm1', ratings: 0, avg_rating: null, thumbs: 1, thumbs_up_rate: 0 },
  { key: 'm2', ratings: 0, avg_rating: null, thumbs: 1, thumbs_up_rate: 1 },
];

describe('feedback naming a response_id', () => {
  it('rates the regenerated answers separately: m1 down, m2 up', async () => {
    await send(promptOne(), answerA());
    await send(answerB());
    await send(thumbsDownOnA(), thumbsUpOnB());
    expect(await satisfactionByModel()).toEqual(M1_DOWN_M2_UP);
  });

  it('keeps the rated model when feedback arrives before the responses it names', async () => {
    await send(thumbsDownOnA(), thumbsUpOnB());
    await send(promptOne(), answerA());
    await send(answerB());
    expect(await satisfactionByModel()).toEqual(M1_DOWN_M2_UP);
  });

  it('keeps the rated model when the regenerated answer arrives between its rating and the original', async () => {
    await send(promptOne(), thumbsDownOnA());
    await send(answerB(), thumbsUpOnB());
    await send(answerA());
    expect(await satisfactionByModel()).toEqual(M1_DOWN_M2_UP);
  });

  it('attributes the rating to the rated response intent per intent too', async () => {
    await send(promptOne(), answerA(), answerB(), thumbsDownOnA(), thumbsUpOnB());
    const result = await app.get(`/v1/metrics/satisfaction?${RANGE}&model=m1`);
    expect(result.body).toEqual([{ key: 'billing', ratings: 0, avg_rating: null, thumbs: 1, thumbs_up_rate: 0 }]);
  });

  it('falls back to the turn latest response when the action names none (Segment and RudderStack clients)', async () => {
    await send(promptOne(), answerA(), answerB(), thumbs(undefined, false, '2026-03-02T10:01:00.000Z'));
    expect(await satisfactionByModel()).toEqual([{ key: 'm2', ratings: 0, avg_rating: null, thumbs: 1, thumbs_up_rate: 0 }]);
  });

  it('stores response_id and regenerated_from on the response', async () => {
    await send(answerA(), answerB());
    const rows = app.store.db
      .prepare("SELECT response_id, regenerated_from FROM events WHERE event = 'ai_llm_response_received' ORDER BY ts")
      .all();
    expect(rows).toEqual([
      { response_id: 'resp-A', regenerated_from: null },
      { response_id: 'resp-B', regenerated_from: 'resp-A' },
    ]);
  });
});
