import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clear, createStore } from 'idb-keyval';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateMessage } from '../src/protocol/index.js';
import { storedMessages } from './support/client.js';
import { acceptAll, startFakeCollector, type Reply } from './support/fake-collector.js';

/**
 * The built script-tag bundle, not the sources: the build mangles property
 * names and replaces parts of ky, so what a page runs must be checked as
 * built. Wire fields must come out exactly as the protocol names them.
 */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
let bundle: string;

type ScriptTagApi = Record<string, (...parameters: any[]) => any>;

beforeAll(() => {
  // The build writes the bundle before it checks the size budget, so a
  // budget failure still leaves the bundle to test here (the build reports it).
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: packageRoot, stdio: 'ignore' });
  bundle = readFileSync(join(packageRoot, 'dist/chatmeter.min.js'), 'utf8');
}, 60_000);

let collector: Awaited<ReturnType<typeof startFakeCollector>>;
let page: ScriptTagApi;

/** A page with the bundle loaded and initialised against a collector that answers `replies`. */
async function loadPage(replies?: Reply[]): Promise<void> {
  collector = await startFakeCollector(replies);
  delete (window as { chatmeter?: unknown }).chatmeter;
  new Function(bundle)();
  page = (window as unknown as { chatmeter: ScriptTagApi }).chatmeter;
  page['init']!({ writeKey: 'wk_test', endpoint: collector.url, flushIntervalMs: 60_000 });
}

beforeEach(async () => {
  localStorage.clear();
  sessionStorage.clear();
  await clear(createStore('chatmeter', 'events'));
});

afterEach(async () => {
  page['shutdown']?.();
  await collector.close();
});

const received = () => collector.requests.flatMap((request) => request.body.batch);

describe('the built script-tag bundle', () => {
  it('sends a health report whose properties carry the protocol names and counts', async () => {
    await loadPage();
    page['track']!('page_viewed', { plan: 'pro' });
    await page['flush']!(); // delivered: the session's health report is queued
    await page['flush']!();
    const report = received().find((message) => message['event'] === 'chatmeter_sdk_health');
    expect(report?.['properties']).toEqual({ queued: 1, sent: 1, retried: 0, dropped_queue_full: 0, dropped_rejected: 0, storage: 'indexeddb' });
    expect(received().map((message) => validateMessage(message).ok)).toEqual([true, true]);
  });

  it('sends a turn, its response and feedback that the protocol accepts', async () => {
    await loadPage();
    const turn = page['trackPrompt']!({ text: 'How do I export?', inputMethod: 'voice' });
    const answer = turn.response({ model: 'gpt-4o-mini', tokens: { prompt: 12, completion: 80 }, responseId: 'resp_1' });
    answer.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: true, text: 'great' } });
    page['identify']!('user_7', { plan: 'pro' });
    await page['flush']!();
    const messages = received().filter((message) => message['event'] !== 'chatmeter_sdk_health');
    expect(messages.map((message) => message['event'] ?? message['type'])).toEqual(['ai_user_prompt_created', 'ai_llm_response_received', 'ai_user_action', 'identify']);
    expect(messages.map((message) => validateMessage(message))).toMatchObject([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    expect(messages[0]!['properties']).toEqual({
      conversation_id: turn.conversationId,
      prompt_number: 1,
      prompt_text: 'How do I export?',
      prompt_length: 16,
      input_method: 'voice',
      text_mode: 'classify',
    });
    expect(messages[1]!['properties']).toMatchObject({ response_id: 'resp_1', prompt_number: 1, model_used: 'gpt-4o-mini', token_count: { prompt_tokens: 12, completion_tokens: 80, total_tokens: 92 } });
    expect(messages[2]!['properties']).toMatchObject({ response_id: 'resp_1', action_type: 'feedback_given', action_details: { feedback_type: 'thumbs', feedback_value: true, feedback_text: '[redacted]' } });
    expect(messages[3]).toMatchObject({ type: 'identify', userId: 'user_7', traits: { plan: 'pro' } });
    expect(messages[0]!['anonymousId']).toEqual(expect.any(String));
    expect(messages[0]!['context'].sessionId).toEqual(expect.any(String));
  });

  it('replays each call made before load once, even when a replayed call makes another placeholder call', async () => {
    collector = await startFakeCollector();
    delete (window as { chatmeter?: unknown }).chatmeter;
    new Function(readFileSync(join(packageRoot, 'dist/snippet.min.js'), 'utf8'))();
    const stub = (window as unknown as { chatmeter: ScriptTagApi }).chatmeter;
    let turn: { firstToken(): void } | undefined;
    // A listener that reacts to the prompt through the turn the stub handed out before load.
    stub['onEvent']!((event: { event?: string }) => {
      if (event.event === 'ai_user_prompt_created') turn?.firstToken();
    });
    turn = stub['trackPrompt']!({ text: 'q' });
    stub['init']!({ writeKey: 'wk_test', endpoint: collector.url, flushIntervalMs: 60_000 });
    new Function(bundle)();
    page = (window as unknown as { chatmeter: ScriptTagApi }).chatmeter;
    await page['flush']!();
    expect(received().filter((message) => message['event'] === 'ai_user_prompt_created')).toHaveLength(1);
  });

  it('keeps the events of a request the collector answered 503 and sends them on the next flush', async () => {
    await loadPage([() => ({ status: 503, headers: { 'retry-after': '0' } }), acceptAll]);
    page['track']!('page_viewed');
    await page['flush']!();
    expect(collector.requests).toHaveLength(1);
    await page['flush']!(); // delivered, then the session's health report
    await page['flush']!();
    expect(collector.messages().map((message) => message['event'])).toEqual(['page_viewed', 'page_viewed']);
    expect(collector.healthReports()[0]?.['properties']).toMatchObject({ queued: 1, sent: 1, retried: 1 });
  });

  it('keeps the events when the collector cannot be reached at all', async () => {
    await loadPage();
    await collector.close();
    page['track']!('page_viewed');
    await page['flush']!();
    expect((await storedMessages()).map((message) => message['event'])).toEqual(['page_viewed']);
  });
});
