/**
 * Choosing the match threshold: when two debunk titles state the same claim (conservative near-duplicates), and
 * how the strict and the duplicate-aware criteria count a top-1 that is another title of the expected claim or
 * a title of a different claim.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEXICAL_CONFIG } from '../../src/match/lexical-index.ts';
import { buildKnowledgeIndex, candidateLists, type CandidateLists } from '../../src/match/training/candidates.ts';
import { sameClaim, sameClaimGroups, variantWords } from '../../src/match/training/same-claim.ts';
import { chooseMatchThreshold, operatingPoint, topMatches, type TopMatch } from '../../src/match/training/threshold.ts';

describe('same claim between debunk titles', () => {
  it.each([
    ['SURAT REKRUTMEN KERJA OLEH MAYAPADA HOSPITAL', 'SURAT REKRUTMEN KERJA OLEH MAYAPADA HOSPITAL JUNI 2024'],
    ['Prabowo Mengakui Kecurangan Pemilu 2024', 'Prabowo Akui Pemilu 2024 Ada Kecurangan'],
    ['Anjing Laut Berkepala Sapi', 'Video Anjing Laut Berkepala Sapi'],
    ['Ribuan Warga Jadi Tumbal Gelombang Tinggi Samudera Hindia 10 Mei 2024', 'Ribuan Warga Jadi Tumbal Gelombang Tinggi Samudra Hindia 10 Mei 2024'],
    ['Artikel Detik News: “Putra Mahkota Arab Saudi sebut indonesia terlalu sibuk”', 'Tangkapan Layar Artikel Detik “Putra Mahkota Arab Saudi: sebut indonesia terlalu sibuk”'],
  ])('joins a title and its re-debunk: %s / %s', (a, b) => {
    expect(sameClaim(a, b)).toBe(true);
    expect(sameClaim(b, a)).toBe(true);
  });

  it.each([
    ['Undian Berhadiah Mengatasnamakan Bank Aceh', 'Undian Berhadiah Mengatasnamakan Bank BJB'],
    ['Lowongan Kerja Puskesmas Blora', 'LOWONGAN KERJA PUSKESMAS MAJALENGKA'],
    ['Wabah Mpox Sudah Menyebar ke Manado', 'Wabah Mpox Sudah Menyebar ke Nias'],
    ['Gempa Bermagnitudo 4,2 Guncang Tuban pada 15 April 2024', 'Gempa Bermagnitudo 5 Guncang Tuban pada 19 April 2024'],
    ['Poster Lowongan Pekerjaan Pertamina Juni 2024', 'Poster Lowongan Pekerjaan Pertamina Juli 2024'],
    ['Akun Tiktok Tiruan @jusuf_hameka Berisi Konten Giveaway', 'Akun Tiktok @jokowi83516 Berisi Konten Giveaway'],
    ['Kereta Cepat Whoosh Bocor', 'Kereta Cepat Whoosh Mogok'],
  ])('keeps different claims apart: %s / %s', (a, b) => {
    expect(sameClaim(a, b)).toBe(false);
    expect(sameClaim(b, a)).toBe(false);
  });

  it('pairs affixed forms and one-letter variants of long words only', () => {
    expect(variantWords('akui', 'mengakui')).toBe(true);
    expect(variantWords('putuskan', 'diputuskan')).toBe(true);
    expect(variantWords('magnitude', 'magnitudo')).toBe(true);
    expect(variantWords('juni', 'juli')).toBe(false);
    expect(variantWords('bsi', 'bni')).toBe(false);
    expect(variantWords('2024', '2025')).toBe(false);
  });
});

describe('match threshold criteria', () => {
  const kb = [
    { id: 'exp', claim: 'Surat rekrutmen kerja oleh Mayapada Hospital' },
    { id: 'dup', claim: 'Surat rekrutmen kerja oleh Mayapada Hospital Juni 2024' },
    { id: 'other', claim: 'Surat rekrutmen kerja oleh Siloam Hospital' },
    { id: 'far', claim: 'Gempa magnitudo 9 guncang Maluku' },
  ];
  const groups = sameClaimGroups(kb.map((e) => e.claim));

  /** One query whose candidates are `docs` (KB indexes), the first scored highest. */
  function lists(docs: number[]): CandidateLists {
    const k = docs.length;
    return {
      k,
      queries: 1,
      features: new Float32Array(0),
      labels: Float32Array.from(docs, (d) => (d === 0 ? 1 : 0)),
      mask: new Float32Array(k).fill(1),
      docs: Int32Array.from(docs),
      expected: Int32Array.of(0),
      sources: ['test'],
    };
  }
  const scores = (k: number) => Float32Array.from({ length: k }, (_, j) => 3 - j);
  const platt = { a: 1, b: 0 };
  const strictRight = (l: CandidateLists) => (q: number, d: number) => d === l.expected[q];
  const duplicateRight = (l: CandidateLists) => (q: number, d: number) => groups[l.expected[q]!]!.includes(d);

  it('groups the title with its re-debunk, not with the other hospital', () => {
    expect([...groups[0]!]).toEqual([0, 1]);
    expect([...groups[2]!]).toEqual([2]);
  });

  it('counts another title of the same claim as wrong under strict and right under duplicate-aware', () => {
    const l = lists([1, 2, 3]);
    expect(topMatches(scores(3), l, platt, true, strictRight(l))[0]!.right).toBe(false);
    expect(topMatches(scores(3), l, platt, true, duplicateRight(l))[0]!.right).toBe(true);
  });

  it('counts a title of a different claim as wrong under both', () => {
    const l = lists([2, 1, 3]);
    expect(topMatches(scores(3), l, platt, true, strictRight(l))[0]!.right).toBe(false);
    expect(topMatches(scores(3), l, platt, true, duplicateRight(l))[0]!.right).toBe(false);
  });

  it('never counts an out-of-KB top-1 as right', () => {
    const l = lists([1, 2]);
    expect(topMatches(scores(2), l, platt, false, duplicateRight(l))[0]!.right).toBe(false);
  });

  it('removes every title of the claim from the out-of-KB list (duplicate-aware), only identical ones otherwise', () => {
    const ki = buildKnowledgeIndex(kb, DEFAULT_LEXICAL_CONFIG);
    const pair = [{ text: 'Ada surat rekrutmen kerja dari Mayapada Hospital bulan Juni 2024, segera daftar', expectedId: 'exp' }];
    const docsOf = (l: CandidateLists) => [...l.docs].filter((d) => d >= 0);
    expect(docsOf(candidateLists(ki, pair, 4, 'test'))).toContain(0);
    expect(docsOf(candidateLists(ki, pair, 4, 'test', true))).toContain(1);
    const claimOut = docsOf(candidateLists(ki, pair, 4, 'test', groups));
    expect(claimOut).not.toContain(0);
    expect(claimOut).not.toContain(1);
    expect(claimOut).toContain(2);
  });

  it('chooses the lowest threshold that reaches the precision aim, with what it accepts', () => {
    // In-KB top-1s at 0.9 (right), 0.8 (a re-debunk: right only duplicate-aware), 0.6 (wrong); out-of-KB at 0.5.
    const tops = (duplicateAware: boolean): TopMatch[] => [
      { p: 0.9, right: true, inKb: true },
      { p: 0.8, right: duplicateAware, inKb: true },
      { p: 0.6, right: false, inKb: true },
      { p: 0.5, right: false, inKb: false },
    ];
    expect(chooseMatchThreshold(tops(false), 0.95)?.threshold).toBe(0.81);
    const chosen = chooseMatchThreshold(tops(true), 0.95)!;
    expect(chosen.threshold).toBe(0.61);
    expect(chosen.precision).toBe(1);
    expect(chosen.acceptedInKb).toBeCloseTo(2 / 3, 12);
    expect(chosen.acceptedOutOfKb).toBe(0);
    const low = operatingPoint(tops(true), 0.5);
    expect(low.precision).toBe(0.5);
    expect(low.acceptedOutOfKb).toBe(1);
    expect(chooseMatchThreshold([{ p: 0.99, right: false, inKb: false }], 0.95)).toBeNull();
  });
});
