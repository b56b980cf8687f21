/**
 * Signed, timestamped pushes (src/sources/http-push/signature.ts) and source-scoped post ids
 * (scopedPostId in http-push-source.ts).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { postSchema } from '../../src/core/post.ts';
import { scopedPostId } from '../../src/sources/http-push/http-push-source.ts';
import { checkTimestamp, signedPayload, signRequest, verifyRequest } from '../../src/sources/http-push/signature.ts';

const SECRET = 'k'.repeat(40);
const body = Buffer.from('[{"id":"tw-1","text":"Rekap aman"}]');

describe('signRequest / verifyRequest', () => {
  it('signs `<timestamp>.` followed by the raw body (the Stripe convention)', () => {
    const headers = signRequest(body, SECRET, { timestampSeconds: 1_795_000_000 });
    expect(headers['x-pantau-timestamp']).toBe('1795000000');
    const expected = createHmac('sha256', SECRET).update(`1795000000.${body.toString('utf8')}`).digest('hex');
    expect(headers['x-pantau-signature']).toBe(`sha256=${expected}`);
    expect(signedPayload('1795000000', body).toString()).toBe(`1795000000.${body.toString()}`);
    expect(verifyRequest(body, '1795000000', headers['x-pantau-signature'], SECRET)).toBe(true);
  });

  it('takes the timestamp from a clock when none is given', () => {
    const headers = signRequest(body, SECRET, { clock: fixedClock('2026-11-20T03:00:00.900Z') });
    expect(headers['x-pantau-timestamp']).toBe(String(Date.parse('2026-11-20T03:00:00Z') / 1000));
  });

  it('refuses a signature moved to another timestamp or another body, or made with another key', () => {
    const { 'x-pantau-signature': signature } = signRequest(body, SECRET, { timestampSeconds: 1_795_000_000 });
    expect(verifyRequest(body, '1795000001', signature, SECRET)).toBe(false);
    expect(verifyRequest(Buffer.from('[{"id":"tw-2"}]'), '1795000000', signature, SECRET)).toBe(false);
    expect(verifyRequest(body, '1795000000', signRequest(body, 'z'.repeat(40), { timestampSeconds: 1_795_000_000 })['x-pantau-signature'], SECRET)).toBe(false);
    // The old form, a signature over the body alone, no longer passes.
    const bodyOnly = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
    expect(verifyRequest(body, '1795000000', bodyOnly, SECRET)).toBe(false);
    expect(verifyRequest(body, '1795000000', undefined, SECRET)).toBe(false);
  });
});

describe('checkTimestamp', () => {
  const now = Date.parse('2026-11-20T03:00:00Z');
  const seconds = now / 1000;

  it('takes timestamps within the window, either way', () => {
    expect(checkTimestamp(String(seconds), now, 300)).toEqual({ ok: true, seconds });
    expect(checkTimestamp(String(seconds - 300), now, 300).ok).toBe(true);
    expect(checkTimestamp(String(seconds + 300), now, 300).ok).toBe(true);
  });

  it('refuses stale and future timestamps as stale_timestamp', () => {
    for (const t of [seconds - 301, seconds + 301, 0, 99_999_999_999]) {
      const result = checkTimestamp(String(t), now, 300);
      expect(result).toMatchObject({ ok: false, code: 'stale_timestamp' });
    }
  });

  it('refuses missing and malformed timestamps as missing_timestamp', () => {
    for (const header of [undefined, '', 'kemarin', '1795000000.5', '-1795000000', '1e9', '0x6b', String(seconds * 1000) /* milliseconds */, ['1795000000', '1795000000']]) {
      expect(checkTimestamp(header, now, 300), JSON.stringify(header)).toMatchObject({ ok: false, code: 'missing_timestamp' });
    }
  });
});

describe('scopedPostId', () => {
  it('prefixes the sender\'s id with the source name', () => {
    expect(scopedPostId('listening', 'tt-123')).toEqual({ ok: true, id: 'listening-tt-123' });
    expect(scopedPostId('listening', '7301:2')).toEqual({ ok: true, id: 'listening-7301:2' });
    // Whatever the sender claims, it stays inside its own namespace.
    expect(scopedPostId('listening', 'rss-antara-politik-abc')).toEqual({ ok: true, id: 'listening-rss-antara-politik-abc' });
  });

  it('refuses ids that would make a stored id the post schema refuses', () => {
    expect(scopedPostId('listening', 12345)).toMatchObject({ ok: false, detail: expect.stringMatching(/non-empty string/) });
    expect(scopedPostId('listening', '')).toMatchObject({ ok: false });
    expect(scopedPostId('listening', 'a b')).toMatchObject({ ok: false, detail: expect.stringMatching(/letters, digits/) });
    expect(scopedPostId('listening', 'a/../b')).toMatchObject({ ok: false });
    const longest = 'x'.repeat(200 - 'listening-'.length);
    expect(scopedPostId('listening', longest)).toMatchObject({ ok: true });
    expect(scopedPostId('listening', longest + 'x')).toMatchObject({ ok: false, detail: expect.stringMatching(/at most 190/) });
  });

  it('makes only ids the post schema takes', () => {
    for (const native of ['a', '_x', '.x', ':x', '-x', '9', 'x'.repeat(190)]) {
      const scoped = scopedPostId('listening', native);
      expect(scoped.ok, native).toBe(true);
      if (scoped.ok) expect(postSchema.shape.id.safeParse(scoped.id).success, native).toBe(true);
    }
  });
});
