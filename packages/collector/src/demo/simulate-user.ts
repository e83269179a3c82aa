import type { MessageInput } from '../protocol/index.js';
import {
  COMPANY_SIZES,
  DEMO_TIMEZONES,
  HOUR_WEIGHTS,
  LOYAL_PLANS,
  PLANS,
  WEEKDAY_FACTOR,
} from './demo-catalog.js';
import { DAY_MS, HOUR_MS, type DemoSettings } from './demo-settings.js';
import { MessageWriter } from './message-writer.js';
import { createRandom, deriveSeed, type Random } from './random.js';
import { simulateSession } from './simulate-session.js';
import { drawQueueStorage, reportSessionHealth } from './simulate-sdk-health.js';

/**
 * How people come and go. Retention is a mix of a loyal core that stays and
 * everybody else, whose chance of coming back decays with the days since
 * their first visit (a power law cut off by an exponential: steep in the
 * first week, a long tail after it). With the weekday factor this gives
 * roughly day-1 35 %, day-7 20 %, day-30 10 %.
 */
const LOYAL_SHARE = 0.1;
const LOYAL_DAILY_CHANCE = 0.58;
const RETURN_CHANCE_DAY_1 = 0.37;
const RETURN_DECAY_POWER = 0.35;
const RETURN_DECAY_DAYS = 45;

/** How people sign up: most at their first visit, some after looking around, some never. */
const JOURNEYS = { signUpAtOnce: 65, signUpLater: 25, neverSignUp: 10 } as const;
/** Visitors who never sign up come back half as often. */
const VISITOR_RETURN_FACTOR = 0.5;

/** Sessions of one person never overlap; the next starts at least this long after the last ended. */
const MIN_SESSION_GAP_MS = 15 * 60_000;
/** Sessions starting this close to the end of the period are left out, so no event lies in the future. */
const END_MARGIN_MS = 30 * 60_000;

/** Salt of the seed of the health-report streams. */
const HEALTH_STREAM = 0x5eed_4ea1;

interface Profile {
  timezone: (typeof DEMO_TIMEZONES)[number];
  firstDay: number;
  /** Local hour (fractional) of the first visit. */
  firstHour: number;
  loyal: boolean;
  journey: keyof typeof JOURNEYS;
  /** Sessions before the identify call (Infinity: never). */
  anonymousSessions: number;
}

/** Every message of one person over the period, in time order. */
export function simulateUser(index: number, settings: DemoSettings, signupWeights: readonly number[]): MessageInput[] {
  const random = createRandom(deriveSeed(settings.seed, index));
  const profile = drawProfile(random, settings, signupWeights);
  const ns = settings.namespace;
  const writer = new MessageWriter(`${ns}-${settings.days}d-u${index}`, `${ns}-anon-${index}`, profile.timezone.name);
  let sessions = 0;
  let conversations = 0;
  const scope = { random, writer, nextConversationId: () => `${ns}-u${index}-c${(conversations += 1)}` };
  let earliestNextStart = -Infinity;
  // Health reports draw from a stream of their own, so adding them left every other event as it was.
  const healthRandom = createRandom(deriveSeed(settings.seed ^ HEALTH_STREAM, index));
  const storage = drawQueueStorage(healthRandom);

  for (let day = profile.firstDay; day < settings.days; day += 1) {
    const dayStartMs = settings.startMs + day * DAY_MS;
    const weekday = new Date(dayStartMs).getUTCDay();
    const age = day - profile.firstDay;
    // The first visit defines day 0; later days are drawn from the retention curve.
    if (age > 0 && !random.chance(returnChance(age, profile) * (WEEKDAY_FACTOR[weekday] ?? 1))) continue;
    const hours = sessionHours(random, profile.loyal);
    const todays = age === 0 ? [profile.firstHour, ...hours.slice(1).filter((hour) => hour > profile.firstHour)] : hours;
    for (const localHour of todays) {
      const startMs = Math.max(earliestNextStart, dayStartMs + (localHour - profile.timezone.offsetHours) * HOUR_MS);
      // Early sessions of eastern time zones fall before the period on its first day.
      if (startMs < settings.startMs || startMs > settings.endMs - END_MARGIN_MS) continue;
      writer.startSession(`${ns}-u${index}-s${(sessions += 1)}`);
      const sessionStart = writer.messages.length;
      if (!writer.identified && sessions > profile.anonymousSessions) {
        writer.identify(`${ns}-user-${index}`, startMs, drawTraits(random, profile.loyal));
      }
      earliestNextStart = simulateSession(scope, startMs + 1_000) + MIN_SESSION_GAP_MS;
      reportSessionHealth(writer, sessionStart, healthRandom, storage, settings.endMs);
    }
  }
  return writer.messages;
}

function drawProfile(random: Random, settings: DemoSettings, signupWeights: readonly number[]): Profile {
  const timezone = DEMO_TIMEZONES[random.weightedIndex(DEMO_TIMEZONES.map((zone) => zone.share))] ?? DEMO_TIMEZONES[0];
  const journey = random.weighted(JOURNEYS);
  return {
    timezone,
    ...drawFirstVisit(random, settings, signupWeights, timezone.offsetHours),
    loyal: journey !== 'neverSignUp' && random.chance(LOYAL_SHARE / (1 - JOURNEYS.neverSignUp / 100)),
    journey,
    anonymousSessions: journey === 'signUpAtOnce' ? 0 : journey === 'signUpLater' ? random.int(1, 3) : Infinity,
  };
}

/**
 * Day and local hour of the first visit, redrawn until it lies inside the
 * period: on the last (partial) day only the hours already past are
 * possible, and nobody's first visit is in the future.
 */
function drawFirstVisit(
  random: Random,
  settings: DemoSettings,
  signupWeights: readonly number[],
  offsetHours: number,
): { firstDay: number; firstHour: number } {
  let firstDay = 0;
  let firstHour = 12;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    firstDay = random.weightedIndex(signupWeights);
    firstHour = random.weightedIndex(HOUR_WEIGHTS) + random.next();
    const at = settings.startMs + firstDay * DAY_MS + (firstHour - offsetHours) * HOUR_MS;
    if (at >= settings.startMs && at <= settings.endMs - END_MARGIN_MS) break;
  }
  return { firstDay, firstHour };
}

function returnChance(age: number, profile: Profile): number {
  if (profile.loyal) return LOYAL_DAILY_CHANCE;
  const chance = RETURN_CHANCE_DAY_1 * age ** -RETURN_DECAY_POWER * Math.exp(-(age - 1) / RETURN_DECAY_DAYS);
  return profile.journey === 'neverSignUp' ? chance * VISITOR_RETURN_FACTOR : chance;
}

/** Local start hours (fractional) of the sessions of an active day, in order. */
function sessionHours(random: Random, loyal: boolean): number[] {
  const count = Number(random.weighted(loyal ? { '1': 55, '2': 30, '3': 15 } : { '1': 75, '2': 20, '3': 5 }));
  const hours = Array.from({ length: count }, () => random.weightedIndex(HOUR_WEIGHTS) + random.next());
  return hours.sort((a, b) => a - b);
}

function drawTraits(random: Random, loyal: boolean): Record<string, unknown> {
  const plan = random.weighted(loyal ? LOYAL_PLANS : PLANS);
  return { plan, company_size: random.weighted(COMPANY_SIZES[plan]) };
}

/**
 * Relative chance of a first visit on each day: the product grows (three
 * times as many new users at the end as at the start) and weekdays win.
 */
export function signupWeights(settings: DemoSettings): number[] {
  return Array.from({ length: settings.days }, (_, day) => {
    const weekday = new Date(settings.startMs + day * DAY_MS).getUTCDay();
    return (1 + (2 * day) / Math.max(1, settings.days - 1)) * (WEEKDAY_FACTOR[weekday] ?? 1);
  });
}
