import type Database from 'better-sqlite3';
import { type FoldEvent, PROMPT_EVENT, quarterOf } from './fold-event.js';
import { createMultiRowUpsert } from './multi-row-upsert.js';
import { eventComparisonsFor } from './vocabulary-codes.js';

/** A prompt of a conversation's chain: what a transition needs of it. */
interface ChainPrompt {
  id: number;
  ts: number;
  intent: string | null;
  debug: number;
}

/** The two chains of migration 004: every prompt (with_debug = 1), and the unflagged ones alone (with_debug = 0). */
const CHAINS = [
  { withDebug: 1, member: (): boolean => true },
  { withDebug: 0, member: (prompt: ChainPrompt): boolean => prompt.debug === 0 },
] as const;

const FLOW_KEY = '(with_debug, to_quarter, from_quarter, from_intent, to_intent)';

/** (ts, id) order: the order of prompts in a chain, as the intent-flows query orders them. */
function compareTurns(left: ChainPrompt, right: ChainPrompt): number {
  return left.ts - right.ts || left.id - right.id;
}

/**
 * The intent flows of a batch's prompts, set-based: what migration 009's
 * `fold_intent_flows` trigger did per prompt (look the prompt's neighbours up
 * in its conversation, split the transition between them in two), per
 * conversation of the batch instead. After the fold, a conversation's chain
 * holds one transition per pair of consecutive prompts in (ts, id) order,
 * over the prompts folded before the batch (F) and those of the batch (B);
 * before, over F alone. So the batch adds the consecutive pairs of
 * F′ ∪ B and takes away those of F′, where F′ is the run of F's chain from the
 * last prompt before B's first to the end: pairs outside it are in both.
 * Prompts arrive in order, so F′ is usually one prompt, found with one
 * lookup per conversation instead of six statements per prompt; at 60,000
 * demo events per fold, the trigger was a quarter of the fold's time
 * (2026-12-02).
 */
export class IntentFlowBatch {
  readonly #later: Database.Statement;
  readonly #earlier: Database.Statement;
  readonly #earlierUnflagged: Database.Statement;
  readonly #add: (rows: readonly (readonly unknown[])[]) => void;
  readonly #subtract: Database.Statement;
  readonly #dropEmpty: Database.Statement;
  /** The batch's prompts per conversation, in id order. */
  readonly #prompts = new Map<string, ChainPrompt[]>();

  constructor(db: Database.Database) {
    // The literal event name (or its code) lets the planner use the partial index events_turn_intent (conversation_id, ts).
    const folded = eventComparisonsFor(db)(
      `SELECT id, ts, intent, debug FROM events WHERE event = '${PROMPT_EVENT}' AND conversation_id = @conversation AND id <= @after`,
    );
    this.#later = db.prepare(`${folded} AND (ts > @ts OR (ts = @ts AND id > @id)) ORDER BY ts, id`);
    this.#earlier = db.prepare(`${folded} AND (ts < @ts OR (ts = @ts AND id < @id)) ORDER BY ts DESC, id DESC LIMIT 1`);
    this.#earlierUnflagged = db.prepare(`${folded} AND debug = 0 AND (ts < @ts OR (ts = @ts AND id < @id)) ORDER BY ts DESC, id DESC LIMIT 1`);
    this.#add = createMultiRowUpsert(db, {
      insert: 'INSERT INTO intent_flow_rollup (with_debug, to_quarter, from_quarter, from_intent, to_intent, transitions)',
      columns: 6,
      onConflict: `ON CONFLICT ${FLOW_KEY} DO UPDATE SET transitions = transitions + excluded.transitions`,
    });
    this.#subtract = db.prepare(`UPDATE intent_flow_rollup SET transitions = transitions - @transitions WHERE ${FLOW_KEY} = (@withDebug, @toQuarter, @fromQuarter, @fromIntent, @toIntent)`);
    this.#dropEmpty = db.prepare(`DELETE FROM intent_flow_rollup WHERE ${FLOW_KEY} = (@withDebug, @toQuarter, @fromQuarter, @fromIntent, @toIntent) AND transitions <= 0`);
  }

  /** Takes a prompt of the batch (rows in id order); other events are ignored. */
  add(row: FoldEvent): void {
    const conversationId = row[5];
    if (row[0] !== PROMPT_EVENT || conversationId === null) return;
    const prompt: ChainPrompt = { id: row[15], ts: row[1], intent: row[7], debug: row[2] };
    const prompts = this.#prompts.get(conversationId);
    if (prompts === undefined) this.#prompts.set(conversationId, [prompt]);
    else prompts.push(prompt);
  }

  /** Writes the batch's transitions; `after` is the last id folded before the batch. */
  write(after: number): void {
    const changes = new Map<string, { key: readonly [number, number, number, string, string]; transitions: number }>();
    const count = (withDebug: number, from: ChainPrompt, to: ChainPrompt, delta: number): void => {
      const key = [withDebug, quarterOf(to.ts), quarterOf(from.ts), from.intent ?? '', to.intent ?? ''] as const;
      const name = key.join('\u0000');
      const change = changes.get(name);
      if (change === undefined) changes.set(name, { key, transitions: delta });
      else change.transitions += delta;
    };
    for (const [conversation, batch] of this.#prompts) {
      const prompts = [...batch].sort(compareTurns);
      const first = prompts[0] as ChainPrompt;
      const at = { conversation, after, ts: first.ts, id: first.id };
      // Every folded prompt after the batch's first, and the one just before it (of each chain).
      const later = this.#later.all(at) as ChainPrompt[];
      const earlier = this.#earlier.get(at) as ChainPrompt | undefined;
      const earlierUnflagged = earlier === undefined || earlier.debug === 0 ? earlier : (this.#earlierUnflagged.get(at) as ChainPrompt | undefined);
      for (const chain of CHAINS) {
        const before = chain.withDebug === 1 ? earlier : earlierUnflagged;
        const folded = [...(before === undefined ? [] : [before]), ...later.filter(chain.member)];
        const merged = [...folded, ...prompts.filter(chain.member)].sort(compareTurns);
        for (let index = 1; index < folded.length; index += 1) count(chain.withDebug, folded[index - 1] as ChainPrompt, folded[index] as ChainPrompt, -1);
        for (let index = 1; index < merged.length; index += 1) count(chain.withDebug, merged[index - 1] as ChainPrompt, merged[index] as ChainPrompt, 1);
      }
    }
    const additions: (readonly unknown[])[] = [];
    for (const { key, transitions } of changes.values()) {
      if (transitions > 0) additions.push([...key, transitions]);
      if (transitions >= 0) continue;
      const [withDebug, toQuarter, fromQuarter, fromIntent, toIntent] = key;
      const row = { withDebug, toQuarter, fromQuarter, fromIntent, toIntent, transitions: -transitions };
      this.#subtract.run(row);
      this.#dropEmpty.run({ withDebug, toQuarter, fromQuarter, fromIntent, toIntent });
    }
    this.#add(additions);
  }

  clear(): void {
    this.#prompts.clear();
  }
}
