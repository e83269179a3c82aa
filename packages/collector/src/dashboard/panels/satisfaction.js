// Feedback per intent: average rating (bars) and thumbs-up rate (dots).

import { axisCommon, axisTooltip, categoryLabels, renderChart } from '../charts.js';
import { formatDecimal, formatPercent } from '../format.js';

export const satisfactionPanel = {
  name: 'satisfaction',
  filters: ['model', 'intent'],
  load: (fetchMetric, query) => fetchMetric('satisfaction', { ...query, group_by: 'intent' }),
  render(panel, body) {
    const rows = (Array.isArray(body) ? body : []).filter((row) => (row.ratings ?? 0) > 0 || (row.thumbs ?? 0) > 0).sort((a, b) => (b.ratings ?? 0) + (b.thumbs ?? 0) - ((a.ratings ?? 0) + (a.thumbs ?? 0)));
    if (rows.length === 0) return false;
    // thumbs_up_rate is a 0–1 ratio (null without thumbs); the axis shows percent.
    const thumbsUp = (row) => (typeof row.thumbs_up_rate === 'number' ? row.thumbs_up_rate * 100 : null);
    const maxRating = Math.max(5, ...rows.map((row) => (typeof row.avg_rating === 'number' ? Math.ceil(row.avg_rating) : 0)));
    renderChart(panel.slot('chart'), {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value, item) => {
        const row = rows[item.dataIndex];
        if (item.seriesName === 'Avg rating') return `${formatDecimal(value)} (${row?.ratings ?? 0} ratings)`;
        return `${formatPercent(value)} (${row?.thumbs ?? 0} thumbs)`;
      }),
      xAxis: { type: 'category', data: rows.map((row) => row.key), ...axisCommon, axisLabel: categoryLabels(panel.slot('chart'), rows.length, { rotate: rows.length > 5 ? 30 : 0 }), splitLine: { show: false } },
      yAxis: [
        { type: 'value', min: 0, max: maxRating, interval: 1, ...axisCommon },
        { type: 'value', min: 0, max: 100, ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: '{value}%' }, splitLine: { show: false } },
      ],
      series: [
        { name: 'Avg rating', type: 'bar', barMaxWidth: 28, itemStyle: { borderRadius: [4, 4, 0, 0] }, data: rows.map((row) => row.avg_rating ?? null) },
        { name: 'Thumbs up', type: 'scatter', yAxisIndex: 1, symbolSize: 12, color: '#10b981', data: rows.map(thumbsUp) },
      ],
    });
    return true;
  },
};
