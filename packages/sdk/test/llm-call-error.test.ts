import { describe, expect, it } from 'vitest';
import { classifyLlmError } from '../src/node/llm-call-error.js';

class APIError extends Error {
  constructor(readonly status: number | undefined) {
    super('provider error');
  }
}
class APIConnectionTimeoutError extends APIError {}

describe('classifyLlmError', () => {
  it('names an HTTP failure by its status (openai `status`, AI SDK `statusCode`)', () => {
    expect(classifyLlmError(new APIError(429))).toEqual({ status: 'error', errorType: 'http_429' });
    expect(classifyLlmError(Object.assign(new Error('x'), { name: 'AI_APICallError', statusCode: 503 }))).toEqual({ status: 'error', errorType: 'http_503' });
  });

  it('counts timeouts and aborts as timeout, including 408 and 504 answers', () => {
    expect(classifyLlmError(new APIConnectionTimeoutError(undefined))).toEqual({ status: 'timeout', errorType: 'APIConnectionTimeoutError' });
    expect(classifyLlmError(new DOMException('The operation was aborted.', 'AbortError'))).toEqual({ status: 'timeout', errorType: 'AbortError' });
    expect(classifyLlmError(new APIError(504))).toEqual({ status: 'timeout', errorType: 'http_504' });
    expect(classifyLlmError(new TypeError('fetch failed', { cause: new DOMException('signal timed out', 'TimeoutError') }))).toEqual({ status: 'timeout', errorType: 'TypeError' });
  });

  it('falls back to the class name, never to the message', () => {
    expect(classifyLlmError(new TypeError('secret prompt text'))).toEqual({ status: 'error', errorType: 'TypeError' });
    expect(classifyLlmError('a string')).toEqual({ status: 'error', errorType: 'string' });
  });
});
