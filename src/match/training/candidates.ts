/**
 * Candidate lists for training and evaluation: each narrative's top-K lexical candidates from a knowledge
 * base, their features and labels (1 for the expected entry and for any entry whose claim reads the same
 * after normalisation: duplicate debunk titles are the same claim).
 */
import { FEATURE_COUNT, candidateFeatures, textView } from '../features.ts';
import { LexicalIndex, type LexicalConfig } from '../lexical-index.ts';
import { matchTokens } from '../normalize.ts';
import type { KbEntry } from '../types.ts';
import type { NarrativePair } from './data.ts';

export interface CandidateLists {
  /** Candidates per query (fixed K; a query with fewer hits is padded with mask 0). */
  k: number;
  queries: number;
  /** [queries · k · FEATURE_COUNT]. */
  features: Float32Array;
  /** [queries · k] 1 = a correct entry. */
  labels: Float32Array;
  /** [queries · k] 1 = a real candidate. */
  mask: Float32Array;
  /** [queries · k] the candidate's KB index, -1 for padding. */
  docs: Int32Array;
  /** Per query: the KB index of its expected entry (-1 if the id is not in the KB). */
  expected: Int32Array;
  /** Per query: source name, for weighting and reporting. */
  sources: string[];
}

export interface KnowledgeIndex {
  kb: readonly KbEntry[];
  index: LexicalIndex;
  claimWords: string[][];
  byId: Map<string, number>;
  /** Per entry: the index of the first entry with the same normalised claim. */
  sameClaim: Int32Array;
}

export function buildKnowledgeIndex(kb: readonly KbEntry[], config: LexicalConfig): KnowledgeIndex {
  const claimWords = kb.map((e) => matchTokens(e.claim));
  const index = new LexicalIndex(kb.map((e) => e.claim), config);
  const byId = new Map<string, number>();
  kb.forEach((e, i) => {
    if (!byId.has(e.id)) byId.set(e.id, i);
  });
  const firstByText = new Map<string, number>();
  const sameClaim = Int32Array.from(claimWords, (w, i) => {
    const key = w.join(' ');
    if (!firstByText.has(key)) firstByText.set(key, i);
    return firstByText.get(key)!;
  });
  return { kb, index, claimWords, byId, sameClaim };
}

/**
 * Top-`k` candidates of every pair against `ki`. `exclude` removes each query's expected entry (and its
 * same-claim duplicates) from its list: a narrative whose debunk is not in the knowledge base. `true` removes
 * the entries whose claim reads identically after normalisation; an array (per KB entry, the entries that state
 * the same claim, from `sameClaimGroups`) removes the expected entry's whole group.
 */
export function candidateLists(ki: KnowledgeIndex, pairs: readonly NarrativePair[], k: number, source: string, exclude: boolean | readonly Int32Array[] = false, onProgress?: (done: number) => void): CandidateLists {
  const Q = pairs.length;
  const features = new Float32Array(Q * k * FEATURE_COUNT);
  const labels = new Float32Array(Q * k);
  const mask = new Float32Array(Q * k);
  const docs = new Int32Array(Q * k).fill(-1);
  const expected = new Int32Array(Q).fill(-1);
  pairs.forEach((p, qi) => {
    const e = ki.byId.get(p.expectedId);
    expected[qi] = e ?? -1;
    const goldClaim = e === undefined ? -1 : ki.sameClaim[e]!;
    const analysed = ki.index.analyse(p.text);
    let hits: ReturnType<typeof ki.index.search>;
    if (exclude === true) hits = ki.index.search(analysed, k + 4).filter((h) => ki.sameClaim[h.doc] !== goldClaim).slice(0, k);
    else if (exclude !== false) {
      const group = e === undefined ? new Int32Array(0) : exclude[e]!;
      const out = new Set<number>(group);
      for (let d = 0; d < ki.kb.length && e !== undefined; d++) if (ki.sameClaim[d] === goldClaim) out.add(d);
      hits = ki.index.search(analysed, k + 4 + out.size).filter((h) => !out.has(h.doc)).slice(0, k);
    } else hits = ki.index.search(analysed, k);
    candidateFeatures(ki.index, textView(ki.index, analysed), hits, (d) => textView(ki.index, ki.index.analyseTokens(ki.claimWords[d]!)), features, qi * k * FEATURE_COUNT);
    hits.forEach((h, j) => {
      mask[qi * k + j] = 1;
      docs[qi * k + j] = h.doc;
      labels[qi * k + j] = goldClaim >= 0 && ki.sameClaim[h.doc] === goldClaim ? 1 : 0;
    });
    if (onProgress !== undefined && (qi + 1) % 500 === 0) onProgress(qi + 1);
  });
  return { k, queries: Q, features, labels, mask, docs, expected, sources: pairs.map(() => source) };
}

/** Concatenates candidate lists of the same k. */
export function concatLists(lists: readonly CandidateLists[]): CandidateLists {
  const k = lists[0]!.k;
  const cat = <T extends Float32Array | Int32Array>(make: (n: number) => T, pick: (l: CandidateLists) => T): T => {
    const out = make(lists.reduce((s, l) => s + pick(l).length, 0));
    let at = 0;
    for (const l of lists) {
      out.set(pick(l), at);
      at += pick(l).length;
    }
    return out;
  };
  return {
    k,
    queries: lists.reduce((s, l) => s + l.queries, 0),
    features: cat((n) => new Float32Array(n), (l) => l.features),
    labels: cat((n) => new Float32Array(n), (l) => l.labels),
    mask: cat((n) => new Float32Array(n), (l) => l.mask),
    docs: cat((n) => new Int32Array(n), (l) => l.docs),
    expected: cat((n) => new Int32Array(n), (l) => l.expected),
    sources: lists.flatMap((l) => l.sources),
  };
}
