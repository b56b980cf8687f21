/**
 * Trains the linear bag model in plain TypeScript: sparse AdaGrad over hashed features, one logistic
 * output per flag label and a 3-way softmax for sentiment. Only the rows' active buckets are touched, so an
 * epoch over ~30k posts takes about a second; no tensors are needed (tfjs-wasm cannot train a gather
 * anyway: UnsortedSegmentSum has no wasm kernel).
 *
 * Multi-task with masking: a row contributes loss only for the labels it annotates.
 */
import { seededRandom } from '../../core/random.ts';
import { FLAG_LABELS, OUTPUT_COUNT, SENTIMENT_LABELS } from '../labels.ts';

const FLAGS = FLAG_LABELS.length;
const SENTIMENT_OFFSET = FLAGS;

export interface EncodedExample {
  ids: Int32Array;
  /** Value of every active feature (1/sqrt(count)). */
  scale: number;
  /** Per flag label: 0/1, or NaN when the row does not annotate it. */
  targets: Float32Array;
  /** Sentiment class index, or -1 when not annotated. */
  sentiment: number;
  weight: number;
  /** Index of the row's domain intercept (see TrainOptions.domains); absent: the shared intercept only. */
  domain?: number;
}

export interface TrainOptions {
  epochs: number;
  /** AdaGrad base learning rate. */
  learningRate: number;
  /** L2 penalty per output column (flags then sentiment), applied to the touched weights. */
  l2: readonly number[];
  /** Weight of positive rows per flag label (>1 boosts recall of rare labels). */
  positiveWeight: readonly number[];
  seed: number;
  /**
   * Optional per-output scale of every bucket (NB-LR: log-count ratios). The model sees feature·scale, so the
   * exported kernel is weight·scale and inference is unchanged.
   */
  featureScales?: readonly (Float32Array | null)[];
  /**
   * Start from these weights and pull toward them instead of toward zero (L2 on the difference): adapts a model
   * fitted on plenty of out-of-domain data to a little in-domain data (Chelba & Acero 2006). Not combinable
   * with `featureScales`.
   */
  prior?: LinearWeights;
  /**
   * Number of domain intercepts: a row with `domain` d adds intercept d to its logits, so sources with very
   * different base rates (42% hate speech in Ibrohim, 7% on the election stream) do not push their base rate
   * into the word weights. The returned bias is the shared one plus intercept `exportDomain`: the model scores
   * every post as a post of that domain.
   */
  domains?: number;
  exportDomain?: number;
  onEpoch?: (epoch: number, meanLoss: number) => void;
}

export interface LinearWeights {
  buckets: number;
  /** Row-major [buckets, OUTPUT_COUNT]. */
  kernel: Float32Array;
  bias: Float32Array;
}


export function trainLinear(examples: readonly EncodedExample[], buckets: number, options: TrainOptions): LinearWeights {
  const out = OUTPUT_COUNT;
  if (options.prior !== undefined && options.featureScales?.some((x) => x !== null) === true) throw new RangeError('prior and featureScales cannot be combined');
  if (options.prior !== undefined && options.prior.buckets !== buckets) throw new RangeError('prior has a different number of buckets');
  const prior = options.prior?.kernel ?? null;
  const kernel = prior === null ? new Float32Array(buckets * out) : Float32Array.from(prior);
  const bias = options.prior === undefined ? new Float32Array(out) : Float32Array.from(options.prior.bias);
  const g2Kernel = new Float32Array(buckets * out);
  const g2Bias = new Float32Array(out);
  const domainCount = options.domains ?? 0;
  const domainBias = new Float32Array(domainCount * out);
  const g2Domain = new Float32Array(domainCount * out);
  const grad = new Float64Array(out);
  const logits = new Float64Array(out);
  const random = seededRandom(options.seed);
  const order = Array.from(examples.keys());
  const eps = 1e-8;
  const lr = options.learningRate;
  const scales = Array.from({ length: out }, (_, k) => options.featureScales?.[k] ?? null);
  // Train in the scaled space (v), then fold the scale into the kernel at the end.
  const hasScales = scales.some((x) => x !== null);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let lossSum = 0;
    let lossCount = 0;
    for (const index of order) {
      const ex = examples[index]!;
      const { ids, scale, targets } = ex;
      const active = activeOutputs(ex);
      if (active === 0) continue;
      const d = ex.domain !== undefined && ex.domain >= 0 && ex.domain < domainCount ? ex.domain * out : -1;
      for (let k = 0; k < out; k++) logits[k] = bias[k]! + (d >= 0 ? domainBias[d + k]! : 0);
      for (let n = 0; n < ids.length; n++) {
        const id = ids[n]!;
        const row = id * out;
        if (hasScales) {
          for (let k = 0; k < out; k++) logits[k]! += kernel[row + k]! * scale * (scales[k]?.[id] ?? 1);
        } else {
          for (let k = 0; k < out; k++) logits[k]! += kernel[row + k]! * scale;
        }
      }
      grad.fill(0);
      for (let k = 0; k < FLAGS; k++) {
        const y = targets[k]!;
        if (Number.isNaN(y)) continue;
        const z = logits[k]!;
        const p = 1 / (1 + Math.exp(-z));
        const w = ex.weight * (y === 1 ? options.positiveWeight[k]! : 1);
        grad[k] = (p - y) * w;
        lossSum += w * (Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))));
        lossCount++;
      }
      if (ex.sentiment >= 0) {
        let max = -Infinity;
        for (let c = 0; c < SENTIMENT_LABELS.length; c++) max = Math.max(max, logits[SENTIMENT_OFFSET + c]!);
        let sum = 0;
        for (let c = 0; c < SENTIMENT_LABELS.length; c++) sum += Math.exp(logits[SENTIMENT_OFFSET + c]! - max);
        for (let c = 0; c < SENTIMENT_LABELS.length; c++) {
          const p = Math.exp(logits[SENTIMENT_OFFSET + c]! - max) / sum;
          grad[SENTIMENT_OFFSET + c] = (p - (c === ex.sentiment ? 1 : 0)) * ex.weight;
        }
        lossSum -= ex.weight * (logits[SENTIMENT_OFFSET + ex.sentiment]! - max - Math.log(sum));
        lossCount++;
      }
      for (let k = 0; k < out; k++) {
        const g = grad[k]!;
        if (g === 0) continue;
        g2Bias[k]! += g * g;
        bias[k]! -= (lr * g) / Math.sqrt(g2Bias[k]! + eps);
        if (d >= 0) {
          g2Domain[d + k]! += g * g;
          domainBias[d + k]! -= (lr * g) / Math.sqrt(g2Domain[d + k]! + eps);
        }
      }
      for (let n = 0; n < ids.length; n++) {
        const id = ids[n]!;
        const row = id * out;
        for (let k = 0; k < out; k++) {
          const g0 = grad[k]!;
          if (g0 === 0) continue;
          const at = row + k;
          const x = hasScales ? scale * (scales[k]?.[id] ?? 1) : scale;
          const g = g0 * x + options.l2[k]! * (prior === null ? kernel[at]! : kernel[at]! - prior[at]!);
          g2Kernel[at]! += g * g;
          kernel[at]! -= (lr * g) / Math.sqrt(g2Kernel[at]! + eps);
        }
      }
    }
    options.onEpoch?.(epoch + 1, lossCount > 0 ? lossSum / lossCount : 0);
  }
  if (hasScales) {
    for (let k = 0; k < out; k++) {
      const s = scales[k];
      if (s === null || s === undefined) continue;
      for (let i = 0; i < buckets; i++) kernel[i * out + k]! *= s[i]!;
    }
  }
  if (options.exportDomain !== undefined && options.exportDomain >= 0 && options.exportDomain < domainCount) {
    for (let k = 0; k < out; k++) bias[k]! += domainBias[options.exportDomain * out + k]!;
  }
  return { buckets, kernel, bias };
}

function activeOutputs(ex: EncodedExample): number {
  let n = ex.sentiment >= 0 ? 1 : 0;
  for (let k = 0; k < FLAGS; k++) if (!Number.isNaN(ex.targets[k]!)) n++;
  return n;
}

/** Raw logits [rows, OUTPUT_COUNT] of encoded examples under `weights` (training-time scoring). */
export function linearLogits(examples: readonly EncodedExample[], weights: LinearWeights): Float32Array {
  const out = OUTPUT_COUNT;
  const result = new Float32Array(examples.length * out);
  examples.forEach((ex, i) => {
    for (let k = 0; k < out; k++) result[i * out + k] = weights.bias[k]!;
    for (let n = 0; n < ex.ids.length; n++) {
      const row = ex.ids[n]! * out;
      for (let k = 0; k < out; k++) result[i * out + k]! += weights.kernel[row + k]! * ex.scale;
    }
  });
  return result;
}

/**
 * NB log-count ratios per bucket for one flag label (Wang & Manning 2012): log of how much more often a
 * bucket occurs in positive than in negative rows (add-alpha smoothed). Returned as |r| blended toward 1 by
 * `interpolation`, used as a feature scale so informative buckets are cheaper to use under L2.
 */
export function nbFeatureScales(examples: readonly EncodedExample[], buckets: number, label: number, alpha = 1, interpolation = 0.5): Float32Array {
  const pos = new Float64Array(buckets).fill(alpha);
  const neg = new Float64Array(buckets).fill(alpha);
  for (const ex of examples) {
    const y = ex.targets[label]!;
    if (Number.isNaN(y)) continue;
    const counts = y === 1 ? pos : neg;
    for (let n = 0; n < ex.ids.length; n++) counts[ex.ids[n]!]! += ex.weight;
  }
  let posTotal = 0;
  let negTotal = 0;
  for (let i = 0; i < buckets; i++) {
    posTotal += pos[i]!;
    negTotal += neg[i]!;
  }
  const scales = new Float32Array(buckets);
  for (let i = 0; i < buckets; i++) {
    const r = Math.abs(Math.log(pos[i]! / posTotal / (neg[i]! / negTotal)));
    scales[i] = interpolation * r + (1 - interpolation);
  }
  return scales;
}
