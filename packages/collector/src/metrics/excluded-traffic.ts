import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { defineMetric } from './metric-endpoint.js';

/**
 * What the numbers leave out, so that nothing disappears silently: users with
 * a prompt in the range whose traffic was excluded as bot (crawler user
 * agent, automated browser) or internal (`internal: true` trait,
 * `--internal-users`). With include_bots / include_internal the matching
 * count is 0, since nothing of that kind is left out.
 */
export const excludedTrafficMetric = defineMetric({
  path: 'excluded-traffic',
  filters: [],
  params: z.object({}),
  async compute({ source, scope }) {
    const excluded = await source.excludedUsers(scope);
    const body = { excluded_users: { bots: excluded.bots, internal: excluded.internal } };
    return { body, csv: csvFromRecords(['bots', 'internal'], [{ bots: excluded.bots, internal: excluded.internal }]) };
  },
});
