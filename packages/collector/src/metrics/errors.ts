import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { fillDays } from './day-keys.js';
import { labelKey } from './group-labels.js';
import { defineMetric } from './metric-endpoint.js';
import { ratio } from './round.js';

/**
 * Failed responses per model or local day: error_rate = (errors + timeouts) /
 * responses, where errors and timeouts are responses with response_status
 * `error` / `timeout` (a response without a status counts as success).
 */
export const errorsMetric = defineMetric({
  path: 'errors',
  filters: ['model', 'intent', 'conversation_id'],
  params: z.object({
    group_by: z.enum(['model', 'day'], { error: 'must be model or day' }).default('model'),
  }),
  async compute({ source, scope, params }) {
    let rows = await source.errors(scope, params.group_by);
    if (params.group_by === 'day') rows = fillDays(scope, rows, (date) => ({ key: date, responses: 0, errors: 0, timeouts: 0 }));
    const groups = rows.map((row) => ({
      key: labelKey(row.key, params.group_by),
      responses: row.responses,
      errors: row.errors,
      timeouts: row.timeouts,
      error_rate: ratio(row.errors + row.timeouts, row.responses),
    }));
    if (params.group_by === 'model') groups.sort((a, b) => b.responses - a.responses || a.key.localeCompare(b.key));
    return { body: groups, csv: csvFromRecords(['key', 'responses', 'errors', 'timeouts', 'error_rate'], groups) };
  },
});
