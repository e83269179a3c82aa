import defaultPriceFile from './prices.json' with { type: 'json' };

/** What one model costs, in USD per million tokens. */
export interface ModelPrice {
  /** Prompt (input) tokens. */
  input: number;
  /** Completion (output) tokens, reasoning included. */
  output: number;
}

/** Model name → price. A name also prices its dated snapshots: `gpt-4o-mini` prices `gpt-4o-mini-2024-07-18`. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The bundled table (prices.json): OpenAI's list prices on the date it records. */
export const DEFAULT_PRICES: PriceTable = defaultPriceFile.models;

/** The bundled prices with the caller's entries on top (an entry replaces the bundled one of the same name). */
export function mergePrices(overrides: PriceTable | undefined): PriceTable {
  return overrides === undefined ? DEFAULT_PRICES : { ...DEFAULT_PRICES, ...overrides };
}

/**
 * The price of `model`: its own entry, else the longest entry it extends
 * with a `-` (providers answer with dated snapshot names, and `gpt-4o` must
 * not price `gpt-4o-mini-…`, hence the longest match). Undefined when unknown.
 */
export function findPrice(prices: PriceTable, model: string): ModelPrice | undefined {
  const exact = prices[model];
  if (exact !== undefined) return exact;
  let best: string | undefined;
  for (const name of Object.keys(prices)) {
    if (model.startsWith(`${name}-`) && (best === undefined || name.length > best.length)) best = name;
  }
  return best === undefined ? undefined : prices[best];
}

/** USD for one call; undefined when the model has no price or no token count is known. */
export function costOf(prices: PriceTable, model: string | undefined, tokens: { prompt?: number; completion?: number }): number | undefined {
  if (model === undefined || (tokens.prompt === undefined && tokens.completion === undefined)) return undefined;
  const price = findPrice(prices, model);
  if (price === undefined) return undefined;
  return ((tokens.prompt ?? 0) * price.input + (tokens.completion ?? 0) * price.output) / 1_000_000;
}
