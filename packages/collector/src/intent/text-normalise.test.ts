import { describe, expect, it } from 'vitest';
import { tokenise } from './text-normalise.js';

describe('tokenise', () => {
  it('spells, stems and drops stop words, negations and lone letters and numbers', () => {
    expect(tokenise("Hi, I'd like a REFUND — my order never arrived (size x, 2 pairs)")).toEqual(['hi', 'refund', 'order', 'not', 'arriv', 'size', 'pair']);
  });

  it('answers the same for a word met before, whatever a caller did with an earlier answer', () => {
    const first = tokenise('refunds refunded refunding');
    first.push('tampered');
    first[0] = 'changed';
    expect(tokenise('refunds refunded refunding')).toEqual(['refund', 'refund', 'refund']);
  });

  it('keeps answering the same once more distinct words than it remembers have gone by', () => {
    const text = "where's my package? it hasn't shipped and the tracking link doesn't work";
    const before = tokenise(text);
    for (let index = 0; index < 50_000; index += 1) tokenise(`qz${index.toString(36)}word`);
    expect(tokenise(text)).toEqual(before);
    expect(before.length).toBeGreaterThan(3);
  });
});
