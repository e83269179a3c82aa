/**
 * @chatmeter/sdk/openai: records every `chat.completions.create` and
 * `responses.create` call of an openai client as `ai_llm_response_received`
 * (model, tokens, cost, latency, time to first token, status, error type).
 * Node only; never part of the browser bundle. Texts are never sent.
 *
 *   import OpenAI from 'openai';
 *   import { createChatmeter } from '@chatmeter/sdk';
 *   import { instrumentOpenAI } from '@chatmeter/sdk/openai';
 *
 *   const chatmeter = createChatmeter({ writeKey, endpoint });
 *   const openai = new OpenAI();
 *   // per request:
 *   const client = instrumentOpenAI(openai, chatmeter, { userId: user.id, conversationId });
 *   const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
 */
import type { Chatmeter } from '../client.js';
import { startLlmCall, type LlmCall, type LlmCallResult } from './llm-call.js';
import type { LlmCallOptions } from './llm-call-options.js';
import { observeStreamItem, readResult, reportedFailure } from './openai-results.js';

export type { LlmCallOptions as InstrumentOpenAIOptions } from './llm-call-options.js';
export type { ModelPrice, PriceTable } from './price-table.js';
export { DEFAULT_PRICES } from './price-table.js';

type CreateMethod = (body: unknown, requestOptions?: unknown) => unknown;

/**
 * Returns `client` with `chat.completions.create` and `responses.create`
 * measured; the original client is left untouched, so wrapping per request
 * (with that request's user and conversation) is the intended use. Errors
 * of the call are recorded (`error`, or `timeout` for timeouts and aborts)
 * and rethrown unchanged. A stream is measured as it is iterated: time to
 * first token at the first content chunk, latency at its end; its tokens
 * and cost need `stream_options: { include_usage: true }` on chat completions.
 *
 * @throws TypeError when `client` has neither method (not an openai client).
 */
export function instrumentOpenAI<Client extends object>(client: Client, chatmeter: Chatmeter, options: LlmCallOptions = {}): Client {
  const chat = property(client, 'chat');
  const completions = property(chat, 'completions');
  const responses = property(client, 'responses');
  const chatCreate = property(completions, 'create');
  const responsesCreate = property(responses, 'create');
  if (typeof chatCreate !== 'function' && typeof responsesCreate !== 'function') {
    throw new TypeError('instrumentOpenAI(client): expected an openai client (an object with chat.completions.create or responses.create)');
  }
  const overrides: Record<string, unknown> = {};
  if (typeof chatCreate === 'function') {
    const measured = measureCreate(chatCreate as CreateMethod, completions as object, chatmeter, options);
    overrides['chat'] = withOverrides(chat as object, { completions: withOverrides(completions as object, { create: measured }) });
  }
  if (typeof responsesCreate === 'function') {
    overrides['responses'] = withOverrides(responses as object, { create: measureCreate(responsesCreate as CreateMethod, responses as object, chatmeter, options) });
  }
  return withOverrides(client, overrides);
}

function measureCreate(create: CreateMethod, owner: object, chatmeter: Chatmeter, options: LlmCallOptions): CreateMethod {
  return (body, requestOptions) => {
    const request = (typeof body === 'object' && body !== null ? body : {}) as { model?: unknown; stream?: unknown };
    const call = startLlmCall(chatmeter, options, typeof request.model === 'string' ? request.model : undefined);
    let pending: unknown;
    try {
      pending = create.call(owner, body, requestOptions);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    // Measured when the caller reads the result (then, catch, finally, withResponse), never before:
    // reading it eagerly would consume the body that asResponse() leaves to the caller.
    let measured: Promise<unknown> | undefined;
    const measure = (): Promise<unknown> => {
      measured ??= Promise.resolve(pending).then(
        (value) => (request.stream === true ? measureStream(value, call) : finishWhole(value, call)),
        (error: unknown) => {
          call.fail(error);
          throw error;
        },
      );
      // Recorded even if the caller only uses withResponse(); the caller still sees the rejection.
      measured.catch(() => undefined);
      return measured;
    };
    return asTheOriginalPromise(pending, measure, call);
  };
}

function finishWhole(value: unknown, call: LlmCall): unknown {
  const result = readResult(value);
  const failure = reportedFailure(value);
  if (failure === undefined) call.succeed(result);
  else call.failWith({ status: 'error', errorType: failure }, result);
  return value;
}

/**
 * Measures the stream as the caller iterates it. The stream object itself is
 * returned (its `controller`, `toReadableStream()` keep working): only its
 * async iterator is replaced, on this instance.
 */
function measureStream(stream: unknown, call: LlmCall): unknown {
  const iterable = stream as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> } | null;
  if (iterable === null || typeof iterable[Symbol.asyncIterator] !== 'function') {
    call.succeed({});
    return stream;
  }
  const iterate = iterable[Symbol.asyncIterator]!.bind(iterable);
  const aborted = () => (stream as { controller?: { signal?: { aborted?: unknown } } }).controller?.signal?.aborted === true;
  Object.defineProperty(iterable, Symbol.asyncIterator, { configurable: true, writable: true, value: () => measuredIterator(iterate(), call, aborted) });
  return stream;
}

/** `aborted` tells whether the stream's own controller was aborted: the openai package then ends the iteration without an error. */
function measuredIterator(source: AsyncIterator<unknown>, call: LlmCall, aborted: () => boolean): AsyncIterableIterator<unknown> {
  const seen: LlmCallResult = {};
  let failure: string | undefined;
  const finish = () => {
    if (aborted()) call.failWith({ status: 'timeout', errorType: 'AbortError' }, seen);
    else if (failure === undefined) call.succeed(seen);
    else call.failWith({ status: 'error', errorType: failure }, seen);
  };
  const iterator: AsyncIterableIterator<unknown> = {
    async next() {
      let step: IteratorResult<unknown>;
      try {
        step = await source.next();
      } catch (error) {
        call.fail(error, seen);
        throw error;
      }
      if (step.done === true) finish();
      else failure = observeStreamItem(step.value, seen, call) ?? failure;
      return step;
    },
    // The caller stopped reading (break out of for-await): the call ends here.
    async return(value?: unknown) {
      finish();
      return (await source.return?.(value)) ?? { done: true, value };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * The openai package returns an APIPromise (`withResponse()`, `asResponse()`):
 * keep those, but let awaiting it give the measured value. `asResponse()`
 * hands the unread body to the caller, so that call is recorded with its
 * status and latency only (no tokens, no cost).
 */
function asTheOriginalPromise(original: unknown, measure: () => Promise<unknown>, call: LlmCall): unknown {
  if (typeof original !== 'object' || original === null) return measure();
  const promise: Record<PropertyKey, unknown> = {
    then: (...parameters: Parameters<Promise<unknown>['then']>) => measure().then(...parameters),
    catch: (onRejected: Parameters<Promise<unknown>['catch']>[0]) => measure().catch(onRejected),
    finally: (onFinally: Parameters<Promise<unknown>['finally']>[0]) => measure().finally(onFinally),
  };
  const withResponse = (original as { withResponse?: unknown }).withResponse;
  if (typeof withResponse === 'function') {
    promise['withResponse'] = () =>
      Promise.all([withResponse.call(original) as Promise<Record<string, unknown>>, measure()]).then(([response, data]) => ({ ...response, data }));
  }
  const asResponse = (original as { asResponse?: unknown }).asResponse;
  if (typeof asResponse === 'function') {
    promise['asResponse'] = () =>
      (asResponse.call(original) as Promise<unknown>).then(
        (response) => {
          call.succeed({});
          return response;
        },
        (error: unknown) => {
          call.fail(error);
          throw error;
        },
      );
  }
  return withOverrides(original, promise);
}

/** A view of `target` with `overrides`; other methods are bound to `target` so private fields keep working. */
function withOverrides<T extends object>(target: T, overrides: Record<PropertyKey, unknown>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key];
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

function property(object: unknown, key: string): unknown {
  return typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[key] : undefined;
}
