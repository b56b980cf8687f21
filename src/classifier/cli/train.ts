/** `npm run train`: trains a model folder from labelled JSONL and/or the public datasets. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../../core/errors.ts';
import { DEFAULT_FEATURIZER_CONFIG } from '../featurize.ts';
import type { CalibrationMode } from '../training/out-of-fold.ts';
import { runTrainPipeline, type TrainPipelineOptions } from '../training/pipeline.ts';
import { formatSeedTable, seedFigures, type SeedFigures } from '../training/seed-report.ts';
import { replaceCardSection } from '../training/model-card.ts';
import type { WeightPrecision } from '../training/export.ts';
import { integer, number, parseArgs, single, type ParsedArgs } from './args.ts';
import { DEFAULT_FEEDBACK_WEIGHT, trainWithFeedback } from '../training/retrain.ts';
import { formatComparison } from '../training/compare.ts';
import { DEFAULT_HOLDOUT_SHARE } from '../../review/feedback.ts';
import { DEFAULT_MODEL_DIR } from '../index.ts';
import { loadConfig } from '../../config/config.ts';
import { electionEntityNames, loadElectionConfig } from '../../config/election.ts';
import { resolveEndpoints } from '../../pipeline/endpoints.ts';
import { createElasticsearchClient } from '../../store/elasticsearch-client.ts';
import { systemClock } from '../../core/clock.ts';
import { ensureRegistryTemplate } from '../../cli/models-command.ts';
import { DEFAULT_STATE_DIR } from '../../sources/state-store.ts';
import {
  DEFAULT_CALIBRATION,
  DEFAULT_CONDITIONAL_HEADS,
  DEFAULT_FOLDS,
  DEFAULT_NB_INTERPOLATION,
  DEFAULT_TRAINING,
  DEFAULT_WEAK_HATE_NEGATIVE_WEIGHT,
  DEFAULT_WEAK_HOAX_NEGATIVE_WEIGHT,
  DEFAULT_ANNOTATION_WEIGHT,
  DEFAULT_EXTRA_SOURCES,
  DEFAULT_SELF_TRAINING,
} from '../training/defaults.ts';
import { EXTRA_SOURCES, type ExtraSource } from '../training/datasets.ts';
import { DEFAULT_ANNOTATIONS_FILE } from '../training/annotations.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const HELP = `Usage: npm run train -- [options]

Trains the Indonesian classifier and writes a versioned model folder (model.json, weights.bin,
slang lexicon, name list, MODEL_CARD.md with test metrics). About 3 minutes on 2 cores for the public data and
the annotated election posts (about 1 with --calibration dev).

Alert and review points per label are chosen on the annotated election posts (out of fold, weighted to the
stream): alert at an estimated precision of 0.8, review at an estimated recall of 0.8.

Options:
  --data FILE.jsonl        labelled JSONL, repeatable. One object per line:
                             {"text": "...", "labels": {"hate_speech": 1, "abusive": 0, "sentiment": "negative"}}
                           A line names only the labels it annotates (flags: hate_speech, abusive, sara, hoax
                           take 0/1; sentiment takes negative/neutral/positive); the rest are masked out.
                           Optional "split": "train"|"dev"|"test" pins a row; "source" names its origin.
  --shared-data DIR        public datasets folder (default ../shared/data when it exists; "none" to skip)
  --lexicon FILE.csv       slang,standard CSV to ship (default: new_kamusalay.csv from the shared data)
  --abusive-words FILE.csv abusive-word list to ship, a header line then one word per line; each word in a post
                           adds an _abusive feature (default: abusive.csv from the shared data; "none" to skip)
  --annotations FILE       annotated election posts (ids and labels; texts joined from the shared data by id)
                           (default models/election-annotations-v1/labels.jsonl; "none" to skip)
  --annotation-weight X    loss weight of an annotated election post (default ${DEFAULT_ANNOTATION_WEIGHT})
  --entities FILE          names of politicians and parties masked as _tokoh, shipped in the model folder
                           (default pipelines/political-entities.txt; "none" to skip)
  --no-split-hashtags      keep camel-case hashtags as one word
  --no-domain-intercepts   one shared intercept for every source
  --extra-sources LIST     comma-separated public sets added to the training data, or "none"
                           (default ${DEFAULT_EXTRA_SOURCES.join(',')}; choices: ${EXTRA_SOURCES.join(', ')})
  --out DIR                output folder (default models/pantau-id-v2)
  --model-version NAME     version string stored in the model (default: the output folder name)
  --epochs N               training epochs (default ${DEFAULT_TRAINING.epochs})
  --seed N                 shuffling seed (default ${DEFAULT_TRAINING.seed})
  --learning-rate X        AdaGrad learning rate (default ${DEFAULT_TRAINING.learningRate})
  --buckets-log2 N         hash buckets = 2^N (default ${Math.log2(DEFAULT_FEATURIZER_CONFIG.buckets)})
  --precision P            weight storage: uint8 | float16 | float32 (default uint8)
  --weak-hoax-negative-weight X
                           weight of train tweets/reviews added as hoax = 0 (default ${DEFAULT_WEAK_HOAX_NEGATIVE_WEIGHT}; 0 = off)
  --weak-hate-negative-weight X
                           weight of Pilpres 2019 praise/news tweets added as hate_speech = 0 (default ${DEFAULT_WEAK_HATE_NEGATIVE_WEIGHT}; 0 = off)
  --nb X                   NB log-count-ratio feature scaling of the flag heads, 0..1 (default ${DEFAULT_NB_INTERPOLATION}; 0 = off)
  --no-conditional-sara    train sara as an independent head (default: P(sara) = P(hate_speech)·P(sara | hate_speech))
  --calibration MODE       ${DEFAULT_CALIBRATION.kind} (default) or dev. out-of-fold: fit the weights on train + dev and
                           choose calibration and thresholds on out-of-fold scores (folds + 1 fits, ~2 min);
                           dev: fit on train, calibrate on the dev split (1 fit, ~0.5 min)
  --folds N                folds for out-of-fold calibration (default ${DEFAULT_FOLDS})
  --split-seed N           seed of the train/dev/test hash split (default 0, the split the model card reports);
                           other seeds show how much the figures move with the split
  --report-seeds LIST      also train on these split seeds (e.g. 1,2,3; one more run each) and add their test
                           figures, mean ± sd, to the model card
  --self-training S:W      fit twice; the second time the unannotated election posts the first fit scores in the
                           lowest share S for both hate speech and abusive join as negatives of weight W
                           (default ${DEFAULT_SELF_TRAINING}; "none" = off)
  --quick                  measure only: skip the slow model-card extras (demo posts, name swap, Pilkada)
  --export-splits DIR      also write the train/dev/test JSONL used (input for npm run eval)
  --feedback               also train on analysts' label decisions (confirm/dismiss/relabel) from the audit log
                           in Elasticsearch (ELASTICSEARCH_URL, else the local services), the latest per post; a
                           share of the decided narratives is held out. Then compares the active model and the
                           new one side by side (base dev split, held-out feedback), writes comparison.json and
                           the model card, and registers the new version as a candidate (pantau models promote).
                           Default --out: $PANTAU_STATE_DIR/models/<version> (.state/models/), version
                           pantau-id-fb-YYYYMMDD-HHMMSS (UTC)
  --since YYYY-MM-DD       with --feedback: only decisions from this day on (UTC)
  --feedback-weight X      with --feedback: loss weight of a decided post (default ${DEFAULT_FEEDBACK_WEIGHT})
  --holdout X              with --feedback: share of decided narratives held out (default ${DEFAULT_HOLDOUT_SHARE})
  --help                   this text
`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['help', 'no-conditional-sara', 'no-split-hashtags', 'no-domain-intercepts', 'quick', 'feedback']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP);
    return;
  }
  const sharedDefault = join(repoRoot, '..', 'shared', 'data');
  const sharedArg = single(args, 'shared-data');
  const sharedData = sharedArg === 'none' ? null : sharedArg !== undefined ? resolve(sharedArg) : existsSync(sharedDefault) ? sharedDefault : null;
  const lexiconArg = single(args, 'lexicon');
  const sharedLexicon = sharedData === null ? null : join(sharedData, 'id-multilabel-hate-abusive', 'new_kamusalay.csv');
  const lexiconCsv = lexiconArg !== undefined ? resolve(lexiconArg) : sharedLexicon !== null && existsSync(sharedLexicon) ? sharedLexicon : null;
  const abusiveArg = single(args, 'abusive-words');
  const sharedAbusive = sharedData === null ? null : join(sharedData, 'id-multilabel-hate-abusive', 'abusive.csv');
  const abusiveWordsCsv =
    abusiveArg === 'none' ? null : abusiveArg !== undefined ? resolve(abusiveArg) : sharedAbusive !== null && existsSync(sharedAbusive) ? sharedAbusive : null;
  const feedback = args.flags.has('feedback');
  // A version trained from feedback is state of this deployment, not a shipped artifact: never under models/.
  const feedbackVersion = feedback ? (single(args, 'model-version') ?? `pantau-id-fb-${new Date(systemClock()).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`) : null;
  const out = resolve(single(args, 'out') ?? (feedbackVersion !== null ? join(process.env.PANTAU_STATE_DIR ?? DEFAULT_STATE_DIR, 'models', feedbackVersion) : join(repoRoot, 'models', 'pantau-id-v2')));
  const annotationsArg = single(args, 'annotations');
  const annotationsFile = annotationsArg === 'none' || sharedData === null ? null : annotationsArg !== undefined ? resolve(annotationsArg) : DEFAULT_ANNOTATIONS_FILE;
  const entitiesArg = single(args, 'entities');
  const entitiesFile = entitiesArg === 'none' ? null : resolve(entitiesArg ?? join(repoRoot, 'pipelines', 'political-entities.txt'));
  const extraArg = single(args, 'extra-sources');
  const extraSources = extraArg === undefined ? DEFAULT_EXTRA_SOURCES : extraArg === 'none' ? [] : extraArg.split(',').map((s) => s.trim());
  for (const s of extraSources) {
    if (!(EXTRA_SOURCES as readonly string[]).includes(s)) throw new Error(`--extra-sources: unknown set "${s}" (choices: ${EXTRA_SOURCES.join(', ')}).`);
  }
  const precision = (single(args, 'precision') ?? 'uint8') as WeightPrecision;
  if (!['uint8', 'float16', 'float32'].includes(precision)) throw new Error('--precision must be uint8, float16 or float32.');
  const bucketsLog2 = integer(args, 'buckets-log2', Math.log2(DEFAULT_FEATURIZER_CONFIG.buckets));
  const reportSeeds = (single(args, 'report-seeds') ?? '').split(',').filter((v) => v.trim().length > 0).map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--report-seeds takes split seeds like 1,2,3; got "${v}".`);
    return n;
  });
  const pipelineOptions: TrainPipelineOptions = {
    dataFiles: (args.values.get('data') ?? []).map((f) => resolve(f)),
    sharedData,
    lexiconCsv,
    abusiveWordsCsv,
    out,
    modelVersion: feedbackVersion ?? single(args, 'model-version') ?? out.split(/[\\/]/).filter((p) => p.length > 0).pop() ?? 'pantau-id',
    featurizer: { ...DEFAULT_FEATURIZER_CONFIG, buckets: 2 ** bucketsLog2 },
    train: {
      ...DEFAULT_TRAINING,
      epochs: integer(args, 'epochs', DEFAULT_TRAINING.epochs),
      seed: integer(args, 'seed', DEFAULT_TRAINING.seed),
      learningRate: number(args, 'learning-rate', DEFAULT_TRAINING.learningRate),
    },
    precision,
    weakHoaxNegativeWeight: number(args, 'weak-hoax-negative-weight', DEFAULT_WEAK_HOAX_NEGATIVE_WEIGHT),
    weakHateNegativeWeight: number(args, 'weak-hate-negative-weight', DEFAULT_WEAK_HATE_NEGATIVE_WEIGHT),
    conditionalHeads: args.flags.has('no-conditional-sara') ? [] : DEFAULT_CONDITIONAL_HEADS,
    nbInterpolation: number(args, 'nb', DEFAULT_NB_INTERPOLATION),
    calibration: calibrationMode(single(args, 'calibration') ?? DEFAULT_CALIBRATION.kind, integer(args, 'folds', DEFAULT_FOLDS)),
    splitSeed: integer(args, 'split-seed', 0),
    exportSplits: single(args, 'export-splits') ?? null,
    annotationsFile,
    annotationWeight: number(args, 'annotation-weight', DEFAULT_ANNOTATION_WEIGHT),
    entitiesFile,
    splitHashtags: !args.flags.has('no-split-hashtags'),
    domainIntercepts: !args.flags.has('no-domain-intercepts'),
    extraSources: extraSources as ExtraSource[],
    quick: args.flags.has('quick'),
    selfTraining: selfTrainingOption(single(args, 'self-training') ?? DEFAULT_SELF_TRAINING),
    log: (line) => process.stderr.write(`[train] ${line}\n`),
  };
  if (feedback) {
    await trainFromFeedback(pipelineOptions, args);
    return;
  }
  const result = await runTrainPipeline(pipelineOptions);
  process.stdout.write(`Model written to ${result.modelDir} (${(result.seconds / 60).toFixed(1)} min). Test metrics:\n`);
  for (const [label, m] of Object.entries(result.test.labels)) {
    process.stdout.write(`  ${label.padEnd(12)} F1 ${m.f1.toFixed(3)}  P ${m.precision.toFixed(3)}  R ${m.recall.toFixed(3)}  n+ ${m.support}\n`);
  }
  if (reportSeeds.length > 0) await reportSeedFigures(pipelineOptions, reportSeeds, result.modelDir);
  if (result.inDomain.length > 0) process.stdout.write('Annotated election posts of the test split (weighted to the stream), at the alert point:\n');
  for (const f of result.inDomain) {
    process.stdout.write(
      `  ${f.label.padEnd(12)} F1 ${f.alert.f1.toFixed(3)}  P ${f.alert.precision.toFixed(3)}  R ${f.alert.recall.toFixed(3)}  flagged ${(100 * f.alert.flaggedShare).toFixed(1)}% vs true ${(100 * f.trueShare).toFixed(1)}%  AUC ${f.auc.toFixed(3)}  n+ ${f.positives}\n`,
    );
  }
}

/**
 * Retrains on other split seeds (into a temporary folder) and adds their test figures, mean ± sd, to the
 * model card: a single split's figures move by a few points with the cut.
 */
async function reportSeedFigures(options: TrainPipelineOptions, seeds: readonly number[], modelDir: string): Promise<void> {
  const runs: SeedFigures[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'pantau-seeds-'));
  try {
    for (const [n, seed] of seeds.entries()) {
      process.stderr.write(`[train] split seed ${seed} (${n + 1}/${seeds.length})…\n`);
      const result = await runTrainPipeline({ ...options, out: join(scratch, `seed-${seed}`), splitSeed: seed, quick: true, exportSplits: null, log: () => undefined });
      runs.push(seedFigures(seed, result));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  replaceCardSection(
    modelDir,
    'Test figures over split seeds',
    `The same training on ${seeds.length} other train/dev/test cuts (\`--report-seeds ${seeds.join(',')}\`): each seed's operating points are chosen on
its own dev rows, and its test split is read once. "election" = annotated election posts of the test split,
weighted to the stream.

${formatSeedTable(runs)}`,
  );
  process.stdout.write(`Figures over split seeds ${seeds.join(', ')} added to ${join(modelDir, 'MODEL_CARD.md')}.\n`);
}

/** `--feedback`: base data + analysts' decisions, side by side with the active model, registered as a candidate. */
async function trainFromFeedback(pipelineOptions: TrainPipelineOptions, args: ParsedArgs): Promise<void> {
  if (pipelineOptions.sharedData === null && pipelineOptions.dataFiles.length === 0) {
    throw new Error('--feedback adds analysts\' decisions to the base training data, and there is none: pass --shared-data DIR (the public datasets) and/or --data FILE.jsonl.');
  }
  const since = single(args, 'since');
  if (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(since)) throw new Error(`--since takes a date YYYY-MM-DD; got "${since}".`);
  const config = loadConfig();
  const endpoints = await resolveEndpoints(config, (line) => process.stderr.write(`[train] ${line}\n`));
  const es = createElasticsearchClient(endpoints.elasticsearchUrl, config.elasticsearchAuth);
  try {
    await ensureRegistryTemplate(es, config);
    const election = loadElectionConfig(resolve(config.pipelineDir, config.pipeline.relevance.file));
    const result = await trainWithFeedback({
      pipeline: pipelineOptions,
      es,
      prefix: config.pipeline.elasticsearch.indexPrefix,
      shippedDir: config.modelDir ?? DEFAULT_MODEL_DIR,
      ...(since === undefined ? {} : { since }),
      feedbackWeight: number(args, 'feedback-weight', DEFAULT_FEEDBACK_WEIGHT),
      holdoutShare: number(args, 'holdout', DEFAULT_HOLDOUT_SHARE),
      loadOptions: { extraEntities: electionEntityNames(election) },
      clock: systemClock,
      log: pipelineOptions.log,
    });
    process.stdout.write(`Candidate ${result.comparison.candidate} written to ${result.train.modelDir} (${(result.seconds / 60).toFixed(1)} min).\n`);
    process.stdout.write(`Feedback: ${result.feedback.decided} decided posts, ${result.feedback.trained} trained on, ${result.feedback.heldOut} held out.\n\n`);
    process.stdout.write(`${formatComparison(result.comparison)}\n\n`);
    process.stdout.write(`Saved ${result.comparisonFile}. Promote with: npm run pantau -- models promote ${result.comparison.candidate}\n`);
  } finally {
    await es.close();
  }
}

/** `--self-training SHARE:WEIGHT` (e.g. 0.5:0.3) or "none". */
function selfTrainingOption(value: string): TrainPipelineOptions['selfTraining'] {
  if (value === 'none') return null;
  const [share, weight] = value.split(':').map(Number);
  if (share === undefined || weight === undefined || !(share > 0 && share < 1) || !(weight > 0)) {
    throw new Error(`--self-training takes SHARE:WEIGHT with 0 < SHARE < 1 and WEIGHT > 0 (e.g. 0.5:0.3), or "none"; got "${value}".`);
  }
  return { negativeShare: share, weight };
}

function calibrationMode(kind: string, folds: number): CalibrationMode {
  if (kind === 'dev') return { kind: 'dev' };
  if (kind !== 'out-of-fold') throw new Error(`--calibration must be out-of-fold or dev, got "${kind}".`);
  if (folds < 2) throw new Error(`--folds must be 2 or more, got ${folds}.`);
  return { kind: 'out-of-fold', folds };
}

main().catch((err: unknown) => {
  process.stderr.write(`train failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
