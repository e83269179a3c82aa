import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageInput } from '../src/protocol/index.js';
import { MemoryQueue } from '../src/queue.js';
import { makeClient, memoryStorage } from './support/client.js';
import { startFakeCollector } from './support/fake-collector.js';

const CANARY = 'canary.7f3a@example.com';

let collector: Awaited<ReturnType<typeof startFakeCollector>>;
const clients: { shutdown(): void }[] = [];
const startUrl = location.href;

beforeEach(async () => {
  collector = await startFakeCollector();
  history.replaceState(null, '', `/orders/42?email=${encodeURIComponent(CANARY)}&utm_source=news#token=${CANARY}`);
  document.title = `Order for ${CANARY}`;
  vi.spyOn(document, 'referrer', 'get').mockReturnValue(`https://mail.example.net/inbox?to=${CANARY}#message-9`);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.shutdown();
  vi.restoreAllMocks();
  history.replaceState(null, '', startUrl);
  document.title = '';
  await collector.close();
});

function client(options: Parameters<typeof makeClient>[0]) {
  const created = makeClient(options, { storage: { local: memoryStorage(), session: memoryStorage() }, queue: new MemoryQueue(100) });
  clients.push(created);
  return created;
}

/** What the collector received for one prompt with custom properties. */
async function sentPrompt(options: Parameters<typeof makeClient>[0], properties: Record<string, unknown> = {}) {
  const chatmeter = client(options);
  chatmeter.trackPrompt({ text: 'where is my order?', properties });
  await chatmeter.flush();
  const [message] = collector.messages();
  return message as Record<string, any>;
}

describe('page context', () => {
  it('drops the query string and fragment from the page URL and the referrer, and sends no title, by default', async () => {
    const message = await sentPrompt({ endpoint: collector.url });
    expect(message['context'].page).toEqual({
      url: 'http://localhost:3000/orders/42',
      path: '/orders/42',
      referrer: 'https://mail.example.net/inbox',
    });
    expect(JSON.stringify(message)).not.toContain('canary');
  });

  it('keeps the query string, fragment and title when the page asks for them', async () => {
    const message = await sentPrompt({ endpoint: collector.url, keepPageQuery: true, keepPageTitle: true });
    expect(message['context'].page).toEqual({
      url: `http://localhost:3000/orders/42?email=canary.7f3a%40example.com&utm_source=news#token=${CANARY}`,
      path: '/orders/42',
      search: '?email=canary.7f3a%40example.com&utm_source=news',
      title: `Order for ${CANARY}`,
      referrer: `https://mail.example.net/inbox?to=${CANARY}#message-9`,
    });
  });
});

describe('redactProperties', () => {
  it('replaces the named top-level custom properties of prompts, responses, actions and custom events', async () => {
    const seen: MessageInput[] = [];
    const chatmeter = client({ endpoint: collector.url, redactProperties: ['customer_email', 'order_note'] });
    chatmeter.onEvent((message) => seen.push(message));
    const turn = chatmeter.trackPrompt({ text: 'q', properties: { customer_email: CANARY, plan: 'pro' } });
    turn.response({ properties: { order_note: `ship to ${CANARY}` } });
    chatmeter.trackAction({ actionType: 'shared', properties: { customer_email: CANARY } });
    chatmeter.track('checkout_viewed', { customer_email: CANARY, nested: { customer_email: 'kept: only top-level keys are named' } });
    await chatmeter.flush();
    const sent = collector.messages();
    expect(sent.map((message) => message['properties'].customer_email ?? message['properties'].order_note)).toEqual([
      '[redacted]',
      '[redacted]',
      '[redacted]',
      '[redacted]',
    ]);
    expect(sent[0]!['properties'].plan).toBe('pro');
    expect(sent[1]!['properties']).not.toHaveProperty('customer_email'); // named but not given: nothing added
    expect(sent[3]!['properties'].nested).toEqual({ customer_email: 'kept: only top-level keys are named' });
    expect(JSON.stringify(seen)).not.toContain('canary');
  });

  it('redacts the named properties in debug mode too, where texts are sent', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const message = await sentPrompt({ endpoint: collector.url, debug: true, redactProperties: ['customer_email'] }, { customer_email: CANARY });
    expect(message['properties']).toMatchObject({ prompt_text: 'where is my order?', customer_email: '[redacted]', debug_mode: true });
  });
});
