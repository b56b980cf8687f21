/**
 * Out-of-fold scores for calibration. The shipped weights are fitted on train + dev; the Platt parameters,
 * thresholds and sentiment offsets then come from scores that K models trained without a row's fold gave that
 * row. The weights see 12% more data than with a separate dev split, and the thresholds are still chosen on
 * scores of posts the scoring model never saw.
 */
import { FNV_OFFSET, finalizeHash, fnvRange } from '../hash.ts';
import { OUTPUT_COUNT } from '../labels.ts';
import { splitKey } from './split.ts';
import { linearLogits, type EncodedExample, type LinearWeights } from './trainer.ts';

/**
 * Where calibration and thresholds come from. `dev`: the weights are fitted on train, calibrated on dev.
 * `out-of-fold`: fitted on train + dev, calibrated on K-fold out-of-fold scores of train + dev; training
 * takes K + 1 fits.
 */
export type CalibrationMode = { kind: 'dev' } | { kind: 'out-of-fold'; folds: number };

export function describeCalibration(mode: CalibrationMode): string {
  return mode.kind === 'dev' ? 'dev split' : `${mode.folds}-fold out-of-fold`;
}

/** Differs from the split's hash seed, so folds cut across the train/dev boundary. */
const FOLD_SEED = 0x5bd1e995;

/** A row's fold, from its split key: duplicate texts, and a row and its weak-label copy, share a fold. */
export function foldOf(text: string, folds: number): number {
  const key = splitKey(text);
  return finalizeHash(fnvRange(key, 0, key.length, (FNV_OFFSET ^ FOLD_SEED) >>> 0)) % folds;
}

/**
 * Logits [scored rows, OUTPUT_COUNT] where each scored row is scored by a model fitted on the training rows
 * of the other folds. `fit` gets the training subset and the fold number it leaves out.
 */
export function outOfFoldLogits(
  train: readonly EncodedExample[],
  trainFolds: readonly number[],
  scored: readonly EncodedExample[],
  scoredFolds: readonly number[],
  folds: number,
  fit: (rows: EncodedExample[], fold: number) => LinearWeights,
): Float32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${folds}`);
  const out = new Float32Array(scored.length * OUTPUT_COUNT);
  for (let fold = 0; fold < folds; fold++) {
    const rows = train.filter((_, i) => trainFolds[i] !== fold);
    const held = scored.flatMap((_, i) => (scoredFolds[i] === fold ? [i] : []));
    if (held.length === 0) continue;
    const logits = linearLogits(
      held.map((i) => scored[i]!),
      fit(rows, fold),
    );
    held.forEach((row, j) => out.set(logits.subarray(j * OUTPUT_COUNT, (j + 1) * OUTPUT_COUNT), row * OUTPUT_COUNT));
  }
  return out;
}
