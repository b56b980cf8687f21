/**
 * The runtime model: a linear embedding bag over hashed features, then calibrated sigmoid heads for the
 * flag labels and a softmax for sentiment.
 *
 * The bag (sum of weight rows of a post's active buckets) is computed in JS by default: on this machine the
 * wasm `gather` kernel costs ~40 ns per gathered value, 5-10x slower than a JS loop over the same table
 * (measurements in the model card). The `gather` formulation runs the bag in TF.js ops as well; both give
 * the same numbers and are tested against each other. The dense part (bias, sigmoid, conditional heads,
 * softmax) always runs in TF.js on the active backend.
 *
 * Calibration is folded into the weights at construction: Platt's p = σ(a·z + b) becomes a scaled kernel
 * column and bias, the sentiment temperature divides its columns and the sentiment offsets join its bias,
 * so inference needs no extra ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureBatch } from './featurize.ts';
import { FLAG_LABELS, OUTPUT_COUNT, SENTIMENT_LABELS } from './labels.ts';

export type BagMode = 'js' | 'gather';

export interface LinearBagParameters {
  buckets: number;
  /** Row-major [buckets, OUTPUT_COUNT]. The model takes ownership and folds calibration into it. */
  kernel: Float32Array;
  bias: Float32Array;
  /** Platt parameters per flag label, in FLAG_LABELS order. */
  plattA: Float32Array;
  plattB: Float32Array;
  sentimentTemperature: number;
  /** Added to the sentiment logits after the temperature (decision offsets chosen on dev). */
  sentimentOffsets: Float32Array;
  hasSentiment: boolean;
  /**
   * Per flag label: index of the label it is conditional on, or -1. A conditional head's calibrated output
   * is P(label | given); the reported score is P(given) · P(label | given).
   */
  conditionalOn: Int32Array;
}

export interface Prediction {
  /** [rows, FLAG_LABELS.length] calibrated probabilities. */
  flags: Float32Array;
  /** [rows, 3] sentiment distribution, or null when the model has no sentiment head. */
  sentiment: Float32Array | null;
}

const FLAGS = FLAG_LABELS.length;
const SENTIMENTS = SENTIMENT_LABELS.length;

/** Small constant tensors, made once per backend instead of on every call (fewer allocations, lower p99). */
interface Constants {
  backend: string;
  bias: tf.Tensor1D;
  givenIndex: tf.Tensor1D | null;
  mask: tf.Tensor1D | null;
  inverseMask: tf.Tensor1D | null;
}

export class LinearBagModel {
  readonly buckets: number;
  readonly hasSentiment: boolean;
  /** Calibrated kernel and bias: logits are already a·z + b (flags) and z / T (sentiment). */
  private readonly kernel: Float32Array;
  private readonly bias: Float32Array;
  private readonly conditionalOn: Int32Array;
  private kernelTensor: tf.Tensor2D | null = null;
  private constants: Constants | null = null;

  constructor(params: LinearBagParameters) {
    const { buckets, kernel, bias, plattA, plattB, sentimentTemperature, sentimentOffsets, conditionalOn } = params;
    if (kernel.length !== buckets * OUTPUT_COUNT) throw new RangeError('kernel size does not match buckets × outputs');
    if (bias.length !== OUTPUT_COUNT || plattA.length !== FLAGS || plattB.length !== FLAGS) throw new RangeError('bias or calibration has the wrong length');
    if (conditionalOn.length !== FLAGS) throw new RangeError('conditionalOn needs one entry per flag label');
    const columnScale = new Float32Array(OUTPUT_COUNT);
    const folded = new Float32Array(OUTPUT_COUNT);
    for (let k = 0; k < OUTPUT_COUNT; k++) {
      if (k < FLAGS) {
        columnScale[k] = plattA[k]!;
        folded[k] = plattA[k]! * bias[k]! + plattB[k]!;
      } else {
        columnScale[k] = 1 / sentimentTemperature;
        folded[k] = bias[k]! / sentimentTemperature + (sentimentOffsets[k - FLAGS] ?? 0);
      }
    }
    for (let i = 0; i < kernel.length; i++) kernel[i]! *= columnScale[i % OUTPUT_COUNT]!;
    this.buckets = buckets;
    this.kernel = kernel;
    this.bias = folded;
    this.hasSentiment = params.hasSentiment;
    this.conditionalOn = Int32Array.from(conditionalOn);
  }

  /** The bag sums [rows, OUTPUT_COUNT] in plain JS: Σ kernel[id] · scale over each post's ids. */
  bag(batch: FeatureBatch): Float32Array {
    const kernel = this.kernel;
    const rows = batch.offsets.length - 1;
    const out = new Float32Array(rows * OUTPUT_COUNT);
    const { ids, offsets, scales } = batch;
    for (let r = 0; r < rows; r++) {
      // Accumulate in locals: 7 outputs fit in registers, which is what makes this loop fast.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0;
      const end = offsets[r + 1]!;
      for (let n = offsets[r]!; n < end; n++) {
        const at = ids[n]! * OUTPUT_COUNT;
        s0 += kernel[at]!;
        s1 += kernel[at + 1]!;
        s2 += kernel[at + 2]!;
        s3 += kernel[at + 3]!;
        s4 += kernel[at + 4]!;
        s5 += kernel[at + 5]!;
        s6 += kernel[at + 6]!;
      }
      const scale = scales[r]!;
      const o = r * OUTPUT_COUNT;
      out[o] = s0 * scale;
      out[o + 1] = s1 * scale;
      out[o + 2] = s2 * scale;
      out[o + 3] = s3 * scale;
      out[o + 4] = s4 * scale;
      out[o + 5] = s5 * scale;
      out[o + 6] = s6 * scale;
    }
    return out;
  }

  /** The same bag with TF.js ops: gather rows of a padded [rows, maxIds] id matrix, weight, and sum. */
  bagTensor(batch: FeatureBatch): tf.Tensor2D {
    const rows = batch.offsets.length - 1;
    let width = 1;
    for (let r = 0; r < rows; r++) width = Math.max(width, batch.offsets[r + 1]! - batch.offsets[r]!);
    const padded = new Int32Array(rows * width);
    const weights = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const start = batch.offsets[r]!;
      const count = batch.offsets[r + 1]! - start;
      padded.set(batch.ids.subarray(start, start + count), r * width);
      weights.fill(batch.scales[r]!, r * width, r * width + count);
    }
    const kernel = this.kernelOnBackend();
    return tf.tidy(() => {
      const gathered = tf.reshape(tf.gather(kernel, tf.tensor1d(padded, 'int32')), [rows, width, OUTPUT_COUNT]);
      const w = tf.tensor3d(weights, [rows, 1, width]);
      return tf.reshape(tf.matMul(w, gathered), [rows, OUTPUT_COUNT]);
    });
  }

  /** Calibrated probabilities for a featurised batch, computed on the active TF.js backend. */
  async predict(batch: FeatureBatch, mode: BagMode = 'js'): Promise<Prediction> {
    const rows = batch.offsets.length - 1;
    if (rows === 0) return { flags: new Float32Array(0), sentiment: this.hasSentiment ? new Float32Array(0) : null };
    const c = this.constantsOnBackend();
    const outputs: tf.Tensor[] = tf.tidy(() => {
      const bagT = mode === 'js' ? tf.tensor2d(this.bag(batch), [rows, OUTPUT_COUNT]) : this.bagTensor(batch);
      const logits = tf.add(bagT, c.bias) as tf.Tensor2D;
      let flags: tf.Tensor2D = tf.sigmoid(tf.slice(logits, [0, 0], [rows, FLAGS]));
      if (c.givenIndex !== null && c.mask !== null && c.inverseMask !== null) {
        // P(label) = P(given) · P(label | given) for conditional heads; factor 1 for the others.
        const given = tf.gather(flags, c.givenIndex, 1);
        flags = tf.mul(flags, tf.add(tf.mul(given, c.mask), c.inverseMask));
      }
      return this.hasSentiment ? [flags, tf.softmax(tf.slice(logits, [0, FLAGS], [rows, SENTIMENTS]))] : [flags];
    });
    try {
      const flags = (await outputs[0]!.data()) as Float32Array;
      const sentiment = outputs[1] === undefined ? null : ((await outputs[1].data()) as Float32Array);
      return { flags, sentiment };
    } finally {
      for (const t of outputs) t.dispose();
    }
  }

  private constantsOnBackend(): Constants {
    const backend = tf.getBackend();
    if (this.constants !== null && this.constants.backend === backend) return this.constants;
    this.disposeConstants();
    const conditional = this.conditionalOn.some((g) => g >= 0);
    this.constants = {
      backend,
      bias: tf.keep(tf.tensor1d(this.bias)),
      givenIndex: conditional ? tf.keep(tf.tensor1d(Int32Array.from(this.conditionalOn, (g, k) => (g < 0 ? k : g)), 'int32')) : null,
      mask: conditional ? tf.keep(tf.tensor1d(Float32Array.from(this.conditionalOn, (g) => (g < 0 ? 0 : 1)))) : null,
      inverseMask: conditional ? tf.keep(tf.tensor1d(Float32Array.from(this.conditionalOn, (g) => (g < 0 ? 1 : 0)))) : null,
    };
    return this.constants;
  }

  /** The kernel as a tensor on the active backend (only the `gather` mode needs it). */
  private kernelOnBackend(): tf.Tensor2D {
    if (this.kernelTensor === null || this.kernelTensor.isDisposed) {
      this.kernelTensor = tf.keep(tf.tensor2d(this.kernel, [this.buckets, OUTPUT_COUNT]));
    }
    return this.kernelTensor;
  }

  private disposeConstants(): void {
    if (this.constants === null) return;
    for (const t of [this.constants.bias, this.constants.givenIndex, this.constants.mask, this.constants.inverseMask]) t?.dispose();
    this.constants = null;
  }

  dispose(): void {
    this.kernelTensor?.dispose();
    this.kernelTensor = null;
    this.disposeConstants();
  }
}
