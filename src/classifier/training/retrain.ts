/**
 * `npm run train -- --feedback`: a new model version from the base training data plus analysts' label decisions,
 * compared side by side with the active model and registered as a candidate.
 *
 * 1. read the label decisions from the audit log (`--since`), latest per post (review/feedback.ts);
 * 2. hold out a fixed share of the decided narratives; train on the rest (pinned to train, loss weight
 *    `feedbackWeight`), with thresholds chosen as always (on the annotated dev/out-of-fold rows, not on feedback);
 * 3. measure the active model and the candidate on the base dev split and on the held-out feedback, at each
 *    model's alert points; write `comparison.json` and a section of the candidate's model card;
 * 4. register the candidate (status candidate). Promotion stays a person's decision (`pantau models promote`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { MODEL_FILE } from '../model-format.ts';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../../core/clock.ts';
import { PantauError } from '../../core/errors.ts';
import { feedbackExamples, readLabelDecisions, toEvaluationExample, toTrainingExample, DEFAULT_HOLDOUT_SHARE, type FeedbackExample } from '../../review/feedback.ts';
import { loadClassifier, type LoadOptions } from '../index.ts';
import { ModelRegistry } from '../registry.ts';
import { compareModels, comparisonSummary, formatComparison, type Comparison } from './compare.ts';
import { replaceCardSection } from './model-card.ts';
import { runTrainPipeline, type TrainPipelineOptions, type TrainResult } from './pipeline.ts';

/** Loss weight of a feedback row. Not tuned (there is no feedback data yet); annotated election posts weigh 8. */
export const DEFAULT_FEEDBACK_WEIGHT = 4;
/** Fewer decided posts than this: training would change nothing measurable, so it refuses. */
export const MIN_FEEDBACK_EXAMPLES = 10;

export interface RetrainOptions {
  /** The base training run; `out` and `modelVersion` name the candidate. */
  pipeline: TrainPipelineOptions;
  es: Client;
  prefix: string;
  /** The model that is active while the registry is empty (PANTAU_MODEL_DIR or the shipped one). */
  shippedDir: string;
  since?: string;
  feedbackWeight?: number;
  holdoutShare?: number;
  minExamples?: number;
  /** How both models are loaded for the comparison (backend, names to mask): as the workers load them. */
  loadOptions?: Omit<LoadOptions, 'modelDir'>;
  clock: Clock;
  log: (line: string) => void;
}

export interface RetrainResult {
  train: TrainResult;
  feedback: { decided: number; trained: number; heldOut: number };
  comparison: Comparison;
  comparisonFile: string;
  seconds: number;
}

export async function trainWithFeedback(options: RetrainOptions): Promise<RetrainResult> {
  const started = performance.now();
  const { log } = options;
  const entries = await readLabelDecisions(options.es, options.prefix, options.since === undefined ? {} : { since: options.since });
  const examples = feedbackExamples(entries, { holdoutShare: options.holdoutShare ?? DEFAULT_HOLDOUT_SHARE });
  const trained = examples.filter((e) => !e.holdout);
  const heldOut = examples.filter((e) => e.holdout);
  log(`feedback: ${entries.length} label decisions${options.since === undefined ? '' : ` since ${options.since}`} → ${examples.length} decided posts (${trained.length} to train on, ${heldOut.length} held out for the comparison)`);
  log(`feedback labels: ${describeTargets(trained)}`);
  const min = options.minExamples ?? MIN_FEEDBACK_EXAMPLES;
  if (trained.length < min) {
    throw new PantauError(`only ${trained.length} decided posts to train on (at least ${min} needed); wait for more decisions or widen --since`, { stage: 'training', code: 'feedback_too_small', retriable: false });
  }
  const weight = options.feedbackWeight ?? DEFAULT_FEEDBACK_WEIGHT;
  const train = await runTrainPipeline({ ...options.pipeline, extraExamples: [...(options.pipeline.extraExamples ?? []), ...trained.map((e) => toTrainingExample(e, weight))] });

  const registry = new ModelRegistry(options.es, options.prefix, { clock: options.clock, shippedDir: options.shippedDir });
  const active = (await registry.active()).active;
  log(`comparing with the active model ${active.version} (${active.path})`);
  const activeModel = await loadClassifier({ ...options.loadOptions, modelDir: active.path });
  const candidate = await loadClassifier({ ...options.loadOptions, modelDir: train.modelDir });
  // The dev split is only a fair common ground when neither model was fitted on it, or both were.
  const activeFit = fittedOn(active.path);
  const candidateFit = fittedOn(train.modelDir);
  const devNote =
    activeFit === candidateFit
      ? `both models were fitted on ${activeFit ?? 'unknown rows'}`
      : `NOT a fair comparison: ${active.version} was fitted on ${activeFit ?? 'unknown rows'}, the candidate on ${candidateFit ?? 'unknown rows'}`;
  if (activeFit !== candidateFit) log(`warning: base dev split: ${devNote}; compare on the held-out feedback, or train with the active model's calibration mode`);
  let comparison: Comparison;
  try {
    comparison = await compareModels(
      activeModel,
      candidate,
      [
        { name: 'dev', description: `Base dev split (${devNote})`, examples: train.dev },
        { name: 'feedback_holdout', description: 'Held-out analyst feedback (neither trained nor calibrated on)', examples: heldOut.map(toEvaluationExample) },
      ],
      isoNow(options.clock),
    );
  } finally {
    activeModel.dispose();
    candidate.dispose();
  }
  const comparisonFile = join(train.modelDir, 'comparison.json');
  writeFileSync(comparisonFile, JSON.stringify(comparison, null, 1) + '\n');
  const table = formatComparison(comparison);
  replaceCardSection(
    train.modelDir,
    'Compared with the active model',
    `Trained on the base data plus ${trained.length} posts decided by analysts (${entries.length} label decisions${options.since === undefined ? '' : ` since ${options.since}`}, the latest per post; loss weight ${weight}); ${heldOut.length} decided posts (whole narratives) were held out. Each model at its own alert points; \`comparison.json\` has the same figures.\n\n${table}\n\nHeld-out feedback is drawn from what the old models flagged and analysts reviewed: it over-represents high scores, so its precision reads higher and its recall lower than on the stream. Promote with \`pantau models promote ${comparison.candidate}\`.`,
  );
  await registry.register({ version: comparison.candidate, path: train.modelDir }, comparisonSummary(comparison));
  log(`registered ${comparison.candidate} as a candidate`);
  return { train, feedback: { decided: examples.length, trained: trained.length, heldOut: heldOut.length }, comparison, comparisonFile, seconds: (performance.now() - started) / 1000 };
}

/** Which base rows a model's weights were fitted on, from its model.json (null when it does not say). */
function fittedOn(dir: string): string | null {
  try {
    const json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as { training?: { options?: { calibration?: unknown } } };
    const calibration = json.training?.options?.calibration;
    if (typeof calibration !== 'string') return null;
    return calibration.includes('out-of-fold') ? 'train + dev' : 'train';
  } catch {
    return null;
  }
}

function describeTargets(examples: readonly FeedbackExample[]): string {
  const counts = new Map<string, [number, number]>();
  for (const e of examples) {
    for (const [label, y] of Object.entries(e.labels)) {
      const c = counts.get(label) ?? [0, 0];
      c[y === 1 ? 0 : 1]++;
      counts.set(label, c);
    }
  }
  return counts.size === 0 ? 'none' : [...counts].map(([label, [pos, neg]]) => `${label} ${pos}+/${neg}−`).join(', ');
}
