import { describe, expect, it } from 'vitest';
import { acquisitionChannel } from './acquisition-channel.js';

describe('acquisition channel of an event', () => {
  it('is the utm source, lowercased, before any referrer', () => {
    expect(acquisitionChannel({ campaign: { source: ' Newsletter ', medium: 'email' }, page: { referrer: 'https://google.com/' } })).toBe('newsletter');
  });

  it('is the referrer domain the SDK sends, without www', () => {
    expect(acquisitionChannel({ campaign: { referrer: 'www.Bing.com' } })).toBe('bing.com');
  });

  it("is the host of a Segment client's page referrer only when it is another site", () => {
    expect(acquisitionChannel({ page: { url: 'https://chat.example/a', referrer: 'https://news.ycombinator.com/item?id=1' } })).toBe('news.ycombinator.com');
    expect(acquisitionChannel({ page: { url: 'https://chat.example/b', referrer: 'https://chat.example/a' } })).toBeNull();
  });

  it('is null when the context names no campaign and no referrer', () => {
    expect(acquisitionChannel({})).toBeNull();
    expect(acquisitionChannel({ campaign: { source: '', name: 'spring' }, page: { referrer: 'not a url' } })).toBeNull();
  });
});
