/**
 * `npm run train:match`: reads the shared fact-check data, splits the TurnBackHoax 2024 narratives, trains the
 * reranker and the pair scorer with TF.js, calibrates both and chooses the thresholds on dev data only, then
 * measures the shipped model once on the test split and writes the model folder with its card.
 */
import { join } from 'node:path';
import { fitPlatt } from '../../classifier/training/calibrate.ts';
import { FEATURE_COUNT, FEATURE_NAMES, PAIR_FEATURE_COUNT, PAIR_FEATURE_NAMES } from '../features.ts';
import { DEFAULT_LEXICAL_CONFIG, type LexicalConfig } from '../lexical-index.ts';
import { evaluateMatcher, type MatchEvaluation } from '../evaluate.ts';
import { ClaimMatcher, loadClaimMatcher, matcherSettings } from '../matcher.ts';
import type { KbEntry } from '../types.ts';
import { mergeDuplicates } from '../../kb/entry.ts';
import { readSharedDebunks } from '../../kb/readers.ts';
import { rankingMetrics, type MatchMetrics } from '../metrics.ts';
import { MATCHER_FORMAT, MATCHER_FORMAT_VERSION, type MatcherJson } from '../model-format.ts';
import { writeMatcherFolder } from '../model-io.ts';
import { MATCH_NORMALISER_VERSION } from '../normalize.ts';
import { Reranker, type Platt, type RerankerWeights } from '../reranker.ts';
import { clusteringFigures, readRewordings, type ClusteringFigures } from '../rewordings.ts';
import { TfIdfBaseline } from './baseline.ts';
import { buildKnowledgeIndex, candidateLists, concatLists, type CandidateLists, type KnowledgeIndex } from './candidates.ts';
import { readExtraSets, readTurnBackHoax2024, type NarrativePair } from './data.ts';
import { writeMatcherCard } from './model-card.ts';
import { sameClaimGroups } from './same-claim.ts';
import { MATCH_THRESHOLD_GRID, chooseMatchThreshold, operatingPoint, topMatches, type MatchCriterion, type OperatingPoint, type TopMatch } from './threshold.ts';
import { DEFAULT_MATCH_SPLIT, splitPairs } from './split.ts';
import { DEFAULT_RERANKER_TRAINING, trainReranker, type RerankerTrainOptions } from './train-reranker.ts';

export interface MatchTrainOptions {
  sharedData: string;
  out: string;
  modelVersion: string;
  candidates: number;
  lexical: LexicalConfig;
  training: RerankerTrainOptions;
  /** Also train on pairs from turnbackhoax-2021/2025 and indonesia-false-news (train split of each). */
  extraData: boolean;
  splitSeed: number;
  /** The dev rewording fixture the same-claim threshold is chosen on. */
  devRewordings: string;
  /** The test rewording fixture, measured once at the end. */
  testRewordings: string;
  /** Precision the match threshold must reach on dev top-1 matches. */
  matchPrecision: number;
  /** What counts as a right top-1 when the match threshold is chosen (src/match/training/threshold.ts). */
  matchCriterion: MatchCriterion;
  log: (line: string) => void;
}

export interface SplitFigures {
  matcher: MatchMetrics;
  lexical: MatchMetrics;
  tfidf: MatchMetrics;
}

export interface MatchTrainResult {
  dev: SplitFigures;
  test: SplitFigures;
  rewordingsDev: ClusteringFigures;
  rewordingsTest: ClusteringFigures;
  seconds: number;
}

/** Logits of every real candidate of `lists` under `w`, using the first `width` feature columns. */
function scoreLists(w: RerankerWeights, lists: CandidateLists, width: number): Float32Array {
  const rows = lists.mask.length;
  const x = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) x.set(lists.features.subarray(r * FEATURE_COUNT, r * FEATURE_COUNT + width), r * width);
  const model = new Reranker(w);
  try {
    return model.score(x, rows);
  } finally {
    model.dispose();
  }
}

/** The same lists with only the pair-feature columns (for the pair scorer). */
function pairColumns(lists: CandidateLists): CandidateLists {
  const rows = lists.mask.length;
  const features = new Float32Array(rows * PAIR_FEATURE_COUNT);
  for (let r = 0; r < rows; r++) features.set(lists.features.subarray(r * FEATURE_COUNT, r * FEATURE_COUNT + PAIR_FEATURE_COUNT), r * PAIR_FEATURE_COUNT);
  return { ...lists, features };
}

function calibrate(scores: Float32Array, lists: CandidateLists): Platt {
  const s: number[] = [];
  const y: number[] = [];
  for (let r = 0; r < lists.mask.length; r++) {
    if (lists.mask[r] === 0) continue;
    s.push(scores[r]!);
    y.push(lists.labels[r]!);
  }
  return fitPlatt(s, y);
}

/** The match operating points on one split under both criteria (see threshold.ts). */
export interface MatchThresholdFigures {
  criterion: MatchCriterion;
  /** The precision aim. */
  aim: number;
  /** Every grid threshold from the chosen one up to this one keeps the aim on dev; their precision range. */
  holdsUpTo: number;
  precisionRange: [number, number];
  /** The chosen threshold and what it does on dev under the criterion it was chosen with. */
  threshold: number;
  precision: number;
  acceptedInKb: number;
  acceptedOutOfKb: number;
  /** The threshold the other criterion would have chosen (null: none reaches the aim). */
  otherChoice: number | null;
  /** Dev curve: both criteria at a few thresholds (including the chosen one). */
  curve: { threshold: number; strict: OperatingPoint; duplicateAware: OperatingPoint }[];
  /** Test, measured once at the chosen threshold, both criteria. */
  test: { strict: OperatingPoint; duplicateAware: OperatingPoint };
  /** Same-claim title pairs (other than identical after normalisation) in the knowledge base. */
  duplicatePairs: number;
}

/** Shown in the model card and the training log; the chosen threshold and the old 0.96 are added. */
const CURVE_THRESHOLDS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.96];

/**
 * Every narrative's top-1 under both criteria: strict (in-KB right = the expected title or one identical after
 * normalisation; out-of-KB = those removed) and duplicate-aware (in-KB right = any title of the same claim;
 * out-of-KB = every title of the claim removed). Out-of-KB top-1s are never right.
 */
function criterionTops(w: RerankerWeights, platt: Platt, ki: KnowledgeIndex, groups: readonly Int32Array[], pairs: readonly NarrativePair[], K: number, source: string): Record<MatchCriterion, TopMatch[]> {
  const lists = {
    in: candidateLists(ki, pairs, K, source),
    out: candidateLists(ki, pairs, K, `${source}:excluded`, true),
    outClaim: candidateLists(ki, pairs, K, `${source}:excluded-claim`, groups),
  };
  const scores = { in: scoreLists(w, lists.in, FEATURE_COUNT), out: scoreLists(w, lists.out, FEATURE_COUNT), outClaim: scoreLists(w, lists.outClaim, FEATURE_COUNT) };
  const expected = (q: number) => lists.in.expected[q]!;
  const never = () => false;
  return {
    strict: [...topMatches(scores.in, lists.in, platt, true, (q, d) => ki.sameClaim[d] === ki.sameClaim[expected(q)]), ...topMatches(scores.out, lists.out, platt, false, never)],
    'duplicate-aware': [...topMatches(scores.in, lists.in, platt, true, (q, d) => groups[expected(q)]!.includes(d)), ...topMatches(scores.outClaim, lists.outClaim, platt, false, never)],
  };
}

function rankBaseline(rank: (text: string) => string[], pairs: readonly NarrativePair[]): MatchMetrics {
  const start = performance.now();
  const ranks = pairs.map((p) => rank(p.text).indexOf(p.expectedId) + 1);
  return rankingMetrics(ranks, (performance.now() - start) / 1000);
}

export async function runMatchTraining(options: MatchTrainOptions): Promise<MatchTrainResult> {
  const started = performance.now();
  const { log, candidates: K } = options;
  const tbh = readTurnBackHoax2024(join(options.sharedData, 'turnbackhoax-2024'));
  const split = splitPairs(tbh.pairs, DEFAULT_MATCH_SPLIT, options.splitSeed);
  log(`TurnBackHoax 2024: ${tbh.kb.length} debunk titles (the knowledge base), ${tbh.pairs.length} narratives → train ${split.train.length} / dev ${split.dev.length} / test ${split.test.length}`);
  const ki = buildKnowledgeIndex(tbh.kb, options.lexical);
  const trainParts: CandidateLists[] = [candidateLists(ki, split.train, K, 'turnbackhoax-2024', false, (n) => log(`train candidates ${n}/${split.train.length}`))];
  const extraCounts: Record<string, number> = {};
  if (options.extraData) {
    for (const set of readExtraSets(options.sharedData)) {
      const own = buildKnowledgeIndex(set.kb, options.lexical);
      const pairs = splitPairs(set.pairs, DEFAULT_MATCH_SPLIT, options.splitSeed).train;
      extraCounts[set.source] = pairs.length;
      trainParts.push(candidateLists(own, pairs, K, set.source));
      log(`${set.source}: ${pairs.length} extra training pairs against its own ${set.kb.length} titles`);
    }
  }
  const train = concatLists(trainParts);
  const devIn = candidateLists(ki, split.dev, K, 'turnbackhoax-2024');
  const devOut = candidateLists(ki, split.dev, K, 'turnbackhoax-2024:excluded', true);
  const devBoth = concatLists([devIn, devOut]);

  log(`training the reranker (${FEATURE_COUNT} features, hidden ${options.training.hidden}, ${options.training.epochs} epochs)`);
  const reranker = trainReranker(train, options.training, (l) => log(`reranker ${l}`));
  log('training the pair scorer (pair features only, pointwise)');
  const pair = trainReranker(pairColumns(train), { ...options.training, listwiseWeight: 0, pointwiseWeight: 1 }, (l) => log(`pair ${l}`));

  const devScores = scoreLists(reranker, devBoth, FEATURE_COUNT);
  const rerankerPlatt = calibrate(devScores, devBoth);
  const devPairScores = scoreLists(pair, devBoth, PAIR_FEATURE_COUNT);
  const pairPlatt = calibrate(devPairScores, devBoth);
  log(`calibration: reranker a=${rerankerPlatt.a.toFixed(3)} b=${rerankerPlatt.b.toFixed(3)}, pair a=${pairPlatt.a.toFixed(3)} b=${pairPlatt.b.toFixed(3)}`);

  // Match threshold on dev, with the chosen criterion; the other one is reported next to it.
  const groups = sameClaimGroups(tbh.kb.map((e) => e.claim));
  let duplicatePairs = 0;
  groups.forEach((g, i) => {
    for (const j of g) if (j > i && ki.sameClaim[j] !== ki.sameClaim[i]) duplicatePairs++;
  });
  const devTops = criterionTops(reranker, rerankerPlatt, ki, groups, split.dev, K, 'turnbackhoax-2024');
  const other: MatchCriterion = options.matchCriterion === 'strict' ? 'duplicate-aware' : 'strict';
  const chosen = chooseMatchThreshold(devTops[options.matchCriterion], options.matchPrecision) ?? operatingPoint(devTops[options.matchCriterion], 0.99);
  const curve = [...new Set([...CURVE_THRESHOLDS, chosen.threshold])]
    .sort((a, b) => a - b)
    .map((t) => ({ threshold: t, strict: operatingPoint(devTops.strict, t), duplicateAware: operatingPoint(devTops['duplicate-aware'], t) }));
  log(`knowledge base: ${duplicatePairs} pairs of titles that state the same claim (beyond identical after normalisation)`);
  for (const c of curve) log(`dev match threshold ${c.threshold.toFixed(2)}: strict precision ${c.strict.precision.toFixed(3)} (${c.strict.acceptedRight}/${c.strict.accepted}), in-KB ${(100 * c.strict.acceptedInKb).toFixed(1)}%, out-of-KB ${(100 * c.strict.acceptedOutOfKb).toFixed(1)}%; duplicate-aware ${c.duplicateAware.precision.toFixed(3)} (${c.duplicateAware.acceptedRight}/${c.duplicateAware.accepted}), in-KB ${(100 * c.duplicateAware.acceptedInKb).toFixed(1)}%, out-of-KB ${(100 * c.duplicateAware.acceptedOutOfKb).toFixed(1)}%`);
  const otherChoice = chooseMatchThreshold(devTops[other], options.matchPrecision)?.threshold ?? null;
  let holdsUpTo = chosen.threshold;
  const range: [number, number] = [chosen.precision, chosen.precision];
  for (const t of MATCH_THRESHOLD_GRID) {
    if (t <= chosen.threshold) continue;
    const p = operatingPoint(devTops[options.matchCriterion], t);
    if (p.accepted === 0 || p.precision < options.matchPrecision) break;
    holdsUpTo = t;
    range[0] = Math.min(range[0], p.precision);
    range[1] = Math.max(range[1], p.precision);
  }
  log(`match threshold ${chosen.threshold} (${options.matchCriterion}; ${other} would choose ${otherChoice ?? 'none'})`);
  const match: MatchThresholdFigures = {
    criterion: options.matchCriterion,
    aim: options.matchPrecision,
    holdsUpTo,
    precisionRange: range,
    threshold: chosen.threshold,
    precision: chosen.precision,
    acceptedInKb: chosen.acceptedInKb,
    acceptedOutOfKb: chosen.acceptedOutOfKb,
    otherChoice,
    curve,
    test: { strict: operatingPoint([], 1), duplicateAware: operatingPoint([], 1) },
    duplicatePairs,
  };

  const referenceOf = (w: RerankerWeights, lists: CandidateLists, width: number): { features: number[]; score: number }[] => {
    const rows: number[] = [];
    for (let r = 0; r < lists.mask.length && rows.length < 6; r += 7) if (lists.mask[r] === 1) rows.push(r);
    const x = new Float32Array(rows.length * width);
    rows.forEach((r, i) => x.set(lists.features.subarray(r * FEATURE_COUNT, r * FEATURE_COUNT + width), i * width));
    const model = new Reranker(w);
    const s = model.score(x, rows.length);
    model.dispose();
    return rows.map((_, i) => ({ features: Array.from(x.subarray(i * width, (i + 1) * width)), score: s[i]! }));
  };

  const json: Omit<MatcherJson, 'weightsManifest'> = {
    format: MATCHER_FORMAT,
    formatVersion: MATCHER_FORMAT_VERSION,
    modelVersion: options.modelVersion,
    createdAt: new Date().toISOString(),
    normaliserVersion: MATCH_NORMALISER_VERSION,
    lexical: options.lexical,
    candidates: K,
    reranker: { features: [...FEATURE_NAMES], hidden: reranker.hidden, calibration: rerankerPlatt, reference: referenceOf(reranker, devIn, FEATURE_COUNT) },
    pair: { features: [...PAIR_FEATURE_NAMES], hidden: pair.hidden, calibration: pairPlatt, reference: referenceOf(pair, devIn, PAIR_FEATURE_COUNT) },
    thresholds: { match: match.threshold, sameClaim: 0.5 },
    pairCombine: 'mean',
    thresholdAims: {},
    training: {},
  };
  const termStats = ki.index.termStats();
  const matcher = new ClaimMatcher(options.modelVersion, 'training', matcherSettings(json), reranker, pair, termStats);

  // Same-claim threshold and how the two directions combine, on the dev rewording fixture: the most pairs
  // clustered minus twice the wrong merges (false merges are worse than missed merges); among equals, the
  // highest threshold.
  const devFixture = readRewordings(options.devRewordings);
  const grid: number[] = [];
  for (let t = 30; t <= 99; t++) grid.push(t / 100);
  for (let t = 991; t <= 999; t++) grid.push(t / 1000);
  const objective = (f: ClusteringFigures) => f.clustered - 2 * (f.falseMerges + f.crossPairMerges);
  let best: { combine: MatcherJson['pairCombine']; threshold: number; figures: ClusteringFigures } | null = null;
  for (const combine of ['mean', 'min', 'max'] as const) {
    (matcher.settings as { pairCombine: MatcherJson['pairCombine'] }).pairCombine = combine;
    for (const threshold of grid) {
      const f = clusteringFigures(matcher, devFixture, threshold);
      if (best === null || objective(f) > objective(best.figures) || (objective(f) === objective(best.figures) && threshold > best.threshold)) best = { combine, threshold, figures: f };
    }
  }
  if (best === null) best = { combine: 'mean', threshold: 0.99, figures: clusteringFigures(matcher, devFixture, 0.99) };
  (matcher.settings as { pairCombine: MatcherJson['pairCombine'] }).pairCombine = best.combine;
  (matcher.settings as { sameClaimThreshold: number }).sameClaimThreshold = best.threshold;
  json.pairCombine = best.combine;
  json.thresholds.sameClaim = best.threshold;
  log(`same-claim: ${best.combine} of both directions, threshold ${best.threshold}: dev rewordings clustered ${best.figures.clustered}/${best.figures.rewordingPairs}, false merges ${best.figures.falseMerges}/${best.figures.differentPairs}`);
  json.thresholdAims = {
    match: `lowest threshold whose accepted top-1 matches are right ≥ ${options.matchPrecision} of the time on dev narratives, each once with and once without its debunk in the knowledge base; ${options.matchCriterion === 'strict' ? 'right = the expected title' : 'right = the expected title or another title stating the same claim (src/match/training/same-claim.ts), and the out-of-KB copy has every title of the claim removed'}; anything accepted for an out-of-KB narrative is wrong (dev: precision ${match.precision.toFixed(3)}, ${(100 * match.acceptedInKb).toFixed(1)}% of in-KB narratives matched right, ${(100 * match.acceptedOutOfKb).toFixed(1)}% of out-of-KB narratives wrongly matched)`,
    sameClaim: `most dev rewording pairs clustered minus twice the wrong merges (test/fixtures/claim-rewordings.dev.jsonl): ${best.figures.clustered}/${best.figures.rewordingPairs} clustered, ${best.figures.falseMerges}/${best.figures.differentPairs} false merges, ${best.figures.crossPairMerges} cross-pair merges`,
  };

  // Figures of the shipped model on dev, then once on test; baselines on the same splits.
  matcher.setKnowledgeBase(tbh.kb);
  const tfidf = new TfIdfBaseline(tbh.kb);
  const lexicalRank = (text: string): string[] => ki.index.search(ki.index.analyse(text), 30).map((h) => tbh.kb[h.doc]!.id);
  const figures = (pairs: NarrativePair[], name: string): SplitFigures => {
    const queries = pairs.map((p) => ({ text: p.text, expectedId: p.expectedId }));
    const m: MatchEvaluation = evaluateMatcher(matcher, queries);
    const out = { matcher: m, lexical: rankBaseline(lexicalRank, pairs), tfidf: rankBaseline((t) => tfidf.rank(t, 30), pairs) };
    log(`${name}: matcher r@1 ${m.recall_at_1.toFixed(3)} r@5 ${m.recall_at_5.toFixed(3)} MRR ${m.mrr.toFixed(3)} (${m.queries_per_s.toFixed(0)} q/s); BM25 r@1 ${out.lexical.recall_at_1.toFixed(3)} r@5 ${out.lexical.recall_at_5.toFixed(3)}; TF-IDF r@1 ${out.tfidf.recall_at_1.toFixed(3)} r@5 ${out.tfidf.recall_at_5.toFixed(3)}`);
    return out;
  };
  const dev = figures(split.dev, 'dev');
  const test = figures(split.test, 'test');
  const testTops = criterionTops(reranker, rerankerPlatt, ki, groups, split.test, K, 'turnbackhoax-2024');
  match.test = { strict: operatingPoint(testTops.strict, match.threshold), duplicateAware: operatingPoint(testTops['duplicate-aware'], match.threshold) };
  for (const [name, p] of [['strict', match.test.strict], ['duplicate-aware', match.test.duplicateAware]] as const) {
    log(`test at match threshold ${match.threshold} (${name}): precision ${p.precision.toFixed(3)} (${p.acceptedRight}/${p.accepted}), in-KB ${(100 * p.acceptedInKb).toFixed(1)}%, out-of-KB ${(100 * p.acceptedOutOfKb).toFixed(1)}%`);
  }
  matcher.setKnowledgeBase([]);
  const rewordingsTest = clusteringFigures(matcher, readRewordings(options.testRewordings));
  log(`test rewordings: clustered ${rewordingsTest.clustered}/${rewordingsTest.rewordingPairs}, false merges ${rewordingsTest.falseMerges}/${rewordingsTest.differentPairs}, cross-pair merges ${rewordingsTest.crossPairMerges}`);

  json.training = {
    data: { 'turnbackhoax-2024': { titles: tbh.kb.length, narratives: tbh.pairs.length, train: split.train.length, dev: split.dev.length, test: split.test.length }, extra: extraCounts },
    split: { by: 'FNV-1a of the normalised narrative (matchTokens)', fractions: DEFAULT_MATCH_SPLIT, seed: options.splitSeed },
    options: { ...options.training, candidates: K, extraData: options.extraData },
    matchThreshold: match,
    dev,
    test,
    rewordings: { dev: best.figures, test: rewordingsTest },
  };
  const seconds = (performance.now() - started) / 1000;
  writeMatcherFolder(options.out, json, reranker, pair, termStats);
  matcher.dispose();
  const speed = await measureSpeed(options.out, tbh.kb, sharedKnowledgeBase(options.sharedData), split.dev, log);
  writeMatcherCard(options.out, { json: { ...json, weightsManifest: [] }, dev, test, rewordingsDev: best.figures, rewordingsTest, match, seconds, extraCounts, speed });
  return { dev, test, rewordingsDev: best.figures, rewordingsTest, seconds };
}

export interface SpeedFigures {
  loadMs: number;
  backend: string;
  kb: { entries: number; what: string; indexMs: number; heapMb: number; queriesPerS: number; msPerMatch: number; p50Ms: number; p99Ms: number }[];
}

/** The claims `kb import --shared` stores: every shared debunk set, duplicates merged by claim key. */
function sharedKnowledgeBase(sharedData: string): KbEntry[] {
  const { entries } = readSharedDebunks(sharedData);
  return mergeDuplicates(entries, new Date(0).toISOString()).docs.map((d, i) => ({ id: d.id ?? `shared-${i}`, claim: d.claim }));
}

/**
 * Loads the written folder as the pipeline would, then times the index and the matching on the real
 * knowledge base, on every shared debunk set merged (what `kb import --shared` stores), and on a synthetic one
 * of 50,000 entries (the titles repeated, each copy with its own number, so the vocabulary and the postings
 * grow as with new debunks).
 */
async function measureSpeed(dir: string, kb: readonly KbEntry[], shared: readonly KbEntry[], queries: readonly NarrativePair[], log: (line: string) => void): Promise<SpeedFigures> {
  const t0 = performance.now();
  const matcher = await loadClaimMatcher({ modelDir: dir });
  const loadMs = performance.now() - t0;
  const out: SpeedFigures = { loadMs, backend: matcher.backend, kb: [] };
  try {
    const bases: { what: string; entries: readonly KbEntry[] }[] = [{ what: 'TurnBackHoax 2024 titles', entries: kb }];
    if (shared.length > kb.length) bases.push({ what: 'all shared debunk sets, duplicates merged (`kb import --shared`)', entries: shared });
    const synthetic: KbEntry[] = [];
    for (let i = 0; synthetic.length < 50_000; i++) {
      const e = kb[i % kb.length]!;
      synthetic.push(i < kb.length ? e : { id: `${e.id}-${i}`, claim: `${e.claim} ${Math.floor(i / kb.length)}` });
    }
    bases.push({ what: 'synthetic: the titles repeated with a number', entries: synthetic });
    for (const { what, entries } of bases) {
      const size = entries.length;
      globalThis.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const t1 = performance.now();
      matcher.setKnowledgeBase(entries);
      const indexMs = performance.now() - t1;
      const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
      const times: number[] = [];
      for (const q of queries) {
        const t = performance.now();
        matcher.match(q.text, 5);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const total = times.reduce((a, b) => a + b, 0);
      const fig = { entries: size, what, indexMs, heapMb, queriesPerS: (1000 * times.length) / total, msPerMatch: total / times.length, p50Ms: times[Math.floor(times.length / 2)]!, p99Ms: times[Math.floor(times.length * 0.99)]! };
      out.kb.push(fig);
      log(`speed: ${size} entries (${what}) indexed in ${indexMs.toFixed(0)} ms (+${heapMb.toFixed(0)} MB heap), ${fig.queriesPerS.toFixed(0)} queries/s (${fig.msPerMatch.toFixed(2)} ms per match), p50 ${fig.p50Ms.toFixed(2)} ms, p99 ${fig.p99Ms.toFixed(2)} ms`);
    }
  } finally {
    matcher.dispose();
  }
  return out;
}

export const DEFAULT_MATCH_TRAINING = {
  candidates: 30,
  lexical: DEFAULT_LEXICAL_CONFIG,
  training: DEFAULT_RERANKER_TRAINING,
  matchPrecision: 0.95,
  matchCriterion: 'duplicate-aware' as MatchCriterion,
};
