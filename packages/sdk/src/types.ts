import type { InputMethod, ResponseStatus } from './protocol/index.js';

/** Free-form properties (JSON-serialisable). */
export type Properties = Record<string, unknown>;

export interface PromptInput {
  text?: string;
  inputMethod?: InputMethod;
  /** Defaults to the current conversation (started automatically on the first prompt). */
  conversationId?: string;
  /** Intent already known to the client; otherwise the collector classifies the prompt. */
  classifiedIntent?: string;
  properties?: Properties;
}

export interface ResponseInput {
  text?: string;
  status?: ResponseStatus;
  /** Measured automatically when tracked through a turn's `response()`. */
  latencyMs?: number;
  tokens?: { prompt?: number; completion?: number; total?: number };
  cost?: number;
  model?: string;
  classifiedIntent?: string;
  errorType?: string;
  errorMessage?: string;
  properties?: Properties;
}

export interface TrackResponseInput extends ResponseInput {
  conversationId?: string;
  /** The prompt this answers; defaults to the conversation's latest prompt. */
  promptNumber?: number;
  /** Request sent → first streamed token. */
  timeToFirstTokenMs?: number;
  /** Completion tokens per second of streaming (first token → last token). */
  tokensPerSecond?: number;
  /** Unique per response (e.g. the provider's id); feedback can name it to rate this very answer. */
  responseId?: string;
}

export type ActionType = 'feedback_given' | 'shared' | 'reported' | 'copied_response' | 'regenerated' | (string & {});

export interface ActionInput {
  actionType: ActionType;
  conversationId?: string;
  promptNumber?: number;
  feedback?: { type: 'rating' | 'thumbs'; value: number | boolean | string; text?: string };
  classifiedIntent?: string;
  properties?: Properties;
}

/** One prompt and what follows it. */
export interface Turn {
  conversationId: string;
  promptNumber: number;
  messageId: string;
  /** Tracks `ai_llm_response_received` for this prompt, with `latency_ms` measured since the prompt. */
  response(input?: ResponseInput): void;
}
