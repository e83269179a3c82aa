// Spend and tokens per day, with the range's totals and cost per
// conversation above the chart.

import { axisCommon, axisTooltip, renderChart } from '../charts.js';
import { shortDate } from '../dates.js';
import { h } from '../dom.js';
import { formatCompact, formatCost } from '../format.js';
import { countScale, moneyScale } from '../units.js';

export const costDailyPanel = {
  name: 'cost-daily',
  filters: ['model', 'intent'],
  load: (fetchMetric, query) => fetchMetric('cost', { ...query, group_by: 'day' }),
  render(panel, days) {
    const rows = (Array.isArray(days) ? days : []).slice().sort((a, b) => String(a.key).localeCompare(String(b.key)));
    if (!rows.some((row) => (row.cost ?? 0) > 0 || (row.total_tokens ?? 0) > 0)) return false;
    const totalCost = rows.reduce((sum, row) => sum + (row.cost ?? 0), 0);
    const totalTokens = rows.reduce((sum, row) => sum + (row.total_tokens ?? 0), 0);
    // Σ cost / Σ daily conversations, under the same model and intent
    // filters as the spend. A conversation spanning local midnight counts on
    // both days; for chat that is rare enough not to need another query.
    const conversations = rows.reduce((sum, row) => sum + (row.conversations ?? 0), 0);
    const perConversation = conversations > 0 ? totalCost / conversations : null;
    panel.slot('summary').replaceChildren(
      stat('Total cost', formatCost(totalCost), 'total-cost'),
      stat('Tokens', formatCompact(totalTokens), 'total-tokens'),
      stat('Cost / conversation', formatCost(perConversation), 'cost-per-conversation'),
    );
    // Each axis picks its unit once, from its largest value (tokens stack, so their largest is a day's sum).
    const costAxis = moneyScale(rows.map((row) => row.cost));
    const tokenAxis = countScale(rows.map((row) => (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0)));
    renderChart(panel.slot('chart'), {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value, item) => (item.seriesName === 'Cost' ? costAxis : tokenAxis).format(value)),
      xAxis: { type: 'category', data: rows.map((row) => row.key), ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: shortDate }, splitLine: { show: false } },
      yAxis: [
        { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => costAxis.format(value) } },
        { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => tokenAxis.format(value) }, splitLine: { show: false } },
      ],
      series: [
        { name: 'Cost', type: 'bar', barMaxWidth: 22, itemStyle: { borderRadius: [4, 4, 0, 0] }, data: rows.map((row) => row.cost) },
        { name: 'Prompt tokens', type: 'line', yAxisIndex: 1, smooth: 0.3, smoothMonotone: 'x', showSymbol: false, stack: 'tokens', areaStyle: { opacity: 0.08 }, data: rows.map((row) => row.prompt_tokens) },
        { name: 'Completion tokens', type: 'line', yAxisIndex: 1, smooth: 0.3, smoothMonotone: 'x', showSymbol: false, stack: 'tokens', areaStyle: { opacity: 0.08 }, data: rows.map((row) => row.completion_tokens) },
      ],
    });
    return true;
  },
};

function stat(label, value, key) {
  return h('div', { class: 'stat', 'data-stat': key }, h('dt', {}, label), h('dd', {}, value));
}
