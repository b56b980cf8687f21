import { describe, expect, it } from 'vitest';
import { fieldMappingSchema, mapRecord, parseZonedDate, toIsoDate } from '../../src/sources/field-mapping.ts';
import { jsonApiSourceSchema } from '../../src/sources/json-api/config.ts';
import { compareIds, readPage, renderUrl } from '../../src/sources/json-api/read-page.ts';
import { jsonPointerSchema, resolvePointer } from '../../src/sources/json-pointer.ts';

describe('JSON Pointer', () => {
  const doc = { data: [{ id: 1 }, { id: 2 }], 'a/b': { 'c~d': 'x' }, meta: { next: null } };

  it.each([
    ['', doc],
    ['/data/1/id', 2],
    ['/a~1b/c~0d', 'x'],
    ['/meta/next', null],
    ['/data/2', undefined],
    ['/data/01', undefined],
    ['/missing/deeper', undefined],
    ['/data/-', undefined],
  ])('%j', (pointer, value) => {
    expect(resolvePointer(doc, pointer)).toEqual(value);
  });

  it('does not read inherited properties', () => {
    expect(resolvePointer({}, '/constructor')).toBeUndefined();
  });

  it('validates pointers', () => {
    expect(jsonPointerSchema.safeParse('/data/items').success).toBe(true);
    expect(jsonPointerSchema.safeParse('data.items').success).toBe(false);
    expect(jsonPointerSchema.safeParse('/a~2').success).toBe(false);
  });
});

describe('dates', () => {
  it.each([
    ['2026-11-20T10:00:00+07:00', '2026-11-20T03:00:00.000Z'],
    ['2026-11-20T03:00:00Z', '2026-11-20T03:00:00.000Z'],
    ['Fri, 20 Nov 2026 10:00:00 +0700', '2026-11-20T03:00:00.000Z'],
    ['Fri, 20 Nov 2026 10:00:00 GMT', '2026-11-20T10:00:00.000Z'],
    ['Wed Oct 10 20:19:24 +0000 2018', '2018-10-10T20:19:24.000Z'],
    ['20 Nov 2026 10:00:00 WITA', '2026-11-20T02:00:00.000Z'],
    ['2026-11-20 10:00:00', null],
    ['kemarin sore', null],
  ])('%j → %j', (text, iso) => {
    expect(parseZonedDate(text)).toBe(iso);
  });

  it('reads epoch seconds and milliseconds, and passes unreadable values on for the schema to name', () => {
    expect(toIsoDate(1_795_000_000, 'epoch_s')).toBe(new Date(1_795_000_000_000).toISOString());
    expect(toIsoDate('1795000000000', 'epoch_ms')).toBe(new Date(1_795_000_000_000).toISOString());
    expect(toIsoDate('besok', 'epoch_s')).toBe('besok');
    expect(toIsoDate('2026-11-20', 'iso')).toBe('2026-11-20');
    expect(toIsoDate(undefined, 'iso')).toBeUndefined();
  });
});

describe('mapRecord', () => {
  const mapping = fieldMappingSchema(jsonPointerSchema).parse({
    id: '/id_str',
    text: ['/title', '/body'],
    textFormat: 'html',
    author: '/user/handle',
    url: '/link',
    createdAt: '/ts',
    createdAtFormat: 'epoch_s',
    likes: '/stats/likes',
    shares: '/stats/shares',
    views: '/stats/views',
    region: '/kode_wilayah',
  });
  const defaults = { idPrefix: 'lapor', platform: 'lapor', language: 'id', region: '31' };

  it('maps fields, joins text parts, strips HTML, reads counts leniently', () => {
    const item = {
      id_str: '98765',
      title: 'Surat suara rusak',
      body: '<p>Di TPS 07 ditemukan <b>surat suara</b> rusak.</p>',
      user: { handle: '@warga_bekasi' },
      link: 'https://lapor.example/98765',
      ts: 1_795_000_000,
      stats: { likes: '12', shares: 3, views: '1,2 rb' },
      kode_wilayah: '3216',
    };
    const { nativeId, candidate } = mapRecord((ref) => resolvePointer(item, ref), mapping, defaults, item);
    expect(nativeId).toBe('98765');
    expect(candidate).toEqual({
      id: 'lapor-98765',
      platform: 'lapor',
      author: '@warga_bekasi',
      text: 'Surat suara rusak\n\nDi TPS 07 ditemukan surat suara rusak.',
      url: 'https://lapor.example/98765',
      created_at: new Date(1_795_000_000_000).toISOString(),
      region: '3216',
      engagement: { likes: 12, shares: 3 },
      language: 'id',
      raw: item,
    });
  });

  it('falls back to the source defaults and leaves missing required fields for the schema', () => {
    const { nativeId, candidate } = mapRecord(() => undefined, mapping, defaults, {});
    expect(nativeId).toBeNull();
    expect(candidate).toMatchObject({ id: undefined, text: '', created_at: undefined, region: '31', language: 'id', author: null, url: null });
  });
});

describe('JSON API pages', () => {
  const config = jsonApiSourceSchema.parse({
    type: 'json_api',
    name: 'lapor',
    url: 'https://api.lapor.example/v1/aduan?since_id={since_id}&cursor={cursor}',
    schedule: '*/5 * * * *',
    itemsPointer: '/data',
    nextCursorPointer: '/meta/next_cursor',
    fields: { id: '/id', text: '/isi', createdAt: '/dibuat', author: '/pelapor' },
    platform: 'lapor',
    language: 'id',
  });

  it('fills the URL template, URL-encoded, empty when unknown', () => {
    expect(renderUrl(config.url, { cursor: 'a b/c', sinceId: null })).toBe('https://api.lapor.example/v1/aduan?since_id=&cursor=a%20b%2Fc');
  });

  it('orders numeric ids by value, beyond 2^53', () => {
    expect(compareIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareIds('100', '99')).toBeGreaterThan(0);
    expect(compareIds('007', '7')).toBe(0);
    expect(compareIds('b', 'a')).toBeGreaterThan(0);
  });

  it('maps items to posts or dead letters, and reads next cursor and newest id', () => {
    const page = {
      data: [
        { id: 101, isi: 'Ada politik uang di desa kami', dibuat: '2026-11-20T08:00:00+07:00', pelapor: 'anon1' },
        { id: 99, isi: '', dibuat: '2026-11-20T08:05:00+07:00' },
      ],
      meta: { next_cursor: 'c2' },
    };
    const read = readPage(page, config, 'u');
    expect(read.nextCursor).toBe('c2');
    expect(read.newestId).toBe('101');
    expect(read.items[0]).toMatchObject({ postId: 'lapor-101', seenKey: 'lapor-101', result: { ok: true, post: { created_at: '2026-11-20T01:00:00.000Z', author: 'anon1' } } });
    expect(read.items[1]).toMatchObject({ postId: 'lapor-99', result: { ok: false, letter: { reason: 'schema_mismatch', key: 'lapor-99', source: 'json_api:lapor' } } });
    const letter = read.items[1]!.result;
    if (letter.ok) throw new Error('expected a dead letter');
    expect(JSON.parse(String(letter.letter.value))).toEqual(page.data[1]);
    expect(readPage({ data: [], meta: { next_cursor: '' } }, config, 'u')).toEqual({ items: [], nextCursor: null, newestId: null });
  });

  it('remembers an item without an id by its content', () => {
    const read = readPage({ data: [{ isi: 'tanpa id' }, { isi: 'tanpa id' }, { isi: 'lain' }], meta: {} }, config, 'u');
    expect(read.items.map((i) => i.postId)).toEqual([null, null, null]);
    expect(read.items[0]!.seenKey).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(read.items[1]!.seenKey).toBe(read.items[0]!.seenKey);
    expect(read.items[2]!.seenKey).not.toBe(read.items[0]!.seenKey);
  });

  it('refuses a page without an item array', () => {
    expect(() => readPage({ error: 'rate limited' }, config, 'u')).toThrow(expect.objectContaining({ code: 'unexpected_page', retriable: false }));
  });

  it('requires {cursor} and nextCursorPointer together', () => {
    const { nextCursorPointer: _drop, ...withoutPointer } = config;
    expect(jsonApiSourceSchema.safeParse(withoutPointer).success).toBe(false);
  });
});
