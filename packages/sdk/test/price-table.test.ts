import { describe, expect, it } from 'vitest';
import { costOf, DEFAULT_PRICES, findPrice, mergePrices } from '../src/node/price-table.js';

describe('price table', () => {
  it('prices a dated snapshot by its model name, choosing the longest matching name', () => {
    expect(findPrice(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(findPrice(DEFAULT_PRICES, 'gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
  });

  it('does not price a model whose name merely starts like a known one', () => {
    expect(findPrice(DEFAULT_PRICES, 'gpt-4omni')).toBeUndefined();
    expect(findPrice(DEFAULT_PRICES, 'llama-3.1-8b')).toBeUndefined();
  });

  it('computes the cost in USD from per-million prices', () => {
    // 1000 × $2.50/M + 200 × $10/M = $0.0025 + $0.002
    expect(costOf(DEFAULT_PRICES, 'gpt-4o', { prompt: 1000, completion: 200 })).toBeCloseTo(0.0045, 12);
  });

  it('has no cost without a known model or without any token count', () => {
    expect(costOf(DEFAULT_PRICES, 'unknown-model', { prompt: 10, completion: 10 })).toBeUndefined();
    expect(costOf(DEFAULT_PRICES, undefined, { prompt: 10 })).toBeUndefined();
    expect(costOf(DEFAULT_PRICES, 'gpt-4o', {})).toBeUndefined();
  });

  it('lets given prices replace bundled ones and add new models', () => {
    const prices = mergePrices({ 'gpt-4o': { input: 1, output: 1 }, 'house-model': { input: 3, output: 6 } });
    expect(costOf(prices, 'gpt-4o', { prompt: 1_000_000 })).toBe(1);
    expect(costOf(prices, 'house-model', { completion: 500_000 })).toBe(3);
    expect(costOf(prices, 'gpt-4o-mini', { prompt: 1_000_000 })).toBe(0.15);
  });
});
