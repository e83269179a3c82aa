// Spend per model, and what one conversation costs on each model.

import { axisCommon, axisTooltip, categoryLabels, renderChart } from '../charts.js';
import { moneyScale } from '../units.js';

export const costModelsPanel = {
  name: 'cost-models',
  filters: ['model', 'intent'],
  load: (fetchMetric, query) => fetchMetric('cost', { ...query, group_by: 'model' }),
  render(panel, body) {
    const models = (Array.isArray(body) ? body : []).filter((row) => (row.cost ?? 0) > 0 || (row.total_tokens ?? 0) > 0).sort((a, b) => b.cost - a.cost);
    if (models.length === 0) return false;
    // Each axis picks its decimals once, from its largest value.
    const costAxis = moneyScale(models.map((row) => row.cost));
    const perConversationAxis = moneyScale(models.map((row) => row.cost_per_conversation));
    renderChart(panel.slot('chart'), {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value, item) => (item.seriesName === 'Cost' ? costAxis : perConversationAxis).format(value)),
      xAxis: { type: 'category', data: models.map((row) => row.key), ...axisCommon, axisLabel: categoryLabels(panel.slot('chart'), models.length), splitLine: { show: false } },
      yAxis: [
        { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => costAxis.format(value) } },
        { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => perConversationAxis.format(value) }, splitLine: { show: false } },
      ],
      series: [
        { name: 'Cost', type: 'bar', barMaxWidth: 32, itemStyle: { borderRadius: [4, 4, 0, 0] }, data: models.map((row) => row.cost) },
        { name: 'Cost / conversation', type: 'line', yAxisIndex: 1, symbol: 'circle', symbolSize: 8, color: '#10b981', data: models.map((row) => row.cost_per_conversation ?? null) },
      ],
    });
    return true;
  },
};
