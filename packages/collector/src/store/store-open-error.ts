import { ChatmeterError } from '../chatmeter-error.js';

/**
 * The database could not be opened or brought up to date at start-up: the
 * message names the path and the engine's reason, with a hint when the
 * usual cause is the directory's permissions.
 */
export class StoreOpenError extends ChatmeterError {
  override name = 'StoreOpenError';
  readonly path: string;

  constructor(path: string, reason: string, options: { cause?: unknown } = {}) {
    super(`cannot open database ${path}: ${reason}`, { cause: options.cause });
    this.path = path;
  }
}
