import { clear, createStore } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResilientQueue } from '../src/queue.js';
import { storedMessages } from './support/client.js';

beforeEach(() => clear(createStore('chatmeter', 'events')));
afterEach(() => vi.restoreAllMocks());

describe('the IndexedDB queue', () => {
  it('writes the events queued during one task in one IndexedDB transaction', async () => {
    const queue = new ResilientQueue(1000);
    await queue.add({ type: 'track', event: 'opens-the-database', messageId: 'm-first', anonymousId: 'a' });
    const transaction = vi.spyOn(IDBDatabase.prototype, 'transaction');
    const added = Array.from({ length: 50 }, (_, index) => queue.add({ type: 'track', event: `e${index}`, messageId: `m${index}`, anonymousId: 'a' }));
    await Promise.all(added);
    const writes = transaction.mock.calls.filter(([, mode]) => mode === 'readwrite');
    expect(writes).toHaveLength(1);
    expect(await storedMessages()).toHaveLength(51);
    expect((await queue.peek(3)).map((entry) => entry.message.event)).toEqual(['opens-the-database', 'e0', 'e1']);
  });
});
