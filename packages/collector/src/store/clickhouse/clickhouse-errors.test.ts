import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { ClickHouseQueryError } from './clickhouse-query-error.js';
import { toStoreError } from './clickhouse-errors.js';

function failure(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('toStoreError', () => {
  it('makes a refused connection a pause clients retry after 5 seconds', () => {
    const error = toStoreError(failure('connect ECONNREFUSED 127.0.0.1:8123', 'ECONNREFUSED'), 'INSERT INTO events');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).retryAfterSeconds).toBe(5);
    expect(error.message).toBe('ClickHouse cannot take the request now (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:8123');
  });

  it('makes too many parts and a full disk retryable', () => {
    expect(toStoreError(failure('Too many parts (300)', '252'), 'INSERT')).toBeInstanceOf(StoreUnavailableError);
    expect(toStoreError(failure('Not enough space', '243'), 'INSERT')).toBeInstanceOf(StoreUnavailableError);
  });

  it('reads the code from an 18.16 message the client could not parse', () => {
    const error = toStoreError(new Error('Code: 252, e.displayText() = DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts., e.what() = DB::Exception'), 'INSERT');
    expect(error).toBeInstanceOf(StoreUnavailableError);
  });

  it('keeps a refused query a defect, with the server reason and the query', () => {
    const error = toStoreError(failure('Unknown identifier: ts', '47'), 'SELECT ts FROM x');
    expect(error).toBeInstanceOf(ClickHouseQueryError);
    expect(error.message).toBe('ClickHouse rejected a query: Unknown identifier: ts\nSELECT ts FROM x');
  });
});
