/** How prompt, response, feedback and error texts leave the browser. */
export type TextMode = 'redact' | 'classify' | 'send';

export interface ChatmeterOptions {
  /** A write key of the collector (`chatmeter-collector start` prints one). */
  writeKey: string;
  /** Base URL of the collector, e.g. `https://chatmeter.example.com`. */
  endpoint: string;
  /** Send texts in full, mark events `debug_mode` and log them to the console. */
  debug?: boolean;
  /**
   * `classify` (default): the prompt text is sent once, for intent
   * classification (the collector stores no text); response, feedback and
   * error texts are replaced by `[redacted]` before the event is stored
   * anywhere. `redact`: no text leaves the browser. `send`: every text goes
   * to the collector. Lengths are kept in every mode.
   */
  text?: TextMode;
  /** A new session starts after this much inactivity. */
  sessionTimeoutMinutes?: number;
  /** Send as soon as this many events wait. */
  flushAt?: number;
  /** Send waiting events at least this often. */
  flushIntervalMs?: number;
  /** Beyond this many waiting events the oldest are dropped (and counted). */
  maxQueueSize?: number;
  /**
   * Send the page URL and referrer with their query string and fragment, and
   * `context.page.search`. Off by default: queries carry emails and tokens.
   */
  keepPageQuery?: boolean;
  /** Send `context.page.title`. Off by default: titles carry names and order details. */
  keepPageTitle?: boolean;
  /**
   * Top-level keys of custom `properties` (and `track()` properties) whose
   * values are replaced by `[redacted]` before the event is stored anywhere,
   * in every mode, debug included. Custom properties are otherwise sent as given.
   */
  redactProperties?: readonly string[];
}

export type ResolvedOptions = Required<ChatmeterOptions>;

export function resolveOptions(options: ChatmeterOptions): ResolvedOptions {
  if (typeof options?.writeKey !== 'string' || options.writeKey === '') {
    throw new TypeError('chatmeter: writeKey is required (chatmeter-collector start prints one)');
  }
  if (typeof options.endpoint !== 'string' || !/^https?:\/\//.test(options.endpoint)) {
    throw new TypeError('chatmeter: endpoint must be the collector URL (https://…)');
  }
  return {
    writeKey: options.writeKey,
    endpoint: options.endpoint.replace(/\/+$/, ''),
    debug: options.debug === true,
    text: options.text === 'send' || options.text === 'redact' ? options.text : 'classify',
    sessionTimeoutMinutes: positive(options.sessionTimeoutMinutes, 30),
    flushAt: positive(options.flushAt, 20),
    flushIntervalMs: positive(options.flushIntervalMs, 5000),
    maxQueueSize: positive(options.maxQueueSize, 10_000),
    keepPageQuery: options.keepPageQuery === true,
    keepPageTitle: options.keepPageTitle === true,
    redactProperties: Array.isArray(options.redactProperties) ? options.redactProperties : [],
  };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}
