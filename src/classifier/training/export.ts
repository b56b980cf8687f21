/**
 * Writes trained weights in the TF.js weights format: a `weightsManifest` in model.json and one `.bin`.
 * Each kernel column is quantised on its own range (uint8 by default, 4x smaller than float32) with an
 * exactly representable zero, so unused buckets stay exactly 0 after `tf.io.decodeWeights`.
 */
import { FLAG_LABELS, OUTPUT_COUNT, SENTIMENT_LABELS } from '../labels.ts';
import { BIAS_WEIGHT_NAME, kernelWeightName, type WeightEntry } from '../model-format.ts';
import type { LinearWeights } from './trainer.ts';

export type WeightPrecision = 'uint8' | 'float16' | 'float32';

export interface EncodedWeights {
  entries: WeightEntry[];
  data: Buffer;
}

/** uint8 affine quantisation with zero on the grid: value = q·scale + min. */
export function quantizeUint8(values: Float32Array): { bytes: Uint8Array; scale: number; min: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi - lo > 0 ? (hi - lo) / 255 : 1;
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(values[i]! / scale) + zero));
  return { bytes, scale, min };
}

/** IEEE half precision bits of a float (round to nearest even), as tfjs expects for `float16`. */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const u32 = new Uint32Array(f32.buffer)[0]!;
  const sign = (u32 >>> 16) & 0x8000;
  const exp = (u32 >>> 23) & 0xff;
  let mant = u32 & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) === 1)) half++;
    return sign | half;
  }
  // Rounding may carry into the exponent, up to infinity (0x7c00), which is the right result.
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

export function encodeWeights(weights: LinearWeights, precision: WeightPrecision): EncodedWeights {
  const outputs = [...FLAG_LABELS, ...SENTIMENT_LABELS];
  const entries: WeightEntry[] = [];
  const chunks: Buffer[] = [];
  outputs.forEach((name, k) => {
    const column = new Float32Array(weights.buckets);
    for (let i = 0; i < weights.buckets; i++) column[i] = weights.kernel[i * OUTPUT_COUNT + k]!;
    const entryBase = { name: kernelWeightName(name), shape: [weights.buckets], dtype: 'float32' as const };
    if (precision === 'uint8') {
      const q = quantizeUint8(column);
      entries.push({ ...entryBase, quantization: { dtype: 'uint8', scale: q.scale, min: q.min } });
      chunks.push(Buffer.from(q.bytes.buffer, q.bytes.byteOffset, q.bytes.byteLength));
    } else if (precision === 'float16') {
      const half = new Uint16Array(column.length);
      for (let i = 0; i < column.length; i++) half[i] = toFloat16Bits(column[i]!);
      entries.push({ ...entryBase, quantization: { dtype: 'float16' } });
      chunks.push(Buffer.from(half.buffer));
    } else {
      entries.push(entryBase);
      chunks.push(Buffer.from(column.buffer));
    }
  });
  entries.push({ name: BIAS_WEIGHT_NAME, shape: [OUTPUT_COUNT], dtype: 'float32' });
  chunks.push(Buffer.from(Float32Array.from(weights.bias).buffer));
  return { entries, data: Buffer.concat(chunks) };
}

/** The weights as the runtime will see them after decoding (to measure the cost of quantisation). */
export function roundTripWeights(weights: LinearWeights, precision: WeightPrecision): LinearWeights {
  if (precision === 'float32') return weights;
  const kernel = new Float32Array(weights.kernel.length);
  for (let k = 0; k < OUTPUT_COUNT; k++) {
    const column = new Float32Array(weights.buckets);
    for (let i = 0; i < weights.buckets; i++) column[i] = weights.kernel[i * OUTPUT_COUNT + k]!;
    if (precision === 'uint8') {
      const q = quantizeUint8(column);
      for (let i = 0; i < weights.buckets; i++) kernel[i * OUTPUT_COUNT + k] = q.bytes[i]! * q.scale + q.min;
    } else {
      for (let i = 0; i < weights.buckets; i++) kernel[i * OUTPUT_COUNT + k] = Math.fround(halfToFloat(toFloat16Bits(column[i]!)));
    }
  }
  return { buckets: weights.buckets, kernel, bias: weights.bias };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}
