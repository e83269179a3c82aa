import { ChatmeterError } from '../chatmeter-error.js';

/**
 * Loading demo data failed for a reason the operator can act on: the
 * collector is unreachable, refused the write key, or rejected messages.
 * `status` is the HTTP status when there was a response.
 */
export class DemoLoadError extends ChatmeterError {
  override name = 'DemoLoadError';
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}
