/**
 * The baseline the issue quotes: TF-IDF over word unigrams and char 2–5-grams inside word boundaries
 * (scikit-learn's `analyzer='char_wb'`), smooth idf, sublinear tf off, each vector L2-normalised, score = the
 * mean of the word and the char cosine. Lower-cased text, no stopwords, no other normalisation. Used only to
 * report the matcher's gain on the same split.
 */
import type { KbEntry } from '../types.ts';

type Vec = Map<string, number>;

function wordTerms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
}

function charTerms(text: string): string[] {
  const out: string[] = [];
  for (const w of text.toLowerCase().match(/[^\s]+/gu) ?? []) {
    const s = ` ${w} `;
    for (let n = 2; n <= 5; n++) for (let i = 0; i + n <= s.length; i++) out.push(s.slice(i, i + n));
  }
  return out;
}

class TfIdf {
  private readonly idf = new Map<string, number>();
  private readonly fallbackIdf: number;
  constructor(docs: readonly string[][]) {
    const df = new Map<string, number>();
    for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
    const n = docs.length;
    for (const [t, f] of df) this.idf.set(t, Math.log((1 + n) / (1 + f)) + 1);
    this.fallbackIdf = 0;
  }
  vector(terms: readonly string[]): Vec {
    const v: Vec = new Map();
    for (const t of terms) {
      const idf = this.idf.get(t) ?? this.fallbackIdf;
      if (idf > 0) v.set(t, (v.get(t) ?? 0) + idf);
    }
    let norm = 0;
    for (const x of v.values()) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [t, x] of v) v.set(t, x / norm);
    return v;
  }
}

function dot(a: Vec, b: Vec): number {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [t, x] of small) {
    const y = large.get(t);
    if (y !== undefined) s += x * y;
  }
  return s;
}

export class TfIdfBaseline {
  private readonly words: TfIdf;
  private readonly chars: TfIdf;
  private readonly wordVecs: Vec[];
  private readonly charVecs: Vec[];
  private readonly kb: readonly KbEntry[];
  constructor(kb: readonly KbEntry[]) {
    this.kb = kb;
    const w = kb.map((e) => wordTerms(e.claim));
    const c = kb.map((e) => charTerms(e.claim));
    this.words = new TfIdf(w);
    this.chars = new TfIdf(c);
    this.wordVecs = w.map((t) => this.words.vector(t));
    this.charVecs = c.map((t) => this.chars.vector(t));
  }
  /** Ids of the k best entries, best first. */
  rank(text: string, k: number): string[] {
    const qw = this.words.vector(wordTerms(text));
    const qc = this.chars.vector(charTerms(text));
    const scored = this.kb.map((e, i) => ({ id: e.id, s: (dot(qw, this.wordVecs[i]!) + dot(qc, this.charVecs[i]!)) / 2, i }));
    scored.sort((a, b) => b.s - a.s || a.i - b.i);
    return scored.slice(0, k).map((x) => x.id);
  }
}
