/** Classification metrics shared by training (threshold choice), evaluation and the benchmark. */

export interface BinaryMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  /** Mean of the positive-class and negative-class F1. */
  macroF1: number;
}

export function binaryMetrics(scores: ArrayLike<number>, targets: ArrayLike<number>, threshold: number): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i]! >= threshold;
    const actual = targets[i] === 1;
    if (predicted && actual) tp++;
    else if (predicted) fp++;
    else if (actual) fn++;
    else tn++;
  }
  const f1Positive = f1(tp, fp, fn);
  const f1Negative = f1(tn, fn, fp);
  return {
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    f1: f1Positive,
    support: tp + fn,
    macroF1: (f1Positive + f1Negative) / 2,
  };
}

function f1(tp: number, fp: number, fn: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export type ThresholdAim = 'f1' | 'macro_f1';

/**
 * The threshold that maximises F1 of the positive class (or the two-class macro-F1) on these scores.
 * Candidates are midpoints between consecutive distinct scores, so the choice does not sit on a dev score.
 */
export function bestThreshold(scores: ArrayLike<number>, targets: ArrayLike<number>, aim: ThresholdAim = 'f1'): { threshold: number; value: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const positives = Array.from(targets).filter((t) => t === 1).length;
  const negatives = scores.length - positives;
  let tp = 0;
  let fp = 0;
  let best = { threshold: 0.5, value: -1 };
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    if (targets[i] === 1) tp++;
    else fp++;
    const next = order[r + 1];
    const here = scores[i]!;
    if (next !== undefined && scores[next]! === here) continue;
    const fn = positives - tp;
    const tn = negatives - fp;
    const value = aim === 'f1' ? f1(tp, fp, fn) : (f1(tp, fp, fn) + f1(tn, fn, fp)) / 2;
    if (value > best.value) {
      const threshold = next === undefined ? here : (here + scores[next]!) / 2;
      best = { threshold, value };
    }
  }
  return best;
}

/** Macro-averaged precision, recall and F1 over classes `0..classes-1`. */
export function multiclassMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>, classes: number): { precision: number; recall: number; f1: number; support: number } {
  let p = 0;
  let r = 0;
  let f = 0;
  for (let c = 0; c < classes; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < predicted.length; i++) {
      if (predicted[i] === c && actual[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (actual[i] === c) fn++;
    }
    p += tp + fp === 0 ? 0 : tp / (tp + fp);
    r += tp + fn === 0 ? 0 : tp / (tp + fn);
    f += f1(tp, fp, fn);
  }
  return { precision: p / classes, recall: r / classes, f1: f / classes, support: predicted.length };
}
