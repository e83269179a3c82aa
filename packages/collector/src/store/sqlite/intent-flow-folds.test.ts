import { describe, expect, it } from 'vitest';
import { promptRecord } from '../../../test/support/event-record.js';
import { inMemoryStores } from '../../../test/support/store-factory.js';
import { createRandom, type Random } from '../../demo/random.js';
import type { EventRecord } from '../event-record.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The batch fold of intent flows (intent-flow-folds.ts) keeps, for every
 * conversation, one transition per pair of consecutive prompts in (ts, id)
 * order, in both chains: checked against those pairs worked out from the
 * stored prompts, through batches of any size, prompts arriving out of
 * order and at equal times, flagged traffic, erasures and classifications.
 */

/** 2026-03-02 09:00 UTC. */
const T0 = Date.UTC(2026, 2, 2, 9);
const QUARTER_MS = 900_000;
const openStore = inMemoryStores();
let messages = 0;

function randomPrompt(random: Random): EventRecord {
  messages += 1;
  const user = random.int(1, 4);
  return promptRecord({
    messageId: `p-${messages}`,
    userId: `u-${user}`,
    conversationId: random.chance(0.05) ? null : `c-${user}-${random.int(1, 3)}`,
    // Minutes over two days, often equal: order by (ts, id) decides.
    timestamp: T0 + random.int(0, 2 * 24 * 4) * QUARTER_MS + random.pick([0, 0, 60_000, 120_000]),
    intent: random.pick(['billing', 'tech', 'sales', null]),
    debug: random.chance(0.15),
  });
}

interface StoredPrompt {
  id: number;
  ts: number;
  conversation: string;
  intent: string | null;
  debug: number;
}

/** intent_flow_rollup as it should be: the consecutive pairs of each conversation's chains. */
function expectedFlows(store: SqliteStore): string[] {
  const prompts = store.db
    .prepare(`SELECT id, ts, conversation_id AS conversation, intent, debug FROM events WHERE event = 'ai_user_prompt_created' AND conversation_id IS NOT NULL ORDER BY ts, id`)
    .all() as StoredPrompt[];
  const counts = new Map<string, number>();
  for (const withDebug of [1, 0]) {
    const last = new Map<string, StoredPrompt>();
    for (const prompt of prompts) {
      if (withDebug === 0 && prompt.debug !== 0) continue;
      const before = last.get(prompt.conversation);
      last.set(prompt.conversation, prompt);
      if (before === undefined) continue;
      const key = [withDebug, Math.trunc(prompt.ts / QUARTER_MS), Math.trunc(before.ts / QUARTER_MS), before.intent ?? '', prompt.intent ?? ''].join('|');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(([key, transitions]) => `${key}|${transitions}`).sort();
}

function storedFlows(store: SqliteStore): string[] {
  return (
    store.db.prepare('SELECT with_debug, to_quarter, from_quarter, from_intent, to_intent, transitions FROM intent_flow_rollup').raw().all() as unknown[][]
  )
    .map((row) => row.join('|'))
    .sort();
}

describe('intent flows folded per batch', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`hold the consecutive prompts of every conversation (seed ${seed})`, async () => {
      const random = createRandom(seed * 7919);
      const store = openStore();
      for (let round = 0; round < 12; round += 1) {
        await store.insertEvents(Array.from({ length: random.int(1, 40) }, () => randomPrompt(random)));
        // Batches of one prompt up to the whole backlog.
        const limit = random.pick([1, 3, 17, 1000]);
        while ((store.rollups?.foldBatch(limit) ?? 0) > 0);
        if (random.chance(0.15)) await store.eraseUser(`u-${random.int(1, 4)}`);
        if (random.chance(0.3)) {
          const folded = store.db.prepare(`SELECT id FROM events WHERE event = 'ai_user_prompt_created' ORDER BY random() LIMIT 3`).pluck().all() as number[];
          await store.recordClassifications(
            folded.map((id) => ({ eventId: String(id), intent: random.pick(['billing', 'refund']), sampled: true })),
            { day: '2026-03-02', classifier: 'test', prompts: folded.length, cached: 0, errors: 0, notSampled: 0, promptTokens: 0, completionTokens: 0, cost: 0 },
          );
        }
        expect(storedFlows(store), `round ${round}`).toEqual(expectedFlows(store));
      }
      expect(storedFlows(store).length).toBeGreaterThan(10);
    });
  }
});
