// KPI tiles from `report`: each value with the health flag the API computed
// (healthy / warning / info) and its reference as the tile's tooltip.

import { h } from '../dom.js';
import { addDays, daysBetween } from '../dates.js';
import { formatCost, formatDecimal, formatDuration, formatInteger, formatPercent } from '../format.js';
import { durationScale, moneyScale } from '../units.js';

/**
 * `flag` names the report flag judging the tile's metric, if there is one.
 * Report dau / wau / mau are averages of the daily series over the range,
 * shown as whole users with their change against the previous period of the
 * same length (`change`, from the report); ratios (0–1) are shown as
 * percentages. `retentionDay` tiles explain an empty value.
 */
const TILES = [
  { key: 'dau', label: 'DAU', hint: 'Daily active users, average over the range (whole users)', value: (r) => r.dau, format: formatWholeUsers, change: 'dau' },
  { key: 'wau', label: 'WAU', hint: 'Weekly active users, average over the range (whole users)', value: (r) => r.wau, format: formatWholeUsers, change: 'wau' },
  { key: 'mau', label: 'MAU', hint: 'Monthly active users, average over the range (whole users)', value: (r) => r.mau, format: formatWholeUsers, change: 'mau' },
  { key: 'stickiness', label: 'Stickiness', hint: 'DAU ÷ MAU', value: (r) => r.stickiness, format: ratioAsPercent, flag: 'stickiness' },
  { key: 'd1', label: 'D1 retention', hint: 'Users first seen the day before a day of the range, active again on it', value: (r) => r.retention?.d1, format: formatPercent, flag: 'retention_d1', retentionDay: 1 },
  { key: 'd7', label: 'D7 retention', hint: 'Users first seen 7 days before a day of the range, active again on it', value: (r) => r.retention?.d7, format: formatPercent, flag: 'retention_d7', retentionDay: 7 },
  { key: 'd30', label: 'D30 retention', hint: 'Users first seen 30 days before a day of the range, active again on it', value: (r) => r.retention?.d30, format: formatPercent, retentionDay: 30 },
  { key: 'avg_messages', label: 'Messages / session', hint: 'Average messages (prompts and replies) per session', value: (r) => r.sessions?.avg_messages, format: formatDecimal, flag: 'avg_messages' },
  { key: 'avg_prompts', label: 'Prompts / session', hint: 'Average prompts the user sent per session', value: (r) => r.sessions?.avg_prompts, format: formatDecimal },
  { key: 'avg_duration', label: 'Session length', hint: 'Average session duration', value: (r) => r.sessions?.avg_duration_seconds, format: formatDuration, flag: 'avg_duration_seconds' },
  { key: 'single_prompt_share', label: 'Single-prompt sessions', hint: 'Sessions in which the user sent one prompt and left', value: (r) => r.sessions?.single_prompt_share, format: ratioAsPercent, flag: 'single_prompt_share' },
  { key: 'delivery', label: 'Data delivery', hint: 'Events the SDK dropped (queue full or rejected), from its health reports', value: (r) => r.delivery?.dropped, format: formatDropped, flag: 'delivery_dropped', detail: deliveryDetail },
  // AI side: the tile shows the range's figure, the flag judges its change or rate.
  { key: 'latency_p95', label: 'p95 latency', hint: 'p95 response latency (prompt sent → last token) over the range, all models', value: (r) => r.ai?.latency_p95_ms, format: formatLatency, flag: 'latency_p95_regression', detail: latencyDetail },
  { key: 'error_rate', label: 'Failed responses', hint: 'Share of responses that ended in an error or a timeout', value: (r) => r.ai?.error_rate, format: ratioAsPercent, flag: 'error_rate', detail: errorDetail },
  { key: 'cost_per_conversation', label: 'Cost / conversation', hint: 'LLM spend of the range ÷ the conversations it was spent on', value: (r) => r.ai?.cost_per_conversation, format: formatCost, flag: 'cost_per_conversation_trend', detail: costDetail },
];

const STATUS_LABEL = { healthy: 'Healthy', warning: 'Warning', info: 'Info' };

export const kpisPanel = {
  name: 'kpis',
  filters: [],
  load: async (fetchMetric, query) => ({ report: await fetchMetric('report', query), query }),
  render(panel, { report, query }) {
    const flags = new Map((Array.isArray(report.flags) ? report.flags : []).map((flag) => [flag.metric, flag]));
    const tiles = TILES.map((tile) => {
      const value = tile.value(report);
      const note = tile.retentionDay !== undefined && typeof value !== 'number' ? emptyRetentionNote(tile.retentionDay, query) : null;
      return renderTile(tile, value, {
        flag: tile.flag === undefined ? undefined : flags.get(tile.flag),
        detail: tile.detail?.(report) ?? null,
        change: tile.change === undefined ? undefined : report.change?.[tile.change],
        note,
        days: daysBetween(query.from, query.to) + 1,
      });
    });
    panel.slot('tiles').replaceChildren(...tiles);
    // A range without users still has a report (zeros, "not enough data"
    // flags): that is an answer, so the panel is ready.
    return true;
  },
};

function renderTile(tile, value, { flag, detail, change, note, days }) {
  const status = flag !== undefined && Object.hasOwn(STATUS_LABEL, flag.status) ? flag.status : null;
  const reference = typeof flag?.reference === 'string' ? flag.reference : null;
  const changeText = change === undefined ? null : formatChange(change, days);
  const title = [tile.hint, note, detail, changeText, reference === null ? null : `Reference: ${reference}`].filter(Boolean).join('\n');
  const direction = typeof change === 'number' ? (change > 0 ? 'up' : change < 0 ? 'down' : 'flat') : null;
  return h(
    'article',
    {
      class: 'kpi',
      'data-kpi': tile.key,
      'data-value': typeof value === 'number' ? String(value) : '',
      'data-change': typeof change === 'number' ? String(change) : null,
      'data-status': status,
      title,
    },
    h('div', { class: 'kpi-head' }, h('span', { class: 'kpi-label' }, tile.label), status === null ? null : h('span', { class: `badge badge-${status}` }, STATUS_LABEL[status])),
    h('div', { class: 'kpi-value' }, tile.format(value)),
    changeText === null ? null : h('div', { class: `kpi-change${direction === null ? '' : ` kpi-change-${direction}`}`, title: changeText }, changeArrow(change)),
    h('div', { class: 'kpi-ref' }, note ?? (reference === null ? tile.hint : reference)),
  );
}

/** Report day-N retention pools the first-seen cohorts whose day + N falls inside the range: say which days those are. */
function emptyRetentionNote(day, query) {
  return `No users first seen ${addDays(query.from, -day)} – ${addDays(query.to, -day)}: needs cohorts from ${day} days before the range`;
}

/** '▲ 12.5%' / '▼ 3%' / '= 0%'; '–' when the previous period had nothing to compare with. */
function changeArrow(change) {
  if (typeof change !== 'number') return '–';
  const arrow = change > 0 ? '▲' : change < 0 ? '▼' : '=';
  return `${arrow} ${formatPercent(Math.abs(change))}`;
}

function formatChange(change, days) {
  const period = `the previous ${days} ${days === 1 ? 'day' : 'days'}`;
  return typeof change === 'number' ? `${changeArrow(change)} against ${period}` : `No activity in ${period} to compare with`;
}

/** An average of users, shown as whole users (the API keeps 2 decimals). */
function formatWholeUsers(value) {
  return typeof value === 'number' ? formatInteger(Math.round(value)) : formatInteger(value);
}

function formatDropped(value) {
  return typeof value === 'number' ? `${formatInteger(value)} dropped` : '—';
}

/** The delivery tile's hover text adds what the SDK reported sending, what was stored and the memory-fallback share. */
function deliveryDetail(report) {
  const delivery = report.delivery;
  if (delivery === undefined || delivery === null) return null;
  return `Sent ${formatInteger(delivery.sent)} · stored ${formatInteger(delivery.stored)} · browsers on the memory fallback ${formatPercent(delivery.memory_share * 100)}`;
}

/** One value: its own unit (ms below 10 s, else s). */
function formatLatency(value) {
  return durationScale([value]).format(value);
}

/** '+12.5%' / '−3%' for a change in percent; null when there is none. */
function signedPercent(change) {
  if (typeof change !== 'number') return null;
  return `${change > 0 ? '+' : change < 0 ? '−' : ''}${formatPercent(Math.abs(change))}`;
}

/** Both p95 values in the unit of the larger, and the change the flag judges. */
function latencyDetail(report) {
  const ai = report.ai;
  if (ai === undefined || ai === null) return null;
  if (typeof ai.baseline_latency_p95_ms !== 'number') return 'No response latency in the 7 days before the range to compare with';
  const scale = durationScale([ai.latency_p95_ms, ai.baseline_latency_p95_ms]);
  const change = signedPercent(ai.latency_p95_change);
  return `${scale.format(ai.latency_p95_ms)} vs ${scale.format(ai.baseline_latency_p95_ms)} over the 7 days before the range${change === null ? '' : ` (${change})`}`;
}

function errorDetail(report) {
  const ai = report.ai;
  if (ai === undefined || ai === null) return null;
  return `${formatInteger(ai.failed)} of ${formatInteger(ai.responses)} responses failed (errors + timeouts)`;
}

function costDetail(report) {
  const ai = report.ai;
  if (ai === undefined || ai === null) return null;
  if (typeof ai.previous_cost_per_conversation !== 'number') return 'No conversation with a response in the previous period to compare with';
  const scale = moneyScale([ai.cost_per_conversation, ai.previous_cost_per_conversation]);
  const change = signedPercent(ai.cost_per_conversation_change);
  return `${scale.format(ai.cost_per_conversation)} vs ${scale.format(ai.previous_cost_per_conversation)} in the previous period of the same length${change === null ? '' : ` (${change})`}`;
}

function ratioAsPercent(value) {
  return formatPercent(typeof value === 'number' ? value * 100 : value);
}
