import { z } from 'zod';
import { UNCLASSIFIED_INTENT, UNKNOWN_KEY } from './group-labels.js';
import { MetricParameterError } from './metric-parameter-error.js';
import { DAY_MS, formatLocalDay, parseLocalDay } from './local-day.js';
import type { MetricFilters, MetricScope, TrafficInclusion } from './metric-scope.js';
import { createOffsetReader, isKnownTimeZone, ZoneCalendar } from './zone-calendar.js';

/** Default range: the 30 days ending today. */
const DEFAULT_RANGE_DAYS = 30;
/** A year (plus a leap day) keeps every query bounded. */
const MAX_RANGE_DAYS = 366;
/** MAU looks back 29 days before `from`; one more day of margin for zones ahead of UTC. */
const LOOKBACK_DAYS = 31;

export type FilterName = 'model' | 'intent' | 'conversation_id';
export const FILTER_NAMES: readonly FilterName[] = ['model', 'intent', 'conversation_id'];
export const COMMON_PARAMETERS = ['from', 'to', 'tz', 'include_debug', 'include_bots', 'include_internal', 'format'] as const;

export type OutputFormat = 'json' | 'csv';

export interface CommonParams {
  scope: MetricScope;
  format: OutputFormat;
}

const isoDate = z.string().refine((text) => parseLocalDay(text) !== null, 'must be a calendar date YYYY-MM-DD, e.g. 2026-03-08');
const filterValue = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/** `true`/`false` (also `1`/`0`). */
export const booleanParam = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const commonSchema = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
  tz: z.string().refine(isKnownTimeZone, 'must be an IANA time zone such as UTC, Europe/Paris or America/New_York').default('UTC'),
  include_debug: booleanParam.default(false),
  include_bots: booleanParam.default(false),
  include_internal: booleanParam.default(false),
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json'),
  model: filterValue.optional(),
  intent: filterValue.optional(),
  conversation_id: filterValue.optional(),
});

/**
 * Reads a metric request's query string: rejects unknown, repeated and
 * malformed parameters with a MetricParameterError naming the parameter,
 * then builds the scope (range of local days, zone calendar, filters).
 * `now` decides "today".
 */
export function parseMetricQuery<S extends z.ZodObject>(
  query: Record<string, unknown>,
  options: { metric: string; filters: readonly FilterName[]; params: S; now: number },
): CommonParams & { params: z.output<S> } {
  const own = Object.keys(options.params.shape);
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw new MetricParameterError(name, 'give it once');
    if ((FILTER_NAMES as readonly string[]).includes(name) && !options.filters.includes(name as FilterName)) {
      const supported = options.filters.length === 0 ? 'it takes no filters' : `it can be filtered by ${options.filters.join(', ')}`;
      throw new MetricParameterError(name, `${options.metric} cannot be filtered by ${name}; ${supported}`);
    }
    if (!(COMMON_PARAMETERS as readonly string[]).includes(name) && !(FILTER_NAMES as readonly string[]).includes(name) && !own.includes(name)) {
      const known = [...COMMON_PARAMETERS, ...options.filters, ...own].join(', ');
      throw new MetricParameterError(name, `unknown parameter for ${options.metric}; known: ${known}`);
    }
  }
  const common = parseWith(commonSchema, query);
  const params = parseWith(options.params, query);
  return { scope: buildScope(common, options.now), format: common.format, params };
}

/** Parses with zod and turns the first issue into a MetricParameterError naming its parameter. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new MetricParameterError(String(issue?.path[0] ?? '(query)'), issue?.message ?? 'is invalid');
}

function buildScope(common: z.output<typeof commonSchema>, now: number): MetricScope {
  const today = Math.floor((now + createOffsetReader(common.tz)(now)) / DAY_MS);
  const toDay = common.to === undefined ? today : (parseLocalDay(common.to) as number);
  const fromDay = common.from === undefined ? toDay - (DEFAULT_RANGE_DAYS - 1) : (parseLocalDay(common.from) as number);
  if (fromDay > toDay) throw new MetricParameterError('from', `must be on or before to (${formatLocalDay(toDay)})`);
  const days = toDay - fromDay + 1;
  if (days > MAX_RANGE_DAYS) throw new MetricParameterError('from', `the range spans ${days} days; at most ${MAX_RANGE_DAYS} are allowed`);
  const traffic = { includeDebug: common.include_debug, includeBots: common.include_bots, includeInternal: common.include_internal };
  return scopeOfDays(common.tz, fromDay, toDay, traffic, toFilters(common));
}

/** The scope of the local days fromDay..toDay in `timeZone`, its calendar covering the MAU look-back. */
function scopeOfDays(timeZone: string, fromDay: number, toDay: number, traffic: TrafficInclusion, filters: MetricFilters): MetricScope {
  const calendar = new ZoneCalendar(timeZone, (fromDay - LOOKBACK_DAYS) * DAY_MS, (toDay + 2) * DAY_MS);
  const { includeDebug, includeBots, includeInternal } = traffic;
  return { fromDay, toDay, startMs: calendar.startOfDay(fromDay), endMs: calendar.startOfDay(toDay + 1), calendar, includeDebug, includeBots, includeInternal, filters };
}

/**
 * The same question (zone, traffic, filters) about other days: the period
 * before the range, or the range widened to cohorts that started earlier.
 */
export function rescope(scope: MetricScope, fromDay: number, toDay: number): MetricScope {
  return scopeOfDays(scope.calendar.timeZone, fromDay, toDay, scope, scope.filters);
}

function toFilters(common: z.output<typeof commonSchema>): MetricFilters {
  const filters: MetricFilters = {};
  if (common.model !== undefined) filters.model = common.model === UNKNOWN_KEY ? null : common.model;
  if (common.intent !== undefined) filters.intent = common.intent === UNCLASSIFIED_INTENT ? null : common.intent;
  if (common.conversation_id !== undefined) filters.conversationId = common.conversation_id;
  return filters;
}
