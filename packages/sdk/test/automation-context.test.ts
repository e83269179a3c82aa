import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryQueue } from '../src/queue.js';
import { makeClient, memoryStorage } from './support/client.js';
import { startFakeCollector } from './support/fake-collector.js';

let collector: Awaited<ReturnType<typeof startFakeCollector>>;
const clients: { shutdown(): void }[] = [];

beforeEach(async () => {
  collector = await startFakeCollector();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.shutdown();
  Reflect.deleteProperty(navigator, 'webdriver');
  await collector.close();
});

/** jsdom has no navigator.webdriver: define it as a browser would. */
function driveBrowser(webdriver: boolean): void {
  Object.defineProperty(navigator, 'webdriver', { value: webdriver, configurable: true });
}

/** The context of one prompt sent by a fresh client. */
async function sentContext(): Promise<Record<string, unknown>> {
  const chatmeter = makeClient({ endpoint: collector.url }, { storage: { local: memoryStorage(), session: memoryStorage() }, queue: new MemoryQueue(100) });
  clients.push(chatmeter);
  chatmeter.trackPrompt({ text: 'hello' });
  await chatmeter.flush();
  const [message] = collector.messages();
  return (message as { context: Record<string, unknown> }).context;
}

describe('automated browsers', () => {
  it('reports webdriver: true in the context when automation drives the browser, so the collector can leave it out of the numbers', async () => {
    driveBrowser(true);
    const context = await sentContext();
    expect(context['webdriver']).toBe(true);
    expect(typeof context['userAgent']).toBe('string');
  });

  it('sends no webdriver field from a browser a person uses', async () => {
    driveBrowser(false);
    const context = await sentContext();
    expect('webdriver' in context).toBe(false);
  });
});
