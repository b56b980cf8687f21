/** Reads and validates a model folder into a runnable model. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { modelLoadError, readWeightGroup } from './weights-file.ts';
import { validateFeaturizerConfig } from './featurize.ts';
import { FLAG_LABELS, OUTPUT_COUNT, SENTIMENT_LABELS } from './labels.ts';
import { BIAS_WEIGHT_NAME, MODEL_FILE, kernelWeightName, modelJsonSchema, type ModelJson } from './model-format.ts';
import { LinearBagModel } from './model.ts';
import { createSlangLexicon, type SlangLexicon } from './normalize.ts';

export interface LoadedModel {
  json: ModelJson;
  model: LinearBagModel;
  lexicon: SlangLexicon;
  /** The model's entity phrases (masked as `_tokoh`), or null when the model was trained without masking. */
  entityNames: string[] | null;
}

const loadError = modelLoadError;

/** Parses a shipped word list: one lower-case word per line, blank lines ignored. */
export function parseWordList(text: string): ReadonlySet<string> {
  return new Set(
    text
      .split(/\r?\n/)
      .map((w) => w.trim().toLowerCase())
      .filter((w) => w.length > 0),
  );
}

/** Parses a shipped phrase list: one phrase per line as written, blank lines and `#` comments ignored. */
export function parsePhraseList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

/** Parses the shipped lexicon file: one `slang<TAB>standard` pair per line. */
export function parseLexiconTsv(text: string): SlangLexicon {
  const pairs: [string, string][] = [];
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) pairs.push([line.slice(0, tab), line.slice(tab + 1)]);
  }
  return createSlangLexicon(pairs);
}

/**
 * Loads `dir` (model.json + weights + lexicon). Needs an active TF.js backend: the weights are decoded with
 * `tf.io.decodeWeights`, which also undoes their uint8/float16 quantisation.
 */
export async function readModelFolder(dir: string): Promise<LoadedModel> {
  const folder = resolve(dir);
  const modelPath = join(folder, MODEL_FILE);
  if (!existsSync(modelPath)) {
    throw loadError(
      `No classifier model at ${folder} (${MODEL_FILE} is missing). Train one with \`npm run train -- --out ${folder}\`, or pass the folder of a trained model.`,
      'model_missing',
    );
  }
  let json: ModelJson;
  try {
    json = modelJsonSchema.parse(JSON.parse(await readFile(modelPath, 'utf8')));
  } catch (err) {
    throw loadError(`${modelPath} is not a valid pantau model description: ${err instanceof Error ? err.message : String(err)}`, 'model_invalid', err);
  }
  for (const [label, point] of Object.entries(json.operatingPoints ?? {})) {
    if (point.alert !== json.thresholds[label as keyof ModelJson['thresholds']]) {
      throw loadError(`${modelPath}: the alert point of ${label} (${point.alert}) differs from its threshold (${json.thresholds[label as keyof ModelJson['thresholds']]}).`, 'model_invalid');
    }
  }
  const featurizerProblem = validateFeaturizerConfig(json.featurizer);
  if (featurizerProblem !== null) throw loadError(`${modelPath}: ${featurizerProblem}`, 'model_invalid');

  const named = await readWeightGroup(folder, modelPath, json.weightsManifest[0]!);
  try {
    const buckets = json.featurizer.buckets;
    const kernel = new Float32Array(buckets * OUTPUT_COUNT);
    const outputs = [...FLAG_LABELS, ...SENTIMENT_LABELS];
    outputs.forEach((name, k) => {
      const column = named[kernelWeightName(name)];
      if (column === undefined || column.size !== buckets) throw loadError(`${modelPath}: weight ${kernelWeightName(name)} is missing or has the wrong size.`, 'model_invalid');
      const values = column.dataSync();
      // Interleave the columns into rows: the bag reads one row of OUTPUT_COUNT values per feature.
      for (let i = 0; i < buckets; i++) kernel[i * OUTPUT_COUNT + k] = values[i]!;
    });
    const biasTensor = named[BIAS_WEIGHT_NAME];
    if (biasTensor === undefined || biasTensor.size !== OUTPUT_COUNT) throw loadError(`${modelPath}: weight ${BIAS_WEIGHT_NAME} is missing or has the wrong size.`, 'model_invalid');
    const bias = Float32Array.from(biasTensor.dataSync());
    const plattA = Float32Array.from(FLAG_LABELS.map((l) => json.calibration.flags[l].a));
    const plattB = Float32Array.from(FLAG_LABELS.map((l) => json.calibration.flags[l].b));
    let lexicon = createSlangLexicon([]);
    let entityNames: string[] | null = null;
    if (json.normalizer.slangLexicon !== null) {
      const lexiconPath = join(folder, json.normalizer.slangLexicon);
      if (!existsSync(lexiconPath)) throw loadError(`Slang lexicon ${lexiconPath} named in ${modelPath} is missing.`, 'model_missing');
      lexicon = parseLexiconTsv(await readFile(lexiconPath, 'utf8'));
    }
    const abusiveWords = json.normalizer.abusiveWords ?? null;
    if (abusiveWords !== null) {
      const wordsPath = join(folder, abusiveWords);
      if (!existsSync(wordsPath)) throw loadError(`Abusive-word list ${wordsPath} named in ${modelPath} is missing.`, 'model_missing');
      lexicon = { ...lexicon, abusive: parseWordList(await readFile(wordsPath, 'utf8')) };
    }
    const entitiesFile = json.normalizer.entities ?? null;
    if (entitiesFile !== null) {
      const entitiesPath = join(folder, entitiesFile);
      if (!existsSync(entitiesPath)) throw loadError(`Entity list ${entitiesPath} named in ${modelPath} is missing.`, 'model_missing');
      entityNames = parsePhraseList(await readFile(entitiesPath, 'utf8'));
    }
    if (json.normalizer.splitHashtags === true) lexicon = { ...lexicon, splitHashtags: true };
    const conditionalOn = new Int32Array(FLAG_LABELS.length).fill(-1);
    for (const { label, given } of json.conditionalHeads) {
      if (label === given) throw loadError(`${modelPath}: head ${label} cannot be conditional on itself.`, 'model_invalid');
      conditionalOn[FLAG_LABELS.indexOf(label)] = FLAG_LABELS.indexOf(given);
    }
    // One level only: the joint uses the raw logit of `given`, which is right only if `given` is unconditional.
    if (json.conditionalHeads.some(({ given }) => conditionalOn[FLAG_LABELS.indexOf(given)]! >= 0)) {
      throw loadError(`${modelPath}: a conditional head may not depend on another conditional head.`, 'model_invalid');
    }
    const model = new LinearBagModel({
      buckets,
      kernel,
      bias,
      plattA,
      plattB,
      sentimentTemperature: json.calibration.sentimentTemperature,
      sentimentOffsets: Float32Array.from(json.calibration.sentimentOffsets),
      hasSentiment: json.sentimentLabels !== null,
      conditionalOn,
    });
    return { json, model, lexicon, entityNames };
  } finally {
    for (const t of Object.values(named)) t.dispose();
  }
}
