/**
 * The reranker: a small wide-and-deep scorer over the pair features (features.ts), standardised with the
 * training set's mean and spread:
 *
 *   score = x·w + relu(x·W1 + b1)·w2 + b          (a logit)
 *   P(match) = σ(a·score + c)                      (Platt scaling fitted on dev)
 *
 * Run with TensorFlow.js ops on the active backend (wasm here, tfjs-node where installed). The same class
 * holds the weights during training (as tf.Variables) and at run time (as constants), so the scores at load
 * are the scores at training time (tested with reference pairs stored in model.json).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface RerankerWeights {
  features: number;
  hidden: number;
  mean: Float32Array;
  scale: Float32Array;
  /** [features] linear part. */
  wide: Float32Array;
  /** [features, hidden] row-major. */
  w1: Float32Array;
  b1: Float32Array;
  /** [hidden]. */
  w2: Float32Array;
  bias: number;
}

export interface Platt {
  a: number;
  b: number;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The scorer as TF.js ops; `params` are tensors (variables while training, constants at run time). */
export interface RerankerTensors {
  mean: tf.Tensor1D;
  scale: tf.Tensor1D;
  wide: tf.Tensor2D;
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  bias: tf.Scalar;
}

/** Scores [rows, features] → [rows]. Call inside tf.tidy. */
export function scoreOps(p: RerankerTensors, x: tf.Tensor2D): tf.Tensor1D {
  const z = tf.div(tf.sub(x, p.mean), p.scale) as tf.Tensor2D;
  const hidden = tf.relu(tf.add(tf.matMul(z, p.w1), p.b1)) as tf.Tensor2D;
  const out = tf.add(tf.add(tf.matMul(z, p.wide), tf.matMul(hidden, p.w2)), p.bias) as tf.Tensor2D;
  return tf.reshape(out, [-1]) as tf.Tensor1D;
}

export class Reranker {
  readonly weights: RerankerWeights;
  private tensors: (RerankerTensors & { backend: string }) | null = null;

  constructor(weights: RerankerWeights) {
    const { features, hidden } = weights;
    if (weights.mean.length !== features || weights.scale.length !== features || weights.wide.length !== features) throw new RangeError('reranker: feature vectors have the wrong length');
    if (weights.w1.length !== features * hidden || weights.b1.length !== hidden || weights.w2.length !== hidden) throw new RangeError('reranker: hidden layer has the wrong shape');
    this.weights = weights;
  }

  private onBackend(): RerankerTensors {
    const backend = tf.getBackend();
    if (this.tensors !== null && this.tensors.backend === backend) return this.tensors;
    this.dispose();
    const w = this.weights;
    this.tensors = {
      backend,
      mean: tf.keep(tf.tensor1d(w.mean)),
      scale: tf.keep(tf.tensor1d(w.scale)),
      wide: tf.keep(tf.tensor2d(w.wide, [w.features, 1])),
      w1: tf.keep(tf.tensor2d(w.w1, [w.features, w.hidden])),
      b1: tf.keep(tf.tensor1d(w.b1)),
      w2: tf.keep(tf.tensor2d(w.w2, [w.hidden, 1])),
      bias: tf.keep(tf.scalar(w.bias)),
    };
    return this.tensors;
  }

  /** Logits of `rows` feature vectors (row-major [rows, features]). */
  score(features: Float32Array, rows: number): Float32Array {
    if (rows === 0) return new Float32Array(0);
    const p = this.onBackend();
    const out = tf.tidy(() => scoreOps(p, tf.tensor2d(features.subarray(0, rows * this.weights.features), [rows, this.weights.features])));
    try {
      return out.dataSync() as Float32Array;
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    if (this.tensors === null) return;
    for (const t of [this.tensors.mean, this.tensors.scale, this.tensors.wide, this.tensors.w1, this.tensors.b1, this.tensors.w2, this.tensors.bias]) t.dispose();
    this.tensors = null;
  }
}
