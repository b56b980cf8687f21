/**
 * Clarification feeds: RSS 2.0 and Atom items as knowledge-base entries (claim without the verdict marker,
 * verdict from the marker, explanation as text, absolute links, ISO dates, topics), refused items with their
 * position and reason, and reading a feed from a file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { claimKey } from '../../src/kb/entry.ts';
import { clarificationsFromFeed, feedDateToIso, feedImportInput, readClarificationFeed, splitVerdictMarker } from '../../src/kb/feed.ts';

const FEEDS = resolve(PROJECT_ROOT, 'test/fixtures/feeds');
const RSS = resolve(FEEDS, 'kemkominfo-klarifikasi.rss.xml');
const ATOM = resolve(FEEDS, 'turnbackhoax-style.atom.xml');
const FEED_URL = 'https://klarifikasi.sidomulyo.go.id/feed/klarifikasi.xml';

describe('clarificationsFromFeed (RSS 2.0)', () => {
  const result = clarificationsFromFeed(readFileSync(RSS, 'utf8'), { feedUrl: FEED_URL });

  it('turns each item into an entry: claim without marker, verdict, text explanation, ISO date, topics, publisher from the feed title', () => {
    expect(result.entries.map((e) => e.entry.claim)).toEqual([
      'Surat Suara Pilkada Sidomulyo Sudah Dicoblos Sebelum Hari Pemungutan',
      'Bansos dihentikan bagi warga yang tidak memilih paslon tertentu',
      'Pemilih wajib membawa fotokopi KTP ke TPS',
      'Jadwal pemungutan suara Pilkada Sidomulyo tetap 27 November 2026',
    ]);
    expect(result.entries[0]).toEqual({
      origin: FEED_URL,
      entry: {
        claim: 'Surat Suara Pilkada Sidomulyo Sudah Dicoblos Sebelum Hari Pemungutan',
        verdict: 'hoaks',
        explanation: 'Beredar video yang mengklaim surat suara sudah dicoblos.\nFaktanya, KPU Kab. Sidomulyo menegaskan surat suara masih disegel & disimpan di gudang logistik.',
        publisher: 'Kementerian Sidomulyo Digital – Klarifikasi Hoaks',
        url: 'https://klarifikasi.sidomulyo.go.id/berita/surat-suara-sudah-dicoblos',
        published_at: '2026-11-10T01:30:00.000Z',
        topics: ['Pemilu', 'KPU'],
      },
    });
  });

  it('reads verdicts from "[Salah]" (hoaks), "DISINFORMASI:" and falls back to the default verdict', () => {
    expect(result.entries.map((e) => e.entry.verdict)).toEqual(['hoaks', 'hoaks', 'disinformasi', 'klarifikasi']);
    const benar = clarificationsFromFeed(readFileSync(RSS, 'utf8'), { feedUrl: FEED_URL, defaultVerdict: 'benar', publisher: 'Humas Sidomulyo' });
    expect(benar.entries[3]!.entry).toMatchObject({ verdict: 'benar', publisher: 'Humas Sidomulyo' });
  });

  it('makes a relative link absolute against the feed URL and reads RFC 822 dates with WIB and GMT', () => {
    expect(result.entries[1]!.entry).toMatchObject({ url: 'https://klarifikasi.sidomulyo.go.id/berita/bansos-dihentikan', published_at: '2026-11-11T07:00:00.000Z' });
    expect(result.entries[2]!.entry.published_at).toBe('2026-11-12T09:15:00.000Z');
  });

  it('refuses items without a title, with an unreadable date or a claim too short, by position and reason', () => {
    expect(result.refused).toEqual([
      { position: 5, reason: 'claim: the item has no title' },
      { position: 6, reason: 'published_at: unreadable date "kemarin sore"' },
      { position: 7, reason: expect.stringMatching(/^claim: .*10 characters/) },
    ]);
    expect(result.entries.length + result.refused.length).toBe(7);
    expect(feedImportInput(result).rejected[0]).toEqual({ origin: FEED_URL, line: 5, reason: 'claim: the item has no title' });
  });

  it('without a feed URL, resolves relative links against the channel link; entries get the same claim key as a "[HOAKS]"-prefixed copy', () => {
    const noUrl = clarificationsFromFeed(readFileSync(RSS, 'utf8'));
    expect(noUrl.origin).toBe('feed');
    expect(noUrl.entries[1]!.entry.url).toBe('https://klarifikasi.sidomulyo.go.id/berita/bansos-dihentikan');
    expect(claimKey(noUrl.entries[0]!.entry.claim)).toBe(claimKey('[HOAKS] surat suara pilkada sidomulyo sudah dicoblos sebelum hari pemungutan!'));
  });

  it('a feed URL with a token: the origin shows it redacted, and a "#" link cannot copy the token into the entry url', () => {
    const xml = `<rss version="2.0"><channel><title>T</title><item><title>[HOAKS] Klaim dengan tautan fragmen saja</title><link>#bagian</link></item></channel></rss>`;
    const r = clarificationsFromFeed(xml, { feedUrl: 'https://humas.example.go.id/feed.xml?token=rahasia123456' });
    expect(r.origin).not.toContain('rahasia123456');
    expect(r.entries[0]!.entry.url).toBe('https://humas.example.go.id/feed.xml#bagian');
  });

  it('a relative link without any base is refused with a reason; an explanation is cut to 20,000 characters', () => {
    const long = 'kata '.repeat(5000);
    const xml = `<rss version="2.0"><channel><title>T</title><item><title>Klaim tanpa basis tautan</title><link>/a/b</link></item><item><title>Klaim dengan penjelasan panjang</title><description>${long}</description></item></channel></rss>`;
    const r = clarificationsFromFeed(xml);
    expect(r.refused).toEqual([{ position: 1, reason: expect.stringContaining('relative link needs the feed URL') }]);
    expect(r.entries[0]!.entry.explanation!.length).toBeLessThanOrEqual(20000);
    expect(r.entries[0]!.entry.explanation!.length).toBeGreaterThan(19000);
  });

  it('throws for a document that is not a feed or not XML', () => {
    expect(() => clarificationsFromFeed('<html><body>x</body></html>')).toThrow(/neither RSS 2.0 nor Atom/);
    expect(() => clarificationsFromFeed('<rss><channel>')).toThrow(/not well-formed/);
  });
});

describe('clarificationsFromFeed (Atom)', () => {
  it('reads title markers, HTML summary/content as text, published before updated, category labels/terms, relative links against the alternate link', async () => {
    const r = await readClarificationFeed(ATOM);
    expect(r.refused).toEqual([]);
    expect(r.origin).toBe(ATOM);
    expect(r.entries.map((e) => e.entry)).toEqual([
      {
        claim: 'Foto antrean TPS di Sidomulyo adalah foto tahun 2019',
        verdict: 'misinformasi',
        explanation: 'Foto tersebut diambil pada Pemilu 2019, bukan 2026.',
        publisher: 'Cek Fakta Sidomulyo',
        url: 'https://cekfakta.sidomulyo.example/artikel/foto-antrean-tps',
        published_at: '2026-11-18T07:00:00+07:00',
        topics: ['Pemilu'],
      },
      {
        claim: 'Bu Sri Lestari tidak pernah menyatakan mundur dari pencalonan',
        verdict: 'klarifikasi',
        explanation: 'Tim kampanye membantah kabar tersebut.\nPernyataan resmi menyusul.',
        publisher: 'Cek Fakta Sidomulyo',
        url: 'https://cekfakta.sidomulyo.example/artikel/tidak-mundur',
        published_at: '2026-11-19T10:00:00Z',
        topics: ['kandidat'],
      },
    ]);
  });

  it('a missing file is a clear error', async () => {
    await expect(readClarificationFeed(resolve(FEEDS, 'tidak-ada.xml'))).rejects.toThrow(/Feed file not found/);
  });
});

describe('verdict markers and dates', () => {
  it.each([
    ['[HOAKS] Klaim', 'hoaks', 'Klaim'],
    ['[hoax] Klaim', 'hoaks', 'Klaim'],
    ['HOAKS: Klaim', 'hoaks', 'Klaim'],
    ['Hoaks - Klaim', 'hoaks', 'Klaim'],
    ['[DISINFORMASI] Klaim', 'disinformasi', 'Klaim'],
    ['[Misinformasi] Klaim', 'misinformasi', 'Klaim'],
    ['[FITNAH] Klaim', 'fitnah', 'Klaim'],
    ['[KLARIFIKASI] Klaim', 'klarifikasi', 'Klaim'],
    ['[BENAR] Klaim', 'benar', 'Klaim'],
    ['[SALAH] Klaim', 'hoaks', 'Klaim'],
    ['(Keliru) Klaim', 'misinformasi', 'Klaim'],
    ['[SALAH] [HOAKS] Klaim', 'hoaks', 'Klaim'],
    ['Hoaks-hoaks seputar pemilu', null, 'Hoaks-hoaks seputar pemilu'],
    ['[BERITA] Klaim', null, '[BERITA] Klaim'],
    ['Klaim [HOAKS]', null, 'Klaim [HOAKS]'],
  ])('%s', (title, verdict, claim) => {
    expect(splitVerdictMarker(title)).toEqual({ verdict, claim });
  });

  it('dates: RFC 822 with offsets and Indonesian zones, ISO kept as written, nonsense null', () => {
    expect(feedDateToIso('Tue, 10 Nov 2026 08:30:00 +0700')).toBe('2026-11-10T01:30:00.000Z');
    expect(feedDateToIso('Tue, 10 Nov 2026 08:30:00 WITA')).toBe('2026-11-10T00:30:00.000Z');
    expect(feedDateToIso('Tue, 10 Nov 2026 08:30:00 WIT')).toBe('2026-11-09T23:30:00.000Z');
    expect(feedDateToIso('2026-11-10T08:30:00+07:00')).toBe('2026-11-10T08:30:00+07:00');
    expect(feedDateToIso('2026-11-10')).toBe('2026-11-10');
    expect(feedDateToIso('besok')).toBeNull();
  });
});
