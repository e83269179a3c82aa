import { describe, expect, it } from 'vitest';
import { UnacknowledgedEvents } from '../src/unacknowledged.js';

const event = (index: number) => ({ type: 'track' as const, event: `e${index}`, messageId: `m${index}`, anonymousId: 'a' });

describe('unacknowledged events', () => {
  it('keeps only the newest events once the bound is reached, oldest first', () => {
    const events = new UnacknowledgedEvents(3);
    for (let index = 0; index < 1000; index += 1) events.set(`m${index}`, event(index));
    expect(events.size).toBe(3);
    expect([...events.values()].map((message) => message.event)).toEqual(['e997', 'e998', 'e999']);
  });

  it('forgets acknowledged events and everything on clear', () => {
    const events = new UnacknowledgedEvents(10);
    events.set('m1', event(1));
    events.set('m2', event(2));
    events.delete('m1');
    expect([...events.keys()]).toEqual(['m2']);
    events.clear();
    expect(events.size).toBe(0);
  });
});
