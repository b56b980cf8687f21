import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PantauError } from '../../src/core/errors.ts';
import { toPostOrDeadLetter } from '../../src/sources/edge-validate.ts';
import { decodeEntities, htmlToText } from '../../src/sources/html-text.ts';
import { entryPostId, entryToCandidate } from '../../src/sources/rss/map-entry.ts';
import { parseFeed } from '../../src/sources/rss/parse-feed.ts';
import { decodeDocument } from '../../src/sources/decode-text.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sources/${name}`, import.meta.url), 'utf8');
const ctx = {
  sourceName: 'antara-politik',
  baseUrl: 'https://www.antaranews.example/politik',
  platform: 'news',
  language: 'id',
  region: null,
  fetchedAt: new Date('2026-11-21T00:00:00Z'),
};
const origin = { source: 'rss:antara-politik', label: 'item', bytes: Buffer.from('{}'), key: null };

describe('html to text', () => {
  it.each([
    ['<p>Satu</p><p>Dua</p>', 'Satu\nDua'],
    ['KPU &amp; Bawaslu &ndash; &#8220;netral&#8221; &#x2014; ok', 'KPU & Bawaslu – “netral” — ok'],
    ['<script>alert(1)</script>Teks <b>tebal</b><br/>baris', 'Teks tebal\nbaris'],
    ['a < b dan c > d', 'a < b dan c > d'],
    ['  spasi\t\tberlebih   di sini  ', 'spasi berlebih di sini'],
    ['<!-- komentar -->isi', 'isi'],
  ])('%j → %j', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  it('leaves unknown and invalid references as written', () => {
    expect(decodeEntities('&bogus; &#xD800; &#0;')).toBe('&bogus; &#xD800; &#0;');
  });
});

describe('parseFeed', () => {
  it('reads RSS 2.0 items with guid, link, dc:creator, RFC 822 dates and CDATA descriptions', () => {
    const feed = parseFeed(fixture('antara-politik.rss.xml'));
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('ANTARA News - Politik');
    expect(feed.entries).toHaveLength(4);
    const [first, second, third] = feed.entries;
    expect(first).toMatchObject({
      guid: 'https://www.antaranews.example/berita/4100001/kpu-tetapkan-jadwal-rekapitulasi-suara',
      author: 'Redaksi Politik',
      date: 'Fri, 20 Nov 2026 09:15:00 +0700',
    });
    expect(first!.summary).toContain('<p>Komisi Pemilihan Umum');
    expect(second).toMatchObject({ guid: 'antara-4100002', author: 'Dewi Lestari' });
    expect(second!.summary).toContain('&quot;surat suara sudah tercoblos&quot;');
    expect(third).toMatchObject({ guid: null, link: '/berita/4100003/pemkab-ajak-warga-cek-dpt', date: null, author: null });
    expect(first!.raw).toMatchObject({ category: ['Pemilu'], guid: { '@_isPermaLink': 'true' } });
  });

  it('reads Atom entries: alternate link, author name, published before updated, xhtml content', () => {
    const feed = parseFeed(fixture('komdigi-hoaks.atom.xml'));
    expect(feed.format).toBe('atom');
    expect(feed.entries).toHaveLength(2);
    expect(feed.entries[0]).toMatchObject({
      guid: 'tag:komdigi.example,2026:hoaks/5501',
      link: 'https://www.komdigi.example/berita/hoaks/detail/5501',
      author: 'Tim AIS Komdigi',
      date: '2026-11-19T20:00:00+07:00',
    });
    expect(feed.entries[1]).toMatchObject({ date: '2026-11-20T11:45:00+09:00', link: 'https://www.komdigi.example/berita/hoaks/detail/5502' });
    expect(feed.entries[1]!.summary).toContain('kejadian tahun 2019');
  });

  it('keeps numeric-looking guids as written', () => {
    const feed = parseFeed('<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>0012</guid></item></channel></rss>');
    expect(feed.entries[0]!.guid).toBe('0012');
  });

  it('reads a feed with one item and one with none', () => {
    expect(parseFeed('<rss version="2.0"><channel><title>t</title></channel></rss>').entries).toEqual([]);
    expect(parseFeed('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>a</id><title>x</title></entry></feed>').entries).toHaveLength(1);
  });

  it('refuses malformed XML as retriable bad_xml, and other XML as not_a_feed', () => {
    const truncated = fixture('antara-politik.rss.xml').slice(0, 900);
    const bad = (() => {
      try {
        parseFeed(truncated);
      } catch (error) {
        return error;
      }
    })();
    expect(bad).toBeInstanceOf(PantauError);
    expect(bad).toMatchObject({ code: 'bad_xml', retriable: true, stage: 'receiving' });
    expect(() => parseFeed('<html><body>Situs sedang dalam pemeliharaan</body></html>')).toThrow(expect.objectContaining({ code: 'not_a_feed', retriable: false }));
  });

  it('refuses entity expansion bombs instead of expanding them', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 8 }, (_, i) => `<!ENTITY b${i} "${`&${i === 0 ? 'a' : `b${i - 1}`};`.repeat(10)}">`).join('')}]><rss version="2.0"><channel><title>t</title><item><title>&b7;</title></item></channel></rss>`;
    // Refusing the document and leaving the reference unexpanded are both safe; expanding it is not.
    const title = (() => {
      try {
        return parseFeed(bomb).entries[0]?.title ?? '';
      } catch {
        return 'refused';
      }
    })();
    expect(title.length).toBeLessThan(1000);
  });
});

describe('entry to post', () => {
  const posts = (name: string) => parseFeed(fixture(name)).entries.map((e) => toPostOrDeadLetter(entryToCandidate(e, ctx), origin));

  const valid = (r: ReturnType<typeof toPostOrDeadLetter> | undefined) => {
    if (!r?.ok) throw new Error(`expected a valid post, got ${JSON.stringify(r)}`);
    return r.post;
  };

  it('maps RSS items: title + stripped description, zoned dates to UTC (WIB understood), relative links resolved', () => {
    const [ra, rb, rc, rd] = posts('antara-politik.rss.xml');
    const [a, b, c] = [valid(ra), valid(rb), valid(rc)];
    expect(a).toMatchObject({ platform: 'news', language: 'id', author: 'Redaksi Politik', created_at: '2026-11-20T02:15:00.000Z' });
    expect(a.text).toBe(
      'KPU tetapkan jadwal rekapitulasi suara tingkat kecamatan\n\nKomisi Pemilihan Umum (KPU) menetapkan rekapitulasi suara tingkat kecamatan berlangsung 21–25 November 2026.\nSaksi setiap pasangan calon diminta hadir.',
    );
    expect(a.id).toMatch(/^rss-antara-politik-[0-9a-f]{24}$/);
    expect(b.created_at).toBe('2026-11-20T03:30:00.000Z');
    expect(b.text).toContain('"surat suara sudah tercoblos"');
    expect(c.url).toBe('https://www.antaranews.example/berita/4100003/pemkab-ajak-warga-cek-dpt');
    expect(c.created_at).toBe('2026-11-21T00:00:00.000Z'); // no pubDate: fetch time
    expect(rd).toMatchObject({ ok: false, letter: { reason: 'schema_mismatch', stage: 'receiving' } });
    expect(rd!.ok ? '' : rd!.letter.detail).toContain('text');
  });

  it('maps Atom entries and keeps the entry as raw', () => {
    const [a, b] = posts('komdigi-hoaks.atom.xml').map(valid);
    expect(a!.text.startsWith('[HOAKS] Pemilih bisa mencoblos lewat aplikasi "e-Coblos"\n\nBeredar pesan berantai')).toBe(true);
    expect(a!.created_at).toBe('2026-11-19T13:00:00.000Z');
    expect(b!.created_at).toBe('2026-11-20T02:45:00.000Z');
    expect(a!.raw).toMatchObject({ id: 'tag:komdigi.example,2026:hoaks/5501' });
  });

  it('gives the same id to the same item on every poll, and different ids to different items or sources', () => {
    const entries = parseFeed(fixture('antara-politik.rss.xml')).entries;
    const again = parseFeed(fixture('antara-politik.rss.xml')).entries;
    expect(entries.map((e) => entryPostId('antara-politik', e))).toEqual(again.map((e) => entryPostId('antara-politik', e)));
    expect(new Set(entries.map((e) => entryPostId('antara-politik', e))).size).toBe(entries.length);
    expect(entryPostId('lain', entries[0]!)).not.toBe(entryPostId('antara-politik', entries[0]!));
  });

  it('decodes documents in the charset they declare', () => {
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>'), Buffer.from([0x50, 0xe9, 0x6c, 0x61]), Buffer.from('</title></channel></rss>')]);
    expect(decodeDocument(latin1, 'text/xml')).toContain('<title>Péla</title>');
    expect(decodeDocument(Buffer.from('é', 'utf8'), 'text/xml; charset=utf-8')).toBe('é');
  });
});
