import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { StoreFactory } from '../support/store-factory.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Contract suite, seeded property test of every metric endpoint (every engine
 * runs it unchanged): random event sets go through the real HTTP ingest, and
 * each answer is compared with a plain reference computation over the
 * generated events (docs/metrics.md), written here without any code of
 * src/metrics or src/store.
 *
 * Events carry an explicit `timestamp` and no `sentAt` (neither per message
 * nor per batch): with a `sentAt`, Segment's clock-skew correction would move
 * the event to receivedAt − (sentAt − timestamp) (src/ingest/event-time.ts).
 *
 * Reproduce one run: CHATMETER_PROPERTY_SEEDS=3 npx vitest run test/contract/sqlite.contract.test.ts -t 'seed 3'
 */

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** 2026-02-22 00:00 UTC; the data spans 21 days, across New York's DST start (2026-03-08 07:00 UTC). */
export const DATA_START = Date.UTC(2026, 1, 22);
export const DATA_DAYS = 21;
const SEEDS = (process.env['CHATMETER_PROPERTY_SEEDS'] ?? '1,2,3,4,5').split(',').map(Number);
/** Zones: UTC plus zones ahead/behind, with DST, and with :30 / :45 offsets. */
const ZONES = ['Asia/Tokyo', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/Los_Angeles'] as const;
const INTENTS = ['billing', 'tech', 'account', 'sales'] as const;
const MODELS = ['gpt-a', 'gpt-b', 'claude-x'] as const;
const PLANS = ['free', 'pro', 'team'] as const;
/** UTC minute-of-day of local midnights of the zones above (biases sessions onto day boundaries). */
const MIDNIGHTS_UTC_MINUTES = [0, 15 * 60, 5 * 60, 4 * 60, 18 * 60 + 30, 18 * 60 + 15, 8 * 60, 7 * 60];

// ---------------------------------------------------------------- PRNG

export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from empty list');
    return item;
  }
}

// ---------------------------------------------------------------- generated events

type Kind = 'prompt' | 'response' | 'action';
type Status = 'success' | 'error' | 'timeout';

export interface Visitor {
  anonId: string;
  userId: string | null;
  kind: 'known' | 'converting' | 'anonymous';
  /** converting: when identify/alias links anonId → userId. */
  identifyAt: number | null;
  plan: string | null;
  /**
   * bot: every event carries a crawler's user agent; internal: every event
   * carries `context.traits.internal`. Either way all of the visitor's events
   * are flagged, whatever order they arrive in.
   */
  traffic: 'person' | 'bot' | 'internal';
  /** The user every event of this visitor finally counts for. */
  key: string;
}

export interface Ev {
  seq: number;
  kind: Kind;
  ts: number;
  visitor: Visitor;
  sessionId: string | null;
  conversationId: string;
  promptNumber: number | null;
  debug: boolean;
  /** Own classified_intent. */
  intent: string | null;
  model: string | null;
  latency: number | null;
  /** time_to_first_token_ms and tokens_per_second of a streamed response. */
  ttft: number | null;
  speed: number | null;
  cost: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  status: Status | null;
  actionType: string | null;
  feedbackType: 'rating' | 'thumbs' | null;
  feedbackValue: unknown;
  /** Wire-level flags. */
  sendDebugFalse: boolean;
  // ---- derived (reference semantics)
  user: string;
  /** Own intent, else the turn's prompt intent as known when it was ingested (responses, actions). */
  effIntent: string | null;
  /** Feedback: own model, else the turn's response model. */
  turnModel: string | null;
}

export interface Identity {
  ts: number;
  message: Record<string, unknown>;
  /** Posted in a final batch, long after the events it relabels. */
  late: boolean;
}

export interface Dataset {
  events: Ev[];
  identities: Identity[];
  visitors: Visitor[];
  sessionIds: string[];
}

export function generate(seed: number): Dataset {
  const rng = new Rng(seed);
  const visitors: Visitor[] = [];
  const identities: Identity[] = [];
  const events: Ev[] = [];
  const sessionIds: string[] = [];
  const usedTs = new Set<number>();
  const uniqueTs = (ts: number): number => {
    let t = ts;
    while (usedTs.has(t)) t += 1;
    usedTs.add(t);
    return t;
  };

  const userCount = rng.int(10, 40);
  for (let index = 0; index < userCount; index += 1) {
    const roll = rng.next();
    const kind: Visitor['kind'] = roll < 0.45 ? 'known' : roll < 0.75 ? 'converting' : 'anonymous';
    const anonId = `anon-${seed}-${index}`;
    const userId = kind === 'anonymous' ? null : `user-${seed}-${index}`;
    const plan = kind !== 'anonymous' && rng.chance(0.7) ? rng.pick(PLANS) : null;
    const trafficRoll = rng.next();
    const traffic: Visitor['traffic'] = trafficRoll < 0.1 ? 'bot' : trafficRoll < 0.2 ? 'internal' : 'person';
    visitors.push({ anonId, userId, kind, identifyAt: null, plan, traffic, key: userId ?? anonId });
  }

  let conversationCounter = 0;
  let sessionCounter = 0;
  for (const visitor of visitors) {
    const sessionCount = rng.int(1, 6);
    const starts: number[] = [];
    for (let s = 0; s < sessionCount; s += 1) {
      const day = rng.int(0, DATA_DAYS - 1);
      let minuteOfDay: number;
      if (rng.chance(0.35)) minuteOfDay = (rng.pick(MIDNIGHTS_UTC_MINUTES) + rng.int(-20, 20) + 1440) % 1440;
      else if (rng.chance(0.05)) minuteOfDay = 7 * 60 + rng.int(-30, 30); // around NY's DST jump
      else minuteOfDay = rng.int(0, 1439);
      starts.push(DATA_START + day * DAY_MS + minuteOfDay * MINUTE_MS + rng.int(0, 59_999));
    }
    starts.sort((a, b) => a - b);
    if (visitor.kind === 'converting') {
      // Identify between two sessions (or before the first / after the last one).
      const position = rng.int(0, starts.length);
      const before = position === 0 ? DATA_START - DAY_MS : (starts[position - 1] as number) + 3 * 3_600_000;
      visitor.identifyAt = uniqueTs(position === starts.length ? before : Math.min(before, (starts[position] as number) - MINUTE_MS));
      const traits = visitor.plan === null ? {} : { traits: { plan: visitor.plan } };
      const message: Record<string, unknown> = rng.chance(0.3)
        ? { type: 'alias', userId: visitor.userId, previousId: visitor.anonId }
        : { type: 'identify', userId: visitor.userId, anonymousId: visitor.anonId, ...traits };
      identities.push({ ts: visitor.identifyAt, message, late: rng.chance(0.5) });
      if (message['type'] === 'alias' && visitor.plan !== null) {
        identities.push({ ts: uniqueTs(visitor.identifyAt + 1), message: { type: 'identify', userId: visitor.userId, traits: { plan: visitor.plan } }, late: false });
      }
    } else if (visitor.kind === 'known' && visitor.plan !== null) {
      identities.push({ ts: uniqueTs(DATA_START - DAY_MS + rng.int(0, 3_600_000)), message: { type: 'identify', userId: visitor.userId, traits: { plan: visitor.plan } }, late: rng.chance(0.3) });
    }

    for (const start of starts) {
      sessionCounter += 1;
      const sessionId = rng.chance(0.06) ? null : `s-${seed}-${sessionCounter}`;
      if (sessionId !== null) sessionIds.push(sessionId);
      const sessionDebug = rng.chance(0.08);
      let clock = start;
      const conversationsInSession = rng.int(1, 3);
      for (let c = 0; c < conversationsInSession; c += 1) {
        conversationCounter += 1;
        const conversationId = `c-${seed}-${conversationCounter}`;
        const turns = rng.int(1, 4);
        for (let turn = 1; turn <= turns; turn += 1) {
          const promptNumber = rng.chance(0.15) ? null : turn;
          const base = (kind: Kind, ts: number): Ev => ({
            seq: 0,
            kind,
            ts: uniqueTs(ts),
            visitor,
            sessionId,
            conversationId,
            promptNumber,
            debug: sessionDebug || rng.chance(0.03),
            intent: null,
            model: null,
            latency: null,
            ttft: null,
            speed: null,
            cost: null,
            promptTokens: null,
            completionTokens: null,
            totalTokens: null,
            status: null,
            actionType: null,
            feedbackType: null,
            feedbackValue: undefined,
            sendDebugFalse: rng.chance(0.1),
            user: visitor.key,
            effIntent: null,
            turnModel: null,
          });
          const prompt = base('prompt', clock);
          prompt.intent = rng.chance(0.2) ? null : rng.pick(INTENTS);
          events.push(prompt);
          clock = prompt.ts + rng.int(200, 30_000);
          if (rng.chance(0.85)) {
            const response = base('response', clock);
            response.model = rng.chance(0.1) ? null : rng.pick(MODELS);
            response.latency = rng.chance(0.1) ? null : rng.chance(0.3) ? rng.int(1000, 5_000_000) / 1000 : rng.int(50, 8000);
            // Streamed answers only: some responses carry neither, some a speed without a TTFT.
            response.ttft = rng.chance(0.3) ? null : rng.chance(0.3) ? rng.int(1000, 900_000) / 1000 : rng.int(20, 3000);
            response.speed = rng.chance(0.3) ? null : rng.int(10, 2000) / 10;
            response.cost = rng.chance(0.1) ? null : rng.int(0, 200_000) / 1_000_000;
            if (rng.chance(0.9)) {
              response.promptTokens = rng.int(0, 2000);
              response.completionTokens = rng.chance(0.1) ? null : rng.int(0, 2000);
              if (rng.chance(0.6)) response.totalTokens = response.promptTokens + (response.completionTokens ?? 0) + rng.int(0, 5);
            }
            const statusRoll = rng.next();
            response.status = statusRoll < 0.65 ? 'success' : statusRoll < 0.78 ? 'error' : statusRoll < 0.9 ? 'timeout' : null;
            if (rng.chance(0.05)) response.intent = rng.pick(INTENTS);
            events.push(response);
            clock = response.ts + rng.int(500, 60_000);
          }
          const actions = rng.chance(0.35) ? rng.int(1, 2) : 0;
          for (let a = 0; a < actions; a += 1) {
            const action = base('action', clock);
            if (rng.chance(0.2)) action.promptNumber = null;
            const what = rng.next();
            if (what < 0.45) {
              action.actionType = 'feedback_given';
              action.feedbackType = 'thumbs';
              action.feedbackValue = rng.pick<unknown>([true, 1, 'up', 'UP', 'down', false, 0, 'meh']);
            } else if (what < 0.85) {
              action.actionType = 'feedback_given';
              action.feedbackType = 'rating';
              action.feedbackValue = rng.pick<unknown>([1, 2, 3, 4, 5, 5, 4, '3', 2.5, 'great', true]);
            } else {
              action.actionType = rng.pick(['copied_response', 'shared', 'regenerated']);
            }
            if (rng.chance(0.1)) action.model = rng.pick(MODELS);
            if (rng.chance(0.1)) action.intent = rng.pick(INTENTS);
            events.push(action);
            clock = action.ts + rng.int(500, 60_000);
          }
          clock += rng.chance(0.04) ? rng.int(1, 10) * 3_600_000 : rng.int(1000, 300_000);
        }
        clock += rng.int(1000, 600_000);
        // Now and then a conversation or session spans hours (and so local midnights).
        if (rng.chance(0.05)) clock += rng.int(1, 10) * 3_600_000;
      }
    }
  }

  events.sort((a, b) => a.ts - b.ts);
  events.forEach((event, index) => {
    event.seq = index;
  });
  deriveIngestSemantics(events);
  return { events, identities, visitors, sessionIds };
}

/**
 * What the store derives: a response's / action's intent is its own, else the
 * intent of its turn's prompt as known when it was ingested (events are
 * posted in time order: same prompt_number with an intent, latest; without
 * prompt_number, the conversation's latest prompt at or before it). Feedback's
 * model is its own, else the model of the same turn's latest response with a
 * model (without prompt_number: latest response with a model at or before it).
 */
function deriveIngestSemantics(events: Ev[]): void {
  const promptsByConversation = new Map<string, Ev[]>();
  const responsesByConversation = new Map<string, Ev[]>();
  for (const event of events) {
    const list = event.kind === 'prompt' ? promptsByConversation : event.kind === 'response' ? responsesByConversation : null;
    if (list === null) continue;
    const bucket = list.get(event.conversationId) ?? [];
    bucket.push(event);
    list.set(event.conversationId, bucket);
  }
  for (const event of events) {
    if (event.kind === 'prompt') {
      event.effIntent = event.intent;
      continue;
    }
    const prompts = (promptsByConversation.get(event.conversationId) ?? []).filter((p) => p.seq < event.seq);
    if (event.intent !== null) event.effIntent = event.intent;
    else if (event.promptNumber !== null) {
      const candidates = prompts.filter((p) => p.promptNumber === event.promptNumber && p.intent !== null);
      event.effIntent = latest(candidates)?.intent ?? null;
    } else {
      event.effIntent = latest(prompts.filter((p) => p.ts <= event.ts))?.intent ?? null;
    }
    if (event.kind === 'action') {
      const responses = (responsesByConversation.get(event.conversationId) ?? []).filter((r) => r.model !== null);
      if (event.model !== null) event.turnModel = event.model;
      else if (event.promptNumber !== null) event.turnModel = latest(responses.filter((r) => r.promptNumber === event.promptNumber))?.model ?? null;
      else event.turnModel = latest(responses.filter((r) => r.ts <= event.ts))?.model ?? null;
    }
  }
}

function latest(events: readonly Ev[]): Ev | undefined {
  let best: Ev | undefined;
  for (const event of events) if (best === undefined || event.ts > best.ts) best = event;
  return best;
}

// ---------------------------------------------------------------- wire

let messageCounter = 0;

function toWire(event: Ev): Record<string, unknown> {
  messageCounter += 1;
  const v = event.visitor;
  const identified = v.kind === 'known' || (v.kind === 'converting' && v.identifyAt !== null && event.ts > v.identifyAt);
  const who = identified ? { userId: v.userId, ...(v.kind === 'converting' ? { anonymousId: v.anonId } : {}) } : { anonymousId: v.anonId };
  const properties: Record<string, unknown> = { conversation_id: event.conversationId };
  if (event.promptNumber !== null) properties['prompt_number'] = event.promptNumber;
  if (event.debug) properties['debug_mode'] = true;
  else if (event.sendDebugFalse) properties['debug_mode'] = false;
  if (event.intent !== null) properties['classified_intent'] = event.intent;
  const name = { prompt: 'ai_user_prompt_created', response: 'ai_llm_response_received', action: 'ai_user_action' }[event.kind];
  if (event.kind === 'response') {
    if (event.model !== null) properties['model_used'] = event.model;
    if (event.latency !== null) properties['latency_ms'] = event.latency;
    if (event.ttft !== null) properties['time_to_first_token_ms'] = event.ttft;
    if (event.speed !== null) properties['tokens_per_second'] = event.speed;
    if (event.cost !== null) properties['cost'] = event.cost;
    if (event.promptTokens !== null) {
      const tokens: Record<string, number> = { prompt_tokens: event.promptTokens };
      if (event.completionTokens !== null) tokens['completion_tokens'] = event.completionTokens;
      if (event.totalTokens !== null) tokens['total_tokens'] = event.totalTokens;
      properties['token_count'] = tokens;
    }
    if (event.status !== null) properties['response_status'] = event.status;
  }
  if (event.kind === 'action') {
    properties['action_type'] = event.actionType;
    if (event.feedbackType !== null) properties['action_details'] = { feedback_type: event.feedbackType, feedback_value: event.feedbackValue };
    if (event.model !== null) properties['model_used'] = event.model;
  }
  return {
    type: 'track',
    event: name,
    messageId: `m-${messageCounter}`,
    timestamp: new Date(event.ts).toISOString(),
    ...who,
    context: {
      ...(event.sessionId === null ? {} : { sessionId: event.sessionId }),
      ...(v.traffic === 'bot' ? { userAgent: CRAWLER_USER_AGENT } : {}),
      ...(v.traffic === 'internal' ? { traits: { internal: true } } : {}),
    },
    properties,
  };
}

const CRAWLER_USER_AGENT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

export async function ingest(app: TestApp<Store>, data: Dataset, rng: Rng): Promise<void> {
  type Item = { ts: number; message: Record<string, unknown> };
  const inline: Item[] = [];
  const late: Item[] = [];
  for (const identity of data.identities) {
    messageCounter += 1;
    const message = { ...identity.message, messageId: `id-${messageCounter}`, timestamp: new Date(identity.ts).toISOString() };
    (identity.late ? late : inline).push({ ts: identity.ts, message });
  }
  for (const event of data.events) inline.push({ ts: event.ts, message: toWire(event) });
  // Stable: identities and events never share a timestamp (uniqueTs).
  inline.sort((a, b) => a.ts - b.ts);
  const batches: Record<string, unknown>[][] = [];
  for (let index = 0; index < inline.length; ) {
    const size = rng.int(20, 150);
    batches.push(inline.slice(index, index + size).map((item) => item.message));
    index += size;
  }
  if (late.length > 0) batches.push(late.map((item) => item.message));
  for (const batch of batches) {
    const result = await app.post('/v1/batch', { batch });
    expect(result.status).toBe(200);
    expect(result.body.rejected).toEqual([]);
    expect(result.body.duplicates).toBe(0);
  }
  // A retried batch changes nothing.
  const retry = batches[0] ?? [];
  const again = await app.post('/v1/batch', { batch: retry });
  expect(again.body).toEqual({ accepted: retry.length, duplicates: retry.length, rejected: [] });
}

// ---------------------------------------------------------------- local time (Intl, independent of src)

interface Local {
  day: number;
  hour: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const localCache = new Map<string, Local>();
const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function local(ts: number, tz: string): Local {
  const cacheKey = `${tz}|${ts}`;
  const cached = localCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let formatter = formatters.get(tz);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23', weekday: 'short',
    });
    formatters.set(tz, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(ts)) parts[part.type] = part.value;
  const day = Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day'])) / DAY_MS;
  const result = { day, hour: Number(parts['hour']), weekday: WEEKDAY_INDEX[parts['weekday'] ?? ''] ?? -1 };
  localCache.set(cacheKey, result);
  return result;
}

const dateOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

// ---------------------------------------------------------------- comparison

/** An expected number that the API rounds to `decimals`: compared with the raw value ± half a unit. */
class Approx {
  constructor(readonly value: number, readonly decimals: number) {}
}
const approx = (value: number, decimals: number): Approx => new Approx(value, decimals);
const div = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);
/** Sort key that matches the API's rounding of a value. */
const rounded = (value: number, decimals: number): number => Math.round(value * 10 ** decimals) / 10 ** decimals;

function compare(actual: unknown, expected: unknown, path: string, problems: string[]): void {
  if (problems.length > 40) return;
  if (expected instanceof Approx) {
    if (typeof actual !== 'number') {
      problems.push(`${path}: expected ≈${expected.value}, got ${JSON.stringify(actual)}`);
      return;
    }
    const unit = 10 ** -expected.decimals;
    const tolerance = unit / 2 + 1e-9 * Math.max(1, Math.abs(expected.value));
    const scaled = actual / unit;
    const isRounded = Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, Math.abs(scaled));
    if (Math.abs(actual - expected.value) > tolerance || !isRounded) {
      problems.push(`${path}: expected ${expected.value} (to ${expected.decimals} decimals), got ${actual}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      problems.push(`${path}: expected an array, got ${JSON.stringify(actual)}`);
      return;
    }
    if (actual.length !== expected.length) {
      problems.push(`${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual).slice(0, 400)} vs ${JSON.stringify(expected).slice(0, 400)}`);
      return;
    }
    expected.forEach((item, index) => compare(actual[index], item, `${path}[${index}]`, problems));
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      problems.push(`${path}: expected an object, got ${JSON.stringify(actual)}`);
      return;
    }
    const actualKeys = Object.keys(actual).sort();
    const expectedKeys = Object.keys(expected).sort();
    if (actualKeys.join() !== expectedKeys.join()) {
      problems.push(`${path}: keys ${actualKeys.join(',')} ≠ expected ${expectedKeys.join(',')}`);
      return;
    }
    for (const key of expectedKeys) {
      compare((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`, problems);
    }
    return;
  }
  if (actual !== expected) problems.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ---------------------------------------------------------------- reference metrics

interface Filters {
  model?: string;
  intent?: string;
  conversation_id?: string;
}

interface Query extends Traffic {
  tz: string;
  fromDay: number;
  toDay: number;
}

/** Traffic a query counts besides ordinary users' (include_debug, include_bots, include_internal). */
interface Traffic {
  includeDebug: boolean;
  includeBots: boolean;
  includeInternal: boolean;
}

const DEFAULT_TRAFFIC: Traffic = { includeDebug: false, includeBots: false, includeInternal: false };
/** The other views: debug only (bots and internal still out), bots only, everything. */
const OTHER_TRAFFIC: readonly Traffic[] = [
  { includeDebug: true, includeBots: false, includeInternal: false },
  { includeDebug: false, includeBots: true, includeInternal: false },
  { includeDebug: true, includeBots: true, includeInternal: true },
];

function trafficQuery(traffic: Traffic): string {
  return `${traffic.includeDebug ? '&include_debug=true' : ''}${traffic.includeBots ? '&include_bots=true' : ''}${traffic.includeInternal ? '&include_internal=true' : ''}`;
}

class Reference {
  readonly visible: Ev[];
  constructor(readonly data: Dataset, readonly q: Query) {
    this.visible = data.events.filter(
      (event) =>
        (q.includeDebug || !event.debug) &&
        (q.includeBots || event.visitor.traffic !== 'bot') &&
        (q.includeInternal || event.visitor.traffic !== 'internal'),
    );
  }

  day(ts: number): number {
    return local(ts, this.q.tz).day;
  }

  inRange(ts: number): boolean {
    const day = this.day(ts);
    return day >= this.q.fromDay && day <= this.q.toDay;
  }

  rangeDays(): number[] {
    const days: number[] = [];
    for (let day = this.q.fromDay; day <= this.q.toDay; day += 1) days.push(day);
    return days;
  }

  prompts(): Ev[] {
    return this.visible.filter((event) => event.kind === 'prompt');
  }

  /** Users active per local day. */
  activeByDay(): Map<number, Set<string>> {
    const byDay = new Map<number, Set<string>>();
    for (const prompt of this.prompts()) {
      const day = this.day(prompt.ts);
      const users = byDay.get(day) ?? new Set<string>();
      users.add(prompt.user);
      byDay.set(day, users);
    }
    return byDay;
  }

  activeUsersRaw(): { day: number; dau: number; wau: number; mau: number }[] {
    const byDay = this.activeByDay();
    const windowUsers = (day: number, length: number): number => {
      const users = new Set<string>();
      for (let d = day - length + 1; d <= day; d += 1) for (const user of byDay.get(d) ?? []) users.add(user);
      return users.size;
    };
    return this.rangeDays().map((day) => ({ day, dau: byDay.get(day)?.size ?? 0, wau: windowUsers(day, 7), mau: windowUsers(day, 30) }));
  }

  activeUsers(): unknown {
    return {
      series: this.activeUsersRaw().map((row) => ({
        date: dateOf(row.day), dau: row.dau, wau: row.wau, mau: row.mau, stickiness: approx(div(row.dau, row.mau), 4),
      })),
    };
  }

  /** Per cohort day of the range: cohort users. */
  cohorts(kind: 'first_seen' | 'active'): Map<number, Set<string>> {
    const cohorts = new Map<number, Set<string>>();
    if (kind === 'active') return this.activeByDay();
    const first = new Map<string, number>();
    for (const prompt of this.prompts()) {
      const seen = first.get(prompt.user);
      if (seen === undefined || prompt.ts < seen) first.set(prompt.user, prompt.ts);
    }
    for (const [user, ts] of first) {
      const day = this.day(ts);
      const users = cohorts.get(day) ?? new Set<string>();
      users.add(user);
      cohorts.set(day, users);
    }
    return cohorts;
  }

  retentionRaw(kind: 'first_seen' | 'active', offsets: readonly number[]): { day: number; size: number; retained: Map<number, number | null> }[] {
    const cohorts = this.cohorts(kind);
    const active = this.activeByDay();
    return this.rangeDays().map((day) => {
      const cohort = cohorts.get(day) ?? new Set<string>();
      const retained = new Map<number, number | null>();
      for (const offset of offsets) {
        if (day + offset > this.q.toDay) retained.set(offset, null);
        else retained.set(offset, [...cohort].filter((user) => active.get(day + offset)?.has(user) === true).length);
      }
      return { day, size: cohort.size, retained };
    });
  }

  retention(kind: 'first_seen' | 'active', offsets: readonly number[], period?: 'day' | 'week'): unknown {
    const raw = this.retentionRaw(kind, offsets);
    const rate = (retained: number | null | undefined, size: number): number | null | Approx =>
      retained === null || retained === undefined ? null : approx(div(100 * retained, size), 1);
    /** Weighted by cohort size: only the cohorts observed on day N, null when they have no users. */
    const pool = (rows: typeof raw) => {
      const retention: Record<string, Approx | null> = {};
      for (const offset of offsets) {
        const observed = rows.filter((row) => row.retained.get(offset) !== null);
        const size = observed.reduce((total, row) => total + row.size, 0);
        const retained = observed.reduce((total, row) => total + (row.retained.get(offset) ?? 0), 0);
        retention[String(offset)] = size === 0 ? null : approx((100 * retained) / size, 1);
      }
      return { size: rows.reduce((total, row) => total + row.size, 0), retention };
    };
    const chosen = period ?? (this.q.toDay - this.q.fromDay + 1 > 35 ? 'week' : 'day');
    let cohorts: unknown[];
    if (chosen === 'day') {
      cohorts = raw.map((row) => ({
        date: dateOf(row.day),
        size: row.size,
        retention: Object.fromEntries(offsets.map((offset) => [String(offset), rate(row.retained.get(offset), row.size)])),
      }));
    } else {
      const weeks = new Map<number, typeof raw>();
      for (const row of raw) {
        // getUTCDay: 0 = Sunday; ISO weeks start on Monday.
        const monday = row.day - ((new Date(row.day * DAY_MS).getUTCDay() + 6) % 7);
        weeks.set(monday, [...(weeks.get(monday) ?? []), row]);
      }
      cohorts = [...weeks].sort(([a], [b]) => a - b).map(([monday, rows]) => ({ date: dateOf(monday), ...pool(rows) }));
    }
    return { cohort_period: chosen, cohorts, summary: pool(raw) };
  }

  /** The same reference over the users of one plan value (`(none)`: no plan trait) only. */
  onlyPlan(value: string): Reference {
    const plans = new Map(this.data.visitors.map((visitor) => [visitor.key, visitor.plan]));
    return new Reference({ ...this.data, events: this.data.events.filter((event) => (plans.get(event.user) ?? '(none)') === value) }, this.q);
  }

  /**
   * breakdown=trait:plan values: users with a prompt in the range per plan,
   * plus plans whose users were active only from `sinceDay` on (0 users);
   * most users first, then by name. Three plans and (none): never an `other`.
   */
  planValues(sinceDay: number): { value: string; users: number }[] {
    const plans = new Map(this.data.visitors.map((visitor) => [visitor.key, visitor.plan]));
    const users = new Map<string, Set<string>>();
    for (const prompt of this.prompts()) {
      const day = this.day(prompt.ts);
      if (day < sinceDay || day > this.q.toDay) continue;
      const value = plans.get(prompt.user) ?? '(none)';
      const inRange = users.get(value) ?? new Set<string>();
      if (day >= this.q.fromDay) inRange.add(prompt.user);
      users.set(value, inRange);
    }
    return [...users]
      .map(([value, inRange]) => ({ value, users: inRange.size }))
      .sort((a, b) => b.users - a.users || (a.value < b.value ? -1 : 1));
  }

  activeUsersByPlan(): unknown {
    const groups = this.planValues(this.q.fromDay - 29).map(({ value, users }) => ({
      value, users, series: (this.onlyPlan(value).activeUsers() as { series: unknown }).series,
    }));
    return { breakdown: 'trait:plan', groups };
  }

  retentionByPlan(kind: 'first_seen' | 'active', offsets: readonly number[]): unknown {
    const groups = this.planValues(this.q.fromDay).map(({ value, users }) => {
      const { cohorts, summary } = this.onlyPlan(value).retention(kind, offsets) as { cohorts: unknown; summary: unknown };
      return { value, users, cohorts, summary };
    });
    return { cohort_period: (this.retention(kind, offsets) as { cohort_period: string }).cohort_period, breakdown: 'trait:plan', groups };
  }

  sessionGroups(): Map<string, Ev[]> {
    const sessions = new Map<string, Ev[]>();
    for (const event of this.visible) {
      if (event.kind === 'action' || event.sessionId === null) continue;
      const list = sessions.get(event.sessionId) ?? [];
      list.push(event);
      sessions.set(event.sessionId, list);
    }
    return sessions;
  }

  sessions(): unknown {
    const durations: number[] = [];
    const users = new Set<string>();
    let messages = 0;
    let single = 0;
    let prompts = 0;
    let singlePrompt = 0;
    for (const list of this.sessionGroups().values()) {
      const first = Math.min(...list.map((event) => event.ts));
      if (!this.inRange(first)) continue;
      durations.push(Math.max(...list.map((event) => event.ts)) - first);
      for (const event of list) users.add(event.user);
      messages += list.length;
      if (list.length === 1) single += 1;
      const sessionPrompts = list.filter((event) => event.kind === 'prompt').length;
      prompts += sessionPrompts;
      if (sessionPrompts === 1) singlePrompt += 1;
    }
    const n = durations.length;
    return {
      sessions: n,
      avg_duration_seconds: approx(div(durations.reduce((sum, d) => sum + d, 0), n) / 1000, 1),
      median_duration_seconds: approx(n === 0 ? 0 : percentileCont(durations, 0.5) / 1000, 1),
      avg_messages: approx(div(messages, n), 2),
      avg_prompts: approx(div(prompts, n), 2),
      single_prompt_share: approx(div(singlePrompt, n), 4),
      single_message_share: approx(div(single, n), 4),
      sessions_per_user: approx(div(n, users.size), 2),
    };
  }

  sessionDetail(sessionId: string): unknown {
    const list = this.sessionGroups().get(sessionId);
    if (list === undefined) return null;
    const times = list.map((event) => event.ts);
    const user = list.filter((event) => event.kind === 'prompt').length;
    return {
      message_count: list.length,
      duration_seconds: approx((Math.max(...times) - Math.min(...times)) / 1000, 1),
      user_messages: user,
      bot_messages: list.length - user,
    };
  }

  conversationsInRange(): { id: string; user: string; prompts: number }[] {
    const byConversation = new Map<string, Ev[]>();
    for (const prompt of this.prompts()) {
      const list = byConversation.get(prompt.conversationId) ?? [];
      list.push(prompt);
      byConversation.set(prompt.conversationId, list);
    }
    const result: { id: string; user: string; prompts: number }[] = [];
    for (const [id, list] of byConversation) {
      if (!this.inRange(Math.min(...list.map((event) => event.ts)))) continue;
      const users = new Set(list.map((event) => event.user));
      if (users.size !== 1) throw new Error(`generator bug: conversation ${id} has several users`);
      result.push({ id, user: [...users][0] as string, prompts: list.length });
    }
    return result;
  }

  conversations(groupByUser: boolean, limit: number): unknown {
    const conversations = this.conversationsInRange();
    const users = new Set(conversations.map((c) => c.user));
    const prompts = conversations.reduce((sum, c) => sum + c.prompts, 0);
    const summary: Record<string, unknown> = {
      conversations: conversations.length,
      conversations_per_user: approx(div(conversations.length, users.size), 2),
      avg_prompts_per_conversation: approx(div(prompts, conversations.length), 2),
    };
    if (!groupByUser) return summary;
    const byUser = new Map<string, { user: string; conversations: number; prompts: number }>();
    for (const c of conversations) {
      const row = byUser.get(c.user) ?? { user: c.user, conversations: 0, prompts: 0 };
      row.conversations += 1;
      row.prompts += c.prompts;
      byUser.set(c.user, row);
    }
    const rows = [...byUser.values()].sort(
      (a, b) => b.conversations - a.conversations || b.prompts - a.prompts || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0),
    );
    return { ...summary, by_user: rows.slice(0, limit) };
  }

  promptsInRange(filters: Filters = {}): Ev[] {
    return this.prompts().filter(
      (prompt) =>
        this.inRange(prompt.ts) &&
        (filters.conversation_id === undefined || prompt.conversationId === filters.conversation_id) &&
        (filters.intent === undefined || labelIntent(prompt.effIntent) === filters.intent),
    );
  }

  /** Users with a prompt in the range (debug or not) whose kind of traffic the query leaves out. */
  excludedTraffic(): unknown {
    const usersOf = (kind: Visitor['traffic']) =>
      new Set(this.data.events.filter((e) => e.kind === 'prompt' && e.visitor.traffic === kind && this.inRange(e.ts)).map((e) => e.user)).size;
    return { excluded_users: { bots: this.q.includeBots ? 0 : usersOf('bot'), internal: this.q.includeInternal ? 0 : usersOf('internal') } };
  }

  intents(filters: Filters): unknown {
    const prompts = this.promptsInRange(filters);
    const counts = countBy(prompts, (prompt) => labelIntent(prompt.effIntent));
    return [...counts]
      .map(([intent, count]) => ({ intent, count, percentage: approx(div(100 * count, prompts.length), 1) }))
      .sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent));
  }

  classification(now = 0): unknown {
    const prompts = this.promptsInRange();
    const sampled = prompts.filter((prompt) => prompt.effIntent !== null).length;
    return {
      prompts: prompts.length,
      sampled,
      not_sampled: 0,
      // The generated prompts carry no text: nothing waits in the classification queue.
      pending: 0,
      no_text: prompts.length - sampled,
      sampling_rate: approx(div(sampled, sampled), 4),
      classifier_cost: approx(0, 6),
      classifier_tokens: 0,
      // No classifier runs in these sets and the app has no budget.
      budget: { day: new Date(now).toISOString().slice(0, 10), daily_limit: null, spent_today: 0, remaining_today: null, exhausted: false },
    };
  }

  responsesInRange(filters: Filters): Ev[] {
    return this.visible.filter(
      (event) =>
        event.kind === 'response' &&
        this.inRange(event.ts) &&
        matches(filters, { model: event.model, intent: event.effIntent, conversationId: event.conversationId }),
    );
  }

  latency(groupBy: 'model' | 'intent', filters: Filters): unknown {
    const responses = this.responsesInRange(filters).filter((event) => event.latency !== null);
    const groups = groupEvents(responses, (event) => (groupBy === 'model' ? labelModel(event.model) : labelIntent(event.effIntent)));
    return [...groups]
      .map(([key, list]) => {
        const values = list.map((event) => event.latency as number);
        return {
          key,
          count: values.length,
          avg_ms: approx(values.reduce((sum, v) => sum + v, 0) / values.length, 1),
          p50_ms: approx(percentileCont(values, 0.5), 1),
          p95_ms: approx(percentileCont(values, 0.95), 1),
          p99_ms: approx(percentileCont(values, 0.99), 1),
        };
      })
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }

  /** metric=ttft: percentiles of time_to_first_token_ms, and the median tokens_per_second of the group's responses (null: none). */
  ttft(groupBy: 'model' | 'intent', filters: Filters): unknown {
    const responses = this.responsesInRange(filters);
    const keyOf = (event: Ev) => (groupBy === 'model' ? labelModel(event.model) : labelIntent(event.effIntent));
    const speeds = groupEvents(responses.filter((event) => event.speed !== null), keyOf);
    const groups = groupEvents(responses.filter((event) => event.ttft !== null), keyOf);
    return [...groups]
      .map(([key, list]) => {
        const values = list.map((event) => event.ttft as number);
        const speedValues = (speeds.get(key) ?? []).map((event) => event.speed as number);
        return {
          key,
          count: values.length,
          avg_ms: approx(values.reduce((sum, v) => sum + v, 0) / values.length, 1),
          p50_ms: approx(percentileCont(values, 0.5), 1),
          p95_ms: approx(percentileCont(values, 0.95), 1),
          p99_ms: approx(percentileCont(values, 0.99), 1),
          median_tokens_per_second: speedValues.length === 0 ? null : approx(percentileCont(speedValues, 0.5), 1),
        };
      })
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }

  cost(groupBy: 'day' | 'model' | 'segment', filters: Filters): unknown {
    const responses = this.responsesInRange(filters);
    const plans = new Map(this.data.visitors.map((visitor) => [visitor.key, visitor.plan]));
    const keyOf = (event: Ev): string =>
      groupBy === 'day' ? dateOf(this.day(event.ts)) : groupBy === 'model' ? labelModel(event.model) : (plans.get(event.user) ?? 'unknown');
    const groups = groupEvents(responses, keyOf);
    if (groupBy === 'day') for (const day of this.rangeDays()) if (!groups.has(dateOf(day))) groups.set(dateOf(day), []);
    const rows = [...groups].map(([key, list]) => {
      const cost = list.reduce((sum, event) => sum + (event.cost ?? 0), 0);
      const conversations = new Set(list.map((event) => event.conversationId)).size;
      return {
        key,
        rawCost: cost,
        cost: approx(cost, 6),
        prompt_tokens: list.reduce((sum, event) => sum + (event.promptTokens ?? 0), 0),
        completion_tokens: list.reduce((sum, event) => sum + (event.completionTokens ?? 0), 0),
        total_tokens: list.reduce((sum, event) => sum + storedTotalTokens(event), 0),
        conversations,
        cost_per_conversation: approx(div(cost, conversations), 6),
      };
    });
    if (groupBy === 'day') rows.sort((a, b) => a.key.localeCompare(b.key));
    else rows.sort((a, b) => rounded(b.rawCost, 6) - rounded(a.rawCost, 6) || a.key.localeCompare(b.key));
    return rows.map(({ rawCost: _rawCost, ...row }) => row);
  }

  errors(groupBy: 'model' | 'day', filters: Filters): unknown {
    const responses = this.responsesInRange(filters);
    const groups = groupEvents(responses, (event) => (groupBy === 'model' ? labelModel(event.model) : dateOf(this.day(event.ts))));
    if (groupBy === 'day') for (const day of this.rangeDays()) if (!groups.has(dateOf(day))) groups.set(dateOf(day), []);
    const rows = [...groups].map(([key, list]) => {
      const errors = list.filter((event) => event.status === 'error').length;
      const timeouts = list.filter((event) => event.status === 'timeout').length;
      return { key, responses: list.length, errors, timeouts, error_rate: approx(div(errors + timeouts, list.length), 4) };
    });
    if (groupBy === 'day') rows.sort((a, b) => a.key.localeCompare(b.key));
    else rows.sort((a, b) => b.responses - a.responses || a.key.localeCompare(b.key));
    return rows;
  }

  satisfaction(groupBy: 'intent' | 'model', filters: Filters): unknown {
    const feedback = this.visible.filter(
      (event) =>
        event.kind === 'action' &&
        event.feedbackType !== null &&
        this.inRange(event.ts) &&
        matches(filters, { model: event.turnModel, intent: event.effIntent, conversationId: event.conversationId }),
    );
    const groups = groupEvents(feedback, (event) => (groupBy === 'model' ? labelModel(event.turnModel) : labelIntent(event.effIntent)));
    return [...groups]
      .map(([key, list]) => {
        const ratings = list.filter((event) => event.feedbackType === 'rating').map((event) => toRating(event.feedbackValue)).filter((r): r is number => r !== null);
        const thumbs = list.filter((event) => event.feedbackType === 'thumbs');
        const ups = thumbs.filter((event) => isUp(event.feedbackValue)).length;
        return {
          key,
          ratings: ratings.length,
          avg_rating: ratings.length === 0 ? null : approx(ratings.reduce((sum, r) => sum + r, 0) / ratings.length, 2),
          thumbs: thumbs.length,
          thumbs_up_rate: thumbs.length === 0 ? null : approx(ups / thumbs.length, 4),
        };
      })
      .sort((a, b) => b.ratings + b.thumbs - (a.ratings + a.thumbs) || a.key.localeCompare(b.key));
  }

  peakHours(filters: Filters): unknown {
    const matrix = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (const prompt of this.promptsInRange(filters)) {
      const { weekday, hour } = local(prompt.ts, this.q.tz);
      const row = matrix[weekday] as number[];
      row[hour] = (row[hour] ?? 0) + 1;
    }
    return { matrix };
  }

  intentFlows(filters: Filters): unknown {
    const byConversation = groupEvents(this.promptsInRange(filters), (prompt) => prompt.conversationId);
    const counts = new Map<string, { from: string; to: string; count: number }>();
    for (const list of byConversation.values()) {
      const ordered = [...list].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
      for (let index = 1; index < ordered.length; index += 1) {
        const from = labelIntent((ordered[index - 1] as Ev).effIntent);
        const to = labelIntent((ordered[index] as Ev).effIntent);
        const row = counts.get(`${from}→${to}`) ?? { from, to, count: 0 };
        row.count += 1;
        counts.set(`${from}→${to}`, row);
      }
    }
    // Each conversation's last prompt in the range flows to the end of the conversation (to: null).
    const ends = countBy([...byConversation.values()], (list) => {
      const last = [...list].sort((a, b) => b.ts - a.ts || b.seq - a.seq)[0] as Ev;
      return labelIntent(last.effIntent);
    });
    const rows: { from: string; to: string | null; count: number }[] = [
      ...counts.values(),
      ...[...ends].map(([from, count]) => ({ from, to: null, count })),
    ];
    const target = (to: string | null): string => (to === null ? '\uffff' : to);
    return rows.sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || (a.to === b.to ? 0 : a.to === null ? 1 : b.to === null ? -1 : target(a.to).localeCompare(target(b.to))));
  }

  /** p95 of every response latency in the range; null without one. */
  latencyP95(): number | null {
    const values = this.responsesInRange({}).filter((event) => event.latency !== null).map((event) => event.latency as number);
    return values.length === 0 ? null : percentileCont(values, 0.95);
  }

  /** Σ cost / distinct conversations of the range's responses; null without responses. */
  costPerConversation(): number | null {
    const responses = this.responsesInRange({});
    const conversations = new Set(responses.map((event) => event.conversationId)).size;
    return conversations === 0 ? null : responses.reduce((sum, event) => sum + (event.cost ?? 0), 0) / conversations;
  }

  /** The report's `ai` block: p95 vs the 7 days before, failed share, cost per conversation vs the previous period. */
  aiHealth(): { body: Record<string, unknown>; flags: unknown[] } {
    const days = this.q.toDay - this.q.fromDay + 1;
    const before = (from: number, to: number) => new Reference(this.data, { ...this.q, fromDay: from, toDay: to });
    const p95 = this.latencyP95();
    const baseline = before(this.q.fromDay - 7, this.q.fromDay - 1).latencyP95();
    const perConversation = this.costPerConversation();
    const previousPerConversation = before(this.q.fromDay - days, this.q.fromDay - 1).costPerConversation();
    // The change is taken between the rounded figures the report shows (half away from zero, as the API rounds).
    const shown = (value: number, decimals: number) => Math.round((value + Number.EPSILON * Math.sign(value)) * 10 ** decimals) / 10 ** decimals;
    const change = (current: number | null, previous: number | null, decimals: number): number | null => {
      if (current === null || previous === null || shown(previous, decimals) === 0) return null;
      return (100 * (shown(current, decimals) - shown(previous, decimals))) / shown(previous, decimals);
    };
    const latencyChange = change(p95, baseline, 1);
    const costChange = change(perConversation, previousPerConversation, 6);
    const responses = this.responsesInRange({});
    const failed = responses.filter((event) => event.status === 'error' || event.status === 'timeout').length;
    const errorRate = div(failed, responses.length);
    const orNull = (value: number | null, decimals: number) => (value === null ? null : approx(value, decimals));
    return {
      body: {
        latency_p95_ms: orNull(p95, 1),
        baseline_latency_p95_ms: orNull(baseline, 1),
        latency_p95_change: orNull(latencyChange, 1),
        responses: responses.length,
        failed,
        error_rate: approx(errorRate, 4),
        cost_per_conversation: orNull(perConversation, 6),
        previous_cost_per_conversation: orNull(previousPerConversation, 6),
        cost_per_conversation_change: orNull(costChange, 1),
      },
      flags: [
        { metric: 'latency_p95_regression', value: orNull(latencyChange, 1), status: latencyChange === null ? 'info' : rounded(latencyChange, 1) >= 20 ? 'warning' : 'healthy' },
        { metric: 'error_rate', value: approx(errorRate, 4), status: responses.length === 0 ? 'info' : rounded(errorRate, 4) > 0.05 ? 'warning' : 'healthy' },
        { metric: 'cost_per_conversation_trend', value: orNull(costChange, 1), status: costChange === null ? 'info' : rounded(costChange, 1) >= 25 ? 'warning' : 'healthy' },
      ],
    };
  }

  /** The report's averages of the daily series, unrounded. */
  activityAverages(): { dau: number; wau: number; mau: number; stickiness: number } {
    const series = this.activeUsersRaw();
    const sum = (pick: (row: (typeof series)[number]) => number) => series.reduce((total, row) => total + pick(row), 0);
    return {
      dau: sum((row) => row.dau) / series.length,
      wau: sum((row) => row.wau) / series.length,
      mau: sum((row) => row.mau) / series.length,
      stickiness: div(sum((row) => row.dau), sum((row) => row.mau)),
    };
  }

  report(): unknown {
    const days = this.q.toDay - this.q.fromDay + 1;
    const current = this.activityAverages();
    const previous = new Reference(this.data, { ...this.q, fromDay: this.q.fromDay - days, toDay: this.q.fromDay - 1 }).activityAverages();
    const decimals = { dau: 2, wau: 2, mau: 2, stickiness: 4 } as const;
    const names = ['dau', 'wau', 'mau', 'stickiness'] as const;
    // The change is taken between the rounded figures the report shows.
    const change = (name: (typeof names)[number]): Approx | null => {
      const before = rounded(previous[name], decimals[name]);
      return before === 0 ? null : approx((100 * (rounded(current[name], decimals[name]) - before)) / before, 1);
    };
    const cohorts = this.cohorts('first_seen');
    const active = this.activeByDay();
    // Day N pools the first-seen cohorts whose day + N falls inside the range.
    const pooled = (offset: number): Approx | null => {
      let retained = 0;
      let size = 0;
      for (let day = this.q.fromDay - offset; day <= this.q.toDay - offset; day += 1) {
        const cohort = cohorts.get(day) ?? new Set<string>();
        size += cohort.size;
        retained += [...cohort].filter((user) => active.get(day + offset)?.has(user) === true).length;
      }
      return size > 0 ? approx((100 * retained) / size, 1) : null;
    };
    const classification = this.classification() as { sampling_rate: Approx };
    return {
      dau: approx(current.dau, 2),
      wau: approx(current.wau, 2),
      mau: approx(current.mau, 2),
      stickiness: approx(current.stickiness, 4),
      previous: Object.fromEntries(names.map((name) => [name, approx(previous[name], decimals[name])])),
      change: Object.fromEntries(names.map((name) => [name, change(name)])),
      retention: { d1: pooled(1), d7: pooled(7), d30: pooled(30) },
      sessions: this.sessions(),
      intent_sampling_rate: classification.sampling_rate,
      // These events come from no Chatmeter SDK (no context.library) and no health report: nothing to deliver.
      delivery: { reports: 0, sent: 0, stored: 0, dropped: 0, memory_share: 0 },
      ai: this.aiHealth().body,
    };
  }

  activeConversations(now: number, minutes: number, limit: number): unknown {
    const since = now - minutes * MINUTE_MS;
    const recent = this.visible.filter((event) => event.kind !== 'action' && event.ts >= since);
    const rows = [...groupEvents(recent, (event) => event.conversationId)].map(([id, list]) => ({
      conversation_id: id,
      user: list[0]?.user ?? '',
      messages: list.length,
      last: Math.max(...list.map((event) => event.ts)),
    }));
    rows.sort((a, b) => b.last - a.last || (a.conversation_id < b.conversation_id ? -1 : 1));
    return {
      count: rows.length,
      conversations: rows.slice(0, limit).map((row) => ({
        conversation_id: row.conversation_id, user: row.user, messages: row.messages, last_message_at: new Date(row.last).toISOString(),
      })),
    };
  }
}

function percentileCont(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const low = sorted[lo] as number;
  const high = sorted[hi] as number;
  return low + (high - low) * (rank - lo);
}

const labelIntent = (intent: string | null): string => intent ?? 'unclassified';
const labelModel = (model: string | null): string => model ?? 'unknown';

function matches(filters: Filters, event: { model: string | null; intent: string | null; conversationId: string }): boolean {
  return (
    (filters.model === undefined || labelModel(event.model) === filters.model) &&
    (filters.intent === undefined || labelIntent(event.intent) === filters.intent) &&
    (filters.conversation_id === undefined || event.conversationId === filters.conversation_id)
  );
}

function storedTotalTokens(event: Ev): number {
  if (event.totalTokens !== null) return event.totalTokens;
  if (event.promptTokens !== null && event.completionTokens !== null) return event.promptTokens + event.completionTokens;
  return 0;
}

function toRating(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function isUp(value: unknown): boolean {
  return value === true || value === 1 || (typeof value === 'string' && ['up', '1', 'true'].includes(value.trim().toLowerCase()));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function groupEvents(items: readonly Ev[], key: (item: Ev) => string): Map<string, Ev[]> {
  const groups = new Map<string, Ev[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k) ?? [];
    list.push(item);
    groups.set(k, list);
  }
  return groups;
}

function filterQuery(filters: Filters): string {
  return Object.entries(filters)
    .map(([name, value]) => `&${name}=${encodeURIComponent(String(value))}`)
    .join('');
}

// ---------------------------------------------------------------- the property

async function checkRun(seed: number, createStore: StoreFactory): Promise<string[]> {
  const data = generate(seed);
  const rng = new Rng(seed ^ 0x5eed);
  const lastTs = Math.max(...data.events.map((event) => event.ts));
  const now = lastTs + rng.int(1, 120) * MINUTE_MS;
  const app = await startTestApp({ now: () => now, createStore });
  const problems: string[] = [];
  try {
    await ingest(app, data, rng);

    const get = async (path: string): Promise<unknown> => {
      const result = await app.get(`/v1/metrics/${path}`);
      if (result.status !== 200) {
        problems.push(`${path}: HTTP ${result.status} ${result.text.slice(0, 200)}`);
        return undefined;
      }
      return result.body;
    };
    const check = async (path: string, expected: unknown, drop: readonly string[] = []): Promise<void> => {
      const body = await get(path);
      if (body === undefined) return;
      if (drop.length > 0 && typeof body === 'object' && body !== null) for (const key of drop) delete (body as Record<string, unknown>)[key];
      compare(body, expected, `[seed ${seed}] ${path}`, problems);
    };

    const firstDataDay = DATA_START / DAY_MS;
    const subFrom = firstDataDay + rng.int(2, 8);
    const ranges = [
      { fromDay: firstDataDay - 2, toDay: firstDataDay + DATA_DAYS + 1 },
      { fromDay: subFrom, toDay: subFrom + rng.int(5, 11) },
    ];
    const zones = ['UTC', rng.pick(ZONES), rng.pick(ZONES)];
    const conversationIds = [...new Set(data.events.map((event) => event.conversationId))];
    const eventFilterChoices: Filters[] = [
      { model: rng.pick(MODELS) },
      { model: 'unknown' },
      { intent: rng.pick(INTENTS) },
      { intent: 'unclassified' },
      { conversation_id: rng.pick(conversationIds) },
      { model: rng.pick(MODELS), intent: rng.pick(INTENTS) },
    ];

    for (const tz of zones) {
      for (const range of ranges) {
        for (const traffic of [DEFAULT_TRAFFIC, rng.pick(OTHER_TRAFFIC)]) {
          const q: Query = { tz, fromDay: range.fromDay, toDay: range.toDay, ...traffic };
          const ref = new Reference(data, q);
          const common = `from=${dateOf(q.fromDay)}&to=${dateOf(q.toDay)}&tz=${encodeURIComponent(tz)}${trafficQuery(traffic)}`;
          const filters = rng.pick(eventFilterChoices);
          const promptFilters: Filters = rng.chance(0.5) ? {} : { conversation_id: rng.pick(conversationIds) };
          const peakFilters: Filters = rng.chance(0.5) ? promptFilters : { intent: rng.pick([...INTENTS, 'unclassified']) };

          await check(`active-users?${common}`, ref.activeUsers());
          await check(`retention?${common}`, ref.retention('first_seen', [1, 7, 30]));
          await check(`active-users?${common}&breakdown=trait:plan`, ref.activeUsersByPlan());
          await check(`retention?${common}&breakdown=trait:plan`, ref.retentionByPlan('first_seen', [1, 7, 30]));
          await check(`retention?${common}&cohort=active&days=1,3&breakdown=trait:plan`, ref.retentionByPlan('active', [1, 3]));
          await check(`retention?${common}&cohort=active&days=1,2,3,7`, ref.retention('active', [1, 2, 3, 7]));
          await check(`retention?${common}&cohort=first_seen&days=2,5`, ref.retention('first_seen', [2, 5]));
          await check(`retention?${common}&cohort=active&days=1,3&cohort_period=week`, ref.retention('active', [1, 3], 'week'));
          await check(`excluded-traffic?${common}`, ref.excludedTraffic());
          await check(`sessions?${common}`, ref.sessions());
          await check(`conversations?${common}`, ref.conversations(false, 100));
          await check(`conversations?${common}&group_by=user&limit=10000`, ref.conversations(true, 10_000));
          await check(`intents?${common}`, ref.intents({}));
          await check(`intents?${common}${filterQuery(promptFilters)}`, ref.intents(promptFilters));
          await check(`classification?${common}`, ref.classification(now));
          for (const groupBy of ['model', 'intent'] as const) {
            await check(`latency?${common}&group_by=${groupBy}`, ref.latency(groupBy, {}));
            await check(`latency?${common}&group_by=${groupBy}${filterQuery(filters)}`, ref.latency(groupBy, filters));
            await check(`latency?${common}&metric=ttft&group_by=${groupBy}`, ref.ttft(groupBy, {}));
            await check(`latency?${common}&metric=ttft&group_by=${groupBy}${filterQuery(filters)}`, ref.ttft(groupBy, filters));
            await check(`satisfaction?${common}&group_by=${groupBy}`, ref.satisfaction(groupBy, {}));
            await check(`satisfaction?${common}&group_by=${groupBy}${filterQuery(filters)}`, ref.satisfaction(groupBy, filters));
          }
          for (const groupBy of ['day', 'model'] as const) {
            await check(`cost?${common}&group_by=${groupBy}`, ref.cost(groupBy, {}));
            await check(`cost?${common}&group_by=${groupBy}${filterQuery(filters)}`, ref.cost(groupBy, filters));
            await check(`errors?${common}&group_by=${groupBy}`, ref.errors(groupBy, {}));
            await check(`errors?${common}&group_by=${groupBy}${filterQuery(filters)}`, ref.errors(groupBy, filters));
          }
          await check(`cost?${common}&group_by=segment&segment_trait=plan`, ref.cost('segment', {}));
          await check(`peak-hours?${common}`, ref.peakHours({}));
          await check(`peak-hours?${common}${filterQuery(peakFilters)}`, ref.peakHours(peakFilters));
          await check(`intent-flows?${common}`, ref.intentFlows({}));
          await check(`intent-flows?${common}${filterQuery(promptFilters)}`, ref.intentFlows(promptFilters));
          await check(`report?${common}`, ref.report(), ['flags']);
          const report = (await get(`report?${common}`)) as { flags?: { metric: string; reference?: unknown }[] } | undefined;
          const aiFlags = (report?.flags ?? [])
            .filter((flag) => ['latency_p95_regression', 'error_rate', 'cost_per_conversation_trend'].includes(flag.metric))
            .map(({ reference: _reference, ...flag }) => flag);
          compare(aiFlags, ref.aiHealth().flags, `[seed ${seed}] report?${common} AI flags`, problems);
        }
      }
    }

    for (const traffic of [DEFAULT_TRAFFIC, ...OTHER_TRAFFIC]) {
      const ref = new Reference(data, { tz: 'UTC', fromDay: 0, toDay: 0, ...traffic });
      const debugParam = trafficQuery(traffic).replace('&', '?');
      const ids = [...data.sessionIds.slice(0, 6), ...data.sessionIds.filter((id) => data.events.some((e) => e.sessionId === id && e.debug)).slice(0, 4)];
      for (const id of ids) {
        const expected = ref.sessionDetail(id);
        const result = await app.get(`/v1/metrics/sessions/${encodeURIComponent(id)}${debugParam}`);
        if (expected === null) {
          if (result.status !== 404) problems.push(`[seed ${seed}] sessions/${id}${debugParam}: expected 404, got ${result.status} ${result.text}`);
        } else if (result.status !== 200) {
          problems.push(`[seed ${seed}] sessions/${id}${debugParam}: HTTP ${result.status} ${result.text}`);
        } else {
          compare(result.body, expected, `[seed ${seed}] sessions/${id}${debugParam}`, problems);
        }
      }
      const amp = trafficQuery(traffic);
      await check(`active-conversations?minutes=1440${amp}`, ref.activeConversations(now, 1440, 100));
      await check(`active-conversations?minutes=90&limit=3${amp}`, ref.activeConversations(now, 90, 3));
    }
  } finally {
    await app.close();
  }
  return problems;
}

/** Runs the seeded property test against one engine; `createStore` opens a fresh, empty store of it. */
export function describeMetricsPropertyContract(engineName: string, createStore: StoreFactory): void {
  describe(`${engineName}: metrics match a reference computation over random event sets`, () => {
    for (const seed of SEEDS) {
      it(`seed ${seed}`, async () => {
        const problems = await checkRun(seed, createStore);
        expect(problems.slice(0, 25)).toEqual([]);
        // A limit, not a measure: a networked engine on a machine shared with the other suites needs room.
      }, 300_000);
    }
  });
}
