/**
 * A metric request whose query parameter is wrong: the caller's to fix, so
 * HTTP answers 400 `invalid_parameter` (http/error-handler.ts). The message
 * starts with the parameter's name, e.g. `tz: must be an IANA time zone …`.
 */
export class MetricParameterError extends Error {
  override name = 'MetricParameterError';
  /** The query parameter at fault, e.g. `from`, `tz`, `segment_trait`. */
  readonly parameter: string;
  /** What is wrong with it and what would be right. */
  readonly reason: string;

  constructor(parameter: string, reason: string) {
    super(`${parameter}: ${reason}`);
    this.parameter = parameter;
    this.reason = reason;
  }
}
