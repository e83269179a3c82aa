// p50 / p95 latency per model, plus each model's p95 over the trailing 7
// days ending at the range's end date: a baseline that tells whether a
// long range hides a recent regression (or the other way round). Streamed
// answers add their time to first token (p50 / p95) on the same
// milliseconds axis, and the median tokens per second in the table only.

import { addDays } from '../dates.js';
import { axisCommon, axisTooltip, categoryLabels, renderChart } from '../charts.js';
import { dataTable } from '../dom.js';
import { formatDecimal, formatInteger, formatMs } from '../format.js';

const BASELINE_DAYS = 7;

export const latencyPanel = {
  name: 'latency',
  filters: ['model', 'intent'],
  async load(fetchMetric, query) {
    const baselineQuery = { ...query, from: addDays(query.to, -(BASELINE_DAYS - 1)) };
    const [rows, baseline, ttft] = await Promise.all([
      fetchMetric('latency', { ...query, group_by: 'model' }),
      fetchMetric('latency', { ...baselineQuery, group_by: 'model' }),
      fetchMetric('latency', { ...query, group_by: 'model', metric: 'ttft' }),
    ]);
    return { rows, baseline, ttft };
  },
  render(panel, { rows, baseline, ttft }) {
    const models = (Array.isArray(rows) ? rows : []).filter((row) => (row.count ?? 0) > 0).sort((a, b) => b.count - a.count);
    if (models.length === 0) return false;
    const baselineByModel = new Map((Array.isArray(baseline) ? baseline : []).map((row) => [row.key, row.p95_ms]));
    const trailing = (row) => baselineByModel.get(row.key) ?? null;
    const ttftByModel = new Map((Array.isArray(ttft) ? ttft : []).map((row) => [row.key, row]));
    const streamed = ttftByModel.size > 0;
    const firstToken = (row, field) => ttftByModel.get(row.key)?.[field] ?? null;
    renderChart(panel.slot('chart'), {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value) => formatMs(value)),
      xAxis: { type: 'category', data: models.map((row) => row.key), ...axisCommon, axisLabel: categoryLabels(panel.slot('chart'), models.length), splitLine: { show: false } },
      yAxis: { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => formatMs(value) } },
      series: [
        { name: 'p50', type: 'bar', barMaxWidth: 28, itemStyle: { borderRadius: [4, 4, 0, 0] }, data: models.map((row) => row.p50_ms) },
        { name: 'p95', type: 'bar', barMaxWidth: 28, itemStyle: { borderRadius: [4, 4, 0, 0] }, data: models.map((row) => row.p95_ms) },
        ...(streamed
          ? [
              { name: 'TTFT p50', type: 'bar', barMaxWidth: 28, itemStyle: { borderRadius: [4, 4, 0, 0] }, color: '#10b981', data: models.map((row) => firstToken(row, 'p50_ms')) },
              { name: 'TTFT p95', type: 'bar', barMaxWidth: 28, itemStyle: { borderRadius: [4, 4, 0, 0] }, color: '#14b8a6', data: models.map((row) => firstToken(row, 'p95_ms')) },
            ]
          : []),
        {
          name: `p95, trailing ${BASELINE_DAYS} days`,
          type: 'line',
          symbol: 'diamond',
          symbolSize: 10,
          lineStyle: { type: 'dashed', width: 2 },
          color: '#f59e0b',
          connectNulls: true,
          data: models.map(trailing),
        },
      ],
    });
    panel.slot('table').replaceChildren(
      dataTable(
        [
          { label: 'Model', value: (row) => row.key },
          { label: 'Responses', numeric: true, value: (row) => formatInteger(row.count) },
          { label: 'Avg', numeric: true, value: (row) => formatMs(row.avg_ms) },
          { label: 'p50', numeric: true, value: (row) => formatMs(row.p50_ms) },
          { label: 'p95', numeric: true, value: (row) => formatMs(row.p95_ms) },
          { label: 'p99', numeric: true, value: (row) => formatMs(row.p99_ms) },
          { label: `p95 ${BASELINE_DAYS} d`, numeric: true, value: (row) => formatMs(trailing(row)) },
          ...(streamed
            ? [
                { label: 'TTFT p50', numeric: true, value: (row) => formatMs(firstToken(row, 'p50_ms')) },
                { label: 'TTFT p95', numeric: true, value: (row) => formatMs(firstToken(row, 'p95_ms')) },
                { label: 'Tokens/s', numeric: true, value: (row) => formatDecimal(firstToken(row, 'median_tokens_per_second')) },
              ]
            : []),
        ],
        models,
      ),
    );
    return true;
  },
};
