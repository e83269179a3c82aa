// Fast, seeded generator of realistic AI-chat EventRecords (the store's input
// shape, see packages/collector/src/store/event-record.ts), day by day in time
// order, for building large benchmark databases directly through
// SqliteStore.insertEvents without going through HTTP.
//
// The story follows the collector's demo (src/demo): users sign up over the
// period and drift away, chat in sessions of multi-turn conversations during
// their local office hours, get answers from three models with their own
// latency, failures and prices, and sometimes copy, rate, share or retry.
// Most users identify (some only after an anonymous first visit, which makes
// the store relabel their earlier events); the rest stay anonymous. Each
// session ends with the SDK's delivery health report, as the page is hidden.

import {
  COMPANY_SIZES,
  COMPLETION_TOKENS_MEDIAN,
  DEMO_MODELS,
  DEMO_TIMEZONES,
  ERROR_TYPES,
  HOUR_WEIGHTS,
  INTENT_FLOWS,
  OPENING_INTENT_SHARES,
  PLANS,
  PROMPT_LENGTH_MEDIAN,
  SAME_INTENT_CHANCE,
  WEEKDAY_FACTOR,
} from '../packages/collector/dist/demo/demo-catalog.js';
import { sdkShapedId } from './sdk-ids.mjs';

export const DAY_MS = 86_400_000;
const PROMPT = 'ai_user_prompt_created';
const RESPONSE = 'ai_llm_response_received';
const ACTION = 'ai_user_action';
const HEALTH = 'chatmeter_sdk_health';
const CLIENT_TIMEOUT_MS = 30_000;
const SYSTEM_PROMPT_TOKENS = 180;
const MAX_CONTEXT_TOKENS = 16_000;
/** Events per prompt turn, measured on this generator (prompt + response + actions + identifies + health reports). */
export const EVENTS_PER_TURN = 2.57;
const LIBRARY = { name: 'chatmeter-bench', version: '1' };

/** mulberry32: small, fast, seeded. */
function createRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = null;
  const normal = () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - next();
    const v = next();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    chance: (p) => next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
  };
}

/** Precomputed weighted choice over an object { key: weight }. */
function weighted(shares) {
  const keys = Object.keys(shares);
  const total = keys.reduce((sum, key) => sum + shares[key], 0);
  const cumulative = [];
  let running = 0;
  for (const key of keys) {
    running += shares[key] / total;
    cumulative.push(running);
  }
  return (random) => {
    const draw = random.next();
    for (let index = 0; index < keys.length; index += 1) if (draw < cumulative[index]) return keys[index];
    return keys[keys.length - 1];
  };
}

const pickModel = weighted(Object.fromEntries(Object.entries(DEMO_MODELS).map(([name, model]) => [name, model.share])));
const pickOpeningIntent = weighted(OPENING_INTENT_SHARES);
const pickFlow = Object.fromEntries(Object.entries(INTENT_FLOWS).map(([intent, flows]) => [intent, weighted(flows)]));
const pickErrorType = weighted(ERROR_TYPES);
const pickPlan = weighted(PLANS);
const pickCompanySize = Object.fromEntries(Object.entries(COMPANY_SIZES).map(([plan, sizes]) => [plan, weighted(sizes)]));
const pickZone = weighted(Object.fromEntries(DEMO_TIMEZONES.map((zone, index) => [index, zone.share])));
const pickHour = weighted(Object.fromEntries(HOUR_WEIGHTS.map((weight, hour) => [hour, weight])));
const pickRating = weighted({ 5: 40, 4: 30, 3: 15, 2: 8, 1: 7 });

const IDENTIFY_FIRST = 0;
const IDENTIFY_LATER = 1;
const ANONYMOUS = 2;

/**
 * Creates the generator. `generateDay(day)` returns that day's EventRecords
 * sorted by time (day 0 is the first of `days`; the last ends at `endMs`).
 */
/**
 * `ids`: `bench` (short ids: `bench-0000016b`, `anon-141`, `s-141-1`, `c-141-4`) or `sdk`
 * (message, anonymous, session and conversation ids as the SDK makes them: UUIDs, sdk-ids.mjs).
 */
export function createSyntheticEvents({ events, users, days, endMs, seed = 7, writeKey, ids = 'bench' }) {
  const sdkIds = ids === 'sdk';
  const random = createRandom(seed);
  const startMs = Math.floor(endMs / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;

  // Users in sign-up order: a quarter were already there on day 0, the rest
  // sign up over the period (a little faster later on).
  const signupDay = new Int32Array(users);
  const intensity = new Float64Array(users);
  const zone = new Int8Array(users);
  const identifyMode = new Int8Array(users);
  const identified = new Uint8Array(users);
  const plan = new Array(users);
  const sessionCount = new Int32Array(users);
  const conversationCount = new Int32Array(users);
  const existing = Math.floor(users * 0.25);
  for (let user = 0; user < users; user += 1) {
    signupDay[user] = user < existing ? 0 : Math.min(days - 1, Math.floor(days * Math.sqrt((user - existing) / Math.max(1, users - existing))));
    // Heavy-tailed engagement: most people chat now and then, a few every day.
    intensity[user] = Math.min(1, random.logNormal(0.12, 1.0));
    zone[user] = Number(pickZone(random));
    const mode = random.next();
    identifyMode[user] = mode < 0.7 ? IDENTIFY_FIRST : mode < 0.85 ? IDENTIFY_LATER : ANONYMOUS;
    plan[user] = pickPlan(random);
  }
  // First index of users that signed up after each day.
  const signedUpBy = new Int32Array(days);
  for (let day = 0, user = 0; day < days; day += 1) {
    while (user < users && signupDay[user] <= day) user += 1;
    signedUpBy[day] = user;
  }

  // Events per day: weekly rhythm and growth, scaled to the requested total.
  const weights = [];
  for (let day = 0; day < days; day += 1) {
    const weekday = new Date(startMs + day * DAY_MS).getUTCDay();
    weights.push(WEEKDAY_FACTOR[weekday] * (0.7 + (0.6 * day) / Math.max(1, days - 1)));
  }
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);

  let messageSequence = 0;
  let produced = 0;
  const nextMessageId = (ts) => {
    messageSequence += 1;
    // Zero-padded and increasing: the (write_key, message_id) index is appended to, as with the SDK's
    // time-ordered ids.
    return sdkIds ? sdkShapedId(`m${messageSequence}`, ts) : `bench-${messageSequence.toString(36).padStart(8, '0')}`;
  };

  function baseRecord(user, type, event, ts, sessionId, debug) {
    // Made on the user's first visit.
    const anonymousId = sdkIds ? sdkShapedId(`a${user}`, startMs + signupDay[user] * DAY_MS) : `anon-${user}`;
    const receivedAt = ts + 150 + (ts % 500);
    return {
      writeKey,
      messageId: nextMessageId(ts),
      type,
      event,
      userId: identified[user] === 1 ? `user-${user}` : null,
      anonymousId,
      previousId: null,
      sessionId,
      conversationId: null,
      promptNumber: null,
      timestamp: ts,
      originalTimestamp: ts - 40,
      sentAt: receivedAt - 110,
      receivedAt,
      latencyMs: null,
      promptTokens: null,
      completionTokens: null,
      totalTokens: null,
      cost: null,
      model: null,
      status: null,
      errorType: null,
      intent: null,
      actionType: null,
      feedbackType: null,
      feedbackValue: null,
      rating: null,
      thumbsUp: null,
      debug,
      bot: false,
      internal: false,
      properties: {},
      context: { sessionId, library: LIBRARY, timezone: DEMO_TIMEZONES[zone[user]].name },
      traits: null,
      extra: {},
      pendingPromptText: null,
      ingestClassificationUsage: null,
    };
  }

  function identify(out, user, ts, sessionId) {
    identified[user] = 1;
    const record = baseRecord(user, 'identify', null, ts, sessionId, false);
    if (random.chance(0.01)) plan[user] = plan[user] === 'free' ? 'pro' : 'enterprise';
    record.traits = {
      plan: plan[user],
      company_size: pickCompanySize[plan[user]](random),
      signup_date: new Date(startMs + signupDay[user] * DAY_MS).toISOString().slice(0, 10),
    };
    out.push(record);
  }

  function session(out, user, day) {
    const zoneOffsetMs = DEMO_TIMEZONES[zone[user]].offsetHours * 3_600_000;
    let at = startMs + day * DAY_MS + Number(pickHour(random)) * 3_600_000 - zoneOffsetMs + random.int(0, 3_599_999);
    // Keep local office hours inside this UTC day's file order and never in the future.
    at = Math.min(Math.max(at, startMs + day * DAY_MS), startMs + (day + 1) * DAY_MS - 1);
    if (at > endMs - 15 * 60_000) at = endMs - random.int(60_000, 14 * 60_000 + 60_000);
    sessionCount[user] += 1;
    const sessionId = sdkIds ? sdkShapedId(`s${user}-${sessionCount[user]}`, at) : `s-${user}-${sessionCount[user]}`;
    const debug = random.chance(0.004);
    const sessionStart = out.length;
    const mode = identifyMode[user];
    if (identified[user] === 0 && (mode === IDENTIFY_FIRST || (mode === IDENTIFY_LATER && sessionCount[user] > 1))) {
      identify(out, user, at, sessionId);
      at += 500;
    } else if (identified[user] === 1 && random.chance(0.08)) {
      identify(out, user, at, sessionId); // the app re-sends traits now and then
      at += 500;
    }
    const prompts = random.chance(0.3) ? 1 : Math.min(15, 2 + Math.floor(Math.log(1 - random.next()) / Math.log(0.78)));
    let conversation = openConversation(user, at);
    for (let turn = 0; turn < prompts; turn += 1) {
      if (turn > 0) {
        at += Math.round(Math.min(240_000, random.logNormal(20_000, 0.7)));
        if (random.chance(0.12)) conversation = openConversation(user, at);
      }
      at = simulateTurn(out, user, sessionId, debug, conversation, at);
    }
    healthReport(out, user, at + 1_000, sessionId, debug, out.length - sessionStart);
  }

  /**
   * The SDK's delivery health report when the page is hidden (one per
   * session): counters since the page loaded, mostly all sent, sometimes
   * retried, rarely dropped; a few browsers without IndexedDB.
   */
  function healthReport(out, user, ts, sessionId, debug, queued) {
    const record = baseRecord(user, 'track', HEALTH, ts, sessionId, debug);
    const droppedQueueFull = random.chance(0.002) ? random.int(1, queued) : 0;
    const droppedRejected = random.chance(0.005) ? 1 : 0;
    record.properties = {
      queued,
      sent: Math.max(0, queued - droppedQueueFull - droppedRejected),
      retried: random.chance(0.05) ? random.int(1, 3) : 0,
      dropped_queue_full: droppedQueueFull,
      dropped_rejected: droppedRejected,
      storage: random.chance(0.03) ? 'memory' : 'indexeddb',
    };
    out.push(record);
  }

  function openConversation(user, at) {
    conversationCount[user] += 1;
    return {
      id: sdkIds ? sdkShapedId(`c${user}-${conversationCount[user]}`, at) : `c-${user}-${conversationCount[user]}`,
      model: pickModel(random),
      promptNumber: 0,
      intent: undefined,
      contextTokens: SYSTEM_PROMPT_TOKENS,
    };
  }

  function turnRecord(user, event, ts, sessionId, debug, conversation) {
    const record = baseRecord(user, 'track', event, ts, sessionId, debug);
    record.conversationId = conversation.id;
    record.promptNumber = conversation.promptNumber;
    record.intent = conversation.intent;
    return record;
  }

  function simulateTurn(out, user, sessionId, debug, conversation, startAt) {
    conversation.promptNumber += 1;
    const intent =
      conversation.intent === undefined || !random.chance(SAME_INTENT_CHANCE)
        ? conversation.intent === undefined
          ? pickOpeningIntent(random)
          : pickFlow[conversation.intent](random)
        : conversation.intent;
    conversation.intent = intent;
    const inputMethod = conversation.promptNumber === 1 && random.chance(0.15) ? 'button' : random.chance(0.05) ? 'voice' : 'text';
    const promptLength = Math.max(2, Math.min(4000, Math.round(random.logNormal(PROMPT_LENGTH_MEDIAN[intent], 0.6))));
    const prompt = turnRecord(user, PROMPT, startAt, sessionId, debug, conversation);
    prompt.properties = {
      conversation_id: conversation.id,
      prompt_number: conversation.promptNumber,
      input_method: inputMethod,
      prompt_length: promptLength,
      ...(debug ? { debug_mode: true } : {}),
    };
    out.push(prompt);

    const model = DEMO_MODELS[conversation.model];
    const promptTokens = Math.min(MAX_CONTEXT_TOKENS, conversation.contextTokens + Math.ceil(promptLength / 4));
    let at = startAt;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const draw = random.next();
      const response = turnRecord(user, RESPONSE, at, sessionId, debug, conversation);
      let status = 'success';
      let latencyMs;
      let completionTokens = 0;
      let billedPromptTokens = promptTokens;
      if (draw < model.errorRate) {
        status = 'error';
        latencyMs = Math.round(random.logNormal(350, 0.6));
        billedPromptTokens = 0;
        response.errorType = pickErrorType(random);
      } else {
        completionTokens = Math.max(5, Math.min(2000, Math.round(random.logNormal(COMPLETION_TOKENS_MEDIAN[intent] * model.verbosity, 0.5))));
        const hiccup = random.chance(0.03) ? 2 + random.next() * 4 : 1;
        latencyMs = Math.round((random.logNormal(model.firstTokenMs, model.sigma) + (completionTokens / model.tokensPerSecond) * 1000) * hiccup);
        if (draw < model.errorRate + model.timeoutRate || latencyMs >= CLIENT_TIMEOUT_MS) {
          status = 'timeout';
          latencyMs = CLIENT_TIMEOUT_MS;
          completionTokens = 0;
          response.errorType = 'timeout';
        }
      }
      at += latencyMs;
      const cost = Math.round((billedPromptTokens * model.inputPrice + completionTokens * model.outputPrice) * 100) / 1e8;
      response.timestamp = at;
      response.originalTimestamp = at - 40;
      response.receivedAt = at + 150 + (at % 500);
      response.sentAt = response.receivedAt - 110;
      response.latencyMs = latencyMs;
      response.status = status;
      response.model = conversation.model;
      response.cost = cost;
      if (billedPromptTokens > 0) {
        response.promptTokens = billedPromptTokens;
        response.completionTokens = completionTokens;
        response.totalTokens = billedPromptTokens + completionTokens;
      }
      response.properties = {
        conversation_id: conversation.id,
        prompt_number: conversation.promptNumber,
        response_status: status,
        latency_ms: latencyMs,
        ...(billedPromptTokens > 0
          ? { token_count: { prompt_tokens: billedPromptTokens, completion_tokens: completionTokens, total_tokens: billedPromptTokens + completionTokens } }
          : {}),
        cost,
        model_used: conversation.model,
        response_length: Math.round(completionTokens * 4),
        ...(response.errorType === null ? {} : { error_type: response.errorType }),
        ...(debug ? { debug_mode: true } : {}),
      };
      out.push(response);
      if (status === 'success') {
        conversation.contextTokens = promptTokens + completionTokens;
        at = react(out, user, sessionId, debug, conversation, at, latencyMs);
      }
      if (attempt === 1 || !random.chance(status === 'success' ? 0.03 : 0.4)) break;
      at += Math.round(random.logNormal(3_000, 0.5));
      out.push(action(user, at, sessionId, debug, conversation, 'regenerated', undefined));
    }
    return at;
  }

  function action(user, at, sessionId, debug, conversation, actionType, details) {
    const record = turnRecord(user, ACTION, at, sessionId, debug, conversation);
    record.actionType = actionType;
    record.properties = {
      conversation_id: conversation.id,
      prompt_number: conversation.promptNumber,
      action_type: actionType,
      ...(details === undefined ? {} : { action_details: details }),
      ...(debug ? { debug_mode: true } : {}),
    };
    if (details !== undefined) {
      record.feedbackType = details.feedback_type;
      record.feedbackValue = JSON.stringify(details.feedback_value);
      if (details.feedback_type === 'rating') record.rating = details.feedback_value;
      else record.thumbsUp = details.feedback_value === 'up';
    }
    return record;
  }

  function react(out, user, sessionId, debug, conversation, answeredAt, latencyMs) {
    let at = answeredAt;
    const act = (actionType, details) => {
      at += Math.round(random.logNormal(6_000, 0.6));
      out.push(action(user, at, sessionId, debug, conversation, actionType, details));
    };
    if (random.chance(0.1)) act('copied_response');
    if (random.chance(0.09)) {
      const penalty = (latencyMs > 6_000 ? 0.15 : 0) + (conversation.model === 'llama-3.1-70b' ? 0.05 : 0);
      if (random.chance(0.75)) act('feedback_given', { feedback_type: 'thumbs', feedback_value: random.chance(0.82 - penalty) ? 'up' : 'down' });
      else {
        const rating = Number(pickRating(random));
        act('feedback_given', { feedback_type: 'rating', feedback_value: random.chance(penalty * 2) ? Math.max(1, rating - 1) : rating });
      }
    }
    if (random.chance(0.015)) act('shared');
    return at;
  }

  /** One day's records, sorted by time; the last day also takes whatever the earlier days fell short of. */
  function generateDay(day) {
    const target = day === days - 1 ? events - produced : Math.round((events * weights[day]) / weightSum);
    const out = [];
    // Everyone who signs up today has a first session today.
    const firstNew = day === 0 ? 0 : signedUpBy[day - 1];
    for (let user = firstNew; user < signedUpBy[day] && out.length < target; user += 1) session(out, user, day);
    const pool = signedUpBy[day];
    while (out.length < target && pool > 0) {
      const user = Math.floor(random.next() * pool);
      // Engagement fades with age: strong the first week, a loyal core stays.
      const age = day - signupDay[user];
      const stay = 0.35 + 0.65 * Math.exp(-age / 12);
      if (random.next() < intensity[user] * stay) session(out, user, day);
    }
    out.sort((a, b) => a.timestamp - b.timestamp);
    out.length = Math.min(out.length, Math.max(0, target));
    produced += out.length;
    return out;
  }

  return { startMs, endMs, generateDay, get produced() { return produced; } };
}
