/**
 * The script-tag entry: `window.chatmeter`. The inline snippet defines a stub
 * that records calls (with the time they were made) until this bundle
 * loads; they are replayed here in order, with their original timestamps.
 */
import { createClient, type Chatmeter, type ChatmeterClient } from './client.js';
import { scriptTagScope } from './global-scope.js';
import type { ChatmeterOptions } from './options.js';
import type { Turn } from './types.js';

/** A call recorded by the snippet: [method, arguments, epoch ms]. */
type RecordedCall = [string, unknown[], number];

interface Stub {
  q?: RecordedCall[];
}

const METHODS = [
  'identify', 'reset', 'optOut', 'optIn', 'startConversation', 'trackPrompt', 'trackResponse',
  'trackAction', 'track', 'flush', 'setDebug', 'onEvent',
] as const;

const page = scriptTagScope();
const stub = (page.chatmeter ?? {}) as Stub;
const recorded = Array.isArray(stub.q) ? stub.q : [];
let client: ChatmeterClient | undefined;
/** Clock override while replaying recorded calls, so events carry the time they happened. */
let replayTime: number | undefined;
/** Calls made after load but before init, replayed by init. */
const beforeInit: RecordedCall[] = [];

const api: Record<string, unknown> = {
  init(options: ChatmeterOptions): void {
    if (client !== undefined) return;
    try {
      client = createClient(options, { now: () => replayTime ?? Date.now() });
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      return;
    }
    replay(beforeInit.splice(0));
  },
};
for (const method of METHODS) {
  api[method] = (...args: unknown[]) => {
    if (client !== undefined) return (client[method] as (...parameters: unknown[]) => unknown)(...args);
    // Loaded but not initialised yet: record like the snippet does.
    beforeInit.push([method, args, Date.now()]);
    if (method === 'flush') return Promise.resolve();
    if (method === 'trackPrompt') return stubTurn(beforeInit, beforeInit.length - 1);
    return undefined;
  };
}

/** What trackPrompt returns before init: its response() is recorded and replayed against the real turn. */
function stubTurn(calls: RecordedCall[], index: number): Pick<Turn, 'response'> {
  return { response: (response?: object) => void calls.push(['__response', [index, response], Date.now()]) };
}

function replay(calls: RecordedCall[]): void {
  const turns = new Map<number, Turn>();
  calls.forEach(([method, args, time], index) => {
    replayTime = time;
    try {
      if (method === 'init') {
        (api['init'] as (options: ChatmeterOptions) => void)(args[0] as ChatmeterOptions);
      } else if (method === '__response') {
        turns.get(args[0] as number)?.response(args[1] as object);
      } else if (client !== undefined) {
        const result = (client[method as keyof Chatmeter] as (...parameters: unknown[]) => unknown)(...args);
        if (method === 'trackPrompt') turns.set(index, result as Turn);
      }
    } finally {
      replayTime = undefined;
    }
  });
}

// Upgrade the stub in place: pages that kept a reference to it keep working.
const target = stub as Stub & Record<string, unknown>;
delete target.q;
Object.assign(target, api);
page.chatmeter = target;
replay(recorded);
