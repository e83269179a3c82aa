import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryQueue } from '../src/queue.js';
import type { KeyValueStorage } from '../src/storage.js';
import { PersistedState } from '../src/persisted-state.js';
import { makeClient, memoryStorage } from './support/client.js';

/** A storage that counts its writes. */
function countingStorage(): KeyValueStorage & { writes: string[] } {
  const storage = memoryStorage();
  const writes: string[] = [];
  return { ...storage, writes, set: (key, value) => (writes.push(key), storage.set(key, value)) };
}

const clients: { shutdown(): void }[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.shutdown();
});

describe('persisted state', () => {
  it('writes at once when the last write is a second old, and otherwise at most once a second', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const storage = countingStorage();
      const state = new PersistedState<number>(storage, 'k', () => now, (mine) => mine);
      state.set(1);
      expect(storage.get('k')).toBe('1');
      now = 10;
      state.set(2);
      now = 20;
      state.set(3);
      expect(storage.writes).toHaveLength(1);
      vi.advanceTimersByTime(1000);
      expect(storage.get('k')).toBe('3');
      expect(storage.writes).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("reads another tab's value back at most once a second, merging this tab's unwritten change", () => {
    let now = 0;
    const shared = memoryStorage();
    const mine = new PersistedState<number[]>(shared, 'k', () => now, (own, stored) => [...(stored ?? []), ...own]);
    mine.set([1]); // written at once
    now = 100;
    mine.set([2]); // not yet written
    shared.set('k', JSON.stringify([7])); // another tab
    expect(mine.get()).toEqual([2]);
    now = 1000;
    expect(mine.get()).toEqual([7, 2]);
  });
});

describe('session and conversation state', () => {
  it('costs no storage write per tracked prompt: ten prompts within a second write the session and the conversation once each', () => {
    const local = countingStorage();
    const session = countingStorage();
    const now = Date.parse('2026-03-01T10:00:00Z');
    const client = makeClient({ endpoint: 'http://127.0.0.1:9' }, { now: () => now, storage: { local, session }, queue: new MemoryQueue(100) });
    clients.push(client);
    for (let index = 0; index < 10; index += 1) client.trackPrompt({ text: `prompt ${index}` });
    expect(local.writes.filter((key) => key === 'chatmeter_session')).toHaveLength(1);
    expect(session.writes).toEqual(['chatmeter_conversations']);
  });

  it('writes the latest session and prompt numbers when the page is hidden', () => {
    const local = memoryStorage();
    const session = memoryStorage();
    let now = Date.parse('2026-03-01T10:00:00Z');
    const client = makeClient({ endpoint: 'http://127.0.0.1:9' }, { now: () => now, storage: { local, session }, queue: new MemoryQueue(100) });
    clients.push(client);
    client.trackPrompt({ text: 'first' });
    now += 300;
    const third = (client.trackPrompt({ text: 'second' }), client.trackPrompt({ text: 'third' }));
    expect(JSON.parse(session.get('chatmeter_conversations')!).prompts).toEqual([[third.conversationId, 1]]);
    window.dispatchEvent(new Event('pagehide'));
    expect(JSON.parse(session.get('chatmeter_conversations')!).prompts).toEqual([[third.conversationId, 3]]);
    expect(JSON.parse(local.get('chatmeter_session')!).lastActivityAt).toBe(Date.parse('2026-03-01T10:00:00.300Z'));
  });
});
