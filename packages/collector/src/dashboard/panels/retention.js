// Cohort retention heatmap: one row per first-activity day (per ISO week
// beyond 35 days, as the API groups them), one column per day N, and a last
// "All cohorts" row averaging the cohorts weighted by their size. Cells
// still in the future (not yet observable) are null and blank.

import { axisCommon, renderChart, tooltip, tooltipHtml } from '../charts.js';
import { formatInteger, formatPercent } from '../format.js';

export const RETENTION_DAYS = [1, 7, 14, 30];
const ROW_HEIGHT = 22;

export const retentionPanel = {
  name: 'retention',
  filters: [],
  load: (fetchMetric, query) => fetchMetric('retention', { ...query, days: RETENTION_DAYS.join(',') }),
  render(panel, body) {
    const weekly = body?.cohort_period === 'week';
    const cohorts = (Array.isArray(body?.cohorts) ? body.cohorts : [])
      .filter((cohort) => (cohort.size ?? 0) > 0)
      .map((cohort) => ({ ...cohort, label: `${weekly ? 'Week of ' : ''}${cohort.date}  (${formatInteger(cohort.size)})`, title: weekly ? `Cohort week of ${cohort.date}` : `Cohort ${cohort.date}` }));
    if (cohorts.length === 0) return false;
    if (body?.summary !== undefined) {
      cohorts.push({ ...body.summary, label: `All cohorts  (${formatInteger(body.summary.size)})`, title: 'All cohorts, weighted by size' });
    }
    panel.element.dataset.cohortPeriod = weekly ? 'week' : 'day';
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

/** The day columns the API answered with, in numeric order (falls back to what was asked). */
function columnsOf(cohorts) {
  const keys = new Set();
  for (const cohort of cohorts) for (const key of Object.keys(cohort.retention ?? {})) keys.add(Number(key));
  const days = [...keys].filter(Number.isFinite).sort((a, b) => a - b);
  return days.length > 0 ? days : RETENTION_DAYS;
}

