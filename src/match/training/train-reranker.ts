/**
 * Trains the reranker with TensorFlow.js (tf.train.adam on tf.Variables) on candidate lists: a listwise
 * softmax cross-entropy over each query's K candidates (queries whose answer was retrieved), plus a pointwise
 * logistic loss on every candidate (so scores also mean something across queries, which calibration needs).
 *
 * The gradients are written out with TF.js ops (backpropagation through one hidden layer is a few matMuls):
 * tfjs-core's node bundle does not register the gradient functions of its ops (the `@tensorflow/tfjs` union
 * package does, and it is not a dependency here), so `optimizer.minimize` cannot differentiate them. A test
 * checks these gradients against finite differences.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RerankerTensors, RerankerWeights } from '../reranker.ts';
import { seededRandom } from '../../core/random.ts';
import type { CandidateLists } from './candidates.ts';

export interface RerankerTrainOptions {
  hidden: number;
  epochs: number;
  learningRate: number;
  /** Queries per step. */
  batchQueries: number;
  /** Weight of the pointwise loss against the listwise one. */
  pointwiseWeight: number;
  /** Weight of the listwise loss (0 for the pair model, which only needs calibrated pair scores). */
  listwiseWeight: number;
  l2: number;
  seed: number;
}

export const DEFAULT_RERANKER_TRAINING: RerankerTrainOptions = {
  hidden: 16,
  epochs: 60,
  learningRate: 0.01,
  batchQueries: 64,
  pointwiseWeight: 0.5,
  listwiseWeight: 1,
  l2: 1e-4,
  seed: 1,
};


/** Mean and spread of each feature over the real candidates (spread floored so constant features stay finite). */
export function featureStats(lists: CandidateLists): { mean: Float32Array; scale: Float32Array } {
  const FEATURE_COUNT = lists.features.length / Math.max(1, lists.mask.length);
  const mean = new Float64Array(FEATURE_COUNT);
  const sq = new Float64Array(FEATURE_COUNT);
  let n = 0;
  for (let r = 0; r < lists.mask.length; r++) {
    if (lists.mask[r] === 0) continue;
    n++;
    for (let f = 0; f < FEATURE_COUNT; f++) {
      const v = lists.features[r * FEATURE_COUNT + f]!;
      mean[f]! += v;
      sq[f]! += v * v;
    }
  }
  const m = new Float32Array(FEATURE_COUNT);
  const s = new Float32Array(FEATURE_COUNT);
  for (let f = 0; f < FEATURE_COUNT; f++) {
    m[f] = n > 0 ? mean[f]! / n : 0;
    s[f] = Math.max(Math.sqrt(Math.max(n > 0 ? sq[f]! / n - m[f]! ** 2 : 0, 0)), 1e-3);
  }
  return { mean: m, scale: s };
}

export function trainReranker(lists: CandidateLists, options: RerankerTrainOptions = DEFAULT_RERANKER_TRAINING, log?: (line: string) => void, queryWeights?: Float32Array): RerankerWeights {
  const { k, queries } = lists;
  const F = lists.features.length / Math.max(1, queries * k);
  const H = options.hidden;
  const rand = seededRandom(options.seed);
  const { mean, scale } = featureStats(lists);
  const init = (n: number, s: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s);
  const vars = {
    mean: tf.tensor1d(mean),
    scale: tf.tensor1d(scale),
    wide: tf.variable(tf.tensor2d(new Float32Array(F), [F, 1]), true, 'reranker/wide'),
    w1: tf.variable(tf.tensor2d(init(F * H, Math.sqrt(6 / (F + H))), [F, H]), true, 'reranker/w1'),
    b1: tf.variable(tf.tensor1d(new Float32Array(H)), true, 'reranker/b1'),
    w2: tf.variable(tf.tensor2d(init(H, Math.sqrt(6 / (H + 1))), [H, 1]), true, 'reranker/w2'),
    bias: tf.variable(tf.scalar(0), true, 'reranker/bias'),
  } satisfies RerankerTensors;
  const optimizer = tf.train.adam(options.learningRate);
  // Queries that have at least one real candidate.
  const usable: number[] = [];
  for (let q = 0; q < queries; q++) if (lists.mask[q * k] === 1) usable.push(q);
  const weights = queryWeights ?? new Float32Array(queries).fill(1);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = usable.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [usable[i], usable[j]] = [usable[j]!, usable[i]!];
    }
    let lossSum = 0;
    let steps = 0;
    for (let start = 0; start < usable.length; start += options.batchQueries) {
      const batch = usable.slice(start, start + options.batchQueries);
      const B = batch.length;
      const x = new Float32Array(B * k * F);
      const y = new Float32Array(B * k);
      const m = new Float32Array(B * k);
      const w = new Float32Array(B);
      const hasPositive = new Float32Array(B);
      batch.forEach((q, b) => {
        x.set(lists.features.subarray(q * k * F, (q + 1) * k * F), b * k * F);
        y.set(lists.labels.subarray(q * k, (q + 1) * k), b * k);
        m.set(lists.mask.subarray(q * k, (q + 1) * k), b * k);
        w[b] = weights[q]!;
        let pos = 0;
        for (let j = 0; j < k; j++) pos += lists.labels[q * k + j]!;
        hasPositive[b] = pos > 0 ? 1 : 0;
      });
      const nPositive = Math.max(1, hasPositive.reduce((sum, v) => sum + v, 0));
      const [loss, grads] = lossAndGradients(vars, { x, y, m, w, hasPositive, B, k, nPositive }, options);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      lossSum += loss;
      for (const g of Object.values(grads)) g.dispose();
      steps++;
    }
    if (log !== undefined && (epoch === 0 || (epoch + 1) % 10 === 0 || epoch + 1 === options.epochs)) {
      log(`epoch ${epoch + 1}/${options.epochs}: loss ${(lossSum / Math.max(steps, 1)).toFixed(4)}`);
    }
  }
  const out: RerankerWeights = {
    features: F,
    hidden: H,
    mean,
    scale,
    wide: Float32Array.from(vars.wide.dataSync()),
    w1: Float32Array.from(vars.w1.dataSync()),
    b1: Float32Array.from(vars.b1.dataSync()),
    w2: Float32Array.from(vars.w2.dataSync()),
    bias: vars.bias.dataSync()[0]!,
  };
  optimizer.dispose();
  for (const t of Object.values(vars)) t.dispose();
  return out;
}

export interface LossBatch {
  /** [B·k, F] features, [B·k] labels and mask, [B] query weights and "has a correct candidate". */
  x: Float32Array;
  y: Float32Array;
  m: Float32Array;
  w: Float32Array;
  hasPositive: Float32Array;
  B: number;
  k: number;
  nPositive: number;
}

/**
 * The training loss of one batch and its gradients with respect to the trainable tensors of `p`, keyed by
 * the variables' names (`reranker/wide`, …) as `optimizer.applyGradients` expects.
 *
 *   loss = Σ_q w_q·CE(softmax(s_q), target_q) / #q with a positive  +  λ_p · Σ w_q·m·logloss(σ(s), y) / Σ m  +  λ_2 (|W1|² + |w|²)
 */
export function lossAndGradients(
  p: RerankerTensors & { wide: tf.Tensor2D },
  batch: LossBatch,
  options: Pick<RerankerTrainOptions, 'pointwiseWeight' | 'listwiseWeight' | 'l2'>,
  names: { wide: string; w1: string; b1: string; w2: string; bias: string } = { wide: 'reranker/wide', w1: 'reranker/w1', b1: 'reranker/b1', w2: 'reranker/w2', bias: 'reranker/bias' },
): [number, tf.NamedTensorMap] {
  const { B, k } = batch;
  const F = p.mean.shape[0];
  const result = tf.tidy(() => {
    const x = tf.tensor2d(batch.x, [B * k, F]);
    const ys = tf.tensor2d(batch.y, [B, k]);
    const ms = tf.tensor2d(batch.m, [B, k]);
    const ws = tf.tensor2d(batch.w, [B, 1]);
    const hasPos = tf.tensor2d(batch.hasPositive, [B, 1]);
    // Forward.
    const z = tf.div(tf.sub(x, p.mean), p.scale) as tf.Tensor2D;
    const a = tf.add(tf.matMul(z, p.w1), p.b1) as tf.Tensor2D;
    const h = tf.relu(a) as tf.Tensor2D;
    const s = tf.reshape(tf.add(tf.add(tf.matMul(z, p.wide), tf.matMul(h, p.w2)), p.bias), [B, k]) as tf.Tensor2D;
    // Listwise part over real candidates.
    const masked = tf.add(s, tf.mul(tf.sub(1, ms), -1e4));
    const logp = tf.logSoftmax(masked);
    const target = tf.div(ys, tf.maximum(tf.sum(ys, 1, true), 1));
    const rowWeight = tf.mul(tf.mul(hasPos, ws), options.listwiseWeight / batch.nPositive);
    const listLoss = tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(target, logp), 1, true)), rowWeight));
    const dList = tf.mul(tf.sub(tf.exp(logp), target), rowWeight);
    // Pointwise part.
    const denom = Math.max(1, batch.m.reduce((sum, v) => sum + v, 0));
    const pointWeight = tf.mul(tf.mul(ms, ws), options.pointwiseWeight / denom);
    const logLoss = tf.sub(tf.add(tf.relu(s), tf.log1p(tf.exp(tf.neg(tf.abs(s))))), tf.mul(s, ys));
    const pointLoss = tf.sum(tf.mul(logLoss, pointWeight));
    const dPoint = tf.mul(tf.sub(tf.sigmoid(s), ys), pointWeight);
    // Backward.
    const ds = tf.reshape(tf.add(dList, dPoint), [B * k, 1]) as tf.Tensor2D;
    const dWide = tf.add(tf.matMul(z, ds, true, false), tf.mul(2 * options.l2, p.wide));
    const dW2 = tf.matMul(h, ds, true, false);
    const dBias = tf.sum(ds);
    const dA = tf.mul(tf.matMul(ds, p.w2, false, true), tf.step(a)) as tf.Tensor2D;
    const dW1 = tf.add(tf.matMul(z, dA, true, false), tf.mul(2 * options.l2, p.w1));
    const dB1 = tf.sum(dA, 0);
    const l2 = tf.mul(options.l2, tf.add(tf.sum(tf.square(p.w1)), tf.sum(tf.square(p.wide))));
    const loss = tf.add(tf.add(listLoss, pointLoss), l2);
    return { loss, grads: { [names.wide]: dWide, [names.w1]: dW1, [names.b1]: dB1, [names.w2]: dW2, [names.bias]: dBias } as tf.NamedTensorMap };
  });
  const value = result.loss.dataSync()[0]!;
  result.loss.dispose();
  return [value, result.grads];
}
