/**
 * Signed pushes: the sender puts `X-Pantau-Signature: sha256=<hex>` on each request, the HMAC-SHA256 of the
 * exact body bytes under the shared secret (the GitHub webhook convention, which social-listening tools
 * already know how to produce). Compared in constant time, so response timing reveals nothing of the digest.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-pantau-signature';

export function signBody(body: Buffer | string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

/** True only when `header` is `sha256=` followed by the correct 64 hex digits. */
export function verifySignature(body: Buffer, header: string | undefined, secret: string): boolean {
  if (header === undefined) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected);
}
