/** Writes MODEL_CARD.md for a trained model folder from what the pipeline measured. */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatReportTable, type EvaluationDetails } from '../evaluate.ts';
import { FLAG_LABELS } from '../labels.ts';
import type { ModelJson } from '../model-format.ts';
import { describeCalibration, type CalibrationMode } from './out-of-fold.ts';
import type { SplitExamples } from './split.ts';

export interface ModelCardInput {
  json: ModelJson;
  test: EvaluationDetails;
  testBySource: Record<string, EvaluationDetails>;
  splits: SplitExamples;
  calibration: CalibrationMode;
  splitSeed: number;
  seconds: number;
  /** Flag rates on Pilkada DKI 2017 tweets (markdown table), or null when that data was not available. */
  election: string | null;
  /** The "On election posts" section (operating points, annotated test posts, demo posts, name swap), or null. */
  inDomain?: string | null;
}

/** Data sources and their licences, as stated in each dataset's SOURCE.md. */
const SOURCE_NOTES: Record<string, string> = {
  'id-multilabel-hate-abusive':
    'Ibrohim & Budi 2019, multi-label hate speech and abusive tweets (github.com/okkyibrohim/id-multi-label-hate-speech-and-abusive-language-detection @be98de9). Licence: CC BY-NC-SA 4.0. Labels used: HS → hate_speech, Abusive → abusive, HS_Religion OR HS_Race → sara.',
  'id-abusive-ibrohim2018':
    'Ibrohim & Budi 2018, abusive tweets (github.com/okkyibrohim/id-abusive-language-detection @3f51156). Licence: CC BY-NC-SA 4.0. Two-label file: abusive.',
  'indonesia-false-news':
    'Data_latih.csv, fact-check claims, label 1 = hoax (mirror github.com/fadilf24/deteksi-berita-hoax @8d7a35b of Kaggle muhammadghazimuharam/indonesiafalsenews). Licence: none stated. Text = claim title + circulated narrative (`judul. narasi`).',
  'turnbackhoax-2021':
    'TurnBackHoax debunk articles scraped 2021 (github.com/jibranfawaid/turnbackhoax-dataset @9f860bd). Licence: none; content belongs to turnbackhoax.id / Mafindo. Clarification items (label 1: headline + debunk lead) as hoax = 0, the `(NARASI)` claim of the other items as hoax = 1. Classes come from the article type, not a post-level label, so train split only.',
  'pilpres-2019-sentiment':
    'Pilpres 2019 tweets (github.com/habibul08/pilpres2019-sentiment--analysis @eccb43b; mojibake repaired). Licence: none stated. Used only as weak hoax = 0 rows (election chatter is overwhelmingly not a circulated hoax claim), train split only; its sentiment labels are not used.',
  'turnbackhoax-2024':
    'TurnBackHoax 2024 hoax narratives (github.com/alharkan7/turnbackhoax-analysis @d365e9a), all hoax = 1, text cut before `PENJELASAN`. Licence: none; content belongs to turnbackhoax.id / Mafindo. Single-class, so train split only.',
  netifier:
    'Netifier toxicity posts from Twitter, Instagram and Kaskus (github.com/ahmadizzan/netifier @725b7eb; train.csv only). Licence: none stated. Read as: pencemaran_nama_baik (defamation) or sara → hate_speech = 1 (sara = its sara label); none of the four labels → hate_speech = 0; pornography or radicalism alone → not annotated.',
  'news-comments-abusive': 'Comments under 2019 news stories (see ../shared/data/news-comments-abusive/SOURCE.md); label 2 or 3 → abusive.',
  'regional-abusive-jv-su': 'Javanese and Sundanese tweets (see ../shared/data/regional-abusive-jv-su/SOURCE.md); uk → abusive, hs → hate_speech.',
  'pemilu-2024-tweets':
    'Pemilu 2024 tweets (github.com/achmaddhani/sentiment-webscrape @e23965d; MIT; the tweets are X users\' content), annotated here: models/election-annotations-v1 (ids and labels only; hate_speech, abusive, sara).',
  'mbg-replies-2024':
    'Replies about the free-meals programme (github.com/rikk-se/Dataset_Program-Makan-Bergizi-Gratis @84a3c44; licence: none stated), annotated here: models/election-annotations-v1.',
  'pemilu-2024-topics':
    'Pemilu 2024 tweets of the Satria Data 2024 competition (github.com/annorance/satriadata2024 @eb68a87; licence: none stated, organisers\' terms unknown), annotated here: models/election-annotations-v1.',
  'indonlu-smsa':
    'IndoNLU SmSA sentiment (github.com/IndoNLP/indonlu @ce728f6). Licence: Apache-2.0 (LICENSE file; README badge says MIT). Official valid split = our sentiment test set.',
};

function folderSize(dir: string): string {
  let bytes = 0;
  for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

export function writeModelCard(dir: string, input: ModelCardInput): void {
  const { json, test, testBySource, splits, calibration, splitSeed, seconds, election } = input;
  const outOfFold = calibration.kind === 'out-of-fold';
  const calibratedOn = outOfFold ? 'out-of-fold scores of train + dev' : 'dev';
  const sources = Object.keys(json.training.sources as Record<string, number>);
  const splitRows = sources.map((s) => {
    const count = (list: SplitExamples['train']) => list.filter((e) => e.source === s).length;
    return `| ${s} | ${count(splits.train)} | ${count(splits.dev)} | ${count(splits.test)} |`;
  });
  const bySource = Object.entries(testBySource)
    .map(([source, report]) => `### ${source}\n\n${formatReportTable(report)}`)
    .join('\n\n');
  const f = json.featurizer;
  const text = `# ${json.modelVersion}: Indonesian post classifier (hate speech, abusive, SARA, hoax, sentiment)

Generated by \`npm run train\` on ${json.createdAt} in ${(seconds / 60).toFixed(1)} minutes. Folder size: ${folderSize(dir)}.

## What it is

A linear model over hashed features (an "embedding bag" of width ${FLAG_LABELS.length + (json.sentimentLabels?.length ?? 0)}), one calibrated sigmoid per flag label and a
softmax for sentiment, run with TensorFlow.js (wasm backend by default; tfjs-node when installed; cpu).

- Normalisation: lower case; URLs, @mentions, hashtags, emoji, emoticons, numbers, ! and ? become feature tokens
  (\`_url\`, \`_user\`, \`_hashtag\` + the tag word, \`_emoji\`, \`_smile\`/\`_frown\`, \`_num\`, \`_excl\`, \`_quest\`, \`_shout\`
  for mostly upper-case posts); letter runs squeezed; leetspeak with a digit between letters undone; \`kata2\` → \`kata kata\`;
  slang → standard words with the shipped lexicon (\`${json.normalizer.slangLexicon ?? 'none'}\`)${
    json.normalizer.entities == null
      ? ''
      : `; names of politicians, parties and tickets (\`${json.normalizer.entities}\`, plus the contest's names from pipelines/election.json at run time) become one \`_tokoh\` token, so a name is never evidence by itself`
  }${json.normalizer.splitHashtags === true ? '; camel-case hashtags are split into words' : ''}${
    json.normalizer.abusiveWords == null
      ? ''
      : `; each word of the abusive-word list (\`${json.normalizer.abusiveWords}\`) adds an \`_abusive\` token at the end of the post`
  }.
- Features: word unigrams${f.wordNgramMax >= 2 ? ' and bigrams' : ''}, char ${f.charNgramMin}–${f.charNgramMax}-grams inside \`<word>\` boundaries, FNV-1a hashed into ${f.buckets.toLocaleString('en-US')} buckets,
  each present feature weighted 1/√(number of features).
- Weights: \`weights.bin\` in the TF.js weights format (\`weightsManifest\` in model.json), each output column quantised
  (${String((json.training.options as { precision?: string }).precision)}) on its own range.
- Training: plain-TypeScript sparse AdaGrad with masked multi-task loss (a row trains only the labels it annotates).
  Options: \`${JSON.stringify(json.training.options)}\`.

Why it is built this way (bag in JS vs \`tf.gather\`, feature choices, what was tried and dropped):
\`src/classifier/README.md\`.

## Data and licences

${sources.map((s) => `- **${s}**: ${SOURCE_NOTES[s] ?? 'labelled JSONL supplied with --data.'}`).join('\n')}
${
  json.normalizer.abusiveWords == null
    ? ''
    : `- **Abusive-word list** (shipped as \`${json.normalizer.abusiveWords}\`): the single-word entries of \`abusive.csv\` from the Ibrohim & Budi
  2019 repository (multi-word entries are left out), CC BY-NC-SA 4.0. Over split seeds 1–3 the \`_abusive\` token
  raised abusive test F1 (src/classifier/README.md).
`
}- **Slang lexicon** (shipped in this folder as \`${json.normalizer.slangLexicon ?? '-'}\`): \`new_kamusalay.csv\` from the Ibrohim & Budi 2019
  repository, CC BY-NC-SA 4.0 (attribution: Ibrohim & Budi, ALW3 @ ACL 2019). Lower-cased, identity pairs dropped.

Because of the CC BY-NC-SA 4.0 sources, this model folder (weights and lexicon) must be treated as
**CC BY-NC-SA 4.0: attribution, non-commercial, share-alike**. Some sources state no licence at all. Clear the
licences before any commercial or public redistribution.

## Splits

Deterministic: FNV-1a hash of the near-duplicate group of the normalised text (no lexicon) → 80% train / 10% dev /
10% test (annotated election posts: 60/15/25), so copies and near-copies (word 3-gram Jaccard ≥ 0.6, across all
sources: the same tweet in both Ibrohim sets, a claim in two fact-check sets) stay in one split; a train-only copy of
a test text is dropped. SmSA keeps its official split: SmSA valid is the
sentiment test set, exactly (train rows whose text equals a valid text are dropped). TurnBackHoax 2024 and 2021
and Pilpres 2019 are train only (one class, article-type classes, or weak labels). Everyday posts of each split
(Ibrohim tweets, SmSA reviews) are also used as weak hoax = 0 rows: in training (weight
${String((json.training.options as { weakHoaxNegativeWeight?: number }).weakHoaxNegativeWeight)}), and in calibration and test, where they calibrate the hoax
score and show its false-positive rate on everyday posts (source \`weak-hoax-negative\` below).
${
  outOfFold
    ? `The shipped weights are fitted on train + dev. Calibration, thresholds and sentiment offsets come from
${describeCalibration(calibration)} scores: each train + dev row is scored by a model fitted without its fold (folds by a
second hash of the text, so duplicates share one). Over split seeds 1–3 this gave higher test F1 than fitting on train alone
(src/classifier/README.md). The test split is never fitted on.`
    : 'The shipped weights are fitted on train; calibration, thresholds and sentiment offsets are chosen on dev.'
}${splitSeed !== 0 ? ` Split seed ${splitSeed} (not the default split).` : ''}
The public copies here already exclude ~15% of the original rows, held out elsewhere for independent evaluation.

| source | train | dev | test |
|---|---|---|---|
${splitRows.join('\n')}

## Thresholds and calibration

Probabilities are Platt-scaled per label on ${calibratedOn}${
    json.operatingPoints === undefined
      ? ''
      : ' (hate speech and abusive: on the annotated election posts among them, each weighted by 1 / its inclusion probability, so the scores read as probabilities on the election stream)'
  }. A post is flagged when its score ≥ threshold${json.operatingPoints === undefined ? '' : ' (the alert point; see "On election posts" for both points per label)'}.

| label | threshold | aim | Platt a | Platt b |
|---|---|---|---|---|
${FLAG_LABELS.map((l) => `| ${l} | ${json.thresholds[l].toFixed(3)} | ${json.thresholdAims[l]} | ${json.calibration.flags[l].a.toFixed(3)} | ${json.calibration.flags[l].b.toFixed(3)} |`).join('\n')}

Sentiment: softmax temperature ${json.calibration.sentimentTemperature.toFixed(3)} (log-loss on ${calibratedOn}), then class offsets
${json.calibration.sentimentOffsets.map((v, i) => `${['negative', 'neutral', 'positive'][i]} ${v.toFixed(2)}`).join(', ')} added to the logits (chosen for macro-F1 on ${calibratedOn}), which
tilts the distribution toward the rare neutral class; the argmax is the predicted sentiment.

SARA is a conditional head: it is trained and Platt-calibrated on hate-speech rows only, and its score is
P(hate_speech) · P(sara | hate_speech), so a SARA score never exceeds the hate-speech score.

The hoax score is calibrated on ${outOfFold ? 'train + dev' : 'dev'} fact-check claims (82% hoaxes) plus everyday posts (all counted as not
hoax), so it reads "how much this looks like a circulated hoax claim rather than a real claim or everyday chatter";
it is not the chance that a random post is a hoax (true hoax prevalence is far lower than in this mixture). Its
threshold maximises two-class macro-F1 on that mixture, which keeps false positives on everyday posts low at some
cost to the macro-F1 on claims alone.

## Test metrics (held-out test split, measured on the shipped files, wasm backend)

All test rows together (a label counts only rows that annotate it):

${formatReportTable(test)}

Per source:

${bySource}

${input.inDomain == null ? '' : `## On election posts

${input.inDomain}

`}## Election tweets from another source (no hate-speech labels)

${
  election === null
    ? 'Not measured (the Pilkada DKI 2017 data was not available to this training run).'
    : `Pilkada DKI 2017 tweets (Lestari et al. 2017; personal use, cite JPTIIK 1(12):1718-1724; not used in training) have
sentiment toward a candidate pair only, so hate-speech F1 on election tweets **cannot be measured** here. What can be
measured is how often each label fires, split by that sentiment:

${election}${
        input.inDomain == null
          ? `

Hate-speech labels for election-period tweets (a few hundred, annotated like Ibrohim & Budi) are needed to measure
the issue's "hate speech on election tweets ≥ 0.78" target.`
          : ''
      }`
}

## Speed

Not measured yet for this build: run \`npm run bench:classifier -- --write-card\`, which replaces this section.

## Limits

${
  json.operatingPoints === undefined
    ? `- Trained on 2017–2020 tweets (Ibrohim), fact-check claims and product reviews (SmSA). Election posts from 2024
  and other platforms differ; expect lower quality there. There are no hate-speech labels for Pilkada/Pilpres
  tweets, so hate speech on election tweets from another source is not measured.`
    : `- Hate speech on election posts is the weak label: at the alert point (estimated precision 0.8 on dev) it finds
  about a quarter of the hate speech; the rest is only in the analysts' review queue. SARA and hoax have too few
  annotated election positives, so their points come from the public data.`
}
- A bag of n-grams: it does not understand negation, irony or quotes ("dia bilang aku anjing" scores as abusive).
- Hoax detection from text alone is weak: it learns the style and topics of circulated claims, not facts. Use it
  to prioritise for human review with the debunk matcher, never as a verdict.
- SARA labels are rare (religion/race hate speech only); expect many misses.
- Sentiment is trained on reviews; on political text it is less reliable.
`;
  writeFileSync(join(dir, 'MODEL_CARD.md'), text);
}

/**
 * Replaces the body of the `## <heading>` section of a model card (up to the next `## `), e.g. with the
 * benchmark's figures. Keeps the rest of the card as it is.
 */
export function replaceCardSection(dir: string, heading: string, body: string): void {
  const path = join(dir, 'MODEL_CARD.md');
  const card = readFileSync(path, 'utf8');
  const start = card.indexOf(`\n## ${heading}\n`);
  if (start < 0) {
    writeFileSync(path, `${card.trimEnd()}\n\n## ${heading}\n\n${body.trim()}\n`);
    return;
  }
  const bodyStart = start + heading.length + 5;
  const next = card.indexOf('\n## ', bodyStart);
  const end = next < 0 ? card.length : next;
  writeFileSync(path, `${card.slice(0, bodyStart)}\n${body.trim()}\n${card.slice(end)}`);
}
