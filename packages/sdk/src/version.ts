/** Reported in every event's `context.library`, by the npm package and the script-tag bundle alike. */
export const SDK_VERSION = '0.1.0';
