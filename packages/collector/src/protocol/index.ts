/**
 * The wire protocol lives in @chatmeter/sdk (one source of truth, shared by
 * the SDK's types and the collector's validation); re-exported here so
 * collector modules import it from one place.
 */
export * from '@chatmeter/sdk/protocol';
