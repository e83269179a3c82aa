// DAU / WAU / MAU per day with stickiness (DAU ÷ MAU) on a second axis.

import { axisCommon, axisTooltip, renderChart } from '../charts.js';
import { shortDate } from '../dates.js';
import { formatInteger, formatPercent } from '../format.js';

export const activeUsersPanel = {
  name: 'active-users',
  filters: [],
  load: (fetchMetric, query) => fetchMetric('active-users', query),
  render(panel, body) {
    const series = Array.isArray(body?.series) ? body.series : [];
    if (!series.some((point) => (point.mau ?? 0) > 0 || (point.dau ?? 0) > 0)) return false;
    // Stickiness is a 0–1 ratio; its axis shows percent.
    const stickiness = (value) => (typeof value === 'number' ? value * 100 : null);
    renderChart(panel.slot('chart'), {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value, item) => (item.seriesName === 'Stickiness' ? formatPercent(value) : formatInteger(value))),
      xAxis: { type: 'category', data: series.map((point) => point.date), boundaryGap: false, ...axisCommon, axisLabel: { color: axisCommon.axisLabel.color, formatter: shortDate }, splitLine: { show: false } },
      yAxis: [
        { type: 'value', minInterval: 1, ...axisCommon },
        { type: 'value', max: 100, ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: '{value}%' }, splitLine: { show: false } },
      ],
      // Monotone smoothing: curves never overshoot the real counts.
      series: [
        { name: 'DAU', type: 'line', smooth: 0.3, smoothMonotone: 'x', showSymbol: false, areaStyle: { opacity: 0.12 }, data: series.map((point) => point.dau) },
        { name: 'WAU', type: 'line', smooth: 0.3, smoothMonotone: 'x', showSymbol: false, data: series.map((point) => point.wau) },
        { name: 'MAU', type: 'line', smooth: 0.3, smoothMonotone: 'x', showSymbol: false, data: series.map((point) => point.mau) },
        { name: 'Stickiness', type: 'line', yAxisIndex: 1, smooth: 0.3, smoothMonotone: 'x', showSymbol: false, lineStyle: { type: 'dashed', width: 1.5 }, data: series.map((point) => stickiness(point.stickiness)) },
      ],
    });
    return true;
  },
};
