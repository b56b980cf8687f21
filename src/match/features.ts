/**
 * Features of a (narrative, claim) pair: the lexical scores, how much of the claim the narrative covers (words
 * weighted by idf, char n-grams, word pairs, numbers, affixed forms), how much of the narrative the claim
 * covers, the rarest word matched and missed. For a knowledge-base candidate three more say where it stands
 * among the narrative's candidates (rank, score against the best, gap to the next).
 *
 * Claims are short (median 8 words) and narratives long (median 16, up to hundreds), so the claim-side
 * coverage says most: a claim whose rare words all appear in the narrative is almost always its debunk.
 * Every feature is computed from the two texts and the knowledge base's term statistics (idf, average
 * length) only. A term the knowledge base has never seen counts as rarer than any it has (df 0), so two
 * narratives that share an unknown name are pulled together.
 */
import type { AnalysedText, LexicalHit, LexicalIndex } from './lexical-index.ts';

/** Features of a pair on its own (also used to decide whether two narratives carry one claim). */
export const PAIR_FEATURE_NAMES = [
  'word_bm25',
  'char_bm25',
  'claim_word_idf_coverage',
  'claim_char_idf_coverage',
  'query_word_idf_coverage',
  'query_char_idf_coverage',
  'claim_word_coverage',
  'claim_bigram_coverage',
  'claim_has_numbers',
  'claim_number_coverage',
  'log_claim_words',
  'log_query_words',
  'word_cosine',
  'claim_max_idf_matched',
  'claim_max_idf_missing',
  'claim_affix_coverage',
  'query_unknown_share',
] as const;

/** Pair features, then the candidate's place in the narrative's list. */
export const FEATURE_NAMES = [...PAIR_FEATURE_NAMES, 'score_ratio_top1', 'log_rank', 'gap_to_next'] as const;

export const PAIR_FEATURE_COUNT = PAIR_FEATURE_NAMES.length;
export const FEATURE_COUNT = FEATURE_NAMES.length;

const NUMBER_RE = /^[0-9]/;

/** What the features need of one text, computed once per text. */
export interface TextView {
  words: readonly string[];
  wordCounts: Map<string, number>;
  charCounts: Map<string, number>;
  bigrams: Set<string>;
  numbers: Set<string>;
  /** Distinct words of 4+ letters, for affixed forms. */
  longWords: string[];
  /** Σ idf over distinct words / char n-grams. */
  wordIdfSum: number;
  charIdfSum: number;
  /** Length of the tf·idf word vector. */
  wordNorm: number;
  /** Share of distinct words the knowledge base has never seen. */
  unknownShare: number;
  charLength: number;
  /** idf of each distinct word / char n-gram, in the order of wordCounts / charCounts (looked up once per text). */
  wordIdf: Float64Array;
  charIdf: Float64Array;
}

/** idf of a word or char n-gram in the knowledge base; a term it has never seen gets df = 0. */
function idfOf(index: LexicalIndex, field: 'words' | 'chars', term: string): number {
  return index[field].idfOf(term) ?? unseenIdf(index);
}

const unseenIdf = (index: LexicalIndex) => Math.log(1 + (index.documents + 0.5) / 0.5);

export function textView(index: LexicalIndex, text: AnalysedText): TextView {
  const wordCounts = new Map<string, number>();
  for (const w of text.words) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  const charCounts = new Map<string, number>();
  for (const c of text.chars) charCounts.set(c, (charCounts.get(c) ?? 0) + 1);
  let wordIdfSum = 0;
  let wordNorm = 0;
  let unknown = 0;
  const wordIdf = new Float64Array(wordCounts.size);
  let i = 0;
  for (const [w, n] of wordCounts) {
    const known = index.words.idfOf(w);
    if (known === undefined) unknown++;
    const idf = known ?? unseenIdf(index);
    wordIdf[i++] = idf;
    wordIdfSum += idf;
    wordNorm += (n * idf) ** 2;
  }
  let charIdfSum = 0;
  const charIdf = new Float64Array(charCounts.size);
  i = 0;
  for (const c of charCounts.keys()) {
    const idf = idfOf(index, 'chars', c);
    charIdf[i++] = idf;
    charIdfSum += idf;
  }
  const bigrams = new Set<string>();
  for (let i = 0; i + 1 < text.words.length; i++) bigrams.add(`${text.words[i]} ${text.words[i + 1]}`);
  return {
    words: text.words,
    wordCounts,
    charCounts,
    bigrams,
    numbers: new Set(text.words.filter((w) => NUMBER_RE.test(w))),
    longWords: [...wordCounts.keys()].filter((w) => w.length >= 4),
    wordIdfSum: Math.max(wordIdfSum, 1e-9),
    charIdfSum: Math.max(charIdfSum, 1e-9),
    wordNorm: Math.sqrt(wordNorm),
    unknownShare: wordCounts.size === 0 ? 1 : unknown / wordCounts.size,
    charLength: text.chars.length,
    wordIdf,
    charIdf,
  };
}

/** True when one word is an affixed form of the other (`rusak` in `dirusak`, `pemilu` in `pemilunya`). */
function affixed(a: string, b: string): boolean {
  return a.length >= 4 && b.length >= 4 && (a.includes(b) || b.includes(a));
}

/** How often a query term counts in BM25 (the lexical index's `queryTermMode`). */
function queryWeight(n: number, mode: LexicalIndex['config']['queryTermMode']): number {
  return mode === 'sum' ? n : mode === 'distinct' ? 1 : 1 + Math.log(n);
}

/**
 * Writes the PAIR_FEATURE_COUNT features of (query q, claim c) at `out[offset..]`. The BM25 scores are those
 * the lexical index gives when the claim is one of its documents (the index's average lengths and idf).
 */
export function pairFeatures(index: LexicalIndex, q: TextView, c: TextView, out: Float32Array, offset: number): void {
  const { k1, b, charBoost, queryTermMode } = index.config;
  const avgWords = index.words.averageLength;
  const avgChars = index.chars.averageLength;
  const claimWords = c.words.length;
  let bm25Words = 0;
  let idfAll = 0;
  let idfHit = 0;
  let hitCount = 0;
  let maxHit = 0;
  let maxMiss = 0;
  let dotProduct = 0;
  let docNorm = 0;
  let nums = 0;
  let numHits = 0;
  let affixHits = 0;
  let wi = 0;
  for (const [w, tf] of c.wordCounts) {
    const idf = c.wordIdf[wi++]!;
    idfAll += idf;
    docNorm += (tf * idf) ** 2;
    const qn = q.wordCounts.get(w);
    if (qn !== undefined) {
      idfHit += idf;
      hitCount++;
      if (idf > maxHit) maxHit = idf;
      dotProduct += qn * idf * tf * idf;
      bm25Words += (queryWeight(qn, queryTermMode) * idf * (k1 + 1) * tf) / (tf + k1 * (1 - b + (b * claimWords) / avgWords));
      affixHits++;
    } else {
      if (idf > maxMiss) maxMiss = idf;
      if (q.longWords.some((x) => affixed(x, w))) affixHits++;
    }
    if (NUMBER_RE.test(w)) {
      nums++;
      if (q.numbers.has(w)) numHits++;
    }
  }
  let bm25Chars = 0;
  let cAll = 0;
  let cHit = 0;
  let ci = 0;
  for (const [g, tf] of c.charCounts) {
    const idf = c.charIdf[ci++]!;
    cAll += idf;
    const qn = q.charCounts.get(g);
    if (qn !== undefined) {
      cHit += idf;
      bm25Chars += (queryWeight(qn, queryTermMode) * idf * (k1 + 1) * tf) / (tf + k1 * (1 - b + (b * c.charLength) / avgChars));
    }
  }
  let pairs = 0;
  let pairHits = 0;
  for (let i = 0; i + 1 < c.words.length; i++) {
    pairs++;
    if (q.bigrams.has(`${c.words[i]} ${c.words[i + 1]}`)) pairHits++;
  }
  const distinct = c.wordCounts.size;
  const o = offset;
  out[o] = bm25Words;
  out[o + 1] = charBoost * bm25Chars;
  out[o + 2] = idfAll > 0 ? idfHit / idfAll : 0;
  out[o + 3] = cAll > 0 ? cHit / cAll : 0;
  out[o + 4] = idfHit / q.wordIdfSum;
  out[o + 5] = cHit / q.charIdfSum;
  out[o + 6] = distinct > 0 ? hitCount / distinct : 0;
  out[o + 7] = pairs > 0 ? pairHits / pairs : 0;
  out[o + 8] = nums > 0 ? 1 : 0;
  out[o + 9] = nums > 0 ? numHits / nums : 0;
  out[o + 10] = Math.log1p(claimWords);
  out[o + 11] = Math.log1p(q.words.length);
  out[o + 12] = docNorm > 0 && q.wordNorm > 0 ? dotProduct / (Math.sqrt(docNorm) * q.wordNorm) : 0;
  out[o + 13] = maxHit;
  out[o + 14] = maxMiss;
  out[o + 15] = distinct > 0 ? affixHits / distinct : 0;
  out[o + 16] = q.unknownShare;
}

/**
 * Writes the FEATURE_COUNT features of every hit (row-major [hits.length, FEATURE_COUNT]) at `out[offset..]`.
 * `claimView(d)` gives the view of knowledge-base entry d (made on demand: views of every entry of a large
 * knowledge base would cost more memory than the index).
 */
export function candidateFeatures(index: LexicalIndex, q: TextView, hits: readonly LexicalHit[], claimView: (doc: number) => TextView, out: Float32Array, offset = 0): void {
  const top = hits.length > 0 ? Math.max(hits[0]!.score, 1e-9) : 1;
  for (let j = 0; j < hits.length; j++) {
    const h = hits[j]!;
    const o = offset + j * FEATURE_COUNT;
    pairFeatures(index, q, claimView(h.doc), out, o);
    const next = j + 1 < hits.length ? hits[j + 1]!.score : 0;
    out[o + PAIR_FEATURE_COUNT] = h.score / top;
    out[o + PAIR_FEATURE_COUNT + 1] = Math.log(j + 1);
    out[o + PAIR_FEATURE_COUNT + 2] = (h.score - next) / top;
  }
}
