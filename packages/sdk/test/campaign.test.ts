import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CAMPAIGN_KEY } from '../src/campaign.js';
import { MemoryQueue } from '../src/queue.js';
import type { KeyValueStorage } from '../src/storage.js';
import { makeClient, memoryStorage } from './support/client.js';
import { startFakeCollector } from './support/fake-collector.js';

let collector: Awaited<ReturnType<typeof startFakeCollector>>;
const clients: { shutdown(): void }[] = [];
const startUrl = location.href;

beforeEach(async () => {
  collector = await startFakeCollector();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.shutdown();
  vi.restoreAllMocks();
  history.replaceState(null, '', startUrl);
  await collector.close();
});

/** Opens a page at `path` coming from `referrer` and returns the context of the prompt the SDK sends there. */
async function visit(local: KeyValueStorage, path: string, referrer: string): Promise<Record<string, any>> {
  history.replaceState(null, '', path);
  vi.spyOn(document, 'referrer', 'get').mockReturnValue(referrer);
  const chatmeter = makeClient({ endpoint: collector.url }, { storage: { local, session: memoryStorage() }, queue: new MemoryQueue(100) });
  clients.push(chatmeter);
  chatmeter.trackPrompt({ text: 'hi' });
  await chatmeter.flush();
  const messages = collector.messages() as Record<string, any>[];
  return messages[messages.length - 1]!['context'];
}

describe('first-touch campaign', () => {
  it('sends the utm parameters of the landing page and the referring domain as context.campaign, and nothing else of the query', async () => {
    const context = await visit(
      memoryStorage(),
      '/pricing?utm_source=Newsletter&utm_medium=email&utm_campaign=spring&utm_term=chat&utm_content=hero&email=me%40example.com',
      'https://news.example.org/issue/12?reader=42',
    );
    expect(context['campaign']).toEqual({
      source: 'Newsletter', medium: 'email', name: 'spring', term: 'chat', content: 'hero', referrer: 'news.example.org',
    });
    expect(JSON.stringify(context)).not.toContain('me%40example.com');
    expect(JSON.stringify(context)).not.toContain('reader');
  });

  it('keeps the first touch of the browser when a later visit comes from another campaign', async () => {
    const local = memoryStorage();
    await visit(local, '/?utm_source=google', '');
    const later = await visit(local, '/?utm_source=twitter&utm_medium=social', 'https://t.co/abc');
    expect(later['campaign']).toEqual({ source: 'google' });
  });

  it('remembers a direct first visit, so that it sends no campaign even when a campaign brings the browser back', async () => {
    const local = memoryStorage();
    const first = await visit(local, '/chat', '');
    expect(first['campaign']).toBeUndefined();
    expect(local.get(CAMPAIGN_KEY)).toBe('{}');
    const later = await visit(local, '/?utm_source=ads', 'https://ads.example.com/');
    expect(later['campaign']).toBeUndefined();
  });

  it('does not count a link from the same site as a referrer', async () => {
    const context = await visit(memoryStorage(), '/chat', `${location.origin}/home`);
    expect(context['campaign']).toBeUndefined();
  });
});
