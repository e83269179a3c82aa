// Intent distribution: horizontal bars, largest first, with each intent's share.

import { axisCommon, renderChart, tooltip, tooltipHtml, truncate } from '../charts.js';
import { formatInteger, formatPercent } from '../format.js';

const ROW_HEIGHT = 30;

export const intentsPanel = {
  name: 'intents',
  filters: [],
  load: (fetchMetric, query) => fetchMetric('intents', query),
  render(panel, body) {
    const rows = (Array.isArray(body) ? body : []).filter((row) => (row.count ?? 0) > 0).sort((a, b) => b.count - a.count);
    if (rows.length === 0) return false;
    const container = panel.slot('chart');
    container.style.height = `${Math.max(260, rows.length * ROW_HEIGHT + 40)}px`;
    renderChart(container, {
      legend: { show: false },
      grid: { top: 8, left: 8, right: 56, bottom: 8, containLabel: true },
      tooltip: tooltip((item) => {
        const row = rows[item.dataIndex];
        return tooltipHtml(row?.intent ?? '', [[item.color, 'Prompts', formatInteger(row?.count)], [null, 'Share', formatPercent(row?.percentage)]]);
      }),
      xAxis: { type: 'value', minInterval: 1, ...axisCommon },
      yAxis: { type: 'category', inverse: true, data: rows.map((row) => row.intent), ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => truncate(value, 20) }, splitLine: { show: false } },
      series: [{
        name: 'Prompts',
        type: 'bar',
        barMaxWidth: 18,
        itemStyle: { borderRadius: [0, 4, 4, 0] },
        data: rows.map((row) => row.count),
        label: { show: true, position: 'right', color: '#475569', formatter: (item) => formatPercent(rows[item.dataIndex]?.percentage) },
      }],
    });
    return true;
  },
};
