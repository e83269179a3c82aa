import type { ClassificationQueue } from '../classification/classification-queue.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import type { DataLifecycle } from './data-lifecycle.js';
import type { EventExport } from './event-export.js';
import type { EventSink } from './event-sink.js';
import type { SettingsStore } from './settings-store.js';
import type { WriteProbe } from './write-probe.js';

/**
 * A storage engine as a whole: what one implementation per engine provides
 * (SQLite embedded; ClickHouse for several stateless collectors), with engine
 * specifics kept inside. Code depends on the part it uses — ingest on the
 * EventSink, the classification worker on the ClassificationQueue, key
 * resolution on the SettingsStore, readiness on the WriteProbe, metrics on
 * the MetricsSource, erasure and retention on the
 * DataLifecycle; only the code that opens an engine holds the whole.
 * Every method is async so that networked engines fit.
 */
export interface Store extends EventSink, EventExport, ClassificationQueue, SettingsStore, WriteProbe, DataLifecycle {
  /** The rows behind `GET /v1/metrics/…`, computed by this engine. */
  readonly metrics: MetricsSource;
  /** Flushes and closes. Safe to call twice. */
  close(): Promise<void>;
}
