/**
 * The claim matcher: finds the knowledge-base claims a narrative repeats, and decides whether two narratives
 * carry one claim.
 *
 *   narrative → normalise → lexical index (BM25 words + char n-grams, top `candidates`)
 *             → pair features → reranker (TF.js) → Platt → ranked candidates with P(match)
 *
 * Use: `const m = await loadClaimMatcher(); m.setKnowledgeBase(entries); m.match(text, 5)`. `match` is
 * synchronous and pure given the knowledge base; `setKnowledgeBase` replaces it (rebuilds the index).
 * `sameClaimProbability(a, b)` and `ClaimClusterer` need no knowledge base: they use the knowledge base's term
 * statistics when one is set, and those of the training knowledge base (stored with the model) otherwise.
 * Scores run on whichever TF.js backend is active (the scorers keep their tensors per backend).
 */
import { fileURLToPath } from 'node:url';
import { activateBackend, type BackendChoice } from '../classifier/backend.ts';
import { PantauError } from '../core/errors.ts';
import { FEATURE_COUNT, PAIR_FEATURE_COUNT, candidateFeatures, pairFeatures, textView, type TextView } from './features.ts';
import { LexicalIndex, type AnalysedText, type LexicalConfig, type TermStats } from './lexical-index.ts';
import type { MatcherJson } from './model-format.ts';
import { readMatcherFolder } from './model-io.ts';
import { matchTokens } from './normalize.ts';
import { Reranker, sigmoid, type Platt, type RerankerWeights } from './reranker.ts';
import type { KbEntry, MatchCandidate } from './types.ts';

/** The shipped matcher folder, resolved from this file (not the working directory). */
export const DEFAULT_MATCHER_DIR: string = fileURLToPath(new URL('../../models/claim-matcher-v1', import.meta.url));

/**
 * `bestMatch` skips texts whose best word BM25 score against the knowledge base is under this. Chosen on the
 * train split of TurnBackHoax 2024 (7,692-claim knowledge base), just under the 1st percentile (23.2) of that
 * score among the narratives the matcher accepts: 9 of 1,092 accepted train narratives fall under it, 0 of 227
 * on dev. Of 3,000 election tweets (pemilu-2024-tweets) about 3 % pass it, so the full match (1–2 ms) runs for
 * few posts and the word check (0.07 ms) for the rest.
 */
export const MATCH_WORD_FLOOR = 22;

/** Claim views kept (see ClaimMatcher.claimView): about 4 KB each. */
const CLAIM_VIEW_CACHE = 20_000;

export interface MatcherSettings {
  lexical: LexicalConfig;
  candidates: number;
  rerankerCalibration: Platt;
  pairCalibration: Platt;
  matchThreshold: number;
  sameClaimThreshold: number;
  pairCombine: MatcherJson['pairCombine'];
}

export class ClaimMatcher {
  readonly modelVersion: string;
  readonly backend: string;
  readonly settings: MatcherSettings;
  private readonly reranker: Reranker;
  private readonly pair: Reranker;
  private readonly background: LexicalIndex;
  private readonly termStats: TermStats;
  private kb: readonly KbEntry[] = [];
  private index: LexicalIndex;
  private claimWords: string[][] = [];

  /** `termStats`: the training knowledge base's term statistics, used for pair decisions until a knowledge base is set. */
  constructor(modelVersion: string, backend: string, settings: MatcherSettings, reranker: RerankerWeights, pair: RerankerWeights, termStats: TermStats) {
    this.modelVersion = modelVersion;
    this.backend = backend;
    this.settings = settings;
    this.reranker = new Reranker(reranker);
    this.pair = new Reranker(pair);
    this.background = LexicalIndex.fromStats(termStats, settings.lexical);
    this.termStats = termStats;
    this.index = this.background;
  }

  /** Number of knowledge-base entries. */
  get size(): number {
    return this.kb.length;
  }

  get knowledgeBase(): readonly KbEntry[] {
    return this.kb;
  }

  /** Replaces the knowledge base (entries need `id` and `claim`; nothing else is read). */
  setKnowledgeBase(entries: readonly KbEntry[]): void {
    this.claimWords = entries.map((e) => matchTokens(e.claim));
    this.index = entries.length === 0 ? this.background : LexicalIndex.fromTokens(this.claimWords, this.settings.lexical, backgroundFor(entries.length, this.termStats));
    this.kb = entries;
    this.claimViews.clear();
  }

  /**
   * Claim views, made once per claim and kept (they depend only on the claim and the index): a narrative's 30
   * candidates made theirs anew each time, about 1.1 of its 3 ms. Bounded: a 50,000-claim base keeps its most
   * recently used views.
   */
  private readonly claimViews = new Map<number, TextView>();
  private claimView = (doc: number): TextView => {
    let view = this.claimViews.get(doc);
    if (view === undefined) {
      view = textView(this.index, this.index.analyseTokens(this.claimWords[doc]!));
      if (this.claimViews.size >= CLAIM_VIEW_CACHE) this.claimViews.delete(this.claimViews.keys().next().value!);
      this.claimViews.set(doc, view);
    }
    return view;
  };

  /**
   * The `k` knowledge-base entries most likely to debunk `text`, best first, each with a calibrated
   * probability. Empty when the knowledge base is empty or the text has no content words.
   */
  match(text: string, k = 5): MatchCandidate[] {
    if (this.kb.length === 0) return [];
    return this.matchAnalysed(this.index.analyse(text), k);
  }

  private matchAnalysed(analysed: AnalysedText, k: number): MatchCandidate[] {
    if (analysed.words.length === 0) return [];
    const hits = this.index.search(analysed, Math.max(this.settings.candidates, k));
    const features = new Float32Array(hits.length * FEATURE_COUNT);
    candidateFeatures(this.index, textView(this.index, analysed), hits, this.claimView, features);
    const scores = this.reranker.score(features, hits.length);
    const order = hits.map((_, j) => j).sort((a, b) => scores[b]! - scores[a]! || a - b);
    const { a, b } = this.settings.rerankerCalibration;
    return order.slice(0, k).map((j, rank) => {
      const entry = this.kb[hits[j]!.doc]!;
      return { id: entry.id, claim: entry.claim, rank: rank + 1, score: scores[j]!, probability: sigmoid(a * scores[j]! + b), lexicalScore: hits[j]!.score };
    });
  }

  /**
   * The best candidate when its probability reaches the model's match threshold, else null. A text whose best
   * word-overlap score is under `MATCH_WORD_FLOOR` is answered null without the full match (a twentieth of its
   * cost): see the constant for what that skips and what it costs.
   */
  bestMatch(text: string): MatchCandidate | null {
    if (this.kb.length === 0) return null;
    const analysed = this.index.analyse(text);
    if (this.index.wordTopScore(analysed) < MATCH_WORD_FLOOR) return null;
    const top = this.matchAnalysed(analysed, 1)[0];
    return top !== undefined && top.probability >= this.settings.matchThreshold ? top : null;
  }

  /** Calibrated probability that `claim` states the claim of `query` (one direction). */
  pairProbability(query: string, claim: string): number {
    const out = new Float32Array(PAIR_FEATURE_COUNT);
    pairFeatures(this.index, textView(this.index, this.index.analyse(query)), textView(this.index, this.index.analyse(claim)), out, 0);
    const s = this.pair.score(out, 1)[0]!;
    return sigmoid(this.settings.pairCalibration.a * s + this.settings.pairCalibration.b);
  }

  /** Probability that two narratives carry one claim: both directions, combined as the model says. */
  sameClaimProbability(a: string, b: string): number {
    return this.combine(this.pairProbability(a, b), this.pairProbability(b, a));
  }

  combine(ab: number, ba: number): number {
    const how = this.settings.pairCombine;
    return how === 'mean' ? (ab + ba) / 2 : how === 'min' ? Math.min(ab, ba) : Math.max(ab, ba);
  }

  /** True when two narratives carry one claim (probability ≥ the same-claim threshold chosen on dev data). */
  sameClaim(a: string, b: string): boolean {
    return this.sameClaimProbability(a, b) >= this.settings.sameClaimThreshold;
  }

  /** Pair probabilities of one text against many (views made once), both directions combined. */
  sameClaimProbabilities(text: string, others: readonly string[]): number[] {
    if (others.length === 0) return [];
    const v = textView(this.index, this.index.analyse(text));
    const views = others.map((o) => textView(this.index, this.index.analyse(o)));
    const features = new Float32Array(others.length * 2 * PAIR_FEATURE_COUNT);
    views.forEach((w, i) => {
      pairFeatures(this.index, v, w, features, 2 * i * PAIR_FEATURE_COUNT);
      pairFeatures(this.index, w, v, features, (2 * i + 1) * PAIR_FEATURE_COUNT);
    });
    const s = this.pair.score(features, others.length * 2);
    const { a, b } = this.settings.pairCalibration;
    return others.map((_, i) => this.combine(sigmoid(a * s[2 * i]! + b), sigmoid(a * s[2 * i + 1]! + b)));
  }

  dispose(): void {
    this.reranker.dispose();
    this.pair.dispose();
  }
}

/**
 * The training knowledge base's statistics, weighted by how much smaller this knowledge base is: none for a
 * knowledge base at least as large (the evaluation's 3,746 titles, the public debunks' 7,700), nearly all for a
 * unit's handful of clarifications. Without it a small knowledge base makes every word rare, the reranker's
 * features leave the range it was trained on, and a true match scores 0.2–0.5 instead of 0.6–0.9.
 */
export function backgroundFor(size: number, stats: TermStats): TermStats | undefined {
  const weight = Math.max(0, 1 - size / stats.documents);
  if (weight === 0) return undefined;
  const scale = (df: Record<string, number>) => Object.fromEntries(Object.entries(df).map(([t, f]) => [t, f * weight]));
  return { ...stats, documents: stats.documents * weight, wordDf: scale(stats.wordDf), charDf: scale(stats.charDf) };
}

export interface LoadMatcherOptions {
  modelDir?: string;
  backend?: BackendChoice;
}

/** Loads a matcher folder and activates the TF.js backend (wasm here, tfjs-node where installed). */
export async function loadClaimMatcher(options: LoadMatcherOptions = {}): Promise<ClaimMatcher> {
  const backend = await activateBackend(options.backend ?? 'auto');
  const { json, reranker, pair, termStats } = await readMatcherFolder(options.modelDir ?? DEFAULT_MATCHER_DIR);
  return new ClaimMatcher(json.modelVersion, backend, matcherSettings(json), reranker, pair, termStats);
}

export function matcherSettings(json: Omit<MatcherJson, 'weightsManifest'>): MatcherSettings {
  return {
    lexical: json.lexical,
    candidates: json.candidates,
    rerankerCalibration: json.reranker.calibration,
    pairCalibration: json.pair.calibration,
    matchThreshold: json.thresholds.match,
    sameClaimThreshold: json.thresholds.sameClaim,
    pairCombine: json.pairCombine,
  };
}

/**
 * Online claim clusters: each narrative joins the existing cluster holding the narrative it most likely
 * shares a claim with, when that probability reaches the threshold; otherwise it starts a cluster. Clusters
 * are never merged afterwards (a chain of borderline pairs cannot glue two claims together). Candidates come
 * from a word index over the narratives seen so far: those sharing the most rare words, at most
 * `maxCandidates` of them.
 */
export class ClaimClusterer {
  private readonly matcher: ClaimMatcher;
  private readonly threshold: number;
  private readonly maxCandidates: number;
  private readonly texts: string[] = [];
  private readonly clusterOf: number[] = [];
  private readonly postings = new Map<string, number[]>();
  private clusters = 0;

  constructor(matcher: ClaimMatcher, threshold = matcher.settings.sameClaimThreshold, maxCandidates = 30) {
    this.matcher = matcher;
    this.threshold = threshold;
    this.maxCandidates = maxCandidates;
  }

  /** Adds a narrative and returns its cluster number (0, 1, … in order of creation). */
  add(text: string): number {
    const words = [...new Set(matchTokens(text))];
    const shared = new Map<number, number>();
    for (const w of words) {
      const list = this.postings.get(w);
      if (list === undefined) continue;
      // Rarer words weigh more: 1 / how many narratives have them.
      const weight = 1 / list.length;
      for (const i of list) shared.set(i, (shared.get(i) ?? 0) + weight);
    }
    const candidates = [...shared.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, this.maxCandidates).map(([i]) => i);
    let cluster = -1;
    if (candidates.length > 0) {
      const p = this.matcher.sameClaimProbabilities(text, candidates.map((i) => this.texts[i]!));
      let best = -1;
      p.forEach((v, j) => {
        if (v >= this.threshold && (best < 0 || v > p[best]!)) best = j;
      });
      if (best >= 0) cluster = this.clusterOf[candidates[best]!]!;
    }
    if (cluster < 0) cluster = this.clusters++;
    const id = this.texts.length;
    this.texts.push(text);
    this.clusterOf.push(cluster);
    for (const w of words) {
      const list = this.postings.get(w);
      if (list === undefined) this.postings.set(w, [id]);
      else list.push(id);
    }
    return cluster;
  }
}

/** Cluster numbers of `texts` (in order), clustered online in the given order. */
export function clusterClaims(matcher: ClaimMatcher, texts: readonly string[], threshold?: number): number[] {
  const c = new ClaimClusterer(matcher, threshold);
  return texts.map((t) => c.add(t));
}

export function assertKnowledgeBase(matcher: ClaimMatcher): void {
  if (matcher.size === 0) throw new PantauError('The claim matcher has no knowledge base: call setKnowledgeBase first.', { stage: 'classifying', code: 'kb_empty', retriable: false });
}
