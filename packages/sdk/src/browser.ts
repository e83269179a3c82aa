/**
 * The script-tag entry: `window.chatmeter`. The inline snippet defines a stub
 * that records calls (with the time they were made) until this bundle
 * loads; they are replayed here in order, with their original timestamps.
 * What a recorded call returned (a turn, a response) is recorded too: the
 * stub hands out placeholders whose calls (`firstToken()`, `regenerate()`,
 * `response()`, `action()`) are recorded as `__firstToken`, `__response`…
 * with the index of the call that made them, and replayed on its result, so
 * time to first token and latency come out as they happened.
 */
import { createClient, type ChatmeterClient } from './client.js';
import { scriptTagScope } from './global-scope.js';
import type { ChatmeterOptions } from './options.js';
import { warn } from './warn.js';

/** A call recorded by the snippet: [method, arguments, epoch ms]. */
type RecordedCall = [string, unknown[], number];

type Callable = Record<string, ((...parameters: unknown[]) => unknown) | undefined>;

const METHODS = [
  'identify', 'reset', 'optOut', 'optIn', 'startConversation', 'trackPrompt', 'trackResponse',
  'trackAction', 'track', 'flush', 'setDebug', 'onEvent',
] as const;

const page = scriptTagScope();
const stub = (page.chatmeter ?? {}) as { q?: RecordedCall[] } & Record<string, unknown>;
/** Every call made before init: the snippet's, then this bundle's own until init. */
const recorded: RecordedCall[] = Array.isArray(stub.q) ? stub.q : [];
/** What each replayed call returned, by its index in `recorded`. */
const results = new Map<number, unknown>();
let replayed = 0;
let client: ChatmeterClient | undefined;
/** Clock override while replaying recorded calls, so events carry the time they happened. */
let replayTime: number | undefined;

function init(options: ChatmeterOptions): void {
  if (client !== undefined) return;
  try {
    client = createClient(options, { now: () => replayTime ?? Date.now() });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
  }
}

/** Replays the recorded calls not yet replayed, once there is a client (the first recorded init makes it, wherever it is). */
function replay(): void {
  if (client === undefined) {
    const initAt = recorded.findIndex(([method], index) => index >= replayed && method === 'init');
    if (initAt === -1) return;
    const [, [options], time] = recorded[initAt]!;
    recorded[initAt]![0] = 'initialised';
    replayTime = time;
    init(options as ChatmeterOptions);
    replayTime = undefined;
    if (client === undefined) return;
  }
  while (replayed < recorded.length) {
    // Counted before the call runs: a call it makes on a placeholder (a listener
    // reacting to an event) replays from the next index, never this one again.
    const index = replayed++;
    const [method, args, time] = recorded[index]!;
    const target = (method.startsWith('__') ? results.get(args.shift() as number) : method === 'init' ? undefined : client) as Callable | undefined;
    // A nested replay hands the clock back to the call it ran inside.
    const outerTime = replayTime;
    replayTime = time;
    try {
      results.set(index, target?.[method.replace('__', '')]?.(...args));
    } catch (error) {
      warn(`replaying ${method} failed`, error);
    } finally {
      replayTime = outerTime;
    }
  }
}

/** Records a call before init (this bundle's stand-in for the snippet); returns its index. */
const record = (method: string, args: unknown[]): number => recorded.push([method, args, Date.now()]) - 1;

/** What a recorded trackPrompt / trackResponse / response() returns before init: its calls are recorded in turn. */
const placeholder = (index: number): unknown => ({
  firstToken: () => void record('__firstToken', [index]),
  regenerate: () => void record('__regenerate', [index]),
  response: (input?: object) => placeholder(record('__response', [index, input])),
  action: (input: object) => void record('__action', [index, input]),
});

// Placeholders handed out by the snippet keep pushing here after load: replay each as it comes.
recorded.push = (...calls: RecordedCall[]): number => {
  const length = Array.prototype.push.apply(recorded, calls);
  replay();
  return length;
};

const api: Record<string, unknown> = {
  init(options: ChatmeterOptions) {
    init(options);
    replay();
  },
};
for (const method of METHODS) {
  api[method] = (...args: unknown[]) => {
    if (client !== undefined) return (client[method] as (...parameters: unknown[]) => unknown)(...args);
    const index = record(method, args);
    return method === 'flush' ? Promise.resolve() : method === 'trackPrompt' || method === 'trackResponse' ? placeholder(index) : undefined;
  };
}

// Upgrade the stub in place: pages that kept a reference to it keep working.
delete stub.q;
Object.assign(stub, api);
page.chatmeter = stub;
replay();
