import { z } from 'zod';
import { csvFromRecords } from './csv.js';
import { defineMetric } from './metric-endpoint.js';
import type { SessionTotals } from './metrics-source.js';
import { average, ratio, roundDuration } from './round.js';

/**
 * A session = one context `sessionId` among messages (prompts and responses),
 * counted in the range its first message falls in. Duration = last − first
 * message time; avg_messages = messages (prompts + responses) / sessions;
 * avg_prompts = prompts / sessions; single-prompt share = sessions in which
 * the user sent exactly one prompt and left / sessions (0–1);
 * single-message share = sessions with exactly one message / sessions (0–1,
 * near 0 whenever every prompt gets a reply); sessions per user = sessions /
 * distinct users of them.
 */
export function summarizeSessions(totals: SessionTotals) {
  return {
    sessions: totals.sessions,
    avg_duration_seconds: totals.sessions === 0 ? 0 : roundDuration(totals.totalDurationMs / totals.sessions / 1000),
    median_duration_seconds: roundDuration(totals.medianDurationMs / 1000),
    avg_messages: average(totals.messages, totals.sessions),
    avg_prompts: average(totals.prompts, totals.sessions),
    single_prompt_share: ratio(totals.singlePromptSessions, totals.sessions),
    single_message_share: ratio(totals.singleMessageSessions, totals.sessions),
    sessions_per_user: average(totals.sessions, totals.users),
  };
}

export const sessionsMetric = defineMetric({
  path: 'sessions',
  filters: [],
  params: z.object({}),
  async compute({ source, scope }) {
    const body = summarizeSessions(await source.sessionTotals(scope));
    const columns = [
      'sessions', 'avg_duration_seconds', 'median_duration_seconds', 'avg_messages', 'avg_prompts', 'single_prompt_share',
      'single_message_share', 'sessions_per_user',
    ] as const;
    return { body, csv: csvFromRecords(columns, [body]) };
  },
});
