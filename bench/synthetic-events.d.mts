import type { EventRecord } from '../packages/collector/src/store/event-record.js';

/** Types of synthetic-events.mjs for the test that feeds its records to the stores. */
export function createSyntheticEvents(options: {
  events: number;
  users: number;
  days: number;
  endMs: number;
  seed?: number;
  writeKey: string;
  ids?: 'bench' | 'sdk';
}): { generateDay(day: number): EventRecord[] };
