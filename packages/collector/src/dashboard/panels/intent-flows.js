// Intent flow sankey: prompt N's intent → prompt N+1's intent.
// ECharts' sankey rejects cycles (a → b → a, or a → a), which real flows
// always contain. Sources and targets therefore get separate nodes
// ("from:x" on the left, "to:x" on the right): the graph is bipartite and
// acyclic by construction, and the labels drop the prefix. The API's
// `to: null` rows (the conversation's last prompt in the range) flow into one
// "End of conversation" node on the right.

import { PALETTE, renderChart, tooltip, tooltipHtml, truncate } from '../charts.js';
import { formatInteger } from '../format.js';

const SOURCE = 'from:';
const TARGET = 'to:';
const END = 'end';
const END_LABEL = 'End of conversation';
const END_COLOUR = '#94a3b8';
const MAX_LINKS = 60;

export const intentFlowsPanel = {
  name: 'intent-flows',
  filters: [],
  load: (fetchMetric, query) => fetchMetric('intent-flows', query),
  render(panel, body) {
    // The thickest flows carry the story; a long tail of 1-count links
    // would only make the diagram unreadable.
    const flows = (Array.isArray(body) ? body : [])
      .filter((flow) => (flow.count ?? 0) > 0 && typeof flow.from === 'string' && (typeof flow.to === 'string' || flow.to === null))
      .sort((a, b) => b.count - a.count)
      .slice(0, MAX_LINKS);
    if (flows.length === 0) return false;
    // One colour per intent, the same on both sides, so a flow that stays
    // on its intent reads as one band.
    const colours = new Map();
    const colourOf = (intent) => {
      if (!colours.has(intent)) colours.set(intent, PALETTE[colours.size % PALETTE.length]);
      return colours.get(intent);
    };
    const nodes = new Map();
    const targetOf = (flow) => (flow.to === null ? END : TARGET + flow.to);
    for (const flow of flows) {
      nodes.set(SOURCE + flow.from, { name: SOURCE + flow.from, depth: 0, itemStyle: { color: colourOf(flow.from) } });
      if (flow.to === null) nodes.set(END, { name: END, depth: 1, itemStyle: { color: END_COLOUR } });
      else nodes.set(TARGET + flow.to, { name: TARGET + flow.to, depth: 1, itemStyle: { color: colourOf(flow.to) } });
    }
    const container = panel.slot('chart');
    container.style.height = `${Math.max(300, Math.min(640, nodes.size * 26))}px`;
    renderChart(container, {
      legend: { show: false },
      tooltip: tooltip((item) => {
        if (item.dataType === 'edge') {
          return tooltipHtml(`${stripPrefix(item.data.source)} → ${stripPrefix(item.data.target)}`, [[null, 'Transitions', formatInteger(item.data.value)]]);
        }
        const side = item.name === END ? 'Conversations ending here' : String(item.name).startsWith(SOURCE) ? 'Prompts with this intent' : 'Reached from a previous prompt';
        return tooltipHtml(stripPrefix(item.name), [[item.color ?? null, side, formatInteger(item.value)]]);
      }),
      series: [{
        type: 'sankey',
        left: 8,
        right: 140,
        top: 8,
        bottom: 8,
        nodeWidth: 14,
        nodeGap: 10,
        nodeAlign: 'justify',
        layoutIterations: 32,
        emphasis: { focus: 'adjacency' },
        data: [...nodes.values()],
        links: flows.map((flow) => ({ source: SOURCE + flow.from, target: targetOf(flow), value: flow.count })),
        label: { color: '#334155', formatter: (item) => truncate(stripPrefix(item.name), 22) },
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
      }],
    });
    return true;
  },
};

function stripPrefix(name) {
  const text = String(name);
  if (text === END) return END_LABEL;
  if (text.startsWith(SOURCE)) return text.slice(SOURCE.length);
  if (text.startsWith(TARGET)) return text.slice(TARGET.length);
  return text;
}
