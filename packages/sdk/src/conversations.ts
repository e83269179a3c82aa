import { uuid } from './ids.js';
import { PersistedState } from './persisted-state.js';
import type { KeyValueStorage } from './storage.js';

const CONVERSATIONS_KEY = 'chatmeter_conversations';
/** Prompt counters kept for this many recent conversations. */
const REMEMBERED = 50;

interface ConversationState {
  current: string | null;
  /** Last prompt number per conversation, most recent last. */
  prompts: [string, number][];
}

/**
 * Conversation ids and prompt numbers. Kept in memory and stored per tab
 * (sessionStorage, written at most once a second and when the page is
 * hidden), so a reload continues the conversation while two tabs hold two
 * conversations.
 */
export class ConversationTracker {
  readonly #state: PersistedState<ConversationState>;

  constructor(storage: KeyValueStorage, now: () => number) {
    // Only this tab writes its sessionStorage: its own value always wins.
    this.#state = new PersistedState<ConversationState>(storage, CONVERSATIONS_KEY, now, (mine) => mine);
  }

  start(): string {
    const state = this.#read();
    state.current = uuid();
    this.#write(state);
    return state.current;
  }

  current(): string | null {
    return this.#read().current;
  }

  /** The next prompt number of a conversation (the current one, created if none). */
  nextPrompt(conversationId?: string): { conversationId: string; promptNumber: number } {
    const state = this.#read();
    const id = conversationId ?? state.current ?? uuid();
    if (conversationId === undefined) state.current = id;
    const index = state.prompts.findIndex(([known]) => known === id);
    const promptNumber = (index === -1 ? 0 : state.prompts[index]![1]) + 1;
    if (index !== -1) state.prompts.splice(index, 1);
    state.prompts.push([id, promptNumber]);
    state.prompts = state.prompts.slice(-REMEMBERED);
    this.#write(state);
    return { conversationId: id, promptNumber };
  }

  /** The last prompt number of a conversation (0 if none yet). */
  lastPrompt(conversationId: string): number {
    return this.#read().prompts.find(([known]) => known === conversationId)?.[1] ?? 0;
  }

  clear(): void {
    this.#state.remove();
  }

  /** Writes the latest prompt numbers (page hidden). */
  persist(): void {
    this.#state.persist();
  }

  #read(): ConversationState {
    const state = this.#state.get();
    return state !== null && Array.isArray(state.prompts) ? state : { current: null, prompts: [] };
  }

  #write(state: ConversationState): void {
    this.#state.set(state);
  }
}
