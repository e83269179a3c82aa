// KPI tiles from `report`: each value with the health flag the API computed
// (healthy / warning / info) and its reference as the tile's tooltip.

import { h } from '../dom.js';
import { formatDecimal, formatDuration, formatInteger, formatPercent } from '../format.js';

/**
 * `flag` names the report flag judging the tile's metric, if there is one.
 * Report dau / wau / mau are averages of the daily series over the range;
 * ratios (0–1) are shown as percentages.
 */
const TILES = [
  { key: 'dau', label: 'DAU', hint: 'Daily active users, average over the range', value: (r) => r.dau, format: formatDecimal },
  { key: 'wau', label: 'WAU', hint: 'Weekly active users, average over the range', value: (r) => r.wau, format: formatDecimal },
  { key: 'mau', label: 'MAU', hint: 'Monthly active users, average over the range', value: (r) => r.mau, format: formatDecimal },
  { key: 'stickiness', label: 'Stickiness', hint: 'DAU ÷ MAU', value: (r) => r.stickiness, format: ratioAsPercent, flag: 'stickiness' },
  { key: 'd1', label: 'D1 retention', hint: 'New users active again the next day', value: (r) => r.retention?.d1, format: formatPercent, flag: 'retention_d1' },
  { key: 'd7', label: 'D7 retention', hint: 'New users active again on day 7', value: (r) => r.retention?.d7, format: formatPercent, flag: 'retention_d7' },
  { key: 'd30', label: 'D30 retention', hint: 'New users active again on day 30', value: (r) => r.retention?.d30, format: formatPercent },
  { key: 'avg_messages', label: 'Messages / session', hint: 'Average messages per session', value: (r) => r.sessions?.avg_messages, format: formatDecimal, flag: 'avg_messages' },
  { key: 'avg_duration', label: 'Session length', hint: 'Average session duration', value: (r) => r.sessions?.avg_duration_seconds, format: formatDuration, flag: 'avg_duration_seconds' },
  { key: 'single_message_share', label: 'Single-message sessions', hint: 'Sessions that ended after one message', value: (r) => r.sessions?.single_message_share, format: ratioAsPercent, flag: 'single_message_share' },
  { key: 'delivery', label: 'Data delivery', hint: 'Events the SDK dropped (queue full or rejected), from its health reports', value: (r) => r.delivery?.dropped, format: formatDropped, flag: 'delivery_dropped', detail: deliveryDetail },
];

const STATUS_LABEL = { healthy: 'Healthy', warning: 'Warning', info: 'Info' };

export const kpisPanel = {
  name: 'kpis',
  filters: [],
  load: (fetchMetric, query) => fetchMetric('report', query),
  render(panel, report) {
    const flags = new Map((Array.isArray(report.flags) ? report.flags : []).map((flag) => [flag.metric, flag]));
    const tiles = TILES.map((tile) =>
      renderTile(tile, tile.value(report), tile.flag === undefined ? undefined : flags.get(tile.flag), tile.detail?.(report) ?? null),
    );
    panel.slot('tiles').replaceChildren(...tiles);
    // A range without users still has a report (zeros, "not enough data"
    // flags): that is an answer, so the panel is ready.
    return true;
  },
};

function renderTile(tile, value, flag, detail) {
  const status = flag !== undefined && Object.hasOwn(STATUS_LABEL, flag.status) ? flag.status : null;
  const reference = typeof flag?.reference === 'string' ? flag.reference : null;
  const title = [tile.hint, detail, reference === null ? null : `Reference: ${reference}`].filter(Boolean).join('\n');
  return h(
    'article',
    { class: 'kpi', 'data-kpi': tile.key, 'data-value': typeof value === 'number' ? String(value) : '', 'data-status': status, title },
    h('div', { class: 'kpi-head' }, h('span', { class: 'kpi-label' }, tile.label), status === null ? null : h('span', { class: `badge badge-${status}` }, STATUS_LABEL[status])),
    h('div', { class: 'kpi-value' }, tile.format(value)),
    h('div', { class: 'kpi-ref' }, reference === null ? tile.hint : reference),
  );
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

function ratioAsPercent(value) {
  return formatPercent(typeof value === 'number' ? value * 100 : value);
}
