import type Database from 'better-sqlite3';
import { daysBetween } from '../../../metrics/local-day.js';
import type { MetricScope } from '../../../metrics/metric-scope.js';
import type { CohortActivity, CohortKind } from '../../../metrics/metrics-source.js';
import { readActivityUsers } from '../activity-users.js';
import { andTrafficSql, trafficSql, trafficView } from '../traffic-flags.js';
import { QUARTER_HOUR_MS, quarterRange } from './sql-constants.js';
import { localDaySql } from './zone-sql.js';

/**
 * Cohorts per day of the range and, per offset N, how many of them were
 * active on cohort day + N. `first_seen`: users whose first prompt ever falls
 * on the day. `active`: users with a prompt on the day.
 */
export function retention(
  db: Database.Database,
  scope: MetricScope,
  cohort: CohortKind,
  offsets: readonly number[],
): CohortActivity[] {
  const { q0, q1 } = quarterRange(scope.startMs, scope.endMs);
  const params = { q0, q1, start: scope.startMs, end: scope.endMs };
  const offsetList = offsetListSql(scope, offsets);
  const counts =
    cohort === 'first_seen'
      ? (firstSeenCountsFromLists(db, scope, offsetList) ?? firstSeenCounts(db, scope, offsetList, params))
      : activeCohortCounts(db, scope, offsetList, params);
  return cohortsOfCounts(scope, offsets, counts);
}

/** The offsets (0 for the cohort size) that fit in the range, as an SQL list: `0, 1, 7`. */
export function offsetListSql(scope: MetricScope, offsets: readonly number[]): string {
  const wanted = [0, ...offsets.filter((offset) => offset > 0 && offset <= scope.toDay - scope.fromDay)];
  return [...new Set(wanted)].map((offset) => String(Math.trunc(offset))).join(', ');
}

/** Every day of the range as a cohort, from (day, offset, users) counts where offset 0 is the size. */
export function cohortsOfCounts(scope: MetricScope, offsets: readonly number[], counts: readonly OffsetCount[]): CohortActivity[] {
  const byDay = new Map<number, Map<number, number>>();
  for (const { day, offset, users } of counts) {
    const retained = byDay.get(day) ?? new Map<number, number>();
    retained.set(offset, users);
    byDay.set(day, retained);
  }
  return daysBetween(scope.fromDay, scope.toDay).map((day) => {
    const found = byDay.get(day) ?? new Map<number, number>();
    const retained = new Map<number, number>();
    for (const offset of offsets) if (day + offset <= scope.toDay) retained.set(offset, found.get(offset) ?? 0);
    return { day, size: found.get(0) ?? 0, retained };
  });
}

export interface OffsetCount {
  day: number;
  offset: number;
  users: number;
}

/**
 * (user_key, day): the users whose first counted prompt falls in the range
 * (@start, @end), and its local day. The default and the all-traffic views
 * read the first-prompt columns kept at ingest; a view with some flags in and
 * some out takes each user's first quarter of counted activity (a quarter
 * lies in one local day of any zone, so the day is the same).
 */
export function firstSeenCohortSql(scope: MetricScope): string {
  const view = trafficView(scope);
  if (view === 'mixed') {
    return `SELECT user_key, ${localDaySql(scope.calendar, 'first_ms')} AS day
              FROM (SELECT user_key, MIN(quarter) * ${QUARTER_HOUR_MS} AS first_ms
                      FROM user_activity WHERE ${trafficSql('debug', scope)} GROUP BY user_key)
             WHERE first_ms >= @start AND first_ms < @end`;
  }
  const first = view === 'all' ? 'first_any_ts' : 'first_ts';
  return `SELECT user_key, ${localDaySql(scope.calendar, first)} AS day
            FROM user_first_activity WHERE ${first} >= @start AND ${first} < @end`;
}

/**
 * First-seen cohorts of ordinary traffic from migration 014's activity users
 * lists, which mark each user's first active quarter: every active user
 * becomes a bit in a per-day bitset (ordinals need no string work), and each
 * cohort user is looked up on their day + N. Null when flagged traffic counts
 * or the range does not lie on quarter-hours (then only the SQL can answer).
 */
function firstSeenCountsFromLists(db: Database.Database, scope: MetricScope, offsetList: string): OffsetCount[] | null {
  const { startMs, endMs } = scope;
  if (trafficView(scope) !== 'ordinary' || startMs < 0 || startMs % QUARTER_HOUR_MS !== 0 || endMs % QUARTER_HOUR_MS !== 0) return null;
  const { quarters, users } = readActivityUsers(db, startMs / QUARTER_HOUR_MS, endMs / QUARTER_HOUR_MS);
  const days = scope.toDay - scope.fromDay + 1;
  const words = Math.ceil(users / 32);
  const active = new Uint32Array(days * words);
  const cohortDay = new Int32Array(users).fill(-1);
  for (const { quarter, entries } of quarters) {
    const dayIndex = scope.calendar.dayOf(quarter * QUARTER_HOUR_MS) - scope.fromDay;
    // Indexed loops: V8 iterates a typed array with for…of several times slower.
    for (let index = 0; index < entries.length; index += 1) {
      const entry = entries[index] as number;
      const user = entry >>> 1;
      const word = dayIndex * words + (user >>> 5);
      active[word] = (active[word] as number) | (1 << (user & 31));
      if ((entry & 1) === 1) cohortDay[user] = dayIndex;
    }
  }
  const offsets = offsetList.split(', ').map(Number);
  const retained = new Uint32Array(days * offsets.length);
  for (let user = 0; user < cohortDay.length; user += 1) {
    const day = cohortDay[user] as number;
    if (day < 0) continue;
    for (let index = 0; index < offsets.length; index += 1) {
      const target = day + (offsets[index] as number);
      if (target < days && ((active[target * words + (user >>> 5)] as number) & (1 << (user & 31))) !== 0) {
        retained[day * offsets.length + index] = (retained[day * offsets.length + index] as number) + 1;
      }
    }
  }
  const counts: OffsetCount[] = [];
  retained.forEach((users, at) => {
    if (users > 0) counts.push({ day: scope.fromDay + Math.floor(at / offsets.length), offset: offsets[at % offsets.length] as number, users });
  });
  return counts;
}

/** The same from the rollups in SQL: any traffic view, any range. */
export function firstSeenCounts(
  db: Database.Database,
  scope: MetricScope,
  offsetList: string,
  params: Record<string, unknown>,
): OffsetCount[] {
  const activityDay = localDaySql(scope.calendar, `a.quarter * ${QUARTER_HOUR_MS}`);
  return db
    .prepare(
      `WITH cohort AS MATERIALIZED (${firstSeenCohortSql(scope)})
       SELECT c.day, ${activityDay} - c.day AS offset, COUNT(DISTINCT c.user_key) AS users
         FROM cohort c
         JOIN user_activity a ON a.user_key = c.user_key AND ${trafficSql('a.debug', scope)}
                             AND a.quarter >= @q0 AND a.quarter < @q1
        WHERE ${activityDay} - c.day IN (${offsetList})
        GROUP BY c.day, offset`,
    )
    .all(params) as OffsetCount[];
}

/**
 * Users active on a day and on the day N later. SQLite streams the range's
 * quarter rows in primary-key order and hands over each quarter's users as one
 * length-prefixed list; here every user becomes a bit in a per-day bitset, and
 * a cohort's retention is the popcount of two days' bitsets ANDed (on 10M
 * events ~5× faster than joining the (user, day) pairs with themselves in SQL).
 */
function activeCohortCounts(
  db: Database.Database,
  scope: MetricScope,
  offsetList: string,
  params: Record<string, unknown>,
): OffsetCount[] {
  const rows = db
    .prepare(
      `SELECT quarter, CAST(group_concat(length(CAST(user_key AS BLOB)) || ':' || user_key, '') AS BLOB) AS users
         FROM user_activity
        WHERE quarter >= @q0 AND quarter < @q1${andTrafficSql('debug', scope)}
        GROUP BY quarter`,
    )
    .all(params) as { quarter: number; users: Buffer }[];
  const days = scope.toDay - scope.fromDay + 1;
  const userNumbers = new Map<string, number>();
  const dayIndexes: number[] = [];
  const numbers: number[] = [];
  for (const { quarter, users } of rows) {
    const dayIndex = scope.calendar.dayOf(quarter * QUARTER_HOUR_MS) - scope.fromDay;
    for (const userKey of readLengthPrefixed(users)) {
      let number = userNumbers.get(userKey);
      if (number === undefined) {
        number = userNumbers.size;
        userNumbers.set(userKey, number);
      }
      dayIndexes.push(dayIndex);
      numbers.push(number);
    }
  }
  const words = Math.ceil(userNumbers.size / 32);
  const active = new Uint32Array(days * words);
  numbers.forEach((number, index) => {
    const word = (dayIndexes[index] as number) * words + (number >>> 5);
    active[word] = (active[word] as number) | (1 << (number & 31));
  });
  const counts: OffsetCount[] = [];
  for (let day = 0; day < days; day += 1) {
    for (const offset of offsetList.split(', ').map(Number)) {
      if (day + offset >= days) continue;
      let users = 0;
      for (let word = 0; word < words; word += 1) {
        users += popcount((active[day * words + word] as number) & (active[(day + offset) * words + word] as number));
      }
      counts.push({ day: scope.fromDay + day, offset, users });
    }
  }
  return counts;
}

/**
 * `<byte length>:<bytes>` repeated; each item as a latin1 string (one character
 * per byte, as unique as the bytes). The list is decoded once and sliced, which
 * is much cheaper than decoding every item.
 */
function readLengthPrefixed(bytes: Buffer): string[] {
  const COLON = 58;
  const ZERO = 48;
  const list = bytes.toString('latin1');
  const items: string[] = [];
  let position = 0;
  while (position < list.length) {
    let length = 0;
    for (; list.charCodeAt(position) !== COLON; position += 1) length = length * 10 + list.charCodeAt(position) - ZERO;
    items.push(list.slice(position + 1, position + 1 + length));
    position += 1 + length;
  }
  return items;
}

function popcount(word: number): number {
  let bits = word - ((word >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
