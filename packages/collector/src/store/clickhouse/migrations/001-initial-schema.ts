import { MERGE_VERSION_BASE } from '../event-rows.js';
import { createTableStatements, type ClickHouseMigration, type TableSpec } from './clickhouse-migration.js';

/**
 * Events as received, one row per (write key, message id) once merges have
 * run: `ReplacingMergeTree` folds copies of a retried message inside a
 * partition, keeping the first received (the highest `merge_version`, which
 * falls as received_at grows), the same copy every read keeps: reads group by
 * (write_key, message_id), so copies not merged yet (or in two partitions)
 * count once, and answers do not move when merges happen. The collector
 * writes `merge_version` itself (toEventRow): 18.16 fills a field JSONEachRow
 * omits with 0, not with its DEFAULT, and a MATERIALIZED column is forwarded
 * by Distributed tables to shards that refuse it. Partitioned by the
 * month of the event time, so a metric range reads only its months; ordered
 * by event name first, because every metric reads one or two event names.
 * Times are epoch milliseconds (Int64: 18.16 has no DateTime64). `traffic`
 * is a bitmask (1 debug, 2 bot, 4 internal: traffic.ts) so
 * that a scope's exclusions are one `bitAnd`. Strings that may be absent are
 * Nullable; `event` is '' for messages without one (a sorting key cannot be Nullable).
 */
const events: TableSpec = {
  name: 'events',
  columns: `
    write_key String, message_id String, type String, event String,
    user_id Nullable(String), anonymous_id Nullable(String), previous_id Nullable(String),
    session_id Nullable(String), conversation_id Nullable(String), prompt_number Nullable(Float64),
    ts Int64, original_ts Nullable(Int64), sent_at Nullable(Int64), received_at Int64,
    latency_ms Nullable(Float64), time_to_first_token_ms Nullable(Float64), tokens_per_second Nullable(Float64),
    response_id Nullable(String), regenerated_from Nullable(String),
    prompt_tokens Nullable(Float64), completion_tokens Nullable(Float64), total_tokens Nullable(Float64),
    cost Nullable(Float64), model Nullable(String), status Nullable(String), error_type Nullable(String),
    intent Nullable(String), action_type Nullable(String), feedback_type Nullable(String), feedback_value Nullable(String),
    rating Nullable(Float64), thumbs_up Nullable(UInt8), traffic UInt8, from_sdk UInt8, channel Nullable(String),
    properties String, context String, traits Nullable(String), extra Nullable(String),
    merge_version UInt64 DEFAULT toUInt64(${MERGE_VERSION_BASE} - received_at)`,
  engine: 'ReplacingMergeTree(merge_version)',
  partitionBy: 'toYYYYMM(toDateTime(intDiv(ts, 1000)))',
  orderBy: '(event, write_key, message_id)',
  shardingKey: 'cityHash64(write_key, message_id)',
};

/** anonymousId → userId links made by identify (and alias previousId → userId); the latest link wins. */
const identities: TableSpec = {
  name: 'identities',
  columns: 'anonymous_id String, user_id String, linked_at UInt64',
  engine: 'ReplacingMergeTree(linked_at)',
  orderBy: 'anonymous_id',
  shardingKey: 'cityHash64(anonymous_id)',
};

/**
 * One row per trait an identify set (value as text; has_value 0 when set to null:
 * not Nullable, so that argMax keeps a later null instead of skipping it),
 * for the user the identify names (`user_id`, else its anonymous id, resolved
 * through `identities` at query time). The latest identify wins per trait.
 */
const userTraits: TableSpec = {
  name: 'user_traits',
  columns: `user_id Nullable(String), anonymous_id Nullable(String), trait String, value String, has_value UInt8,
    received_at Int64, ts Int64, message_id String`,
  engine: 'MergeTree()',
  orderBy: '(trait, message_id)',
  shardingKey: 'cityHash64(message_id)',
};

/** Intents the background classifier found for prompts, joined to the events at query time. */
const promptIntents: TableSpec = {
  name: 'prompt_intents',
  columns: 'write_key String, message_id String, intent String, sampled UInt8, classified_at UInt64',
  engine: 'ReplacingMergeTree(classified_at)',
  orderBy: '(write_key, message_id)',
  shardingKey: 'cityHash64(write_key, message_id)',
};

/** What the classifiers cost, per UTC day and classifier; always read with sum(). */
const classificationUsage: TableSpec = {
  name: 'classification_usage',
  columns: `day String, classifier String, prompts Float64, cached Float64, errors Float64, not_sampled Float64,
    prompt_tokens Float64, completion_tokens Float64, cost Float64`,
  engine: 'SummingMergeTree()',
  orderBy: '(day, classifier)',
  shardingKey: 'cityHash64(day, classifier)',
};

/** Values the collector keeps for itself by name; the latest write wins. */
const settings: TableSpec = {
  name: 'settings',
  columns: 'name String, value String, updated_at UInt64',
  engine: 'ReplacingMergeTree(updated_at)',
  orderBy: 'name',
  shardingKey: 'cityHash64(name)',
};

export const initialSchemaMigration: ClickHouseMigration = {
  version: 1,
  name: 'events, identities, user traits, prompt intents, classification usage, settings',
  statements: (tables) => [events, identities, userTraits, promptIntents, classificationUsage, settings].flatMap((spec) => createTableStatements(spec, tables)),
};
