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
  /** Unique per response (e.g. the provider's id); generated when not given. Feedback names it to rate this very answer. */
  responseId?: string;
  /**
   * The `responseId` of the answer this one regenerates. Set automatically
   * when a turn's `response()` is called again; a given value overrides it.
   */
  regeneratedFrom?: string | undefined;
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
  /**
   * Server-side (Node) use: the end user this response was for. The event
   * carries this userId instead of the instance's identity, and no identify
   * is sent, so one process can track many users.
   */
  userId?: string;
}

export type ActionType = 'feedback_given' | 'shared' | 'reported' | 'copied_response' | 'regenerated' | (string & {});

export interface ActionInput {
  actionType: ActionType;
  conversationId?: string | undefined;
  promptNumber?: number | undefined;
  /** The response this action is about (rated, copied, shared…): the `responseId` a response returned. */
  responseId?: string;
  feedback?: { type: 'rating' | 'thumbs'; value: number | boolean | string; text?: string };
  classifiedIntent?: string;
  properties?: Properties;
}

/** A tracked response: its id, and actions bound to it. */
export interface TrackedResponse {
  responseId: string;
  /**
   * Tracks `ai_user_action` about this very response (its `response_id`,
   * conversation and prompt number are filled in), e.g.
   * `answer.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: true } })`.
   */
  action(input: ActionInput): void;
}

/**
 * One prompt and what follows it.
 *
 *   const turn = chatmeter.trackPrompt({ text });
 *   // first streamed chunk arrives:
 *   turn.firstToken();
 *   // stream finished:
 *   const answer = turn.response({ model, tokens: { completion: 80 } });
 *   answer.action({ actionType: 'feedback_given', feedback: { type: 'thumbs', value: true } });
 */
export interface Turn {
  conversationId: string;
  promptNumber: number;
  messageId: string;
  /** Call when the first streamed chunk of the answer arrives: the response then records `time_to_first_token_ms` and `tokens_per_second`. */
  firstToken(): void;
  /**
   * Tracks `ai_llm_response_received` for this prompt: `latency_ms` from the
   * prompt to this call, and after `firstToken()` the time to first token
   * and (with completion tokens) tokens per second. Calling it again on the
   * same turn tracks a regenerated answer: `regenerated_from` names the
   * previous answer, and its times are measured from `regenerate()` (else
   * from the previous `response()` call; pass `latencyMs` to override).
   */
  response(input?: ResponseInput): TrackedResponse;
  /** Call when the user asks for another answer (a "regenerate" click): the next answer's latency and time to first token are measured from now. */
  regenerate(): void;
}
