// Error and timeout rates per model, stacked: the bar's height is the share
// of responses that did not succeed (the API's error_rate, errors + timeouts).

import { axisCommon, axisTooltip, categoryLabels, renderChart } from '../charts.js';
import { dataTable } from '../dom.js';
import { formatInteger, formatPercent } from '../format.js';

export const errorsPanel = {
  name: 'errors',
  filters: ['model', 'intent'],
  load: (fetchMetric, query) => fetchMetric('errors', { ...query, group_by: 'model' }),
  render(panel, body) {
    const models = (Array.isArray(body) ? body : []).filter((row) => (row.responses ?? 0) > 0).sort((a, b) => b.responses - a.responses);
    if (models.length === 0) return false;
    // Rates from the counts, so the two stacked parts add up to the total.
    const share = (part, row) => (row.responses > 0 ? (100 * (part ?? 0)) / row.responses : null);
    renderChart(panel.slot('chart'), {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value) => formatPercent(value)),
      xAxis: { type: 'category', data: models.map((row) => row.key), ...axisCommon, axisLabel: categoryLabels(panel.slot('chart'), models.length), splitLine: { show: false } },
      yAxis: { type: 'value', min: 0, ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: '{value}%' } },
      series: [
        { name: 'Errors', type: 'bar', stack: 'failed', barMaxWidth: 32, color: '#ef4444', data: models.map((row) => share(row.errors, row)) },
        { name: 'Timeouts', type: 'bar', stack: 'failed', barMaxWidth: 32, color: '#f59e0b', itemStyle: { borderRadius: [4, 4, 0, 0] }, data: models.map((row) => share(row.timeouts, row)) },
      ],
    });
    panel.slot('table').replaceChildren(
      dataTable(
        [
          { label: 'Model', value: (row) => row.key },
          { label: 'Responses', numeric: true, value: (row) => formatInteger(row.responses) },
          { label: 'Errors', numeric: true, value: (row) => formatInteger(row.errors) },
          { label: 'Timeouts', numeric: true, value: (row) => formatInteger(row.timeouts) },
          { label: 'Failed', numeric: true, value: (row) => formatPercent(typeof row.error_rate === 'number' ? row.error_rate * 100 : null) },
        ],
        models,
      ),
    );
    return true;
  },
};
