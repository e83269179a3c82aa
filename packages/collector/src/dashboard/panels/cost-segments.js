// Spend per user segment: the value of one user trait (plan by default;
// the trait is chosen in the panel), with the cost per conversation of each
// segment. Users without the trait are the API's `unknown` segment.

import { axisCommon, axisTooltip, categoryLabels, renderChart } from '../charts.js';
import { dataTable } from '../dom.js';
import { formatInteger } from '../format.js';
import { moneyScale } from '../units.js';

export const DEFAULT_SEGMENT_TRAIT = 'plan';

export const costSegmentsPanel = {
  name: 'cost-segments',
  filters: ['model', 'intent'],
  load: async (fetchMetric, query, panel) => {
    const trait = segmentTrait(panel);
    return { trait, rows: await fetchMetric('cost', { ...query, group_by: 'segment', segment_trait: trait }) };
  },
  /** The trait field reloads the dashboard when it changes (Enter or leaving the field). */
  init(panel, reload) {
    const form = panel.slot('trait-form');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      reload();
    });
    panel.slot('trait').addEventListener('change', () => reload());
  },
  render(panel, { trait, rows }) {
    const segments = (Array.isArray(rows) ? rows : []).filter((row) => (row.cost ?? 0) > 0 || (row.total_tokens ?? 0) > 0);
    if (segments.length === 0) return false;
    const container = panel.slot('chart');
    // Each axis picks its decimals once, from its largest value.
    const costAxis = moneyScale(segments.map((row) => row.cost));
    const perConversationAxis = moneyScale(segments.map((row) => row.cost_per_conversation));
    renderChart(container, {
      grid: { top: 36, left: 8, right: 8, bottom: 8, containLabel: true },
      tooltip: axisTooltip((value, item) => (item.seriesName === 'Cost' ? costAxis : perConversationAxis).format(value)),
      xAxis: { type: 'category', data: segments.map((row) => row.key), ...axisCommon, axisLabel: categoryLabels(container, segments.length), splitLine: { show: false } },
      yAxis: [
        { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => costAxis.format(value) } },
        { type: 'value', ...axisCommon, axisLabel: { ...axisCommon.axisLabel, formatter: (value) => perConversationAxis.format(value) }, splitLine: { show: false } },
      ],
      series: [
        { name: 'Cost', type: 'bar', barMaxWidth: 32, itemStyle: { borderRadius: [4, 4, 0, 0] }, data: segments.map((row) => row.cost) },
        { name: 'Cost / conversation', type: 'scatter', yAxisIndex: 1, symbolSize: 10, color: '#10b981', data: segments.map((row) => row.cost_per_conversation ?? null) },
      ],
    });
    const costColumn = moneyScale(segments.map((row) => row.cost));
    const perConversationColumn = moneyScale(segments.map((row) => row.cost_per_conversation));
    panel.slot('table').replaceChildren(
      dataTable(
        [
          { label: trait, value: (row) => row.key },
          { label: 'Cost', numeric: true, value: (row) => costColumn.format(row.cost) },
          { label: 'Conversations', numeric: true, value: (row) => formatInteger(row.conversations) },
          { label: 'Cost / conversation', numeric: true, value: (row) => perConversationColumn.format(row.cost_per_conversation) },
          { label: 'Tokens', numeric: true, value: (row) => formatInteger(row.total_tokens) },
        ],
        segments,
      ),
    );
    return true;
  },
};

/** The trait typed in the panel; empty means the default. The API checks the name and says what is wrong. */
function segmentTrait(panel) {
  const typed = panel.slot('trait').value.trim();
  return typed === '' ? DEFAULT_SEGMENT_TRAIT : typed;
}
