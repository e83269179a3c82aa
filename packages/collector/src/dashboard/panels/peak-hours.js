// Activity by weekday × hour of day in the selected time zone (row 0 = Monday).

import { axisCommon, renderChart, tooltip, tooltipHtml } from '../charts.js';
import { formatInteger } from '../format.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, '0'));

export const peakHoursPanel = {
  name: 'peak-hours',
  filters: ['intent'],
  load: (fetchMetric, query) => fetchMetric('peak-hours', query),
  render(panel, body) {
    const matrix = Array.isArray(body?.matrix) ? body.matrix : [];
    const cells = [];
    let max = 0;
    matrix.slice(0, 7).forEach((row, day) => {
      (Array.isArray(row) ? row : []).slice(0, 24).forEach((value, hour) => {
        const count = typeof value === 'number' ? value : 0;
        max = Math.max(max, count);
        cells.push([hour, day, count]);
      });
    });
    if (max === 0) return false;
    renderChart(panel.slot('chart'), {
      legend: { show: false },
      grid: { top: 8, left: 8, right: 8, bottom: 56, containLabel: true },
      tooltip: tooltip((item) => tooltipHtml(`${WEEKDAYS[item.value[1]]} ${HOURS[item.value[0]]}:00–${HOURS[item.value[0]]}:59`, [[null, 'Activity', formatInteger(item.value[2])]])),
      xAxis: { type: 'category', data: HOURS, ...axisCommon, splitArea: { show: false }, splitLine: { show: false } },
      yAxis: { type: 'category', inverse: true, data: WEEKDAYS, ...axisCommon, splitLine: { show: false } },
      // A colour scale with numbers: its ends are labelled (0 and the busiest
      // hour's count) and its handles show the values they select.
      visualMap: {
        type: 'continuous',
        min: 0,
        max,
        calculable: true,
        precision: 0,
        text: [formatInteger(max), '0'],
        formatter: (value) => formatInteger(Math.round(value)),
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 200,
        itemWidth: 12,
        inRange: { color: ['#f8fafc', '#bae6fd', '#0ea5e9', '#1e3a8a'] },
        textStyle: { color: '#475569' },
      },
      series: [{ name: 'Activity', type: 'heatmap', data: cells, itemStyle: { borderColor: '#fff', borderWidth: 2, borderRadius: 3 } }],
    });
    return true;
  },
};
