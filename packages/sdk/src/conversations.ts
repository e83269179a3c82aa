import { uuid } from './ids.js';
import { readJson, type KeyValueStorage } from './storage.js';

const CONVERSATIONS_KEY = 'chatmeter_conversations';
/** Prompt counters kept for this many recent conversations. */
const REMEMBERED = 50;

interface ConversationState {
  current: string | null;
  /** Last prompt number per conversation, most recent last. */
  prompts: [string, number][];
}

/**
 * Conversation ids and prompt numbers. Stored per tab (sessionStorage), so
 * a reload continues the conversation while two tabs hold two conversations.
 */
export class ConversationTracker {
  readonly #storage: KeyValueStorage;

  constructor(storage: KeyValueStorage) {
    this.#storage = storage;
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
    this.#storage.remove(CONVERSATIONS_KEY);
  }

  #read(): ConversationState {
    const state = readJson<ConversationState>(this.#storage, CONVERSATIONS_KEY);
    return state !== null && Array.isArray(state.prompts) ? state : { current: null, prompts: [] };
  }

  #write(state: ConversationState): void {
    this.#storage.set(CONVERSATIONS_KEY, JSON.stringify(state));
  }
}
