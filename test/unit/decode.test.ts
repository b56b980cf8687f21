import { describe, expect, it } from 'vitest';
import { decodePost, MAX_POST_BYTES } from '../../src/transforms/decode.ts';

const valid = {
  id: 'tw-1001',
  platform: 'twitter',
  author: '@warga',
  text: 'TPS 12 buka jam 7 pagi ya, jangan lupa bawa KTP',
  url: 'https://x.com/warga/status/1001',
  created_at: '2026-11-03T07:15:22+07:00',
  region: '32',
  engagement: { likes: 3 },
};
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');

describe('decodePost', () => {
  it('accepts a valid post and fills defaults', () => {
    const r = decodePost(bytes({ ...valid, author: undefined, engagement: undefined }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.post.author).toBeNull();
      expect(r.post.engagement).toEqual({});
      expect(r.post.text).toBe(valid.text);
    }
  });

  it.each([
    ['empty message', null, 'malformed_json'],
    ['not JSON', bytes('{"id": "tw-1", text'), 'malformed_json'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid_utf8'],
    ['oversized', bytes({ ...valid, text: 'x'.repeat(MAX_POST_BYTES) }), 'oversized'],
    ['missing text', bytes({ ...valid, text: undefined }), 'schema_mismatch'],
    ['empty text', bytes({ ...valid, text: '' }), 'schema_mismatch'],
    ['bad date', bytes({ ...valid, created_at: 'kemarin sore' }), 'schema_mismatch'],
    ['id with spaces', bytes({ ...valid, id: 'tw 1001' }), 'schema_mismatch'],
    ['unknown field', bytes({ ...valid, extra: true }), 'schema_mismatch'],
    ['negative engagement', bytes({ ...valid, engagement: { likes: -1 } }), 'schema_mismatch'],
    ['region not a BPS code', bytes({ ...valid, region: 'Jawa Barat' }), 'schema_mismatch'],
    ['array instead of object', bytes([valid]), 'schema_mismatch'],
  ])('rejects %s', (_name, input, reason) => {
    const r = decodePost(input as Buffer | null);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.detail.length).toBeGreaterThan(0);
    }
  });

  it('names the offending field in a schema mismatch', () => {
    const r = decodePost(bytes({ ...valid, created_at: 'kemarin' }));
    expect(!r.ok && r.detail).toContain('created_at');
  });
});
