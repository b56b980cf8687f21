/**
 * Signed pushes (the Stripe convention): the sender puts on each request
 *
 *   X-Pantau-Timestamp: <Unix time in seconds>
 *   X-Pantau-Signature: sha256=<hex HMAC-SHA256, under the shared secret, of `<timestamp>.` followed by the raw body bytes>
 *
 * The timestamp is inside the signature, so a captured request cannot be replayed once it is older than the
 * endpoint's window (`maxClockSkewSeconds`, 5 minutes by default); within the window a replay only re-sends
 * posts with the same ids, which the pipeline stores once. Digests are compared in constant time, so response
 * timing reveals nothing of them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';

export const SIGNATURE_HEADER = 'x-pantau-signature';
export const TIMESTAMP_HEADER = 'x-pantau-timestamp';

/** `sha256=<hex HMAC-SHA256 of payload>`: the signature header for exactly these bytes. */
export function signBody(payload: Buffer | string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(payload).digest('hex');
}

/** True only when `header` is `sha256=` followed by the correct 64 hex digits for exactly these bytes. */
export function verifySignature(payload: Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(payload).digest();
  return timingSafeEqual(given, expected);
}

/** The bytes a push request signs: `<timestamp>.` followed by the raw body. */
export function signedPayload(timestamp: string, body: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`, 'ascii'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}

/**
 * The two headers a sender puts on a push of `body`, signed at `timestampSeconds` (default: now by `clock`).
 */
export function signRequest(
  body: Buffer | string,
  secret: string,
  options: { timestampSeconds?: number; clock?: Clock } = {},
): { [TIMESTAMP_HEADER]: string; [SIGNATURE_HEADER]: string } {
  const timestamp = String(options.timestampSeconds ?? Math.floor((options.clock ?? Date.now)() / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signBody(signedPayload(timestamp, body), secret) };
}

export type TimestampCheck = { ok: true; seconds: number } | { ok: false; code: 'missing_timestamp' | 'stale_timestamp'; detail: string };

const SECONDS = /^\d{1,12}$/;

/** Whether the timestamp header is present, a Unix time in seconds, and within `maxSkewSeconds` of now. */
export function checkTimestamp(header: string | string[] | undefined, nowMs: number, maxSkewSeconds: number): TimestampCheck {
  if (header === undefined) return { ok: false, code: 'missing_timestamp', detail: 'the X-Pantau-Timestamp header is missing' };
  if (typeof header !== 'string' || !SECONDS.test(header.trim())) {
    return { ok: false, code: 'missing_timestamp', detail: 'X-Pantau-Timestamp must be one Unix time in whole seconds' };
  }
  const seconds = Number(header.trim());
  const skew = Math.abs(nowMs / 1000 - seconds);
  if (skew > maxSkewSeconds) {
    return { ok: false, code: 'stale_timestamp', detail: `X-Pantau-Timestamp is ${Math.round(skew)} s away from this server's clock; at most ${maxSkewSeconds} s are allowed` };
  }
  return { ok: true, seconds };
}

/** True when the request's signature covers its timestamp and body (call checkTimestamp first). */
export function verifyRequest(body: Buffer, timestamp: string, header: string | undefined, secret: string): boolean {
  return verifySignature(signedPayload(timestamp.trim(), body), header, secret);
}
