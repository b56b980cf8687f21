/** Reads and writes a claim-matcher folder (model.json + weights.bin in the TF.js weights format). */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { modelLoadError, readWeightGroup } from '../classifier/weights-file.ts';
import { MATCH_NORMALISER_VERSION } from './normalize.ts';
import { MATCHER_MODEL_FILE, MATCHER_TERM_STATS_FILE, MATCHER_WEIGHTS_FILE, SCORER_TENSORS, matcherJsonSchema, termStatsSchema, tensorName, type MatcherJson, type MatcherWeightEntry } from './model-format.ts';
import type { RerankerWeights } from './reranker.ts';
import type { TermStats } from './lexical-index.ts';

export interface MatcherFolder {
  json: MatcherJson;
  reranker: RerankerWeights;
  pair: RerankerWeights;
  termStats: TermStats;
}

const loadError = modelLoadError;

function tensorsOf(w: RerankerWeights): Record<(typeof SCORER_TENSORS)[number], { data: Float32Array; shape: number[] }> {
  return {
    mean: { data: w.mean, shape: [w.features] },
    scale: { data: w.scale, shape: [w.features] },
    wide: { data: w.wide, shape: [w.features] },
    w1: { data: w.w1, shape: [w.features, w.hidden] },
    b1: { data: w.b1, shape: [w.hidden] },
    w2: { data: w.w2, shape: [w.hidden] },
    bias: { data: Float32Array.of(w.bias), shape: [] },
  };
}

/** Weight entries and bytes of both scorers (float32: the whole model is a few KB). */
export function encodeMatcherWeights(reranker: RerankerWeights, pair: RerankerWeights): { entries: MatcherWeightEntry[]; data: Buffer } {
  const entries: MatcherWeightEntry[] = [];
  const chunks: Buffer[] = [];
  for (const [name, w] of [['reranker', reranker], ['pair', pair]] as const) {
    const t = tensorsOf(w);
    for (const key of SCORER_TENSORS) {
      entries.push({ name: tensorName(name, key), shape: t[key].shape, dtype: 'float32' });
      const copy = Float32Array.from(t[key].data);
      chunks.push(Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength));
    }
  }
  return { entries, data: Buffer.concat(chunks) };
}

/** Writes model.json and weights.bin into `dir` (created if needed). `json.weightsManifest` is filled in here. */
export function writeMatcherFolder(dir: string, json: Omit<MatcherJson, 'weightsManifest'>, reranker: RerankerWeights, pair: RerankerWeights, termStats: TermStats): void {
  mkdirSync(dir, { recursive: true });
  const { entries, data } = encodeMatcherWeights(reranker, pair);
  const full: MatcherJson = { ...json, weightsManifest: [{ paths: [MATCHER_WEIGHTS_FILE], weights: entries }] };
  matcherJsonSchema.parse(full);
  writeFileSync(join(dir, MATCHER_WEIGHTS_FILE), data);
  writeFileSync(join(dir, MATCHER_TERM_STATS_FILE), `${JSON.stringify(termStats)}\n`);
  writeFileSync(join(dir, MATCHER_MODEL_FILE), `${JSON.stringify(full, null, 1)}\n`);
}

/**
 * Reads `dir`. Needs an active TF.js backend (the weights are decoded with `tf.io.decodeWeights`). Throws
 * PantauError `model_missing` / `model_invalid` with the file and the reason.
 */
export async function readMatcherFolder(dir: string): Promise<MatcherFolder> {
  const folder = resolve(dir);
  const modelPath = join(folder, MATCHER_MODEL_FILE);
  if (!existsSync(modelPath)) {
    throw loadError(`No claim-matcher model at ${folder} (${MATCHER_MODEL_FILE} is missing). Train one with \`npm run train:match -- --out ${folder}\`.`, 'model_missing');
  }
  let json: MatcherJson;
  try {
    json = matcherJsonSchema.parse(JSON.parse(await readFile(modelPath, 'utf8')));
  } catch (err) {
    throw loadError(`${modelPath} is not a valid claim-matcher description: ${err instanceof Error ? err.message : String(err)}`, 'model_invalid', err);
  }
  if (json.normaliserVersion !== MATCH_NORMALISER_VERSION) {
    throw loadError(`${modelPath} was trained with match normaliser v${json.normaliserVersion}; this code has v${MATCH_NORMALISER_VERSION}. Retrain it.`, 'model_invalid');
  }
  const statsPath = join(folder, MATCHER_TERM_STATS_FILE);
  if (!existsSync(statsPath)) throw loadError(`Term statistics ${statsPath} are missing.`, 'model_missing');
  let termStats: TermStats;
  try {
    termStats = termStatsSchema.parse(JSON.parse(await readFile(statsPath, 'utf8')));
  } catch (err) {
    throw loadError(`${statsPath} is not a valid term-statistics file: ${err instanceof Error ? err.message : String(err)}`, 'model_invalid', err);
  }
  const named = await readWeightGroup(folder, modelPath, json.weightsManifest[0]!);
  try {
    const scorer = (name: 'reranker' | 'pair'): RerankerWeights => {
      const desc = json[name];
      const F = desc.features.length;
      const H = desc.hidden;
      const sizes: Record<(typeof SCORER_TENSORS)[number], number> = { mean: F, scale: F, wide: F, w1: F * H, b1: H, w2: H, bias: 1 };
      const get = (key: (typeof SCORER_TENSORS)[number]): Float32Array => {
        const t = named[tensorName(name, key)];
        if (t === undefined || t.size !== sizes[key]) throw loadError(`${modelPath}: weight ${tensorName(name, key)} is missing or has the wrong size.`, 'model_invalid');
        return Float32Array.from(t.dataSync());
      };
      return { features: F, hidden: H, mean: get('mean'), scale: get('scale'), wide: get('wide'), w1: get('w1'), b1: get('b1'), w2: get('w2'), bias: get('bias')[0]! };
    };
    return { json, reranker: scorer('reranker'), pair: scorer('pair'), termStats };
  } finally {
    for (const t of Object.values(named)) t.dispose();
  }
}
