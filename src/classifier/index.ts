/**
 * The Indonesian text classifier: flags hate speech, abusive language, SARA provocation and hoaxes, and
 * gives a sentiment distribution. This module is the whole public surface; the rest of the app imports
 * only from here.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { PantauError } from '../core/errors.ts';
import { activateBackend, type BackendChoice, type BackendName } from './backend.ts';
import { Featurizer } from './featurize.ts';
import { FLAG_LABELS, SENTIMENT_LABELS, type FlagLabel, type Sentiment } from './labels.ts';
import { readModelFolder } from './load.ts';
import type { BagMode } from './model.ts';
import { createEntityPhrases, normalizeTokens } from './normalize.ts';

export { FLAG_LABELS, type FlagLabel, type Sentiment } from './labels.ts';

export interface Classification {
  /** Calibrated probabilities 0..1. */
  scores: Record<FlagLabel, number>;
  /** Distribution over negative/neutral/positive; null if the model has no sentiment head. */
  sentiment: Record<Sentiment, number> | null;
}

export interface Classifier {
  /** e.g. "pantau-id-v2". */
  readonly modelVersion: string;
  /** 'wasm' | 'tensorflow' | 'cpu'. */
  readonly backend: string;
  /** Flag a post when its score >= threshold (chosen on a dev split; see the model card): the alert points. */
  readonly thresholds: Readonly<Record<FlagLabel, number>>;
  /**
   * Per label: `alert` (= thresholds; chosen for precision) and `review` (chosen for recall: posts between the
   * two go to analysts, not to humas teams). Models without operating points have review = alert.
   */
  readonly operatingPoints: Readonly<Record<FlagLabel, OperatingPoint>>;
  /** Scores a batch; results are in input order. */
  classify(texts: readonly string[]): Promise<Classification[]>;
  dispose(): void;
}

/** The shipped model folder, resolved from this file (not the working directory). */
export const DEFAULT_MODEL_DIR: string = fileURLToPath(new URL('../../models/pantau-id-v2', import.meta.url));

/** Posts per internal batch: bounds memory for very large calls without slowing normal ones. */
const CHUNK_SIZE = 1024;

export interface OperatingPoint {
  alert: number;
  review: number;
  /** Estimated where the points were chosen (see the model card); null when unknown. */
  alertPrecision: number | null;
  reviewRecall: number | null;
}

export interface LoadOptions {
  modelDir?: string;
  backend?: BackendChoice;
  /**
   * More names to mask as `_tokoh` (the candidates and parties of `pipelines/election.json`), for a model
   * trained with entity masking; ignored by models without it.
   */
  extraEntities?: readonly string[];
}

/**
 * Loads a model folder and prepares the backend. Throws PantauError (stage `classifying`) when the folder
 * is missing or invalid, or the requested backend cannot start.
 */
export async function loadClassifier(options: LoadOptions = {}): Promise<Classifier> {
  return loadClassifierWithBag(options, 'js');
}

/** As loadClassifier, choosing how the embedding bag is computed (tests and the benchmark compare both). */
export async function loadClassifierWithBag(options: LoadOptions, bagMode: BagMode): Promise<Classifier> {
  const backend = await activateBackend(options.backend ?? 'auto');
  const loaded = await readModelFolder(options.modelDir ?? DEFAULT_MODEL_DIR);
  const { json, model } = loaded;
  const lexicon = loaded.entityNames === null ? loaded.lexicon : { ...loaded.lexicon, entities: createEntityPhrases([...loaded.entityNames, ...(options.extraEntities ?? [])]) };
  const featurizer = new Featurizer(json.featurizer);
  const thresholds = Object.freeze({ ...json.thresholds });
  const operatingPoints = Object.freeze(
    Object.fromEntries(
      FLAG_LABELS.map((label) => {
        const p = json.operatingPoints?.[label];
        return [label, p ? { alert: p.alert, review: p.review, alertPrecision: p.alertPrecision, reviewRecall: p.reviewRecall } : { alert: thresholds[label], review: thresholds[label], alertPrecision: null, reviewRecall: null }];
      }),
    ) as Record<FlagLabel, OperatingPoint>,
  );
  let disposed = false;

  async function classifyChunk(texts: readonly string[]): Promise<Classification[]> {
    const batch = featurizer.featurizeBatch(texts.map((t) => normalizeTokens(t, lexicon)));
    const { flags, sentiment } = await model.predict(batch, bagMode);
    return texts.map((_, i) => {
      const scores = {} as Record<FlagLabel, number>;
      FLAG_LABELS.forEach((label, k) => {
        scores[label] = flags[i * FLAG_LABELS.length + k]!;
      });
      let dist: Record<Sentiment, number> | null = null;
      if (sentiment !== null) {
        dist = {} as Record<Sentiment, number>;
        SENTIMENT_LABELS.forEach((label, k) => {
          dist![label] = sentiment[i * SENTIMENT_LABELS.length + k]!;
        });
      }
      return { scores, sentiment: dist };
    });
  }

  return {
    modelVersion: json.modelVersion,
    backend,
    thresholds,
    operatingPoints,
    async classify(texts: readonly string[]): Promise<Classification[]> {
      if (disposed) throw new PantauError('classify() called after dispose().', { stage: 'classifying', code: 'classifier_disposed', retriable: false });
      try {
        // Several classifiers may share the process on different backends: make ours the active one.
        if (tf.getBackend() !== backend) await activateBackend(backend as BackendName);
        const results: Classification[] = [];
        for (let start = 0; start < texts.length; start += CHUNK_SIZE) {
          results.push(...(await classifyChunk(texts.slice(start, start + CHUNK_SIZE))));
        }
        return results;
      } catch (err) {
        if (err instanceof PantauError) throw err;
        throw new PantauError(`Classification failed: ${err instanceof Error ? err.message : String(err)}`, {
          stage: 'classifying',
          code: 'inference_failed',
          retriable: false,
          cause: err,
        });
      }
    },
    dispose(): void {
      disposed = true;
      model.dispose();
    },
  };
}
