/**
 * Reads the weights a TF.js model folder names in its `weightsManifest` (the TF.js layers format the
 * classifier and the claim matcher both save), with errors that say which file is missing or broken.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PantauError } from '../core/errors.ts';

export function modelLoadError(message: string, code: string, cause?: unknown): PantauError {
  return new PantauError(message, { stage: 'classifying', code, retriable: false, cause });
}

/** The tensors of the first weights group; PantauError `model_missing` / `model_invalid` otherwise. */
export async function readWeightGroup(
  folder: string,
  modelPath: string,
  group: { paths: string[]; weights: tf.io.WeightsManifestEntry[] },
): Promise<tf.NamedTensorMap> {
  const buffers: Buffer[] = [];
  for (const path of group.paths) {
    const weightsPath = join(folder, path);
    if (!existsSync(weightsPath)) throw modelLoadError(`Weights file ${weightsPath} named in ${modelPath} is missing.`, 'model_missing');
    buffers.push(await readFile(weightsPath));
  }
  const joined = Buffer.concat(buffers);
  const data = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  try {
    return tf.io.decodeWeights(data, group.weights);
  } catch (err) {
    throw modelLoadError(`Could not decode the weights of ${folder}: ${err instanceof Error ? err.message : String(err)}`, 'model_invalid', err);
  }
}
