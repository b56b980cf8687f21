/**
 * Precision, recall and operating points estimated from a weighted sample. The annotated election posts were
 * drawn half at random and half from an older model's top scores; weighting each post by 1 / its inclusion
 * probability (Horvitz–Thompson) turns counts on the sample into estimates for the whole stream. With all
 * weights 1 these are the ordinary figures.
 */

export interface WeightedPoint {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Estimated share of all posts at or above the threshold. */
  flaggedShare: number;
  /** Unweighted count of positives at or above the threshold (how many annotated posts the estimate rests on). */
  positivesFlagged: number;
}

export interface WeightedSample {
  scores: ArrayLike<number>;
  targets: ArrayLike<number>;
  weights: ArrayLike<number>;
}

/** Weighted precision, recall and F1 of flagging score ≥ threshold. */
export function weightedMetricsAt(sample: WeightedSample, threshold: number): WeightedPoint {
  const { scores, targets, weights } = sample;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let total = 0;
  let positivesFlagged = 0;
  for (let i = 0; i < scores.length; i++) {
    const w = weights[i]!;
    total += w;
    const flagged = scores[i]! >= threshold;
    if (targets[i] === 1) {
      if (flagged) {
        tp += w;
        positivesFlagged++;
      } else fn += w;
    } else if (flagged) fp += w;
  }
  return point(threshold, tp, fp, fn, total, positivesFlagged);
}

function point(threshold: number, tp: number, fp: number, fn: number, total: number, positivesFlagged: number): WeightedPoint {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return {
    threshold,
    precision,
    recall,
    f1: precision + recall > 0 && tp > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    flaggedShare: total > 0 ? (tp + fp) / total : 0,
    positivesFlagged,
  };
}

/**
 * Every distinct cut of the scores, highest first: the point of flagging all posts scoring at or above each
 * candidate threshold (the midpoint between consecutive distinct scores, so no threshold sits on a score).
 */
export function weightedCurve(sample: WeightedSample): WeightedPoint[] {
  const { scores, targets, weights } = sample;
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    total += weights[i]!;
    if (targets[i] === 1) positives += weights[i]!;
  }
  const out: WeightedPoint[] = [];
  let tp = 0;
  let fp = 0;
  let positivesFlagged = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    if (targets[i] === 1) {
      tp += weights[i]!;
      positivesFlagged++;
    } else fp += weights[i]!;
    const next = order[r + 1];
    if (next !== undefined && scores[next] === scores[i]) continue;
    const threshold = next === undefined ? scores[i]! : (scores[i]! + scores[next]!) / 2;
    out.push(point(threshold, tp, fp, positives - tp, total, positivesFlagged));
  }
  return out;
}

/** Weighted average precision (area under the precision–recall curve, step-wise). */
export function weightedAveragePrecision(sample: WeightedSample): number {
  let ap = 0;
  let previousRecall = 0;
  for (const p of weightedCurve(sample)) {
    ap += (p.recall - previousRecall) * p.precision;
    previousRecall = p.recall;
  }
  return ap;
}

/** Weighted ROC AUC: the chance a random positive outscores a random negative (ties count half). */
export function weightedAuc(sample: WeightedSample): number {
  const { scores, targets, weights } = sample;
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let negativesBelow = 0;
  let positives = 0;
  let negatives = 0;
  let area = 0;
  for (let r = 0; r < order.length; ) {
    // A run of tied scores.
    let end = r;
    let tiedPos = 0;
    let tiedNeg = 0;
    while (end < order.length && scores[order[end]!] === scores[order[r]!]) {
      const i = order[end]!;
      if (targets[i] === 1) tiedPos += weights[i]!;
      else tiedNeg += weights[i]!;
      end++;
    }
    area += tiedPos * (negativesBelow + tiedNeg / 2);
    negativesBelow += tiedNeg;
    positives += tiedPos;
    negatives += tiedNeg;
    r = end;
  }
  return positives > 0 && negatives > 0 ? area / (positives * negatives) : 0.5;
}

export interface PointRule {
  /** Estimated precision the point must reach (alert) … */
  minPrecision?: number;
  /** … or estimated recall (review). */
  minRecall?: number;
  /** At least this many annotated positives at or above the point, so the estimate does not rest on a handful. */
  minPositives?: number;
}

/**
 * The alert point: the lowest threshold (highest recall) whose estimated precision is at least `minPrecision`,
 * among thresholds that flag at least `minPositives` annotated positives. When no threshold reaches the
 * precision, the one with the highest precision (null when the sample has no positives).
 */
export function precisionPoint(sample: WeightedSample, minPrecision: number, minPositives = 10): WeightedPoint | null {
  const curve = weightedCurve(sample).filter((p) => p.positivesFlagged >= minPositives);
  if (curve.length === 0) return null;
  let best: WeightedPoint | null = null;
  for (const p of curve) if (p.precision >= minPrecision && (best === null || p.recall > best.recall)) best = p;
  if (best !== null) return best;
  return curve.reduce((a, b) => (b.precision > a.precision ? b : a));
}

/** The review point: the highest threshold whose estimated recall is at least `minRecall`. */
export function recallPoint(sample: WeightedSample, minRecall: number): WeightedPoint | null {
  const curve = weightedCurve(sample);
  for (const p of curve) if (p.recall >= minRecall) return p;
  return curve.length > 0 ? curve[curve.length - 1]! : null;
}

/** The threshold with the best weighted F-beta (beta 2 weighs recall four times as much as precision). */
export function bestFBetaPoint(sample: WeightedSample, beta: number): WeightedPoint | null {
  let best: { p: WeightedPoint; value: number } | null = null;
  const b2 = beta * beta;
  for (const p of weightedCurve(sample)) {
    const value = p.precision + p.recall > 0 ? ((1 + b2) * p.precision * p.recall) / (b2 * p.precision + p.recall) : 0;
    if (best === null || value > best.value) best = { p, value };
  }
  return best?.p ?? null;
}
