/**
 * @chatmeter/collector public API: build the app, pick a store, read the
 * wire protocol types.
 */
export { createApp } from './app.js';
export type { AppOptions } from './app.js';
export { ChatmeterError } from './chatmeter-error.js';
export { ConfigError, loadConfig } from './config.js';
export type { CollectorConfig, WriteKey } from './config.js';
export { HttpError } from './http/http-error.js';
export { startServer } from './server.js';
export type { RunningCollector } from './server.js';
export type { EventRecord, InsertOutcome } from './store/event-record.js';
export type { Store } from './store/store.js';
export type { EventSink } from './store/event-sink.js';
export type { SettingsStore } from './store/settings-store.js';
export type { WriteProbe } from './store/write-probe.js';
export type { DataLifecycle, ErasureOutcome } from './store/data-lifecycle.js';
export type { ClassificationOutcome, ClassificationQueue, ClassificationUsage, QueuedPrompt } from './classification/classification-queue.js';
export { StoreOpenError } from './store/store-open-error.js';
export { StoreUnavailableError } from './store/store-unavailable-error.js';
export type { MetricsSource } from './metrics/metrics-source.js';
export { MetricParameterError } from './metrics/metric-parameter-error.js';
export type { MetricFilters, MetricScope } from './metrics/metric-scope.js';
export { SchemaVersionError, SqliteStore } from './store/sqlite/index.js';
export type { SqliteStoreOptions } from './store/sqlite/index.js';
export { AI_EVENT, validateMessage } from './protocol/index.js';
export type { BatchInput, BatchResult, ErrorBody, FieldError, Message, MessageInput } from './protocol/index.js';
