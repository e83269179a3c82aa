import { csvFromRecords, type CsvTable } from './csv.js';
import type { TrafficInclusion } from './metric-scope.js';
import type { MetricsSource } from './metrics-source.js';
import { roundDuration } from './round.js';

export interface SessionDetailBody {
  message_count: number;
  duration_seconds: number;
  user_messages: number;
  bot_messages: number;
}

/** One session over all time (the range does not apply); null when no message carries this sessionId. */
export async function describeSession(
  source: MetricsSource,
  sessionId: string,
  traffic: TrafficInclusion,
): Promise<{ body: SessionDetailBody; csv: CsvTable } | null> {
  const detail = await source.sessionById(sessionId, traffic);
  if (detail === null) return null;
  const body = {
    message_count: detail.userMessages + detail.botMessages,
    duration_seconds: roundDuration((detail.lastMs - detail.firstMs) / 1000),
    user_messages: detail.userMessages,
    bot_messages: detail.botMessages,
  };
  return { body, csv: csvFromRecords(['message_count', 'duration_seconds', 'user_messages', 'bot_messages'], [body]) };
}
