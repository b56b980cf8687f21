/**
 * An in-memory lexical index over knowledge-base claims, scored the way an Elasticsearch query over two
 * fields would score it: `bool.should` of a `match` on `claim` (words, BM25) and a `match` on `claim.ngram`
 * (char n-grams of each word in `<` `>` boundaries, BM25), the second with a boost. Same BM25 as Lucene's
 * (k1, b, idf = ln(1 + (N − df + 0.5)/(df + 0.5))); a query term repeated in the text counts once per
 * occurrence, like the duplicate clauses a `match` query builds, unless `queryTermMode` says otherwise.
 *
 * Why in memory and not Elasticsearch: the matcher is called once per new narrative, must work where no
 * cluster runs (`eval:match`, tests), and a knowledge base of 5,000–50,000 short claims is a few MB here; the
 * same scoring can be moved to an Elasticsearch index (mapping in the model card) without retraining, since the
 * reranker sees only the scores and overlaps, not how they were computed.
 *
 * Built once from the entries (immutable); a changed knowledge base is a new index (~60 ms per 1,000 claims).
 */
import { charNgrams, matchTokens } from './normalize.ts';

export interface LexicalConfig {
  k1: number;
  b: number;
  charNgramMin: number;
  charNgramMax: number;
  /** Boost of the char n-gram field against the word field. */
  charBoost: number;
  /** How often a query term counts: every occurrence (`sum`, like Elasticsearch), once (`distinct`), or 1 + ln(count) (`log`). */
  queryTermMode: 'sum' | 'distinct' | 'log';
  /**
   * Char n-grams found in more than this share of the claims are left out of the query (like Elasticsearch's
   * old `cutoff_frequency`): they add little to the score and most of the time on a large base. 1 = keep all.
   * Never below MIN_CUTOFF_DF claims, so a small base keeps every n-gram.
   */
  charDfCutoff: number;
}

export const DEFAULT_LEXICAL_CONFIG: LexicalConfig = {
  k1: 1.2,
  b: 0.75,
  charNgramMin: 3,
  charNgramMax: 5,
  charBoost: 0.3,
  queryTermMode: 'log',
  charDfCutoff: 0.02,
};

/** The char n-gram cutoff never drops an n-gram found in fewer claims than this. */
export const MIN_CUTOFF_DF = 50;

/** One field (words or char n-grams): dictionary, postings and per-document term lists. */
class Field {
  readonly terms = new Map<string, number>();
  df: Int32Array = new Int32Array(0);
  idf: Float64Array = new Float64Array(0);
  postingStart: Int32Array = new Int32Array(0);
  postingDoc: Int32Array = new Int32Array(0);
  postingTf: Float32Array = new Float32Array(0);
  /** Per document: its distinct term ids (sorted) and their counts, and its length in terms. */
  docTerms: Int32Array[] = [];
  docTf: Float32Array[] = [];
  docLength: Float64Array = new Float64Array(0);
  averageLength = 1;
  /** Document frequencies counted for idf and the n-gram cutoff: the knowledge base's, plus the background's. */
  statDf: Float64Array = new Float64Array(0);
  /** Background statistics (the training knowledge base's), for terms this knowledge base lacks. */
  private background: { df: ReadonlyMap<string, number>; documents: number } | null = null;
  private statDocuments = 0;

  /**
   * idf of a term: from the knowledge base's (blended) statistics, else the background's; undefined when
   * neither has seen it.
   */
  idfOf(term: string): number | undefined {
    const id = this.terms.get(term);
    if (id !== undefined) return this.idf[id]!;
    const f = this.background?.df.get(term);
    return f === undefined ? undefined : Math.log(1 + (this.statDocuments - f + 0.5) / (f + 0.5));
  }

  /** A field with term statistics only (no documents): idf and average length from a stored table. */
  setStats(df: Readonly<Record<string, number>>, documents: number, averageLength: number): void {
    const entries = Object.entries(df);
    this.df = new Int32Array(entries.length);
    this.idf = new Float64Array(entries.length);
    entries.forEach(([t, f], i) => {
      this.terms.set(t, i);
      this.df[i] = f;
      this.idf[i] = Math.log(1 + (documents - f + 0.5) / (f + 0.5));
    });
    this.statDf = Float64Array.from(this.df);
    this.statDocuments = documents;
    this.postingStart = new Int32Array(entries.length + 1);
    this.averageLength = averageLength;
  }

  /** Document frequencies by term (to store as background statistics). */
  documentFrequencies(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [t, id] of this.terms) out[t] = this.df[id]!;
    return out;
  }

  /**
   * Builds the postings of `docs`. With `background`, idf counts the background's documents too: a knowledge
   * base of 8 unit clarifications then weighs "surat" and "sidomulyo" as the thousands of claims the matcher
   * was trained on do, instead of as if every word were rare, so its probabilities mean the same.
   */
  build(docs: readonly string[][], background?: { df: Readonly<Record<string, number>>; documents: number }): void {
    const counts: Map<number, number>[] = [];
    for (const tokens of docs) {
      const c = new Map<number, number>();
      for (const t of tokens) {
        let id = this.terms.get(t);
        if (id === undefined) {
          id = this.terms.size;
          this.terms.set(t, id);
        }
        c.set(id, (c.get(id) ?? 0) + 1);
      }
      counts.push(c);
    }
    const V = this.terms.size;
    const N = docs.length;
    this.df = new Int32Array(V);
    this.docLength = new Float64Array(N);
    let total = 0;
    counts.forEach((c, d) => {
      const ids = Int32Array.from(c.keys()).sort();
      this.docTerms.push(ids);
      this.docTf.push(Float32Array.from(ids, (id) => c.get(id)!));
      for (const id of ids) this.df[id]!++;
      this.docLength[d] = docs[d]!.length;
      total += docs[d]!.length;
    });
    this.averageLength = N > 0 ? Math.max(total / N, 1) : 1;
    this.background = background ? { df: new Map(Object.entries(background.df)), documents: background.documents } : null;
    this.statDocuments = N + (background?.documents ?? 0);
    this.statDf = new Float64Array(V);
    for (const [term, t] of this.terms) this.statDf[t] = this.df[t]! + (this.background?.df.get(term) ?? 0);
    this.idf = new Float64Array(V);
    for (let t = 0; t < V; t++) this.idf[t] = Math.log(1 + (this.statDocuments - this.statDf[t]! + 0.5) / (this.statDf[t]! + 0.5));
    this.postingStart = new Int32Array(V + 1);
    for (let t = 0; t < V; t++) this.postingStart[t + 1] = this.postingStart[t]! + this.df[t]!;
    const fill = this.postingStart.slice(0, V);
    this.postingDoc = new Int32Array(this.postingStart[V]!);
    this.postingTf = new Float32Array(this.postingStart[V]!);
    this.docTerms.forEach((ids, d) => {
      const tfs = this.docTf[d]!;
      ids.forEach((id, j) => {
        const at = fill[id]!++;
        this.postingDoc[at] = d;
        this.postingTf[at] = tfs[j]!;
      });
    });
  }

  /** Query term ids with their weights (unknown terms dropped). */
  queryTerms(tokens: readonly string[], mode: LexicalConfig['queryTermMode'], maxDf = Infinity): { ids: Int32Array; weights: Float64Array } {
    const c = new Map<number, number>();
    for (const t of tokens) {
      const id = this.terms.get(t);
      if (id !== undefined && this.statDf[id]! <= maxDf) c.set(id, (c.get(id) ?? 0) + 1);
    }
    const ids = Int32Array.from(c.keys());
    const weights = Float64Array.from(ids, (id) => {
      const n = c.get(id)!;
      return mode === 'sum' ? n : mode === 'distinct' ? 1 : 1 + Math.log(n);
    });
    return { ids, weights };
  }

  /** Adds boost · BM25 of the query terms to `scores` for every document that has one of them. */
  accumulate(ids: Int32Array, weights: Float64Array, k1: number, b: number, boost: number, scores: Float64Array, touched: Uint8Array, list: number[]): void {
    const avg = this.averageLength;
    for (let q = 0; q < ids.length; q++) {
      const t = ids[q]!;
      const w = boost * weights[q]! * this.idf[t]! * (k1 + 1);
      const end = this.postingStart[t + 1]!;
      for (let p = this.postingStart[t]!; p < end; p++) {
        const d = this.postingDoc[p]!;
        const tf = this.postingTf[p]!;
        scores[d]! += (w * tf) / (tf + k1 * (1 - b + (b * this.docLength[d]!) / avg));
        if (touched[d] === 0) {
          touched[d] = 1;
          list.push(d);
        }
      }
    }
  }
}

/** A query's analysed form, reused by the reranker's features. */
export interface AnalysedText {
  words: string[];
  chars: string[];
}

export interface LexicalHit {
  doc: number;
  score: number;
  wordScore: number;
  charScore: number;
}

/** Term statistics of a knowledge base, stored with a model so pair decisions work without one. */
export interface TermStats {
  documents: number;
  averageWords: number;
  averageChars: number;
  wordDf: Record<string, number>;
  charDf: Record<string, number>;
}

export class LexicalIndex {
  readonly config: LexicalConfig;
  /** Documents that can be returned by `search`. */
  readonly size: number;
  /** Documents the idf is computed over (= size, or the stored statistics' count). */
  readonly documents: number;
  readonly words = new Field();
  readonly chars = new Field();

  constructor(claims: readonly string[], config: LexicalConfig = DEFAULT_LEXICAL_CONFIG) {
    this.config = config;
    this.size = claims.length;
    this.documents = claims.length;
    const analysed = claims.map((c) => this.analyse(c));
    this.words.build(analysed.map((a) => a.words));
    this.chars.build(analysed.map((a) => a.chars));
  }

  /**
   * An index over already normalised claims (`matchTokens` of each). With `background` (stored term statistics),
   * idf and the n-gram cutoff count those documents too (see Field.build).
   */
  static fromTokens(claims: readonly string[][], config: LexicalConfig = DEFAULT_LEXICAL_CONFIG, background?: TermStats): LexicalIndex {
    const index = new LexicalIndex([], config);
    const analysed = claims.map((c) => index.analyseTokens(c));
    (index as { size: number }).size = claims.length;
    (index as { documents: number }).documents = claims.length + (background?.documents ?? 0);
    index.words.build(analysed.map((a) => a.words), background ? { df: background.wordDf, documents: background.documents } : undefined);
    index.chars.build(analysed.map((a) => a.chars), background ? { df: background.charDf, documents: background.documents } : undefined);
    return index;
  }

  /** An index without documents that scores with stored term statistics (for pair decisions). */
  static fromStats(stats: TermStats, config: LexicalConfig = DEFAULT_LEXICAL_CONFIG): LexicalIndex {
    const index = new LexicalIndex([], config);
    (index as { documents: number }).documents = stats.documents;
    index.words.setStats(stats.wordDf, stats.documents, stats.averageWords);
    index.chars.setStats(stats.charDf, stats.documents, stats.averageChars);
    return index;
  }

  termStats(): TermStats {
    return {
      documents: this.documents,
      averageWords: this.words.averageLength,
      averageChars: this.chars.averageLength,
      wordDf: this.words.documentFrequencies(),
      charDf: this.chars.documentFrequencies(),
    };
  }

  /** Word tokens and char n-grams of a text, as both fields index them. */
  analyse(text: string): AnalysedText {
    return this.analyseTokens(matchTokens(text));
  }

  analyseTokens(words: string[]): AnalysedText {
    const chars: string[] = [];
    if (this.config.charNgramMax > 0) for (const w of words) charNgrams(w, this.config.charNgramMin, this.config.charNgramMax, chars);
    return { words, chars };
  }

  /**
   * The best word-field BM25 score of any document: a cheap bound (no char n-grams, no ranking) that tells
   * whether a text shares enough rare words with any claim to be worth matching at all.
   */
  wordTopScore(query: AnalysedText): number {
    const { k1, b, queryTermMode } = this.config;
    const scores = new Float64Array(this.size);
    const touched = new Uint8Array(this.size);
    const list: number[] = [];
    const qw = this.words.queryTerms(query.words, queryTermMode);
    this.words.accumulate(qw.ids, qw.weights, k1, b, 1, scores, touched, list);
    let best = 0;
    for (const d of list) if (scores[d]! > best) best = scores[d]!;
    return best;
  }

  /** The `k` best documents by word BM25 + charBoost · char BM25, best first (ties: lower doc index first). */
  search(query: AnalysedText, k: number): LexicalHit[] {
    const { k1, b, charBoost, queryTermMode } = this.config;
    const wordScores = new Float64Array(this.size);
    const charScores = new Float64Array(this.size);
    const touched = new Uint8Array(this.size);
    const list: number[] = [];
    const qw = this.words.queryTerms(query.words, queryTermMode);
    this.words.accumulate(qw.ids, qw.weights, k1, b, 1, wordScores, touched, list);
    if (charBoost > 0 && query.chars.length > 0) {
      const qc = this.chars.queryTerms(query.chars, queryTermMode, Math.max(this.config.charDfCutoff * this.documents, MIN_CUTOFF_DF));
      this.chars.accumulate(qc.ids, qc.weights, k1, b, charBoost, charScores, touched, list);
    }
    // Top k by insertion into a sorted buffer: after the first k, most documents fail one comparison.
    const top: number[] = [];
    const better = (x: number, y: number): boolean => {
      const sx = wordScores[x]! + charScores[x]!;
      const sy = wordScores[y]! + charScores[y]!;
      return sx > sy || (sx === sy && x < y);
    };
    for (const doc of list) {
      if (top.length === k && !better(doc, top[k - 1]!)) continue;
      let at = top.length === k ? k - 1 : top.length;
      if (top.length < k) top.push(doc);
      while (at > 0 && better(doc, top[at - 1]!)) {
        top[at] = top[at - 1]!;
        at--;
      }
      top[at] = doc;
    }
    const hits: LexicalHit[] = top.map((doc) => ({ doc, wordScore: wordScores[doc]!, charScore: charScores[doc]!, score: wordScores[doc]! + charScores[doc]! }));
    return hits;
  }
}
