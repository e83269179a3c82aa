import type Database from 'better-sqlite3';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { DailyActiveUsers } from '../../../metrics/metrics-source.js';
import type { ZoneCalendar } from '../../../metrics/zone-calendar.js';
import { NO_NEXT_QUARTER, readActivitySteps } from '../activity-steps.js';
import { andTrafficSql, trafficView } from '../traffic-flags.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

/** WAU and MAU windows, in days ending on (and including) the day itself. */
const WEEK_DAYS = 7;
const MONTH_DAYS = 30;
const QUARTERS_PER_DAY = 96;

/**
 * The distinct (user, local day) pairs with at least one prompt, from the
 * quarter-hour rollup: the core of DAU/WAU/MAU and retention.
 */
export function activeDaysSql(scope: MetricScope): string {
  return `
    SELECT user_key, ${localDaySql(scope.calendar, `quarter * ${QUARTER_HOUR_MS}`)} AS day
      FROM user_activity
     WHERE quarter >= @q0 AND quarter < @q1${andTrafficSql('debug', scope)}
     GROUP BY user_key, day`;
}

/**
 * DAU = users active on the day; WAU/MAU = users active on any of the 7/30
 * days ending on it. Set-based in one pass: each active day of a user keeps
 * them counted until their next active day or until the window runs out
 * (`gap`, capped at 30), so the query returns only (day, gap, users) triples
 * and the windows are summed here with a difference array.
 */
export function activeUsers(db: Database.Database, scope: MetricScope): DailyActiveUsers[] {
  const { q0, q1 } = activityQuarters(scope);
  const spans = trafficView(scope) !== 'ordinary'
    ? (db.prepare(spansWithDebugSql(scope)).all({ q0, q1 }) as Span[])
    : spansFromChains(db, scope.calendar, q0, q1);
  return seriesFromSpans(scope, spans);
}

/** The look-back and range quarters activeUsers reads: MAU of `fromDay` looks 29 days back. */
export function activityQuarters(scope: MetricScope): { q0: number; q1: number } {
  return quarterRange(scope.calendar.startOfDay(scope.fromDay - (MONTH_DAYS - 1)), scope.endMs);
}

/** DAU/WAU/MAU per day of the range from the users' spans (difference arrays over the look-back and range). */
export function seriesFromSpans(scope: MetricScope, spans: readonly Span[]): DailyActiveUsers[] {
  const lookbackDay = scope.fromDay - (MONTH_DAYS - 1);
  const length = scope.toDay - lookbackDay + 1 + MONTH_DAYS;
  const dau = new Array<number>(length).fill(0);
  const wauDelta = new Array<number>(length + 1).fill(0);
  const mauDelta = new Array<number>(length + 1).fill(0);
  for (const { day, gap, users } of spans) {
    const index = day - lookbackDay;
    if (index < 0 || index >= length) continue;
    dau[index] = (dau[index] ?? 0) + users;
    addSpan(wauDelta, index, Math.min(gap, WEEK_DAYS), users);
    addSpan(mauDelta, index, Math.min(gap, MONTH_DAYS), users);
  }
  const series: DailyActiveUsers[] = [];
  let wau = 0;
  let mau = 0;
  for (let index = 0; index <= scope.toDay - lookbackDay; index += 1) {
    wau += wauDelta[index] ?? 0;
    mau += mauDelta[index] ?? 0;
    const day = lookbackDay + index;
    if (day >= scope.fromDay) series.push({ day, dau: dau[index] ?? 0, wau, mau });
  }
  return series;
}

/** Users whose last activity of `day` is followed by their next active day `gap` days later (capped at 30). */
export interface Span {
  day: number;
  gap: number;
  users: number;
}

/**
 * Spans from the rows' `next_quarter` chain: a quarter row whose next quarter
 * falls on another local day (or does not exist) is the user's last activity
 * of that day, and its gap is the distance to that next day. Each quarter's
 * steps come counted per distinct step (activity-steps.ts, migration 014's
 * lists); the local days are looked up here, so there is no sort and no
 * per-row CASE over the zone's offsets.
 */
function spansFromChains(db: Database.Database, calendar: ZoneCalendar, q0: number, q1: number): Span[] {
  const quarters = readActivitySteps(db, q0, q1);
  // The local day of every quarter a gap of up to a month can reach; further on the gap is capped anyway.
  const horizon = q1 + (MONTH_DAYS + 2) * QUARTERS_PER_DAY;
  const dayOfQuarter = new Float64Array(horizon - q0);
  for (let quarter = q0; quarter < horizon; quarter += 1) dayOfQuarter[quarter - q0] = calendar.dayOf(quarter * QUARTER_HOUR_MS);
  // Users per (day, gap), days counted from the first quarter's: a typed array, where a Map of span keys took a
  // third of activeUsers at 10M bench events (90 days, measured 2026-12-02).
  const firstDay = dayOfQuarter[0] as number;
  const days = (dayOfQuarter[dayOfQuarter.length - 1] as number) - firstDay + 1;
  const users = new Float64Array(days * (MONTH_DAYS + 1));
  for (const { quarter, pairs } of quarters) {
    const day = dayOfQuarter[quarter - q0] as number;
    const row = (day - firstDay) * (MONTH_DAYS + 1);
    for (let at = 0; at < pairs.length; at += 2) {
      const step = pairs[at] as number;
      const count = pairs[at + 1] as number;
      if (step === NO_NEXT_QUARTER) {
        users[row + MONTH_DAYS] = (users[row + MONTH_DAYS] as number) + count;
        continue;
      }
      const next = quarter + step;
      const nextDay = next < horizon ? (dayOfQuarter[next - q0] as number) : day + MONTH_DAYS;
      if (nextDay !== day) {
        const gap = Math.min(nextDay - day, MONTH_DAYS);
        users[row + gap] = (users[row + gap] as number) + count;
      }
    }
  }
  const spans: Span[] = [];
  for (let index = 0; index < users.length; index += 1) {
    const count = users[index] as number;
    if (count > 0) spans.push({ day: firstDay + Math.floor(index / (MONTH_DAYS + 1)), gap: index % (MONTH_DAYS + 1), users: count });
  }
  return spans;
}

/**
 * The same with flagged traffic counted: the chains are per flags value, so
 * the next active day of the merged activity comes from a window function
 * (slower; include_debug / include_bots / include_internal are for a look).
 */
function spansWithDebugSql(scope: MetricScope): string {
  return `${spansCteSql(scope)}
    SELECT day, gap, COUNT(*) AS users FROM spans GROUP BY day, gap`;
}

/** CTE `spans` (user_key, day, gap): each active day of a user and the distance to their next one, capped at 30. */
export function spansCteSql(scope: MetricScope): string {
  return `
    WITH active_days AS (${activeDaysSql(scope)}),
         spans AS (
           SELECT user_key, day, MIN(COALESCE(LEAD(day) OVER next_active, day + ${MONTH_DAYS}) - day, ${MONTH_DAYS}) AS gap
             FROM active_days
           WINDOW next_active AS (PARTITION BY user_key ORDER BY day))`;
}

function addSpan(delta: number[], index: number, days: number, users: number): void {
  delta[index] = (delta[index] ?? 0) + users;
  delta[index + days] = (delta[index + days] ?? 0) - users;
}
