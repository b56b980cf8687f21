/**
 * "Why was this flagged?" for one post: the model's scores against the alert and review points of the model
 * that scored it (the pipeline's overrides applied for the active model, as the classify stage applies them),
 * the words of the text found in that model's lexicons (abusive words, political names), the election terms
 * and the matched claim.
 *
 * Models are read from their folders (`models/<version>/model.json` and the word lists beside it), without the
 * weights: explaining needs no TF.js backend. A post scored by a version whose folder is gone gets empty
 * thresholds and the active model's lexicons (its scores and flags are still what the post says).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Classifier } from '../classifier/index.ts';
import { FLAG_LABELS } from '../classifier/labels.ts';
import { parseLexiconTsv, parsePhraseList, parseWordList } from '../classifier/load.ts';
import { MODEL_FILE, modelJsonSchema } from '../classifier/model-format.ts';
import { createEntityPhrases, entityPhraseTokens, isFeatureToken, normalizeTokens, type EntityPhrases, type SlangLexicon } from '../classifier/normalize.ts';
import { PantauError } from '../core/errors.ts';
import type { ScoredPost } from '../core/post.ts';
import { effectiveReviewThresholds, effectiveThresholds } from '../transforms/classify.ts';

export type Thresholds = Record<string, { alert: number; review: number }>;

/** What explaining needs of one model version. */
export interface ModelView {
  version: string;
  labels: string[];
  thresholds: Thresholds;
  lexicon: SlangLexicon;
  entities: EntityPhrases;
}

export interface Explanation {
  model_version: string;
  scores: Record<string, number>;
  thresholds: Thresholds;
  matched_terms: string[];
  relevance_terms: string[];
  claim: ScoredPost['claim'];
}

const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Reads model folder `dir`. `overrides` are the pipeline's `classify.thresholds` / `reviewThresholds`: give them
 * for the active model only (the classify stage applies them to the model it runs).
 */
export function readModelView(dir: string, overrides: { alert?: Record<string, number>; review?: Record<string, number> } = {}): ModelView {
  const folder = resolve(dir);
  const file = join(folder, MODEL_FILE);
  if (!existsSync(file)) throw new PantauError(`No model at ${folder} (${MODEL_FILE} is missing)`, { stage: 'config', code: 'model_missing', retriable: false });
  const json = modelJsonSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const operatingPoints = Object.fromEntries(
    FLAG_LABELS.map((l) => {
      const p = json.operatingPoints?.[l];
      return [l, { alert: json.thresholds[l], review: p?.review ?? json.thresholds[l], alertPrecision: null, reviewRecall: null }];
    }),
  );
  // The classify stage's own functions, so the explanation cannot drift from what flagged the post; they read
  // only these three fields of a classifier.
  const points = { modelVersion: json.modelVersion, thresholds: json.thresholds, operatingPoints } as unknown as Classifier;
  const alert = effectiveThresholds(points, overrides.alert ?? {});
  const review = effectiveReviewThresholds(points, alert, overrides.review ?? {});
  const thresholds: Thresholds = Object.fromEntries(Object.keys(alert).map((l) => [l, { alert: alert[l]!, review: review[l]! }]));
  let lexicon: SlangLexicon = json.normalizer.slangLexicon ? parseLexiconTsv(readFileSync(join(folder, json.normalizer.slangLexicon), 'utf8')) : parseLexiconTsv('');
  if (json.normalizer.abusiveWords) lexicon = { ...lexicon, abusive: parseWordList(readFileSync(join(folder, json.normalizer.abusiveWords), 'utf8')) };
  if (json.normalizer.splitHashtags === true) lexicon = { ...lexicon, splitHashtags: true };
  const entities = createEntityPhrases(json.normalizer.entities ? parsePhraseList(readFileSync(join(folder, json.normalizer.entities), 'utf8')) : []);
  return { version: json.modelVersion, labels: [...json.labels], thresholds, lexicon, entities };
}

/** The active model and, read on first use, the other versions under the models folder. */
export class ModelCatalog {
  private readonly views = new Map<string, ModelView | null>();
  readonly active: ModelView;
  private readonly modelsDirs: readonly string[];

  /** `modelsDirs`: folders holding one folder per version (the shipped models/, the state dir's models trained from feedback). */
  constructor(modelsDirs: string | readonly string[], active: ModelView) {
    this.modelsDirs = typeof modelsDirs === 'string' ? [modelsDirs] : modelsDirs;
    this.active = active;
    this.views.set(active.version, active);
  }

  /** The view of `version`, or null when no folder holds it. */
  get(version: string): ModelView | null {
    if (this.views.has(version)) return this.views.get(version)!;
    let view: ModelView | null = null;
    for (const modelsDir of VERSION_RE.test(version) ? this.modelsDirs : []) {
      const dir = join(modelsDir, version);
      if (!existsSync(join(dir, MODEL_FILE))) continue;
      try {
        view = readModelView(dir);
        if (view.version !== version) view = null; // a folder named after another version: not this model
      } catch {
        view = null;
      }
      if (view !== null) break;
    }
    this.views.set(version, view);
    return view;
  }
}

/**
 * Words of `text` in the model's lexicons: abusive words as the normaliser spells them (slang resolved:
 * "anjg" → "anjing"), and political names as listed (matched on the words as written, like the normaliser).
 */
export function matchedTerms(text: string, view: Pick<ModelView, 'lexicon' | 'entities'>): string[] {
  const found = new Set<string>();
  const abusive = view.lexicon.abusive;
  if (abusive !== undefined) {
    // Without entities: a name is never abusive, and masking would hide the words around it from nothing.
    const { entities: _e, ...plain } = view.lexicon;
    for (const token of normalizeTokens(text, plain)) if (!isFeatureToken(token) && abusive.has(token)) found.add(token);
  }
  if (view.entities.size > 0) {
    const words = entityPhraseTokens(text);
    for (let i = 0; i < words.length; i++) {
      for (const phrase of view.entities.get(words[i]!) ?? []) {
        if (phrase.every((t, j) => words[i + j] === t)) {
          found.add(phrase.join(' '));
          i += phrase.length - 1;
          break;
        }
      }
    }
  }
  return [...found];
}

type ExplainablePost = Pick<ScoredPost, 'text' | 'scores' | 'model_version' | 'relevance' | 'claim'>;

export function explainPost(post: ExplainablePost, catalog: ModelCatalog): Explanation {
  const view = catalog.get(post.model_version);
  return {
    model_version: post.model_version,
    scores: post.scores,
    thresholds: view?.thresholds ?? {},
    matched_terms: matchedTerms(post.text, view ?? catalog.active),
    relevance_terms: post.relevance?.terms ?? [],
    claim: post.claim ?? null,
  };
}
