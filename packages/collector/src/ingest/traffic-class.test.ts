import { describe, expect, it } from 'vitest';
import type { Message } from '../protocol/index.js';
import { createTrafficClassifier } from './traffic-class.js';

const PERSON = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const CRAWLER = 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)';

function track(fields: Partial<Message> = {}): Message {
  return { type: 'track', event: 'ai_user_prompt_created', userId: 'u-1', ...fields } as Message;
}

describe('createTrafficClassifier', () => {
  const classify = createTrafficClassifier({ internalUsers: ['*@Acme.com', 'qa-*'] });

  it('gives the same answer for a user agent however often, and after more distinct agents than it remembers', () => {
    expect(classify(track(), { userAgent: CRAWLER }).bot).toBe(true);
    expect(classify(track(), { userAgent: CRAWLER }).bot).toBe(true);
    for (let index = 0; index < 2_500; index += 1) classify(track(), { userAgent: `${PERSON} build/${index}` });
    expect(classify(track(), { userAgent: CRAWLER }).bot).toBe(true);
    expect(classify(track(), { userAgent: PERSON }).bot).toBe(false);
  });

  it('matches internal patterns on the user id and the email, case ignored, with * for any characters', () => {
    expect(classify(track({ userId: 'qa-17' }), {}).internal).toBe(true);
    expect(classify(track({ userId: 'aqa-17' }), {}).internal).toBe(false);
    expect(classify(track({ type: 'identify', traits: { email: 'dana@acme.COM' } } as Partial<Message>), {}).internal).toBe(true);
    expect(classify(track(), { traits: { email: 'dana@acme.com.evil.example' } }).internal).toBe(false);
  });

  it('lets the message’s own traits win over context.traits', () => {
    expect(classify(track(), { traits: { internal: true } }).internal).toBe(true);
    expect(classify(track({ type: 'identify', traits: { internal: false } } as Partial<Message>), { traits: { internal: true } }).internal).toBe(false);
  });
});
