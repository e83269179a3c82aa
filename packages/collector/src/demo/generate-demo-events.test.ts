import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, validateMessage, type MessageInput } from '../protocol/index.js';
import { OPENING_INTENT_SHARES } from './demo-catalog.js';
import { DAY_MS } from './demo-settings.js';
import { MAX_DEMO_BATCH_MESSAGES, generateDemoEvents } from './generate-demo-events.js';

const END = Date.UTC(2026, 0, 31, 15, 0, 0);

function all(options: Parameters<typeof generateDemoEvents>[0]): MessageInput[] {
  return [...generateDemoEvents(options)].flat();
}

/** The person behind a message: demo messages always carry the browser's anonymousId. */
function personOf(message: MessageInput): string {
  return String(message.anonymousId);
}

function properties(message: MessageInput): Record<string, unknown> {
  return message.properties ?? {};
}

/** Share of people active on day `first + n` among those seen first at least `n` days before the end. */
function retention(messages: readonly MessageInput[], n: number): number {
  const daysByPerson = new Map<string, Set<number>>();
  for (const message of messages) {
    const day = Math.floor(Date.parse(String(message.timestamp)) / DAY_MS);
    const days = daysByPerson.get(personOf(message)) ?? new Set<number>();
    days.add(day);
    daysByPerson.set(personOf(message), days);
  }
  const lastDay = Math.floor(END / DAY_MS);
  let eligible = 0;
  let retained = 0;
  for (const days of daysByPerson.values()) {
    const first = Math.min(...days);
    if (first + n > lastDay) continue;
    eligible += 1;
    if (days.has(first + n)) retained += 1;
  }
  return retained / eligible;
}

describe('generateDemoEvents', () => {
  let messages: MessageInput[];
  beforeAll(() => {
    messages = all({ users: 800, days: 60, seed: 42, endDate: END });
  });

  it('gives the same events for the same seed and other events for another seed', () => {
    const options = { users: 60, days: 30, endDate: END };
    const first = [...generateDemoEvents({ ...options, seed: 7 })];
    const second = [...generateDemoEvents({ ...options, seed: 7 })];
    expect(second).toEqual(first);
    expect(first.flat().length).toBeGreaterThan(500);
    const other = all({ ...options, seed: 8 });
    expect(other.map((message) => message.timestamp)).not.toEqual(first.flat().map((message) => message.timestamp));
  });

  it('draws each user on its own, so adding users leaves the first ones unchanged', () => {
    const few = all({ users: 5, days: 30, endDate: END });
    const more = all({ users: 10, days: 30, endDate: END });
    expect(more.slice(0, few.length)).toEqual(few);
  });

  it('produces only messages the collector accepts, in batches under the request limits', () => {
    const biggest = messages.reduce((max, message) => Math.max(max, Buffer.byteLength(JSON.stringify(message))), 0);
    expect(biggest).toBeLessThan(1024);
    const batches = [...generateDemoEvents({ users: 300, days: 60, endDate: END })];
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(MAX_DEMO_BATCH_MESSAGES);
    expect(Math.max(...batches.map((batch) => Buffer.byteLength(JSON.stringify({ batch }))))).toBeLessThan(MAX_REQUEST_BYTES);
    const invalid = messages
      .map((message) => ({ message, validation: validateMessage(message) }))
      .filter(({ validation }) => !validation.ok);
    expect(invalid.slice(0, 3)).toEqual([]);
  });

  it('gives every message a unique id and the library name the Chatmeter SDK sends', () => {
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(messages.length);
    expect(messages.every((message) => message.context?.library?.name === '@chatmeter/sdk')).toBe(true);
  });

  it('sends one or two valid SDK health reports per session that add up to its events, rarely with drops', () => {
    const reports = messages.filter((message) => message.event === 'chatmeter_sdk_health');
    expect(reports.map((report) => validateMessage(report).ok).filter((ok) => !ok)).toEqual([]);
    const eventsBySession = new Map<string, number>();
    const reportsBySession = new Map<string, MessageInput[]>();
    for (const message of messages) {
      const session = String(message.context?.sessionId);
      if (message.event === 'chatmeter_sdk_health') reportsBySession.set(session, [...(reportsBySession.get(session) ?? []), message]);
      else eventsBySession.set(session, (eventsBySession.get(session) ?? 0) + 1);
    }
    expect(reportsBySession.size).toBe(eventsBySession.size);
    expect(Math.max(...[...reportsBySession.values()].map((list) => list.length))).toBe(2);
    const sum = (list: MessageInput[], field: string): number => list.reduce((total, report) => total + Number(properties(report)[field]), 0);
    // With both reports sent, everything the session queued was sent or dropped, and what was sent was stored.
    const complete = [...reportsBySession].filter(([, list]) => list.length === 2);
    expect(complete.length / reportsBySession.size).toBeGreaterThan(0.5);
    const unbalanced = complete.filter(
      ([session, list]) =>
        sum(list, 'sent') !== eventsBySession.get(session) || sum(list, 'queued') !== sum(list, 'sent') + sum(list, 'dropped_queue_full'),
    );
    expect(unbalanced).toEqual([]);
    const dropped = reports.filter((report) => Number(properties(report)['dropped_queue_full']) > 0).length;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped / reportsBySession.size).toBeLessThan(0.02);
    const browsers = new Set(reports.map(personOf));
    const memoryBrowsers = new Set(reports.filter((report) => properties(report)['storage'] === 'memory').map(personOf));
    expect(memoryBrowsers.size).toBeGreaterThan(0);
    expect(memoryBrowsers.size / browsers.size).toBeLessThan(0.08);
  });

  it('never sends prompt or response texts', () => {
    const withText = messages.filter((message) => 'prompt_text' in properties(message) || 'response_text' in properties(message));
    expect(withText).toEqual([]);
    const intents = new Set(messages.map((message) => properties(message)['classified_intent']).filter((intent) => intent !== undefined));
    expect([...intents].sort()).toEqual(Object.keys(OPENING_INTENT_SHARES).sort());
  });

  it('keeps each user in time order and every event inside the period', () => {
    const last = new Map<string, number>();
    const start = Math.floor(END / DAY_MS) * DAY_MS - 59 * DAY_MS;
    const outside: MessageInput[] = [];
    const backwards: MessageInput[] = [];
    for (const message of messages) {
      const at = Date.parse(String(message.timestamp));
      if (at < start || at > END) outside.push(message);
      if (at < (last.get(personOf(message)) ?? -Infinity)) backwards.push(message);
      last.set(personOf(message), at);
    }
    expect(outside).toEqual([]);
    expect(backwards).toEqual([]);
  });

  it('retains people along a plausible decay: day 1 > day 7 > day 30, with a loyal core', () => {
    const day1 = retention(messages, 1);
    const day7 = retention(messages, 7);
    const day30 = retention(messages, 30);
    expect(day1).toBeGreaterThan(0.2);
    expect(day1).toBeLessThan(0.5);
    expect(day7).toBeLessThan(day1);
    expect(day30).toBeLessThan(day7);
    expect(day30).toBeGreaterThan(0.04);
  });

  it('has about 30 % single-prompt sessions and none over 15 prompts', () => {
    const promptsBySession = new Map<string, number>();
    for (const message of messages) {
      if (message.event !== 'ai_user_prompt_created') continue;
      const session = String(message.context?.sessionId);
      promptsBySession.set(session, (promptsBySession.get(session) ?? 0) + 1);
    }
    const counts = [...promptsBySession.values()];
    const single = counts.filter((count) => count === 1).length / counts.length;
    expect(single).toBeGreaterThan(0.22);
    expect(single).toBeLessThan(0.38);
    expect(Math.max(...counts)).toBeLessThanOrEqual(15);
  });

  it('identifies most people, some only after anonymous visits', () => {
    const identifies = messages.filter((message) => message.type === 'identify');
    const people = new Set(messages.map(personOf));
    expect(identifies.length / people.size).toBeGreaterThan(0.6);
    expect(identifies.length / people.size).toBeLessThan(0.95);
    const firstTrack = new Map<string, MessageInput>();
    for (const message of messages) if (message.type === 'track' && !firstTrack.has(personOf(message))) firstTrack.set(personOf(message), message);
    const identifiedLater = identifies.filter((identify) => firstTrack.get(personOf(identify))?.userId === undefined);
    expect(identifiedLater.length).toBeGreaterThan(0);
    expect(new Set(identifies.map((identify) => identify.traits?.['plan']))).toEqual(new Set(['free', 'pro', 'enterprise']));
  });

  it('fails about 2 % of responses with an error and 1 % with a timeout', () => {
    const responses = messages.filter((message) => message.event === 'ai_llm_response_received');
    const share = (status: string): number =>
      responses.filter((message) => properties(message)['response_status'] === status).length / responses.length;
    expect(share('error')).toBeGreaterThan(0.01);
    expect(share('error')).toBeLessThan(0.035);
    expect(share('timeout')).toBeGreaterThan(0.005);
    expect(share('timeout')).toBeLessThan(0.02);
    const failedWithoutType = responses.filter(
      (message) => properties(message)['response_status'] !== 'success' && typeof properties(message)['error_type'] !== 'string',
    );
    expect(failedWithoutType).toEqual([]);
  });
});
