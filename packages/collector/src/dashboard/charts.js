// ECharts plumbing: the global from /vendor/echarts.min.js, one instance per
// container, resize on layout changes, and the palette every chart shares.
// Tooltips are the only HTML ECharts renders; `tooltipHtml` escapes them.

import { escapeHtml } from './escape.js';

/** Brand palette, ordered for contrast between neighbouring series. */
export const PALETTE = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#ec4899', '#64748b', '#84cc16'];

export const TEXT_COLOR = '#475569';
export const GRID_COLOR = '#e2e8f0';
const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const instances = new Map();
const observer = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
      for (const entry of entries) instances.get(entry.target)?.resize();
    })
  : null;

function echartsGlobal() {
  const echarts = globalThis.echarts;
  if (echarts === undefined) throw new Error('ECharts did not load (/vendor/echarts.min.js)');
  return echarts;
}

/**
 * Draws `option` into `container`, replacing what was there (notMerge, so a
 * series that disappeared with a filter does not linger).
 */
export function renderChart(container, option) {
  let chart = instances.get(container);
  if (chart === undefined) {
    chart = echartsGlobal().init(container, null, { renderer: 'canvas' });
    instances.set(container, chart);
    observer?.observe(container);
  }
  chart.setOption({ ...baseOption(), ...option }, true);
  return chart;
}

function baseOption() {
  return {
    color: PALETTE,
    textStyle: { fontFamily: FONT, color: TEXT_COLOR },
    animationDuration: 400,
    // Compact legend at the top; charts put their own grid below it.
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8, textStyle: { color: TEXT_COLOR } },
  };
}

/** Shared look of tooltip boxes. */
export function tooltip(formatter, trigger = 'item') {
  return {
    trigger,
    formatter,
    confine: true,
    backgroundColor: 'rgba(15, 23, 42, 0.92)',
    borderWidth: 0,
    textStyle: { color: '#f8fafc', fontFamily: FONT, fontSize: 12 },
    extraCssText: 'box-shadow: 0 6px 24px rgba(15,23,42,.25); border-radius: 8px; max-width: 320px; white-space: normal;',
  };
}

/**
 * Tooltip markup from plain strings: a title and [colour, label, value] rows.
 * Every string is escaped here, so callers pass raw event values.
 */
export function tooltipHtml(title, rows) {
  const head = `<div style="font-weight:600;margin-bottom:4px;word-break:break-word">${escapeHtml(title)}</div>`;
  const body = rows
    .map(([color, label, value]) => {
      const dot = color === null ? '' : `<span style="display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px;background:${escapeHtml(color)}"></span>`;
      return `<div style="display:flex;justify-content:space-between;gap:16px"><span style="word-break:break-word">${dot}${escapeHtml(label)}</span><strong>${escapeHtml(value)}</strong></div>`;
    })
    .join('');
  return head + body;
}

/** Axis tooltip: one row per series at the hovered category. */
export function axisTooltip(formatValue) {
  return tooltip((params) => {
    const list = Array.isArray(params) ? params : [params];
    const title = list[0]?.axisValueLabel ?? list[0]?.name ?? '';
    return tooltipHtml(title, list.map((item) => [typeof item.color === 'string' ? item.color : null, item.seriesName, formatValue(item.value, item)]));
  }, 'axis');
}

/**
 * Labels for a category axis that show every category: each gets an equal
 * share of the chart's width and is cut with '…' beyond it (the tooltip and
 * the table have the whole name).
 */
export function categoryLabels(container, count, { rotate = 0 } = {}) {
  const width = Math.max(40, Math.floor(((container.clientWidth || 320) - 90) / Math.max(1, count)) - 6);
  return { color: TEXT_COLOR, interval: 0, rotate, width: rotate === 0 ? width : 90, overflow: 'truncate', ellipsis: '…' };
}

/** Category axis labels: long model or intent names are cut, the tooltip has them whole. */
export function truncate(label, max = 18) {
  const text = String(label);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const axisCommon = {
  axisLine: { lineStyle: { color: GRID_COLOR } },
  axisTick: { show: false },
  axisLabel: { color: TEXT_COLOR },
  splitLine: { lineStyle: { color: GRID_COLOR, type: 'dashed' } },
};
