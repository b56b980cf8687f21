/**
 * The model folder format: `model.json` (this schema; TF.js `weightsManifest` conventions for the
 * weights), one binary weights file, the slang lexicon the normaliser needs, and MODEL_CARD.md.
 * Validated strictly at load so a broken or foreign folder fails with a clear message, not NaNs.
 */
import { z } from 'zod';
import { FLAG_LABELS, SENTIMENT_LABELS } from './labels.ts';

export const MODEL_FORMAT = 'pantau-linear-bag';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const LEXICON_FILE = 'slang-lexicon.tsv';
export const ABUSIVE_WORDS_FILE = 'abusive-words.txt';
export const ENTITIES_FILE = 'political-entities.txt';

const flagRecord = <T extends z.ZodType>(value: T) =>
  z.object({ hate_speech: value, abusive: value, sara: value, hoax: value }).strict();

const quantization = z
  .object({
    dtype: z.enum(['uint8', 'uint16', 'float16']),
    scale: z.number().optional(),
    min: z.number().optional(),
  })
  .strict();

const weightEntry = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int().nonnegative()),
    dtype: z.literal('float32'),
    quantization: quantization.optional(),
  })
  .strict();

export const modelJsonSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    formatVersion: z.literal(MODEL_FORMAT_VERSION),
    modelVersion: z.string().min(1),
    createdAt: z.string(),
    labels: z.tuple([z.literal(FLAG_LABELS[0]), z.literal(FLAG_LABELS[1]), z.literal(FLAG_LABELS[2]), z.literal(FLAG_LABELS[3])]),
    sentimentLabels: z.tuple([z.literal(SENTIMENT_LABELS[0]), z.literal(SENTIMENT_LABELS[1]), z.literal(SENTIMENT_LABELS[2])]).nullable(),
    featurizer: z
      .object({
        buckets: z.number().int(),
        wordNgramMax: z.number().int(),
        charNgramMin: z.number().int(),
        charNgramMax: z.number().int(),
      })
      .strict(),
    normalizer: z
      .object({
        slangLexicon: z.string().nullable(),
        /** One word per line; each occurrence in a post adds an `_abusive` token. Absent in older models. */
        abusiveWords: z.string().nullable().optional(),
        /** Names of politicians, candidates and parties, one phrase per line, each masked as `_tokoh`. Absent in older models. */
        entities: z.string().nullable().optional(),
        /** Camel-case hashtags split into words. Absent (false) in older models. */
        splitHashtags: z.boolean().optional(),
        stemming: z.boolean(),
      })
      .strict(),
    /**
     * Heads trained and calibrated only on rows where another label is positive: the score is then
     * P(label) = P(given) · P(label | given) (SARA is religion/race hate speech, so it is gated by hate_speech).
     */
    conditionalHeads: z.array(z.object({ label: z.enum(FLAG_LABELS), given: z.enum(FLAG_LABELS) }).strict()),
    thresholds: flagRecord(z.number().min(0).max(1)),
    /** What each threshold was chosen to maximise on the dev split. */
    thresholdAims: flagRecord(z.string()),
    /**
     * Two operating points per label (absent in older models, where both are the threshold): `alert`, chosen
     * for precision (only posts above it, and about the election, reach humas teams), and `review`, chosen for
     * recall (posts between the two go to the analysts' queue). With the precision and recall estimated where
     * they were chosen.
     */
    operatingPoints: flagRecord(
      z
        .object({
          alert: z.number().min(0).max(1),
          review: z.number().min(0).max(1),
          alertPrecision: z.number().nullable(),
          alertRecall: z.number().nullable(),
          reviewPrecision: z.number().nullable(),
          reviewRecall: z.number().nullable(),
          /** Where they were chosen, e.g. "in-domain dev (412 posts, weighted)". */
          chosenOn: z.string(),
        })
        .strict()
        .refine((p) => p.review <= p.alert, 'review must not be above alert'),
    ).optional(),
    calibration: z
      .object({
        flags: flagRecord(z.object({ a: z.number(), b: z.number() }).strict()),
        sentimentTemperature: z.number().positive(),
        /** Added to the temperature-scaled sentiment logits (chosen for macro-F1 on dev). */
        sentimentOffsets: z.tuple([z.number(), z.number(), z.number()]),
      })
      .strict(),
    weightsManifest: z.array(z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightEntry) }).strict()).length(1),
    /** Free-form provenance (data, splits, metrics); not used at run time. */
    training: z.record(z.string(), z.unknown()),
  })
  .strict();

export type ModelJson = z.infer<typeof modelJsonSchema>;
export type WeightEntry = z.infer<typeof weightEntry>;

/** Names of the weight tensors: one kernel column per output (own quantisation range), one bias vector. */
export function kernelWeightName(output: string): string {
  return `bag/kernel/${output}`;
}
export const BIAS_WEIGHT_NAME = 'bag/bias';
