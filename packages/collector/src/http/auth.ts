import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { WriteKey } from '../config.js';
import { HttpError } from './http-error.js';

/**
 * The write key of an ingest request: HTTP Basic user name (Segment's
 * convention, empty password) or `writeKey` in the JSON body, which
 * `navigator.sendBeacon` needs because it cannot set headers.
 */
export function authenticateWriteKey(request: Request, writeKeys: readonly WriteKey[]): WriteKey {
  const fromHeader = basicUser(request.get('authorization'));
  const body: unknown = request.body;
  const fromBody =
    typeof body === 'object' && body !== null && typeof (body as { writeKey?: unknown }).writeKey === 'string'
      ? (body as { writeKey: string }).writeKey
      : undefined;
  const candidate = fromHeader ?? fromBody;
  if (candidate === undefined) {
    throw new HttpError(401, 'missing_write_key', 'send the write key as HTTP Basic user name (empty password) or as "writeKey" in the body');
  }
  const match = writeKeys.find((writeKey) => safeEqual(writeKey.key, candidate));
  if (match === undefined) throw new HttpError(401, 'invalid_write_key', 'unknown write key');
  return match;
}

/** Metric queries need `Authorization: Bearer <readKey>`. */
export function authenticateReadKey(request: Request, readKey: string): void {
  const header = request.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new HttpError(401, 'missing_read_key', 'send the read key as "Authorization: Bearer <readKey>"');
  }
  if (!safeEqual(readKey, match[1].trim())) throw new HttpError(401, 'invalid_read_key', 'unknown read key');
}

/**
 * Admin routes (the raw event export) need `Authorization: Bearer <adminKey>`.
 * The read key is recognised only to say why it is refused (403): it opens
 * aggregate metrics, never per-user rows.
 */
export function authenticateAdminKey(request: Request, keys: { adminKey: string; readKey: string }): void {
  const header = request.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new HttpError(401, 'missing_admin_key', 'send the admin key as "Authorization: Bearer <adminKey>"');
  }
  const given = match[1].trim();
  if (safeEqual(keys.adminKey, given)) return;
  if (safeEqual(keys.readKey, given)) {
    throw new HttpError(403, 'admin_key_required', 'the read key opens metrics only; this route needs the admin key');
  }
  throw new HttpError(401, 'invalid_admin_key', 'unknown admin key');
}

function basicUser(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user === undefined || user === '' ? undefined : user;
}

/** Constant-time comparison so keys cannot be guessed byte by byte. */
function safeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
