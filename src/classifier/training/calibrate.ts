/**
 * Post-hoc calibration fitted on the dev split: Platt scaling (p = sigmoid(a·z + b)) per flag label and a
 * temperature for the sentiment softmax. Monotone, so it changes probabilities, not the ranking.
 */

export interface PlattParameters {
  a: number;
  b: number;
}

/**
 * Fits Platt scaling by Newton's method with backtracking on the log-loss (Platt 1999 / Lin et al. 2007),
 * with Platt's smoothed targets against overfitting. Optional per-row weights (e.g. 1 / inclusion probability
 * of annotated election posts) make it fit the weighted population instead of the sample.
 */
export function fitPlatt(logits: ArrayLike<number>, targets: ArrayLike<number>, iterations = 100, weights?: ArrayLike<number>): PlattParameters {
  const weight = (i: number): number => (weights === undefined ? 1 : weights[i]!);
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] === 1) positives += weight(i);
    else negatives += weight(i);
  }
  if (positives === 0 || negatives === 0) return { a: 1, b: 0 };
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < logits.length; i++) {
      const t = targets[i] === 1 ? hi : lo;
      const f = a * logits[i]! + b;
      // log(1 + e^f) - t·f, computed stably.
      sum += weight(i) * (Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f))) - t * f);
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let it = 0; it < iterations; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i]!;
      const t = targets[i] === 1 ? hi : lo;
      const p = 1 / (1 + Math.exp(-(a * z + b)));
      const r = weight(i);
      const d = (p - t) * r;
      const w = p * (1 - p) * r;
      ga += d * z;
      gb += d;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    if (Math.abs(ga) + Math.abs(gb) < 1e-9) break;
    const det = haa * hbb - hab * hab;
    if (!(det > 1e-18)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let accepted = false;
    while (step > 1e-10) {
      const next = loss(a - step * da, b - step * db);
      if (next < current - 1e-4 * step * (ga * da + gb * db)) {
        a -= step * da;
        b -= step * db;
        current = next;
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) break;
  }
  return { a, b };
}

/** The softmax temperature (searched on a log grid) that minimises the dev log-loss. */
export function fitTemperature(logits: ArrayLike<number>, classes: number, actual: ArrayLike<number>): number {
  if (actual.length === 0) return 1;
  let best = { t: 1, loss: Infinity };
  for (let step = -40; step <= 40; step++) {
    const t = Math.exp(step / 20);
    let loss = 0;
    for (let i = 0; i < actual.length; i++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]! / t);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c]! / t - max);
      loss -= logits[i * classes + actual[i]!]! / t - max - Math.log(sum);
    }
    if (loss < best.loss) best = { t, loss };
  }
  return best.t;
}

/**
 * Additive per-class offsets for the (temperature-scaled) sentiment logits that maximise macro-F1 on dev,
 * found by grid search with the first class fixed at 0. The softmax then tilts toward rare classes
 * (SmSA: neutral is 10%), like a per-label threshold does for the flags.
 */
export function fitClassOffsets(logits: ArrayLike<number>, classes: number, actual: ArrayLike<number>, range = 2, step = 0.1): number[] {
  const offsets = new Array<number>(classes).fill(0);
  if (actual.length === 0 || classes < 2) return offsets;
  const candidates: number[] = [];
  for (let v = -range; v <= range + 1e-9; v += step) candidates.push(Math.round(v * 1000) / 1000);
  let best = { score: macroF1With(logits, classes, actual, offsets), offsets: [...offsets] };
  // Coordinate search over classes 1..C-1, repeated until no change (3 classes: converges in a few rounds).
  for (let round = 0; round < 5; round++) {
    let changed = false;
    for (let c = 1; c < classes; c++) {
      for (const v of candidates) {
        const trial = [...best.offsets];
        trial[c] = v;
        const score = macroF1With(logits, classes, actual, trial);
        if (score > best.score + 1e-12) {
          best = { score, offsets: trial };
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return best.offsets;
}

function macroF1With(logits: ArrayLike<number>, classes: number, actual: ArrayLike<number>, offsets: readonly number[]): number {
  const tp = new Array<number>(classes).fill(0);
  const fp = new Array<number>(classes).fill(0);
  const fn = new Array<number>(classes).fill(0);
  for (let i = 0; i < actual.length; i++) {
    let arg = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c]! + offsets[c]! > logits[i * classes + arg]! + offsets[arg]!) arg = c;
    const y = actual[i]!;
    if (arg === y) tp[y]!++;
    else {
      fp[arg]!++;
      fn[y]!++;
    }
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += tp[c]! === 0 ? 0 : (2 * tp[c]!) / (2 * tp[c]! + fp[c]! + fn[c]!);
  return sum / classes;
}
