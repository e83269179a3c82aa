// Cohort retention heatmap: one row per first-activity day (per ISO week
// beyond 35 days, as the API groups them), one column per day N, and a last
// "All cohorts" row averaging the cohorts weighted by their size. Cells
// still in the future (not yet observable) are null and blank. With a
// breakdown (channel, a trait) there is one row per value instead: that
// value's cohorts pooled like the "All cohorts" row, top 10 values + "other".

import { axisCommon, renderChart, tooltip, tooltipHtml } from '../charts.js';
import { formatInteger, formatPercent } from '../format.js';
import { createBreakdownControl } from './breakdown-control.js';

export const RETENTION_DAYS = [1, 7, 14, 30];
const ROW_HEIGHT = 22;

/** The panel's breakdown selector, once the dashboard has wired it. */
let breakdown;

export const retentionPanel = {
  name: 'retention',
  filters: [],
  init(panel, reload) {
    breakdown = createBreakdownControl(panel.element, reload);
  },
  load(fetchMetric, query) {
    const value = breakdown?.value() ?? '';
    return fetchMetric('retention', { ...query, days: RETENTION_DAYS.join(','), ...(value === '' ? {} : { breakdown: value }) });
  },
  render(panel, body) {
    const weekly = body?.cohort_period === 'week';
    const cohorts = Array.isArray(body?.groups) ? valueRows(body.groups) : cohortRows(body, weekly);
    if (cohorts.length === 0) return false;
    panel.element.dataset.cohortPeriod = weekly ? 'week' : 'day';
    panel.element.dataset.breakdown = typeof body?.breakdown === 'string' ? body.breakdown : '';
    const days = columnsOf(cohorts);
    const cells = [];
    cohorts.forEach((cohort, row) => {
      days.forEach((day, column) => {
        const value = cohort.retention?.[String(day)];
        cells.push([column, row, typeof value === 'number' ? Math.round(value * 10) / 10 : '-']);
      });
    });
    const container = panel.slot('chart');
    // One readable row per cohort: the chart grows instead of squeezing them.
    container.style.height = `${Math.max(260, cohorts.length * ROW_HEIGHT + 90)}px`;
    renderChart(container, {
      legend: { show: false },
      grid: { top: 28, left: 8, right: 16, bottom: 48, containLabel: true },
      tooltip: tooltip((item) => {
        const cohort = cohorts[item.value[1]];
        const value = item.value[2];
        return tooltipHtml(cohort?.title ?? '', [
          [null, 'Users in cohort', formatInteger(cohort?.size)],
          [null, `Active on day ${days[item.value[0]]}`, typeof value === 'number' ? formatPercent(value) : 'not yet known'],
        ]);
      }),
      xAxis: { type: 'category', position: 'top', data: days.map((day) => `Day ${day}`), ...axisCommon, splitArea: { show: true }, splitLine: { show: false } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: cohorts.map((cohort) => cohort.label),
        ...axisCommon,
        splitLine: { show: false },
      },
      visualMap: {
        min: 0,
        max: 100,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 160,
        itemWidth: 10,
        text: ['100%', '0%'],
        inRange: { color: ['#eef2ff', '#a5b4fc', '#4f46e5', '#312e81'] },
        textStyle: { color: '#475569' },
      },
      series: [{
        name: 'Retention',
        type: 'heatmap',
        data: cells,
        label: { show: true, fontSize: 11, formatter: (item) => (typeof item.value[2] === 'number' ? `${Math.round(item.value[2])}%` : '') },
        itemStyle: { borderColor: '#fff', borderWidth: 2, borderRadius: 3 },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(15,23,42,.3)' } },
      }],
    });
    return true;
  },
};

/** One row per cohort with users, then the all-cohorts row. */
function cohortRows(body, weekly) {
  const cohorts = (Array.isArray(body?.cohorts) ? body.cohorts : [])
    .filter((cohort) => (cohort.size ?? 0) > 0)
    .map((cohort) => ({ ...cohort, label: `${weekly ? 'Week of ' : ''}${cohort.date}  (${formatInteger(cohort.size)})`, title: weekly ? `Cohort week of ${cohort.date}` : `Cohort ${cohort.date}` }));
  if (cohorts.length > 0 && body?.summary !== undefined) {
    cohorts.push({ ...body.summary, label: `All cohorts  (${formatInteger(body.summary.size)})`, title: 'All cohorts, weighted by size' });
  }
  return cohorts;
}

/** One row per breakdown value with cohort users: its cohorts pooled, weighted by size. */
function valueRows(groups) {
  return groups
    .filter((group) => (group.summary?.size ?? 0) > 0)
    .map((group) => ({ ...group.summary, label: `${group.value}  (${formatInteger(group.summary.size)})`, title: `${group.value}: all its cohorts, weighted by size` }));
}

/** The day columns the API answered with, in numeric order (falls back to what was asked). */
function columnsOf(cohorts) {
  const keys = new Set();
  for (const cohort of cohorts) for (const key of Object.keys(cohort.retention ?? {})) keys.add(Number(key));
  const days = [...keys].filter(Number.isFinite).sort((a, b) => a - b);
  return days.length > 0 ? days : RETENTION_DAYS;
}

