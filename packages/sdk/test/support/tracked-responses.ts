import { expect } from 'vitest';
import { createChatmeter } from '../../src/index.js';
import { validateMessage } from '../../src/protocol/index.js';
import { startFakeCollector } from './fake-collector.js';

/**
 * A Node-mode chatmeter sending to a fake collector: `sent()` flushes and
 * returns what reached the collector, each message checked against the wire
 * protocol first (a wrapper must never produce an event the collector rejects).
 */
export async function startTracking() {
  const collector = await startFakeCollector();
  const chatmeter = createChatmeter({ writeKey: 'server_key', endpoint: collector.url, flushAt: 1000 });
  return {
    chatmeter,
    async sent() {
      await chatmeter.flush();
      const messages = collector.messages();
      for (const message of messages) {
        const validation = validateMessage(message);
        if (!validation.ok) throw new Error(`invalid event on the wire: ${JSON.stringify(validation)}`);
      }
      return messages;
    },
    async responses() {
      return (await this.sent()).filter((message) => message['event'] === 'ai_llm_response_received').map((message) => message['properties'] as Record<string, any>);
    },
    async close() {
      // The queue is shared by every chatmeter of the test process (one IndexedDB): leave nothing in it for the next test.
      await chatmeter.flush();
      chatmeter.shutdown();
      await collector.close();
    },
  };
}

/**
 * The timings of the fake OpenAI server's streamed answer ("Hello", 30
 * completion tokens): first content chunk after ~120 ms, last ~150 ms later.
 * Timers and network delivery move each end by a few ms, so the bounds are wide.
 */
export function expectStreamedHelloTimings(properties: Record<string, any> | undefined): void {
  expect(properties!['time_to_first_token_ms']).toBeGreaterThanOrEqual(115);
  expect(properties!['time_to_first_token_ms']).toBeLessThan(260);
  expect(properties!['latency_ms']).toBeGreaterThanOrEqual(265);
  // 30 tokens over ~150 ms: about 200 per second.
  expect(properties!['tokens_per_second']).toBeGreaterThanOrEqual(60);
  expect(properties!['tokens_per_second']).toBeLessThanOrEqual(300);
}
