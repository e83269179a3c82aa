// Intent distribution: horizontal bars, largest first, with each intent's share,
// and the LLM classifier's daily budget when one is set.

import { axisCommon, renderChart, tooltip, tooltipHtml, truncate } from '../charts.js';
import { formatCost, formatInteger, formatPercent } from '../format.js';

const ROW_HEIGHT = 30;

export const intentsPanel = {
  name: 'intents',
  filters: [],
  async load(fetchMetric, query) {
    // The budget line is secondary: a failed classification request leaves the intents shown.
    const [intents, classification] = await Promise.all([fetchMetric('intents', query), fetchMetric('classification', query).catch(() => null)]);
    return { intents, budget: classification?.budget ?? null };
  },
  render(panel, body) {
    const note = panel.slot('budget');
    const budgetLine = describeBudget(body?.budget);
    note.hidden = budgetLine === null;
    note.textContent = budgetLine ?? '';
    const rows = (Array.isArray(body?.intents) ? body.intents : []).filter((row) => (row.count ?? 0) > 0).sort((a, b) => b.count - a.count);
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

/** Today's LLM classifier spend against its daily budget (UTC day); null when no budget is set. */
function describeBudget(budget) {
  if (budget === null || budget === undefined || typeof budget.daily_limit !== 'number') return null;
  if (budget.exhausted) return `LLM classifier budget exhausted (${formatCost(budget.daily_limit)}): built-in classifier until midnight UTC`;
  return `LLM classifier budget: ${formatCost(budget.spent_today)} of ${formatCost(budget.daily_limit)} spent today (UTC)`;
}
