/**
 * `npm run train` end to end: read data → split → featurise → train → calibrate and pick thresholds on dev
 * → write the model folder → reload it through the runtime and measure the test split → model card.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PantauError } from '../../core/errors.ts';
import { Featurizer, type FeaturizerConfig } from '../featurize.ts';
import { loadClassifier } from '../index.ts';
import { FLAG_LABELS, OUTPUT_COUNT, SENTIMENT_LABELS, type FlagLabel } from '../labels.ts';
import { parseWordList } from '../load.ts';
import { ABUSIVE_WORDS_FILE, ENTITIES_FILE, LEXICON_FILE, MODEL_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, type ModelJson } from '../model-format.ts';
import { createEntityPhrases, createSlangLexicon, type SlangLexicon } from '../normalize.ts';
import { parsePhraseList } from '../load.ts';
import { isAnnotated, readAnnotatedElectionPosts } from './annotations.ts';
import { chooseOperatingPoints, IN_DOMAIN_FRACTIONS, MIN_IN_DOMAIN_POSITIVES, sampleOf, type InDomainLabelFigures } from './in-domain.ts';
import { bestFBetaPoint, weightedAuc, weightedAveragePrecision } from './weighted-metrics.ts';
import { inDomainReport, type IbrohimFigures } from './in-domain-report.ts';
import { evaluateExamples, type EvaluationDetails } from '../evaluate.ts';
import { fitClassOffsets, fitPlatt, fitTemperature } from './calibrate.ts';
import { readExtraSources, readJsonl, readSharedData, toJsonl, type ExtraSource } from './datasets.ts';
import { encodeExamples } from './encode.ts';
import type { Example } from './examples.ts';
import { encodeWeights, roundTripWeights, type WeightPrecision } from './export.ts';
import { writeModelCard } from './model-card.ts';
import { DEFAULT_SPLIT, splitExamples, splitKey, type SplitExamples } from './split.ts';
import { readElectionPosts } from '../annotation/election-posts.ts';
import { linearLogits, nbFeatureScales, trainLinear, type EncodedExample, type LinearWeights, type TrainOptions } from './trainer.ts';
import { weakHateSpeechNegatives, weakHoaxNegatives } from './weak-labels.ts';
import { pilkadaShiftReport } from './domain-shift.ts';
import { describeCalibration, foldOf, outOfFoldLogits, type CalibrationMode } from './out-of-fold.ts';


export interface TrainPipelineOptions {
  dataFiles: string[];
  /** Folder of the public datasets (../shared/data), or null to train on JSONL only. */
  sharedData: string | null;
  /** `slang,standard` CSV for the normaliser; shipped inside the model folder. */
  lexiconCsv: string | null;
  /** Abusive-word list (`abusive.csv`, one word per line after a header) to ship; null for none. */
  abusiveWordsCsv: string | null;
  out: string;
  modelVersion: string;
  featurizer: FeaturizerConfig;
  train: Omit<TrainOptions, 'onEpoch'>;
  precision: WeightPrecision;
  /** Heads trained only where `given` is positive; their score is P(given)·P(label | given). */
  conditionalHeads: { label: FlagLabel; given: FlagLabel }[];
  /** NB log-count-ratio feature scaling for the flag heads, blended toward 1 by this factor; 0 = off. */
  nbInterpolation: number;
  /** Loss weight of everyday tweets/reviews used as hoax = 0 (0 disables; see weak-labels.ts). */
  weakHoaxNegativeWeight: number;
  /** Loss weight of positive/neutral election tweets used as hate_speech = 0 (0 disables; see weak-labels.ts). */
  weakHateNegativeWeight: number;
  calibration: CalibrationMode;
  /** Seed of the train/dev/test hash split (0 = the split the model cards report). */
  splitSeed: number;
  /** Where to write train/dev/test JSONL (for `npm run eval`), or null. */
  exportSplits: string | null;
  /** Annotated election posts (models/election-annotations-v1/labels.jsonl), joined with `sharedData`; null for none. */
  annotationsFile: string | null;
  /** Loss weight of an annotated election post in training (the public sets weigh 1). */
  annotationWeight: number;
  /** Names masked as `_tokoh` (one phrase per line), shipped in the model folder; null for none. */
  entitiesFile: string | null;
  /** Split camel-case hashtags into words (#TolakPemiluCurang → tolak pemilu curang). */
  splitHashtags: boolean;
  /** One intercept per source, so a source's base rate is not learned as word weights; the model ships the election one. */
  domainIntercepts: boolean;
  /** More public sets to train on (see datasets.ts, readExtraSources). */
  extraSources: readonly ExtraSource[];
  /**
   * Self-training on the unannotated election posts: each fit is done twice, the second time with the posts the
   * first fit scores lowest for both hate speech and abusive (the lowest `negativeShare` of each) added as
   * negatives of loss weight `weight`. Null: off.
   */
  selfTraining: { negativeShare: number; weight: number } | null;
  /**
   * Rows added as they are, after the data files (analysts' feedback: review/feedback.ts). Pinned to a split by
   * their `split`; a row of source `analyst-feedback` shares the election intercept (it is a stream post).
   */
  extraExamples?: readonly Example[];
  /** Measure only: skip the model card's slow extras (used by the split-seed runs). */
  quick?: boolean;
  log: (line: string) => void;
}

/**
 * Sources that are not measured: TurnBackHoax 2024 has hoaxes only; TurnBackHoax 2021 classes come from
 * article type (clarification vs claim), not from a post-level label. Train only, so thresholds and test
 * figures come from the fact-check claims alone.
 */
/** Source name of unannotated election posts used as self-training negatives. */
const SELF_TRAINING_SOURCE = 'self-training';
/** Source name of analysts' feedback rows (review/feedback.ts FEEDBACK_SOURCE): posts of the stream. */
const STREAM_FEEDBACK_SOURCE = 'analyst-feedback';

const SINGLE_CLASS_SOURCES = new Set(['turnbackhoax-2024', 'turnbackhoax-2021']);


export interface TrainResult {
  modelDir: string;
  /** The dev split of this run (the side-by-side comparison measures models on it). */
  dev: Example[];
  test: EvaluationDetails;
  /** Annotated election posts of the test split, weighted (empty without annotations). */
  inDomain: InDomainLabelFigures[];
  /** Ibrohim test F1 at the shipped alert point and at Ibrohim's own best threshold. */
  ibrohim: IbrohimFigures[];
  testBySource: Record<string, EvaluationDetails>;
  seconds: number;
}

export function readLexiconCsv(path: string): SlangLexicon & { pairs: [string, string][] } {
  const pairs: [string, string][] = [];
  for (const line of readFileSync(path, 'latin1').split(/\r?\n/)) {
    const comma = line.indexOf(',');
    if (comma <= 0) continue;
    const slang = line.slice(0, comma).trim().toLowerCase();
    const standard = line.slice(comma + 1).trim().toLowerCase();
    if (slang.length === 0 || standard.length === 0 || slang === standard || /[\t\n]/.test(slang + standard)) continue;
    pairs.push([slang, standard]);
  }
  return { ...createSlangLexicon(pairs), pairs };
}

/**
 * Reads Ibrohim & Budi's `abusive.csv`: a header, then one entry per line. Multi-word entries (`ayam kampus`)
 * are left out: the normaliser matches single tokens.
 */
export function readAbusiveWordsCsv(path: string): string[] {
  const withoutHeader = readFileSync(path, 'utf8').replace(/^[^\n]*\n?/, '');
  return [...parseWordList(withoutHeader)].filter((w) => !/\s/.test(w));
}

export function loadTrainingExamples(options: Pick<TrainPipelineOptions, 'dataFiles' | 'sharedData' | 'annotationsFile' | 'annotationWeight' | 'extraSources' | 'extraExamples'>): Example[] {
  const examples: Example[] = [];
  if (options.sharedData !== null) {
    examples.push(...readSharedData(options.sharedData));
    examples.push(...readExtraSources(options.sharedData, options.extraSources));
  }
  if (options.annotationsFile !== null) {
    if (options.sharedData === null) {
      throw new PantauError('--annotations needs the shared data (../shared/data) for the posts\' texts; pass --shared-data DIR or --annotations none.', { stage: 'training', code: 'data_missing', retriable: false });
    }
    const annotated = readAnnotatedElectionPosts(options.annotationsFile, options.sharedData);
    if (annotated.missing.length > 0) {
      throw new PantauError(
        `${annotated.missing.length} annotated ids have no text in ${options.sharedData} (first: ${annotated.missing.slice(0, 3).join(', ')}); is this the data the annotations were made on?`,
        { stage: 'training', code: 'data_missing', retriable: false },
      );
    }
    examples.push(...annotated.examples.map((e) => ({ ...e, weight: options.annotationWeight })));
  }
  for (const file of options.dataFiles) examples.push(...readJsonl(file));
  examples.push(...(options.extraExamples ?? []));
  if (examples.length === 0) {
    throw new PantauError('No training data: pass --data FILE.jsonl and/or --shared-data DIR.', { stage: 'training', code: 'data_missing', retriable: false });
  }
  return examples.map((e) => (SINGLE_CLASS_SOURCES.has(e.source) && e.split === undefined ? { ...e, split: 'train' } : e));
}

export async function runTrainPipeline(options: TrainPipelineOptions): Promise<TrainResult> {
  const started = performance.now();
  const { log } = options;
  const outDir = resolve(options.out);
  const lexicon = options.lexiconCsv === null ? null : readLexiconCsv(options.lexiconCsv);
  const examples = loadTrainingExamples(options);
  const annotatedSources = new Set(examples.filter(isAnnotated).map((e) => e.source));
  const splits = splitExamples(examples, undefined, options.splitSeed, { fractionsOf: (source) => (annotatedSources.has(source) ? IN_DOMAIN_FRACTIONS : DEFAULT_SPLIT) });
  log(`data: ${examples.length} rows → train ${splits.train.length}, dev ${splits.dev.length}, test ${splits.test.length}, dropped ${splits.dropped} (copies of official test texts)`);
  if (options.exportSplits !== null) exportSplits(splits, options.exportSplits, log);

  const featurizer = new Featurizer(options.featurizer);
  const abusiveWords = options.abusiveWordsCsv === null ? [] : readAbusiveWordsCsv(options.abusiveWordsCsv);
  const entityNames = options.entitiesFile === null ? [] : parsePhraseList(readFileSync(options.entitiesFile, 'utf8'));
  const lex: SlangLexicon = {
    ...(lexicon ?? createSlangLexicon([])),
    ...(abusiveWords.length > 0 ? { abusive: new Set(abusiveWords) } : {}),
    ...(entityNames.length > 0 ? { entities: createEntityPhrases(entityNames) } : {}),
    ...(options.splitHashtags ? { splitHashtags: true } : {}),
  };
  if (entityNames.length > 0) log(`masking ${entityNames.length} names of politicians and parties as _tokoh`);
  const outOfFold = options.calibration.kind === 'out-of-fold';
  const fitRows = outOfFold ? [...splits.train, ...splits.dev] : splits.train;
  const weak = [...weakHoaxNegatives(fitRows, options.weakHoaxNegativeWeight), ...weakHateSpeechNegatives(fitRows, options.weakHateNegativeWeight)];
  if (weak.length > 0) {
    log(`weak labels: ${weak.length} train rows (hoax = 0 weight ${options.weakHoaxNegativeWeight}; election praise/news as hate_speech = 0 weight ${options.weakHateNegativeWeight})`);
  }
  const trainRows = maskConditionalLabels([...fitRows, ...weak], options.conditionalHeads);
  // Domain intercepts: one per source, the annotated election posts sharing one (the domain the model ships).
  const domainOf = (e: Example): string => (isAnnotated(e) || e.source === SELF_TRAINING_SOURCE || e.source === STREAM_FEEDBACK_SOURCE ? 'election' : e.source);
  const domainNames = options.domainIntercepts ? [...new Set([...trainRows.map(domainOf), 'election'])] : [];
  const withDomains = (rows: readonly Example[], encoded: EncodedExample[]): EncodedExample[] => {
    if (domainNames.length > 0) encoded.forEach((x, i) => (x.domain = domainNames.indexOf(domainOf(rows[i]!))));
    return encoded;
  };
  const train = withDomains(trainRows, encodeExamples(trainRows, featurizer, lex));
  // Calibration rows ("dev" below): the dev split, or out of fold every fitted row not pinned to train (sources
  // that are train-only have one class or weak labels). Everyday posts are added as hoax = 0, so the hoax
  // calibration and threshold reflect the posts the pipeline will see, not only fact-check claims (82% hoaxes).
  const calibrationBase = outOfFold ? fitRows.filter((e) => e.split !== 'train') : splits.dev;
  const devRows = [...calibrationBase, ...weakHoaxNegatives(calibrationBase, 1)];
  const testRows = [...splits.test, ...weakHoaxNegatives(splits.test, 1)];
  const dev = withDomains(devRows, encodeExamples(devRows, featurizer, lex));
  log(`featurised in ${((performance.now() - started) / 1000).toFixed(1)} s (${options.featurizer.buckets} buckets)`);

  // Unannotated election posts for self-training: not an annotated post, not a copy of a test text.
  const selfTraining = options.selfTraining;
  let unlabelled: EncodedExample[] = [];
  if (selfTraining !== null && options.sharedData !== null) {
    const annotatedIds = new Set(examples.filter(isAnnotated).map((e) => e.id));
    const testKeys = new Set(splits.test.map((e) => e.group ?? splitKey(e.text)));
    const rows: Example[] = readElectionPosts(options.sharedData)
      .filter((p) => !annotatedIds.has(p.id) && !testKeys.has(splitKey(p.text)))
      .map((p) => ({ text: p.text, labels: { hate_speech: 0, abusive: 0 }, source: SELF_TRAINING_SOURCE, weight: selfTraining.weight }));
    unlabelled = withDomains(rows, encodeExamples(rows, featurizer, lex));
    log(`self-training: ${unlabelled.length} unannotated election posts; the lowest ${(100 * selfTraining.negativeShare).toFixed(0)}% for hate speech and abusive join each fit as negatives (weight ${selfTraining.weight})`);
  }
  const fit = (rows: readonly EncodedExample[], onEpoch?: (epoch: number, loss: number) => void): LinearWeights => {
    const first = fitOnce(rows, unlabelled.length > 0 ? undefined : onEpoch);
    if (unlabelled.length === 0 || selfTraining === null) return first;
    const logits = linearLogits(unlabelled, first);
    const low = (k: number): number => {
      const v = unlabelled.map((_, i) => logits[i * OUTPUT_COUNT + k]!).sort((a, b) => a - b);
      return v[Math.floor(selfTraining.negativeShare * (v.length - 1))]!;
    };
    const hsCut = low(FLAG_LABELS.indexOf('hate_speech'));
    const abCut = low(FLAG_LABELS.indexOf('abusive'));
    const picked = unlabelled.filter((_, i) => logits[i * OUTPUT_COUNT + FLAG_LABELS.indexOf('hate_speech')]! <= hsCut && logits[i * OUTPUT_COUNT + FLAG_LABELS.indexOf('abusive')]! <= abCut);
    return fitOnce([...rows, ...picked], onEpoch);
  };
  const fitOnce = (rows: readonly EncodedExample[], onEpoch?: (epoch: number, loss: number) => void): LinearWeights => {
    const featureScales =
      options.nbInterpolation > 0
        ? [...FLAG_LABELS.map((_, k) => nbFeatureScales(rows, options.featurizer.buckets, k, 1, options.nbInterpolation)), ...SENTIMENT_LABELS.map(() => null)]
        : undefined;
    return trainLinear(rows, options.featurizer.buckets, {
      ...options.train,
      ...(domainNames.length > 0 ? { domains: domainNames.length, exportDomain: domainNames.indexOf('election') } : {}),
      ...(featureScales === undefined ? {} : { featureScales }),
      ...(onEpoch === undefined ? {} : { onEpoch }),
    });
  };
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const weights = fit(train, (epoch, loss) => log(`epoch ${epoch}/${options.train.epochs}: mean loss ${loss.toFixed(4)} (${elapsed()})`));

  // Calibrate and choose thresholds on scores of weights as they will be shipped (after quantisation).
  let devLogits: Float32Array;
  if (options.calibration.kind === 'out-of-fold') {
    const folds = options.calibration.folds;
    log(`calibration: ${folds}-fold out-of-fold scores of ${devRows.length} train + dev rows (${folds} more fits)`);
    devLogits = outOfFoldLogits(
      train,
      trainRows.map((e) => foldOf(e.group ?? e.text, folds)),
      dev,
      devRows.map((e) => foldOf(e.group ?? e.text, folds)),
      folds,
      (rows, fold) => {
        const foldWeights = roundTripWeights(fit(rows), options.precision);
        log(`fold ${fold + 1}/${folds} fitted on ${rows.length} rows (${elapsed()})`);
        return foldWeights;
      },
    );
  } else {
    devLogits = linearLogits(dev, roundTripWeights(weights, options.precision));
  }
  const calibrationName = outOfFold ? 'out-of-fold train + dev' : 'dev';
  const calibration = {} as ModelJson['calibration']['flags'];
  const calibrated: number[][] = [];
  FLAG_LABELS.forEach((label, k) => {
    const given = options.conditionalHeads.find((c) => c.label === label)?.given;
    // A label the annotated election posts cover well is calibrated on them alone, weighted to the stream:
    // its scores then read as probabilities on election posts, not on the public sets' mixture (42% hate
    // speech in Ibrohim, about 7% on the stream). Other labels, and conditional heads, on all calibration rows.
    const annotatedPositives = devRows.filter((e) => isAnnotated(e) && e.labels[label] === 1).length;
    const inDomain = given === undefined && annotatedPositives >= MIN_IN_DOMAIN_POSITIVES;
    const z: number[] = [];
    const y: number[] = [];
    const w: number[] = [];
    devRows.forEach((e, i) => {
      const t = e.labels[label];
      if (t === undefined || (inDomain && !isAnnotated(e))) return;
      // A conditional head is calibrated as P(label | given): on the dev rows where `given` is positive.
      if (given !== undefined && e.labels[given] !== 1) return;
      z.push(devLogits[i * OUTPUT_COUNT + k]!);
      y.push(t);
      w.push(inDomain ? 1 / e.inclusionProbability! : 1);
    });
    const platt = fitPlatt(z, y, undefined, w);
    calibration[label] = platt;
    calibrated[k] = devRows.map((_, i) => sigmoid(platt.a * devLogits[i * OUTPUT_COUNT + k]! + platt.b));
    log(`${label}: Platt a=${platt.a.toFixed(3)} b=${platt.b.toFixed(3)} on ${inDomain ? `${z.length} annotated election posts (weighted)` : `${z.length} ${calibrationName} rows`}${given === undefined ? '' : ` (given ${given})`}`);
  });
  // Operating points on the scores the runtime reports: conditional heads multiplied by their condition.
  const runtimeScore = (label: FlagLabel, i: number): number => {
    const given = options.conditionalHeads.find((c) => c.label === label)?.given;
    return calibrated[FLAG_LABELS.indexOf(label)]![i]! * (given === undefined ? 1 : calibrated[FLAG_LABELS.indexOf(given)]![i]!);
  };
  const inDomainIndex = devRows.flatMap((e, i) => (isAnnotated(e) ? [i] : []));
  const chosen = chooseOperatingPoints(
    inDomainIndex.map((i) => devRows[i]!),
    (label, j) => runtimeScore(label, inDomainIndex[j]!),
    devRows,
    runtimeScore,
    calibrationName,
  );
  for (const label of ['hate_speech', 'abusive'] as const) {
    const sample = sampleOf(inDomainIndex.map((i) => devRows[i]!), (j) => runtimeScore(label, inDomainIndex[j]!), label);
    if (sample.scores.length === 0) continue;
    const best = bestFBetaPoint(sample, 1);
    // The selection figures: variants and options are compared on these (dev, out of fold), never on test.
    log(`${label} in-domain out-of-fold: AP ${weightedAveragePrecision(sample).toFixed(3)}, AUC ${weightedAuc(sample).toFixed(3)}, best F1 ${best?.f1.toFixed(3)} (P ${best?.precision.toFixed(2)} R ${best?.recall.toFixed(2)})`);
  }
  const thresholds = chosen.thresholds as ModelJson['thresholds'];
  const thresholdAims = chosen.aims as ModelJson['thresholdAims'];
  for (const label of FLAG_LABELS) {
    const p = chosen.points[label];
    const pr = (v: number | null): string => (v === null ? '-' : v.toFixed(2));
    log(`${label}: alert ${p.alert.toFixed(3)} (est. P ${pr(p.alertPrecision)} R ${pr(p.alertRecall)}), review ${p.review.toFixed(3)} (est. P ${pr(p.reviewPrecision)} R ${pr(p.reviewRecall)}) on ${p.chosenOn}`);
  }
  const sentimentRows: number[] = [];
  const sentimentActual: number[] = [];
  devRows.forEach((e, i) => {
    if (e.sentiment === undefined) return;
    sentimentActual.push(SENTIMENT_LABELS.indexOf(e.sentiment));
    for (let c = 0; c < SENTIMENT_LABELS.length; c++) sentimentRows.push(devLogits[i * OUTPUT_COUNT + FLAG_LABELS.length + c]!);
  });
  const hasSentiment = examples.some((e) => e.sentiment !== undefined);
  const temperature = fitTemperature(sentimentRows, SENTIMENT_LABELS.length, sentimentActual);
  const sentimentOffsets = fitClassOffsets(
    sentimentRows.map((v) => v / temperature),
    SENTIMENT_LABELS.length,
    sentimentActual,
  ) as [number, number, number];
  if (hasSentiment) log(`sentiment: temperature ${temperature.toFixed(3)}, class offsets ${sentimentOffsets.map((v) => v.toFixed(2)).join(' / ')} (macro-F1 on ${calibrationName})`);

  mkdirSync(outDir, { recursive: true });
  const encoded = encodeWeights(weights, options.precision);
  writeFileSync(join(outDir, WEIGHTS_FILE), encoded.data);
  if (lexicon !== null) writeFileSync(join(outDir, LEXICON_FILE), lexicon.pairs.map(([s, t]) => `${s}\t${t}`).join('\n') + '\n');
  if (abusiveWords.length > 0) writeFileSync(join(outDir, ABUSIVE_WORDS_FILE), abusiveWords.join('\n') + '\n');
  if (entityNames.length > 0) writeFileSync(join(outDir, ENTITIES_FILE), readFileSync(options.entitiesFile!, 'utf8'));
  const json: ModelJson = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    modelVersion: options.modelVersion,
    createdAt: new Date().toISOString(),
    labels: [...FLAG_LABELS],
    sentimentLabels: hasSentiment ? [...SENTIMENT_LABELS] : null,
    featurizer: { ...options.featurizer },
    normalizer: {
      slangLexicon: lexicon === null ? null : LEXICON_FILE,
      abusiveWords: abusiveWords.length > 0 ? ABUSIVE_WORDS_FILE : null,
      entities: entityNames.length > 0 ? ENTITIES_FILE : null,
      splitHashtags: options.splitHashtags,
      stemming: false,
    },
    conditionalHeads: options.conditionalHeads,
    thresholds,
    thresholdAims,
    operatingPoints: chosen.points,
    calibration: { flags: calibration, sentimentTemperature: temperature, sentimentOffsets },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: encoded.entries }],
    training: {
      rows: { train: splits.train.length, dev: splits.dev.length, test: splits.test.length },
      sources: countBy(examples, (e) => e.source),
      options: {
        ...options.train,
        precision: options.precision,
        weakHoaxNegativeWeight: options.weakHoaxNegativeWeight,
        weakHateNegativeWeight: options.weakHateNegativeWeight,
        nbInterpolation: options.nbInterpolation,
        calibration: describeCalibration(options.calibration),
        splitSeed: options.splitSeed,
        annotationWeight: options.annotationWeight,
        domainIntercepts: options.domainIntercepts,
        extraSources: options.extraSources,
        selfTraining: options.selfTraining,
      },
    },
  };
  writeFileSync(join(outDir, MODEL_FILE), JSON.stringify(json, null, 1) + '\n');

  // Measure the shipped artifact through the same path the app uses.
  const classifier = await loadClassifier({ modelDir: outDir, backend: 'wasm' });
  try {
    const test = await evaluateExamples(classifier, splits.test);
    const testBySource: Record<string, EvaluationDetails> = {};
    for (const source of new Set(testRows.map((e) => e.source))) {
      testBySource[source] = await evaluateExamples(classifier, testRows.filter((e) => e.source === source));
    }
    const quick = options.quick === true;
    const election = options.sharedData === null || quick ? null : await pilkadaShiftReport(classifier, options.sharedData);
    const inDomain = await inDomainReport(classifier, {
      test: splits.test,
      ownThresholdRows: devRows.map((e, i) => ({ example: e, score: (label: FlagLabel) => runtimeScore(label, i) })),
      quick,
      entityNames,
      points: chosen.points,
    });
    const seconds = (performance.now() - started) / 1000;
    writeModelCard(outDir, { json, test, testBySource, splits, calibration: options.calibration, splitSeed: options.splitSeed, seconds, election, inDomain: inDomain.markdown });
    log(`wrote ${outDir} in ${seconds.toFixed(1)} s`);
    return { modelDir: outDir, dev: splits.dev, test, testBySource, inDomain: inDomain.figures, ibrohim: inDomain.ibrohim, seconds };
  } finally {
    classifier.dispose();
  }
}

/** Drops a conditional label from rows where its `given` label is 0: the head learns P(label | given). */
export function maskConditionalLabels(examples: readonly Example[], heads: TrainPipelineOptions['conditionalHeads']): Example[] {
  if (heads.length === 0) return [...examples];
  return examples.map((e) => {
    const drop = heads.filter((h) => e.labels[h.given] === 0 && e.labels[h.label] !== undefined);
    if (drop.length === 0) return e;
    const labels = { ...e.labels };
    for (const h of drop) delete labels[h.label];
    return { ...e, labels };
  });
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

function exportSplits(splits: SplitExamples, dir: string, log: (line: string) => void): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  for (const name of ['train', 'dev', 'test'] as const) writeFileSync(join(dir, `${name}.jsonl`), toJsonl(splits[name]));
  log(`wrote train/dev/test JSONL to ${dir}`);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}
