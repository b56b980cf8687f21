/**
 * ClaimReview JSON-LD, the exchange format: reading reviews as fact-checkers publish them (nested in a page's
 * graph, rating by name or by value), and writing entries that read back as the same entries.
 */
import { describe, expect, it } from 'vitest';
import { parseClaimReviews, toClaimReview, verdictOfRating } from '../../src/kb/claim-review.ts';
import type { ClarificationInput } from '../../src/kb/entry.ts';

const review = {
  '@context': 'https://schema.org',
  '@type': 'ClaimReview',
  datePublished: '2024-02-12',
  url: 'https://cekfakta.example.id/2024/02/surat-suara',
  claimReviewed: 'Surat suara Pemilu 2024 sudah dicoblos sebelum hari pemungutan',
  author: { '@type': 'Organization', name: 'Cek Fakta Contoh' },
  reviewRating: { '@type': 'Rating', ratingValue: 1, bestRating: 5, worstRating: 1, alternateName: 'Salah' },
  itemReviewed: { '@type': 'Claim', appearance: [{ '@type': 'CreativeWork', url: 'https://x.com/akun/status/1' }, 'bukan-url'] },
};

describe('ClaimReview', () => {
  it('reads reviews nested in a page graph, with publisher, date, link and where the claim appeared', () => {
    const page = { '@context': 'https://schema.org', '@graph': [{ '@type': 'WebPage', name: 'x' }, review] };
    const result = parseClaimReviews(JSON.stringify(page), 'cek.jsonld');
    expect(result.rejected).toEqual([]);
    expect(result.entries).toEqual([
      {
        origin: 'cek.jsonld',
        entry: {
          claim: 'Surat suara Pemilu 2024 sudah dicoblos sebelum hari pemungutan',
          verdict: 'hoaks',
          publisher: 'Cek Fakta Contoh',
          url: 'https://cekfakta.example.id/2024/02/surat-suara',
          published_at: '2024-02-12',
          sources: ['https://x.com/akun/status/1'],
        },
      },
    ]);
  });

  it('maps rating names in Indonesian and English, and falls back on the value within the review\'s scale', () => {
    expect(verdictOfRating({ alternateName: 'Keliru' })).toBe('misinformasi');
    expect(verdictOfRating({ alternateName: 'Disinformasi' })).toBe('disinformasi');
    expect(verdictOfRating({ alternateName: 'False' })).toBe('hoaks');
    expect(verdictOfRating({ alternateName: 'Benar' })).toBe('benar');
    expect(verdictOfRating({ ratingValue: 9, bestRating: 10, worstRating: 0 })).toBe('benar');
    expect(verdictOfRating({ ratingValue: '1', bestRating: '5', worstRating: '1' })).toBe('hoaks');
    expect(verdictOfRating({ ratingValue: 3 })).toBe('misinformasi');
    expect(verdictOfRating({})).toBeNull();
  });

  it('reports reviews it cannot use, with their position and reason, and reads one review per line too', () => {
    const lines = [JSON.stringify(review), '{"@type": "ClaimReview", "claimReviewed": "Klaim tanpa rating sama sekali di sini"}', '{rusak', JSON.stringify({ ...review, claimReviewed: 'pendek' })].join('\n');
    const result = parseClaimReviews(lines, 'lines.jsonld');
    expect(result.entries).toHaveLength(1);
    expect(result.rejected.map((r) => [r.line, r.reason.split(' ')[0]])).toEqual([
      [2, 'reviewRating'],
      [3, 'not'],
      [4, 'claim:'],
    ]);
  });

  it('writes entries that read back as the same entries', () => {
    const entries: ClarificationInput[] = [
      { claim: 'TPS dipindah ke balai desa tanpa pemberitahuan', verdict: 'klarifikasi', explanation: 'TPS tetap di SDN 1.', publisher: 'KPU Kota Contoh', url: 'https://kpu.example.go.id/k/1', published_at: '2026-11-20', sources: ['https://x.com/a/status/2'] },
      { claim: 'Bansos dihentikan bagi yang tidak memilih paslon tertentu', verdict: 'fitnah' },
      { claim: 'Pemilih wajib membawa fotokopi KTP ke TPS', verdict: 'misinformasi' },
      { claim: 'Pemungutan suara dimulai pukul tujuh pagi', verdict: 'benar' },
    ];
    const exported = JSON.stringify(entries.map(toClaimReview));
    const back = parseClaimReviews(exported, 'export.jsonld');
    expect(back.rejected).toEqual([]);
    expect(back.entries.map((e) => e.entry)).toEqual(entries);
  });
});
