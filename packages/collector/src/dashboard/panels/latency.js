// p50 / p95 latency per model, plus each model's p95 over the trailing 7
// days ending at the range's end date: a baseline that tells whether a
// long range hides a recent regression (or the other way round), drawn as
// one marker per model — a line would join unrelated models. Streamed
// answers add their time to first token (p50 / p95) on the same axis, and
// the median tokens per second in the table only. The axis and each table
// column pick their unit (ms or s) once, from their largest value.

import { addDays } from '../dates.js';
import { axisCommon, axisTooltip, categoryLabels, renderChart } from '../charts.js';
import { dataTable } from '../dom.js';
import { formatDecimal, formatInteger } from '../format.js';
import { durationScale } from '../units.js';

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
    const baselineName = `p95, trailing ${BASELINE_DAYS} days`;
    const bars = [
      { name: 'p50', values: models.map((row) => row.p50_ms) },
      { name: 'p95', values: models.map((row) => row.p95_ms) },
      ...(streamed
        ? [
            { name: 'TTFT p50', color: '#10b981', values: models.map((row) => firstToken(row, 'p50_ms')) },
            { name: 'TTFT p95', color: '#14b8a6', values: models.map((row) => firstToken(row, 'p95_ms')) },
          ]
        : []),
    ];
    const baselineValues = models.map(trailing);
    const axisScale = durationScale([...bars.flatMap((bar) => bar.values), ...baselineValues]);
    renderChart(panel.slot('chart'), {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value) => axisScale.format(value)),
      xAxis: { type: 'category', data: models.map((row) => row.key), ...axisCommon, axisLabel: categoryLabels(panel.slot('chart'), models.length), splitLine: { show: false } },
      yAxis: { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => axisScale.format(value) } },
      series: [
        ...bars.map((bar) => ({
          name: bar.name,
          type: 'bar',
          barMaxWidth: 28,
          itemStyle: { borderRadius: [4, 4, 0, 0] },
          ...(bar.color === undefined ? {} : { color: bar.color }),
          data: bar.values,
        })),
        {
          // A flat marker across each model's group of bars, at that model's baseline.
          name: baselineName,
          type: 'scatter',
          symbol: 'rect',
          symbolSize: [Math.min(80, 28 * bars.length + 8), 3],
          z: 5,
          color: '#f59e0b',
          data: baselineValues,
        },
      ],
    });
    const column = (label, value) => {
      const scale = durationScale(models.map(value));
      return { label, numeric: true, unit: scale.unit, value: (row) => scale.format(value(row)) };
    };
    panel.slot('table').replaceChildren(
      dataTable(
        [
          { label: 'Model', value: (row) => row.key },
          { label: 'Responses', numeric: true, value: (row) => formatInteger(row.count) },
          column('Avg', (row) => row.avg_ms),
          column('p50', (row) => row.p50_ms),
          column('p95', (row) => row.p95_ms),
          column('p99', (row) => row.p99_ms),
          column(`p95 ${BASELINE_DAYS} d`, trailing),
          ...(streamed
            ? [
                column('TTFT p50', (row) => firstToken(row, 'p50_ms')),
                column('TTFT p95', (row) => firstToken(row, 'p95_ms')),
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
