import type { EventRecord } from '../event-record.js';
import { leanContext, leanProperties, propertyColumnValues, storedPropertiesText, type PropertyColumnValues } from './lean-event-json.js';

/**
 * An EventRecord with its JSON columns already serialised, as the events
 * table stores them: what crosses to the writer thread and what
 * event-writer.ts binds. Serialising on the request's thread takes that work
 * off the one thread that writes, and a string crosses to it as one copy,
 * where structured cloning walks a nested object field by field. The
 * properties and context leave out what the typed columns hold (lean-event-json.ts).
 */
export interface SerializedEvent extends Omit<EventRecord, 'properties' | 'context' | 'traits' | 'extra'> {
  properties: string;
  context: string;
  traits: string | null;
  /** Null when there were no unknown top-level fields. */
  extra: string | null;
  /** What the property columns and `status_code` store (lean-event-json.ts). */
  columns: PropertyColumnValues;
}

export function serializeEvent(record: EventRecord): SerializedEvent {
  return {
    // First: a property added after the spread made every later read of the record's fields slow (bench/README.md).
    columns: propertyColumnValues(record),
    ...record,
    properties: storedPropertiesText(leanProperties(record)),
    context: JSON.stringify(leanContext(record)),
    traits: record.traits === null ? null : JSON.stringify(record.traits),
    extra: Object.keys(record.extra).length === 0 ? null : JSON.stringify(record.extra),
  };
}
