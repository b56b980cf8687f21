/**
 * The claim-matcher folder format: `model.json` (this schema; TF.js `weightsManifest` conventions), one
 * `weights.bin` (float32) and MODEL_CARD.md. Validated strictly at load, so a broken or foreign folder fails
 * with a clear message instead of NaN scores.
 */
import { z } from 'zod';
import { FEATURE_NAMES, PAIR_FEATURE_NAMES } from './features.ts';

export const MATCHER_FORMAT = 'pantau-claim-matcher';
export const MATCHER_FORMAT_VERSION = 1;
export const MATCHER_MODEL_FILE = 'model.json';
export const MATCHER_WEIGHTS_FILE = 'weights.bin';
/** Document frequencies of the training knowledge base's words and char n-grams (no texts). */
export const MATCHER_TERM_STATS_FILE = 'term-stats.json';

export const termStatsSchema = z
  .object({
    documents: z.number().int().positive(),
    averageWords: z.number().positive(),
    averageChars: z.number().positive(),
    wordDf: z.record(z.string(), z.number().int().positive()),
    charDf: z.record(z.string(), z.number().int().positive()),
  })
  .strict();

const weightEntry = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int().nonnegative()),
    dtype: z.literal('float32'),
  })
  .strict();

const platt = z.object({ a: z.number(), b: z.number() }).strict();

/** A scorer's description: feature names in order and the hidden width; its tensors are in the manifest. */
const scorer = z
  .object({
    features: z.array(z.string()),
    hidden: z.number().int().positive(),
    calibration: platt,
    /** Feature vectors and the logits the scorer gave them at training time (checked by the tests). */
    reference: z.array(z.object({ features: z.array(z.number()), score: z.number() }).strict()),
  })
  .strict();

export const matcherJsonSchema = z
  .object({
    format: z.literal(MATCHER_FORMAT),
    formatVersion: z.literal(MATCHER_FORMAT_VERSION),
    modelVersion: z.string().min(1),
    createdAt: z.string(),
    normaliserVersion: z.number().int(),
    lexical: z
      .object({
        k1: z.number().positive(),
        b: z.number().min(0).max(1),
        charNgramMin: z.number().int().min(0),
        charNgramMax: z.number().int().min(0).max(8),
        charBoost: z.number().min(0),
        queryTermMode: z.enum(['sum', 'distinct', 'log']),
        charDfCutoff: z.number().positive().max(1),
      })
      .strict(),
    /** Lexical candidates the reranker looks at per narrative. */
    candidates: z.number().int().min(1).max(1000),
    reranker: scorer,
    pair: scorer,
    thresholds: z
      .object({
        /** A narrative matches its top candidate when that candidate's probability is at least this. */
        match: z.number().min(0).max(1),
        /** Two narratives carry one claim when their pair probability is at least this. */
        sameClaim: z.number().min(0).max(1),
      })
      .strict(),
    /** How the two directions of a narrative pair are combined (each text once as the claim). */
    pairCombine: z.enum(['mean', 'min', 'max']),
    thresholdAims: z.record(z.string(), z.string()),
    weightsManifest: z.array(z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightEntry) }).strict()).length(1),
    /** Free-form provenance (data, splits, metrics); not used at run time. */
    training: z.record(z.string(), z.unknown()),
  })
  .strict()
  .superRefine((json, ctx) => {
    if (json.reranker.features.join() !== FEATURE_NAMES.join()) {
      ctx.addIssue({ code: 'custom', message: `reranker features differ from this code's (${FEATURE_NAMES.join(', ')})` });
    }
    if (json.pair.features.join() !== PAIR_FEATURE_NAMES.join()) {
      ctx.addIssue({ code: 'custom', message: `pair features differ from this code's (${PAIR_FEATURE_NAMES.join(', ')})` });
    }
  });

export type MatcherJson = z.infer<typeof matcherJsonSchema>;
export type MatcherWeightEntry = z.infer<typeof weightEntry>;

/** Tensor names of one scorer in the weights manifest. */
export const SCORER_TENSORS = ['mean', 'scale', 'wide', 'w1', 'b1', 'w2', 'bias'] as const;

export function tensorName(scorerName: 'reranker' | 'pair', tensor: (typeof SCORER_TENSORS)[number]): string {
  return `${scorerName}/${tensor}`;
}
