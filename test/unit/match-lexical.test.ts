/**
 * The claim matcher's normaliser and in-memory lexical index on a small hand-written knowledge base: the
 * claim a narrative repeats ranks first, char n-grams rescue affixed and misspelt words, numbers and chat
 * spellings normalise, and BM25 follows Lucene's formula.
 */
import { describe, expect, it } from 'vitest';
import { LexicalIndex, DEFAULT_LEXICAL_CONFIG } from '../../src/match/lexical-index.ts';
import { claimPart, matchTokens } from '../../src/match/normalize.ts';

const KB = [
  'KPU Sidomulyo menghapus 12 ribu pemilih dari DPT',
  'Tinta pemilu mengandung lemak babi',
  'Pemungutan suara Pilkada Sidomulyo diundur ke Desember',
  'Kotak suara TPS 7 Karanganyar dibawa kabur pendukung Hendra',
  'Gempa magnitudo 6,8 akan mengguncang Sidomulyo saat hari pencoblosan',
  'Bawaslu Sidomulyo menerima suap 500 juta',
];

function top(index: LexicalIndex, text: string, k = 3): number[] {
  return index.search(index.analyse(text), k).map((h) => h.doc);
}

describe('match normaliser', () => {
  it('keeps numbers, splits money and units, undoes chat spellings, leetspeak and reduplication, drops stopwords', () => {
    expect(matchTokens('Yg dpt Rp20Jt, 40rb warga gak percaya rus4k kata2 https://x.co/a @budi')).toEqual(['rp', '20', 'juta', '40', 'ribu', 'warga', 'percaya', 'rusak', 'kata', 'kata']);
    expect(matchTokens('gempa 9.8 SR')).toEqual(matchTokens('GEMPA 9,8 sr'));
  });

  it("removes TurnBackHoax's First Draft boilerplate but keeps the explanation that restates the claim", () => {
    const text = 'Tinta babi PENJELASAN Berdasarkan 7 Jenis Mis- dan Disinformasi oleh First Draft News, termasuk “Konten yang Menyesatkan: Penggunaan informasi”. Akun Facebook Budi memposting gambar tinta';
    expect(claimPart(text)).not.toContain('First Draft');
    expect(matchTokens(text)).toEqual(['tinta', 'babi', 'facebook', 'budi', 'gambar', 'tinta']);
  });
});

describe('lexical index', () => {
  const index = new LexicalIndex(KB);

  it('ranks the claim a narrative repeats first', () => {
    expect(top(index, 'info A1: KPU sidomulyo diam2 hapus 12 ribu nama pemilih dari DPT, sebarkan')[0]).toBe(0);
    expect(top(index, 'AWAS tinta celup jari di TPS dari lemak babi!!')[0]).toBe(1);
    expect(top(index, 'td malem kotak suara TPS 7 karanganyar diangkut tim hendra')[0]).toBe(3);
    expect(top(index, 'BMKG rahasiakan gempa magnitudo 6,8 di Sidomulyo pas hari coblos')[0]).toBe(4);
  });

  it('finds affixed and misspelt forms through char n-grams, and only through them', () => {
    const words = new LexicalIndex(KB, { ...DEFAULT_LEXICAL_CONFIG, charBoost: 0 });
    // "disuap" / "bawaslu" misspelt: no word in common with claim 5 except Sidomulyo.
    const query = 'bwaslu sidomulyo disuap 500jt';
    expect(top(index, query)[0]).toBe(5);
    const wordOnly = words.search(words.analyse(query), 6).find((h) => h.doc === 5)!;
    const both = index.search(index.analyse(query), 6).find((h) => h.doc === 5)!;
    expect(both.charScore).toBeGreaterThan(0);
    expect(wordOnly.charScore).toBe(0);
  });

  it('scores with Lucene BM25 (k1, b, idf = ln(1 + (N − df + 0.5)/(df + 0.5)))', () => {
    const idx = new LexicalIndex(['kotak bakar', 'kotak suara dibawa', 'tinta'], { ...DEFAULT_LEXICAL_CONFIG, charBoost: 0 });
    const hit = idx.search(idx.analyse('bakar'), 3);
    expect(hit.map((h) => h.doc)).toEqual([0]);
    const N = 3;
    const avg = (2 + 3 + 1) / 3;
    const idf = Math.log(1 + (N - 1 + 0.5) / (1 + 0.5));
    const expected = (idf * (1.2 + 1) * 1) / (1 + 1.2 * (1 - 0.75 + (0.75 * 2) / avg));
    expect(hit[0]!.score).toBeCloseTo(expected, 10);
  });

  it('returns nothing for a text without content words, and at most k hits, best first', () => {
    expect(index.search(index.analyse('yang dan di ke dari'), 5)).toEqual([]);
    const hits = index.search(index.analyse('Sidomulyo'), 2);
    expect(hits).toHaveLength(2);
    expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
  });
});
