import { isbot } from 'isbot';
import type { Message } from '../protocol/index.js';
import { asRecord } from './json-values.js';

/**
 * Traffic that is not a real user of the chat product. Bots (crawlers by
 * user agent, or a browser driven by automation) and internal users (the
 * team's own staff and test accounts) are left out of every metric unless a
 * query asks for them, as debug-mode traffic is.
 */
export interface TrafficClass {
  bot: boolean;
  internal: boolean;
}

/**
 * Who counts as internal beyond the `internal: true` trait: user ids or
 * emails matching one of the patterns (`*` = any run of characters, case
 * ignored), e.g. `*@acme.com` or `test-*`.
 */
export interface TrafficRules {
  internalUsers: readonly string[];
}

/** A matcher for `TrafficRules`, compiled once. */
export type TrafficClassifier = (message: Message, context: Record<string, unknown>) => TrafficClass;

/**
 * isbot costs about 5 µs per user agent (its pattern is long), while a batch
 * from one browser repeats one user agent and a site sees few distinct ones:
 * answers are remembered, and forgotten all at once past this many.
 */
const MAX_REMEMBERED_AGENTS = 2_000;

export function createTrafficClassifier(rules: TrafficRules): TrafficClassifier {
  const internalPatterns = rules.internalUsers.map(globToRegExp);
  const botAgents = new Map<string, boolean>();
  const isBotAgent = (userAgent: string): boolean => {
    let bot = botAgents.get(userAgent);
    if (bot === undefined) {
      if (botAgents.size >= MAX_REMEMBERED_AGENTS) botAgents.clear();
      bot = isbot(userAgent);
      botAgents.set(userAgent, bot);
    }
    return bot;
  };
  const matchesInternal = (value: unknown): boolean =>
    typeof value === 'string' && value !== '' && internalPatterns.some((pattern) => pattern.test(value));
  return (message, context) => {
    // The message's own traits win over context.traits, as when Segment merges them.
    const trait = (name: string): unknown => message.traits?.[name] ?? asRecord(context['traits'])[name];
    const userAgent = context['userAgent'];
    return {
      bot: context['webdriver'] === true || (typeof userAgent === 'string' && isBotAgent(userAgent)),
      internal: trait('internal') === true || matchesInternal(message.userId) || matchesInternal(trait('email')),
    };
  };
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}
