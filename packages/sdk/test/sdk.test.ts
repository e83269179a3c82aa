import { clear, createStore } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withFlushLock } from '../src/flush-lock.js';
import { MemoryQueue, ResilientQueue } from '../src/queue.js';
import { backoffDelay, parseRetryAfter } from '../src/transport.js';
import { acceptAll, startFakeCollector } from './support/fake-collector.js';
import { makeClient, memoryStorage, storedMessages } from './support/client.js';

const PROMPT = 'My email is jane.roe@example.com, where is order 1234?';
const RESPONSE = 'Your order ships tomorrow.';

let collector: Awaited<ReturnType<typeof startFakeCollector>>;
const clients: { shutdown(): void }[] = [];
function track<T extends { shutdown(): void }>(client: T): T {
  clients.push(client);
  return client;
}

beforeEach(async () => {
  localStorage.clear();
  sessionStorage.clear();
  await clear(createStore('chatmeter', 'events'));
  collector = await startFakeCollector();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.shutdown();
  vi.useRealTimers();
  vi.restoreAllMocks();
  await collector.close();
});

describe('sessions', () => {
  it('keeps the session while active and renews it after the inactivity timeout', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const client = track(makeClient({ endpoint: collector.url, sessionTimeoutMinutes: 30 }, { now: () => now }));
    client.track('a');
    now += 29 * 60_000;
    client.track('b'); // within 30 min of the last activity
    now += 29 * 60_000;
    client.track('c'); // 58 min after the first, but only 29 after the last
    now += 31 * 60_000;
    client.track('d'); // 31 min idle: new session
    await client.flush();
    const sessions = collector.messages().map((message) => message['context'].sessionId);
    expect(sessions[0]).toBe(sessions[1]);
    expect(sessions[1]).toBe(sessions[2]);
    expect(sessions[3]).not.toBe(sessions[2]);
  });

  it('renews the session after the timeout with fake timers driving the clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const client = track(makeClient({ endpoint: collector.url, sessionTimeoutMinutes: 5 }));
    client.track('a');
    vi.setSystemTime(new Date('2026-03-01T10:04:59Z'));
    client.track('b');
    vi.setSystemTime(new Date('2026-03-01T10:10:00Z'));
    client.track('c');
    await client.flush();
    const [a, b, c] = collector.messages().map((message) => message['context'].sessionId);
    expect(a).toBe(b);
    expect(c).not.toBe(b);
    expect(collector.messages()[2]!['timestamp']).toBe('2026-03-01T10:10:00.000Z');
  });

  it('cuts a session at 24 hours even when activity never stops', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const client = track(makeClient({ endpoint: collector.url }, { now: () => now }));
    client.track('first');
    for (let minute = 0; minute < 24 * 60; minute += 20) {
      now += 20 * 60_000;
      client.track('tick');
    }
    await client.flush();
    const ids = new Set(collector.messages().map((message) => message['context'].sessionId));
    expect(ids.size).toBe(2);
  });

  it('shares one session between tabs of the origin; activity in any tab extends it', async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const local = memoryStorage();
    const tabA = track(makeClient({ endpoint: collector.url }, { now: () => now, storage: { local, session: memoryStorage() }, queue: new MemoryQueue(100) }));
    const tabB = track(makeClient({ endpoint: collector.url }, { now: () => now, storage: { local, session: memoryStorage() }, queue: new MemoryQueue(100) }));
    tabA.track('a');
    now += 20 * 60_000;
    tabB.track('b');
    now += 20 * 60_000;
    tabA.track('c'); // 40 min after tabA's last event but 20 after tabB's
    await tabA.flush();
    await tabB.flush();
    const ids = new Set(collector.messages().map((message) => message['context'].sessionId));
    expect(ids.size).toBe(1);
    const anonymous = new Set(collector.messages().map((message) => message['anonymousId']));
    expect(anonymous.size).toBe(1);
  });
});

describe('conversations', () => {
  it('numbers prompts within a conversation and continues after a reload', async () => {
    const local = memoryStorage();
    const session = memoryStorage();
    const first = track(makeClient({ endpoint: collector.url }, { storage: { local, session }, queue: new MemoryQueue(100) }));
    const turn1 = first.trackPrompt({ text: 'hi' });
    const turn2 = first.trackPrompt({ text: 'more' });
    turn2.response({ text: 'answer' });
    await first.flush();
    first.shutdown();
    const reloaded = track(makeClient({ endpoint: collector.url }, { storage: { local, session }, queue: new MemoryQueue(100) }));
    const turn3 = reloaded.trackPrompt({ text: 'after reload' });
    const other = reloaded.startConversation();
    const turn4 = reloaded.trackPrompt({ text: 'new topic' });
    await reloaded.flush();
    expect([turn1.promptNumber, turn2.promptNumber, turn3.promptNumber, turn4.promptNumber]).toEqual([1, 2, 3, 1]);
    expect(turn1.conversationId).toBe(turn3.conversationId);
    expect(turn4.conversationId).toBe(other);
    const response = collector.messages().find((message) => message['event'] === 'ai_llm_response_received')!;
    expect(response['properties']).toMatchObject({ conversation_id: turn2.conversationId, prompt_number: 2, response_status: 'success' });
    expect(response['properties'].latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('measures latency from the prompt and maps camelCase input to the snake_case wire', async () => {
    let now = 1_000_000;
    const client = track(makeClient({ endpoint: collector.url }, { now: () => now }));
    const turn = client.trackPrompt({ text: 'q', inputMethod: 'voice' });
    now += 1234;
    turn.response({ model: 'gpt-4o-mini', tokens: { prompt: 10, completion: 5 }, cost: 0.002 });
    client.trackAction({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: 'up', text: 'great' } });
    await client.flush();
    const [prompt, response, action] = collector.messages();
    expect(prompt!['properties']).toMatchObject({ input_method: 'voice', prompt_number: 1, prompt_length: 1 });
    expect(response!['properties']).toMatchObject({
      latency_ms: 1234,
      model_used: 'gpt-4o-mini',
      token_count: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      cost: 0.002,
    });
    expect(action!['properties']).toMatchObject({
      conversation_id: turn.conversationId,
      prompt_number: 1,
      action_type: 'feedback_given',
      action_details: { feedback_type: 'thumbs', feedback_value: 'up', feedback_text: '[redacted]' },
    });
  });
});

describe('redaction', () => {
  async function promptAndResponse(client: ReturnType<typeof makeClient>) {
    const turn = client.trackPrompt({ text: PROMPT });
    turn.response({ text: RESPONSE, errorMessage: 'upstream said: ' + PROMPT });
    client.trackAction({ actionType: 'feedback_given', feedback: { type: 'rating', value: 2, text: PROMPT } });
    // let the queue writes land, but send nothing (offline)
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    await client.flush();
    return storedMessages();
  }

  it("text: 'redact': IndexedDB never holds the text, lengths are kept", async () => {
    const stored = await promptAndResponse(track(makeClient({ endpoint: collector.url, text: 'redact' })));
    expect(stored).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toContain('jane.roe');
    expect(JSON.stringify(stored)).not.toContain('ships tomorrow');
    expect(stored[0]!['properties']).toMatchObject({ prompt_text: '[redacted]', prompt_length: PROMPT.length, text_mode: 'redact' });
    expect(stored[1]!['properties']).toMatchObject({ response_text: '[redacted]', response_length: RESPONSE.length, error_message: '[redacted]' });
    expect(stored[2]!['properties'].action_details.feedback_text).toBe('[redacted]');
    expect(stored.every((message) => message['properties'].debug_mode === undefined)).toBe(true);
  });

  it("production default 'classify': only the prompt text is kept, marked for classification; response, feedback and error texts never", async () => {
    const stored = await promptAndResponse(track(makeClient({ endpoint: collector.url })));
    expect(stored).toHaveLength(3);
    expect(stored[0]!['properties']).toMatchObject({ prompt_text: PROMPT, prompt_length: PROMPT.length, text_mode: 'classify' });
    expect(stored[1]!['properties']).toMatchObject({ response_text: '[redacted]', response_length: RESPONSE.length, error_message: '[redacted]' });
    expect(stored[1]!['properties']).not.toHaveProperty('text_mode');
    expect(stored[2]!['properties'].action_details.feedback_text).toBe('[redacted]');
    expect(JSON.stringify(stored.slice(1))).not.toContain('jane.roe');
    expect(JSON.stringify(stored)).not.toContain('ships tomorrow');
    expect(stored.every((message) => message['properties'].debug_mode === undefined)).toBe(true);
  });

  it("text: 'send' keeps the text for server-side classification", async () => {
    const stored = await promptAndResponse(track(makeClient({ endpoint: collector.url, text: 'send' })));
    expect(stored[0]!['properties']).toMatchObject({ prompt_text: PROMPT, prompt_length: PROMPT.length, text_mode: 'send' });
    expect(stored[1]!['properties']).toMatchObject({ response_text: RESPONSE });
    expect(stored[0]!['properties'].debug_mode).toBeUndefined();
  });

  it.each([
    ['option', () => ({ debug: true })],
    ['localStorage flag', () => (localStorage.setItem('chatmeter_debug', '1'), {})],
  ])('debug mode by %s sends text, marks events and logs them', async (_how, setup) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const stored = await promptAndResponse(track(makeClient({ endpoint: collector.url, ...setup() })));
    expect(stored[0]!['properties']).toMatchObject({ prompt_text: PROMPT, debug_mode: true });
    expect(stored[2]!['properties'].action_details.feedback_text).toBe(PROMPT);
    expect(log).toHaveBeenCalledTimes(3);
  });

  it('setDebug toggles at run time', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const client = track(makeClient({ endpoint: collector.url, text: 'redact' }));
    client.setDebug(true);
    client.trackPrompt({ text: 'visible' });
    client.setDebug(false);
    client.trackPrompt({ text: 'hidden' });
    await client.flush();
    const [debugged, redacted] = collector.messages();
    expect(debugged!['properties']).toMatchObject({ prompt_text: 'visible', debug_mode: true });
    expect(redacted!['properties']).toMatchObject({ prompt_text: '[redacted]' });
  });
});

describe('sending', () => {
  it('sends batches with the write key, and removes events only once acknowledged', async () => {
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    for (let index = 0; index < 5; index += 1) client.track('e', { index });
    await client.flush();
    expect(collector.requests).toHaveLength(1);
    expect(collector.requests[0]!.authorization).toBe(`Basic ${btoa('wk_test:')}`);
    expect(collector.messages().map((message) => message['properties'].index)).toEqual([0, 1, 2, 3, 4]);
    expect(await storedMessages()).toHaveLength(0);
  });

  it('flushes automatically when flushAt events wait', async () => {
    const client = track(makeClient({ endpoint: collector.url, flushAt: 3 }));
    client.track('a');
    client.track('b');
    client.track('c');
    await vi.waitFor(() => expect(collector.messages()).toHaveLength(3));
  });

  it('retries 5xx and 429 with backoff, honouring Retry-After, and keeps events meanwhile', async () => {
    await collector.close();
    collector = await startFakeCollector([
      () => ({ status: 503 }),
      () => ({ status: 429, headers: { 'retry-after': '1' } }),
      acceptAll,
    ]);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }, { random: () => 0 }));
    client.track('kept');
    await client.flush(); // 503: backoff 0.5 s (attempt 0, jitter 0)
    expect(await storedMessages()).toHaveLength(1);
    await vi.waitFor(() => expect(collector.requests).toHaveLength(2), { timeout: 3000 }); // the 429
    const afterRetryAfter = collector.requests[1]!.at;
    await vi.waitFor(() => expect(collector.requests).toHaveLength(3), { timeout: 4000 });
    expect(collector.requests[2]!.at - afterRetryAfter).toBeGreaterThanOrEqual(950); // Retry-After: 1 s wins over 1 s·jitter
    expect(collector.requests.every((request) => request.body.batch[0]!['event'] === 'kept')).toBe(true);
    await vi.waitFor(async () => expect(await storedMessages()).toHaveLength(0));
  });

  it('sends when the retry timer fires even if the clock it was scheduled by has not moved on', async () => {
    // Node's timers run on a loop time that can lag Date.now() under load: a
    // timer may fire a few ms "early" by the wall clock. A frozen clock is the extreme case.
    await collector.close();
    collector = await startFakeCollector([() => ({ status: 503 }), acceptAll]);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }, { now: () => 1_000_000, random: () => 0 }));
    client.track('kept');
    await client.flush(); // 503: retry in 0.5 s
    await vi.waitFor(() => expect(collector.requests).toHaveLength(2), { timeout: 3000 });
    expect(collector.requests[1]!.body.batch[0]!['event']).toBe('kept');
  });

  it('schedules no retry after shutdown, even for a send that was under way when it was called', async () => {
    await collector.close();
    collector = await startFakeCollector([() => ({ status: 503 }), acceptAll]);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }, { random: () => 0 }));
    client.track('kept');
    const underWay = client.flush();
    client.shutdown();
    await underWay; // 503: a running client would retry in 0.5 s
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(collector.requests).toHaveLength(1);
  });

  it('computes exponential backoff with jitter and parses Retry-After', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 0.5)).toBe(6000);
    expect(backoffDelay(30, () => 1)).toBe(300_000);
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(55_000);
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('drops events the collector rejects as invalid, with a warning, and keeps the valid ones sent', async () => {
    await collector.close();
    collector = await startFakeCollector([
      (request) => ({
        status: 200,
        body: { accepted: 1, duplicates: 0, rejected: [{ index: 1, messageId: request.body.batch[1]!['messageId'], errors: [{ path: 'event', message: 'bad' }] }] },
      }),
      // The health report that follows the first delivered batch.
      acceptAll,
    ]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    client.track('good');
    client.track('bad');
    await client.flush();
    await client.flush();
    // Each sent once: the rejected event is dropped, not retried (the only other request is the health report).
    expect(collector.messages().map((message) => message['event'])).toEqual(['good', 'bad']);
    expect(await storedMessages()).toHaveLength(0);
    expect(warn.mock.calls.some(([message]) => String(message).includes('dropped invalid'))).toBe(true);
  });

  it('counts a 2xx answer that is not a batch result as delivered instead of sending the batch again forever', async () => {
    await collector.close();
    // A proxy or a misrouted endpoint in front of the collector answering 200 with some other JSON.
    collector = await startFakeCollector([() => ({ status: 200, body: { ok: true } })]);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    client.track('once');
    await client.flush();
    await client.flush();
    expect(collector.messages().map((message) => message['event'])).toEqual(['once']);
    expect(await storedMessages()).toHaveLength(0);
  });

  it('drops a batch the collector refuses outright (4xx) instead of retrying forever', async () => {
    await collector.close();
    collector = await startFakeCollector([() => ({ status: 400, body: { error: { code: 'invalid_body', message: 'nope' } } })]);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    client.track('x');
    await client.flush();
    await client.flush();
    expect(collector.requests).toHaveLength(1);
    expect(await storedMessages()).toHaveLength(0);
  });

  it('pauses while offline and sends when the browser comes back online', async () => {
    const online = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1 }));
    client.track('offline');
    await client.flush();
    expect(collector.requests).toHaveLength(0);
    expect(await storedMessages()).toHaveLength(1);
    online.mockReturnValue(true);
    window.dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(collector.messages()).toHaveLength(1));
  });

  it('sends what is left with a keepalive request when the page is hidden, write key in the body', async () => {
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    client.track('before-unload');
    window.dispatchEvent(new Event('pagehide'));
    await vi.waitFor(() => expect(collector.requests).toHaveLength(1));
    expect(collector.requests[0]!.authorization).toBeUndefined();
    expect(collector.requests[0]!.body.writeKey).toBe('wk_test');
  });
});

describe('flush lock', () => {
  afterEach(() => {
    Reflect.deleteProperty(navigator, 'locks');
  });

  /** A browser's Web Locks, as far as `ifAvailable` requests go. */
  function installWebLocks(): void {
    const held = new Set<string>();
    const locks = {
      async request(name: string, _options: { ifAvailable: true }, callback: (lock: object | null) => Promise<unknown>) {
        if (held.has(name)) return callback(null);
        held.add(name);
        try {
          return await callback({ name });
        } finally {
          held.delete(name);
        }
      },
    };
    Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
  }

  it('lets one tab flush at a time through Web Locks: a flush while another holds the lock is skipped', async () => {
    installWebLocks();
    let release!: () => void;
    const first = withFlushLock(() => new Promise<void>((resolve) => (release = resolve)));
    let secondRan = false;
    expect(await withFlushLock(async () => void (secondRan = true))).toBe(false);
    expect(secondRan).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(await withFlushLock(async () => undefined)).toBe(true);
  });

  it('flushes on its own where Web Locks are missing (the collector stores overlapping sends once by messageId)', async () => {
    let ran = 0;
    expect(await withFlushLock(async () => void (ran += 1))).toBe(true);
    expect(await withFlushLock(async () => void (ran += 1))).toBe(true);
    expect(ran).toBe(2);
  });
});

describe('queue', () => {
  it('bounds the queue, dropping and counting the oldest events', async () => {
    const queue = new ResilientQueue(3);
    expect(queue.persistent).toBe(true);
    for (let index = 0; index < 5; index += 1) await queue.add({ type: 'track', event: `e${index}`, messageId: `m${index}`, anonymousId: 'a' });
    expect((await queue.peek(10)).map((entry) => entry.message.event)).toEqual(['e2', 'e3', 'e4']);
    expect(queue.dropped).toBe(2);
  });

  it('falls back to memory without throwing when IndexedDB fails', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    client.track('still-works');
    await client.flush();
    expect(collector.messages().map((message) => message['event'])).toEqual(['still-works']);
  });
});

describe('privacy controls and safety', () => {
  it('opt-out is persisted and sends and stores nothing', async () => {
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    client.track('before');
    client.optOut();
    client.track('during');
    client.trackPrompt({ text: 'x' });
    await client.flush();
    expect(await storedMessages()).toHaveLength(0);
    expect(collector.requests).toHaveLength(0);
    const reloaded = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    reloaded.track('still-opted-out');
    await reloaded.flush();
    expect(collector.requests).toHaveLength(0);
    reloaded.optIn();
    reloaded.track('back');
    await reloaded.flush();
    expect(collector.messages().map((message) => message['event'])).toEqual(['back']);
  });

  it('identify attaches the user id; reset makes a new anonymous id and session', async () => {
    const client = track(makeClient({ endpoint: collector.url, flushAt: 1000 }));
    client.track('anonymous');
    client.identify('user-1', { plan: 'pro' });
    client.track('known');
    client.reset();
    client.track('after-reset');
    await client.flush();
    const [anonymous, identify, known, afterReset] = collector.messages();
    expect(identify).toMatchObject({ type: 'identify', userId: 'user-1', anonymousId: anonymous!['anonymousId'], traits: { plan: 'pro' } });
    expect(known!['userId']).toBe('user-1');
    expect(afterReset!['userId']).toBeUndefined();
    expect(afterReset!['anonymousId']).not.toBe(anonymous!['anonymousId']);
    expect(afterReset!['context'].sessionId).not.toBe(known!['context'].sessionId);
  });

  it('never throws into the host page, even with bad input or options', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const broken = makeClient({ endpoint: 'not a url' });
    expect(error).toHaveBeenCalled();
    expect(() => broken.trackPrompt({ text: 'x' }).response()).not.toThrow();
    const client = track(makeClient({ endpoint: collector.url }));
    expect(() => client.track(undefined as unknown as string)).not.toThrow();
    expect(() => client.identify(42 as unknown as string)).not.toThrow();
    expect(() => client.trackAction(null as unknown as never)).not.toThrow();
    expect(() => client.trackPrompt(undefined as unknown as never)).not.toThrow();
    await expect(client.flush()).resolves.toBeUndefined();
  });

  it('ignores an event whose properties JSON cannot carry, so the events after it are still sent', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = track(makeClient({ endpoint: collector.url }));
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    client.track('with_bigint', { amount: 10n });
    client.track('with_circular', { circular });
    client.track('after_them', { plan: 'pro' });
    await client.flush();
    expect(collector.messages().map((message) => message['event'])).toEqual(['after_them']);
  });
});
