import { HttpError } from '../http/http-error.js';

/** 400 naming the query parameter and what is wrong with it: `{ error: { code: 'invalid_parameter', message: 'tz: …' } }`. */
export function invalidParameter(parameter: string, why: string): HttpError {
  return new HttpError(400, 'invalid_parameter', `${parameter}: ${why}`);
}
