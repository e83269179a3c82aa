import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs on stdout. Request bodies are never logged: they may
 * hold prompt texts.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'chatmeter-collector' }, timestamp: pino.stdTimeFunctions.isoTime });
}
