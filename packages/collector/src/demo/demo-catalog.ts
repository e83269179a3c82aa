/**
 * The numbers behind the demo: intents and how conversations move between
 * them, the models with their speed and price, where users live and when
 * they chat. Kept apart from the generator so the story can be tuned
 * without reading the simulation.
 */

/** The default taxonomy's intents, with the share of conversations that open with each. */
export const OPENING_INTENT_SHARES = {
  product_inquiry: 28,
  support_shipping: 17,
  support_returns: 11,
  technical_support: 16,
  account_management: 11,
  billing_payment: 9,
  other: 8,
} as const;

export type DemoIntent = keyof typeof OPENING_INTENT_SHARES;

/** Chance that a follow-up prompt keeps the intent of the previous one. */
export const SAME_INTENT_CHANCE = 0.6;

/** Where a conversation goes when the topic changes: a question about a product leads to paying for it, a shipping question to a return. */
export const INTENT_FLOWS: Readonly<Record<DemoIntent, Readonly<Partial<Record<DemoIntent, number>>>>> = {
  product_inquiry: { billing_payment: 45, support_shipping: 30, account_management: 10, other: 15 },
  support_shipping: { support_returns: 50, product_inquiry: 20, account_management: 15, other: 15 },
  support_returns: { billing_payment: 45, support_shipping: 35, other: 20 },
  technical_support: { account_management: 50, billing_payment: 20, other: 30 },
  account_management: { billing_payment: 50, technical_support: 35, other: 15 },
  billing_payment: { account_management: 50, product_inquiry: 20, other: 30 },
  other: { product_inquiry: 50, technical_support: 25, support_shipping: 25 },
};

/** Median prompt length in characters: technical questions come with details, greetings do not. */
export const PROMPT_LENGTH_MEDIAN: Readonly<Record<DemoIntent, number>> = {
  product_inquiry: 70,
  support_shipping: 55,
  support_returns: 65,
  technical_support: 120,
  account_management: 50,
  billing_payment: 60,
  other: 35,
};

/** Median answer length in tokens. */
export const COMPLETION_TOKENS_MEDIAN: Readonly<Record<DemoIntent, number>> = {
  product_inquiry: 220,
  support_shipping: 150,
  support_returns: 170,
  technical_support: 320,
  account_management: 140,
  billing_payment: 150,
  other: 90,
};

export interface DemoModel {
  /** Share of conversations routed to this model. */
  share: number;
  /** Time to first token: median (ms) and log-normal spread; a wider spread is a longer tail. */
  firstTokenMs: number;
  sigma: number;
  tokensPerSecond: number;
  /** Chance that a response fails, and that it times out. */
  errorRate: number;
  timeoutRate: number;
  /** USD per million tokens (list prices in 2025). */
  inputPrice: number;
  outputPrice: number;
  /** Answers a little longer or shorter than the median. */
  verbosity: number;
}

export const DEMO_MODELS = {
  'gpt-4o-mini': {
    share: 50, firstTokenMs: 450, sigma: 0.45, tokensPerSecond: 90,
    errorRate: 0.018, timeoutRate: 0.007, inputPrice: 0.15, outputPrice: 0.6, verbosity: 1,
  },
  'claude-3-5-haiku': {
    share: 30, firstTokenMs: 600, sigma: 0.5, tokensPerSecond: 70,
    errorRate: 0.015, timeoutRate: 0.008, inputPrice: 0.8, outputPrice: 4, verbosity: 0.9,
  },
  // Self-hosted: cheaper per output token but slower, with the longest tail.
  'llama-3.1-70b': {
    share: 20, firstTokenMs: 700, sigma: 0.75, tokensPerSecond: 45,
    errorRate: 0.03, timeoutRate: 0.02, inputPrice: 0.88, outputPrice: 0.88, verbosity: 1.15,
  },
} as const satisfies Record<string, DemoModel>;

export type DemoModelName = keyof typeof DEMO_MODELS;

/** The client gives up after this long and reports a timeout. */
export const CLIENT_TIMEOUT_MS = 30_000;

/** Error types of failed responses and how often each occurs. */
export const ERROR_TYPES = {
  rate_limit_exceeded: 40,
  server_error: 35,
  context_length_exceeded: 10,
  content_filter: 15,
} as const;

/**
 * Time zones with a fixed UTC offset in hours. Daylight saving is ignored on
 * purpose: an hour's shift twice a year changes nothing a dashboard shows,
 * and fixed offsets keep the generator fast and the output reproducible.
 */
export const DEMO_TIMEZONES = [
  { name: 'America/Los_Angeles', offsetHours: -8, share: 14 },
  { name: 'America/New_York', offsetHours: -5, share: 24 },
  { name: 'America/Sao_Paulo', offsetHours: -3, share: 6 },
  { name: 'Europe/London', offsetHours: 0, share: 12 },
  { name: 'Europe/Berlin', offsetHours: 1, share: 18 },
  { name: 'Asia/Kolkata', offsetHours: 5.5, share: 10 },
  { name: 'Asia/Singapore', offsetHours: 8, share: 6 },
  { name: 'Asia/Tokyo', offsetHours: 9, share: 5 },
  { name: 'Australia/Sydney', offsetHours: 10, share: 5 },
] as const;

/** Relative chance of a session starting at each local hour: quiet nights, busiest 10–16. */
export const HOUR_WEIGHTS: readonly number[] = [
  0.15, 0.08, 0.05, 0.04, 0.05, 0.1, 0.25, 0.5, 0.8, 1.1, 1.45, 1.55,
  1.4, 1.5, 1.6, 1.5, 1.35, 1.1, 0.9, 0.85, 0.8, 0.7, 0.5, 0.3,
];

/** Activity by local weekday (0 = Sunday): a work tool, quieter at weekends. */
export const WEEKDAY_FACTOR: readonly number[] = [0.6, 1.1, 1.15, 1.1, 1.1, 1, 0.65];

export const PLANS = { free: 78, pro: 17, enterprise: 5 } as const;
/** Loyal users pay more often: they found the product worth it. */
export const LOYAL_PLANS = { free: 40, pro: 45, enterprise: 15 } as const;
export type DemoPlan = keyof typeof PLANS;

export const COMPANY_SIZES: Readonly<Record<DemoPlan, Readonly<Record<string, number>>>> = {
  free: { '1-10': 55, '11-50': 30, '51-200': 10, '201-1000': 4, '1000+': 1 },
  pro: { '1-10': 25, '11-50': 40, '51-200': 25, '201-1000': 8, '1000+': 2 },
  enterprise: { '51-200': 15, '201-1000': 45, '1000+': 40 },
};
