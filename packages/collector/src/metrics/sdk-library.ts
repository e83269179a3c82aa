/**
 * `context.library.name` of every event the Chatmeter SDK sends (browser and
 * Node alike, packages/sdk/src/page-context.ts). Delivery health compares the
 * SDK's own reports with the events stored under this name.
 */
export const CHATMETER_SDK_LIBRARY = '@chatmeter/sdk';
