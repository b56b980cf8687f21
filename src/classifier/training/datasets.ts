/**
 * Adapters that read the public Indonesian datasets (see ../shared/data/*\/SOURCE.md) and labelled JSONL
 * into `Example`s. Each adapter knows its file's quirks (encodings, placeholders, label columns), so the
 * normaliser only ever sees clean text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../../core/errors.ts';
import { FLAG_LABELS, SENTIMENT_LABELS, type FlagLabel } from '../labels.ts';
import { parseDelimited, parseDelimitedRecords } from './csv.ts';
import type { Example } from './examples.ts';

/**
 * The Ibrohim files mix raw bytes with literal escape text (`\xf0\x9f\x98\x84`, `\n`). Reading them as
 * latin-1 keeps every byte; turning the escapes back into bytes and decoding as UTF-8 restores emoji.
 * Escaped newlines become spaces: a real newline would split the CSV row.
 */
export function repairEscapedBytes(raw: Buffer): string {
  const latin = raw
    .toString('latin1')
    .replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\n/g, ' ');
  return Buffer.from(latin, 'latin1').toString('utf8');
}

/** Dataset placeholders → the surface forms the normaliser turns into feature tokens. */
export function replacePlaceholders(text: string): string {
  return text
    .replace(/\[USERNAME\]|<USERNAME>|\bUSER\b/g, ' @user ')
    .replace(/\[URL\]|<URL>|\bURL\b/g, ' http://url ');
}

/** Strips the stray closing quote that Ibrohim tweets carry from a Python bytes repr. */
function cleanTweet(text: string): string {
  return replacePlaceholders(text.replace(/'\s*$/, '').replace(/^b['"]/, '')).trim();
}

function requireFile(path: string): Buffer {
  if (!existsSync(path)) {
    throw new PantauError(`Training data file not found: ${path}`, { stage: 'training', code: 'data_missing', retriable: false });
  }
  return readFileSync(path);
}

/** Ibrohim & Budi 2019 multi-label set: HS, Abusive, and sara = HS_Religion OR HS_Race. */
export function readMultilabelHateAbusive(dir: string): Example[] {
  const text = repairEscapedBytes(requireFile(join(dir, 're_dataset.csv')));
  return parseDelimitedRecords(text).map((r) => ({
    text: cleanTweet(r.Tweet ?? ''),
    labels: {
      hate_speech: r.HS === '1' ? 1 : 0,
      abusive: r.Abusive === '1' ? 1 : 0,
      sara: r.HS_Religion === '1' || r.HS_Race === '1' ? 1 : 0,
    },
    source: 'id-multilabel-hate-abusive',
  }));
}

/** Ibrohim & Budi 2018 abusive set (two-label file: 1 = not abusive, 2 = abusive). */
export function readAbusive2018(dir: string): Example[] {
  const text = repairEscapedBytes(requireFile(join(dir, 're_dataset_two_labels.csv')));
  return parseDelimitedRecords(text).map((r) => ({
    text: cleanTweet(r.Tweet ?? ''),
    labels: { abusive: r.Label === '2' ? 1 : 0 },
    source: 'id-abusive-ibrohim2018',
  }));
}

/** Fact-check claims (Data_latih.csv): claim title and circulated narrative, label 1 = hoax. */
export function readFalseNews(dir: string): Example[] {
  const text = requireFile(join(dir, 'Data_latih.csv')).toString('utf8');
  return parseDelimitedRecords(text)
    .filter((r) => r.label === '0' || r.label === '1')
    .map((r) => ({
      text: joinTitle(r.judul ?? '', r.narasi ?? ''),
      labels: { hoax: r.label === '1' ? 1 : 0 },
      source: 'indonesia-false-news',
    }));
}

/** "title. narrative", without repeating a title that the narrative already starts with. */
function joinTitle(title: string, narrative: string): string {
  const t = title.trim();
  const n = narrative.trim();
  if (t.length === 0 || n.toLowerCase().startsWith(t.toLowerCase())) return n || t;
  return `${t}. ${n}`.trim();
}

/** TurnBackHoax 2024 hoax narratives (all hoaxes; the `PENJELASAN` debunk part is cut off). */
export function readTurnBackHoax2024(dir: string): Example[] {
  const out: Example[] = [];
  for (const file of ['sentiment_results.csv', 'others_sentiment_results.csv', 'scam_sentiment_results.csv']) {
    const text = requireFile(join(dir, file)).toString('utf8');
    for (const r of parseDelimitedRecords(text)) {
      const narrative = (r.HOAX_TEXT ?? '').split(/\bPENJELASAN\b/)[0]!.replace(/[“”]/g, ' ').trim();
      if (narrative.length < 10) continue;
      out.push({ text: narrative, labels: { hoax: 1 }, source: 'turnbackhoax-2024' });
    }
  }
  return out;
}

/**
 * TurnBackHoax 2021 debunk articles. Label 1 rows are clarifications (official statements of fact): their
 * headline and the debunk lead before the first `======` section become hoax = 0. Label 0 rows with a
 * `(NARASI)` section give the circulated hoax claim as hoax = 1. Read as latin-1 (mixed encodings).
 */
export function readTurnBackHoax2021(dir: string): Example[] {
  const text = repairEscapedBytes(requireFile(join(dir, 'Scrapping.csv')));
  const out: Example[] = [];
  for (const r of parseDelimitedRecords(text, ';')) {
    const body = r.Body ?? '';
    if (r.Label === '1') {
      const lead = body.split('======')[0]!.replace(/^Foto:?\s*\S+\s*/i, '').slice(0, 600);
      out.push({ text: `${r.Headline ?? ''}. ${lead}`.trim(), labels: { hoax: 0 }, source: 'turnbackhoax-2021' });
    } else if (r.Label === '0') {
      const narasi = /\(NARASI\):?\s*([\s\S]*?)(?:======|\(PENJELASAN\)|PENJELASAN|$)/.exec(body)?.[1]?.trim() ?? '';
      if (narasi.length >= 20) out.push({ text: narasi.slice(0, 1500), labels: { hoax: 1 }, source: 'turnbackhoax-2021' });
    }
  }
  return out;
}

/** IndoNLU SmSA sentiment; the official valid split is our sentiment test set. */
export function readSmsa(dir: string): Example[] {
  const out: Example[] = [];
  for (const [file, split] of [['train_preprocess.tsv', undefined], ['valid_preprocess.tsv', 'test']] as const) {
    for (const row of parseDelimited(requireFile(join(dir, file)).toString('utf8'), '\t')) {
      const [text, label] = row;
      if (text === undefined || label === undefined) continue;
      const sentiment = label.trim();
      if (sentiment !== 'positive' && sentiment !== 'negative' && sentiment !== 'neutral') continue;
      out.push({ text, labels: {}, sentiment, source: 'indonlu-smsa', ...(split === undefined ? {} : { split }) });
    }
  }
  return out;
}

/** Chars that cp1252 puts at 0x80–0x9F: the inverse map repairs UTF-8 text that was decoded as cp1252. */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Undoes "UTF-8 read as cp1252" mojibake (`ðŸ‘‡` → 👇). Text that is not mojibake comes back unchanged. */
export function repairCp1252Mojibake(text: string): string {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 0x100) bytes.push(code);
    else {
      const high = CP1252_HIGH.indexOf(ch);
      if (high < 0) return text;
      bytes.push(0x80 + high);
    }
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return decoded.includes('\ufffd') ? text : decoded;
}

/** Pilpres 2019 tweets (sentiment toward candidates, no toxicity or hoax labels); mojibake repaired. */
export function readPilpres2019(dir: string): { text: string; sentiment: string }[] {
  const text = requireFile(join(dir, 'tweet.csv')).toString('utf8');
  return parseDelimitedRecords(text).map((r) => ({ text: repairCp1252Mojibake(r.tweet ?? '').replace(/\u00a0/g, ' ').trim(), sentiment: r.sentimen ?? '' }));
}

/** Pilkada DKI 2017 tweets: sentiment toward candidates only (no hate-speech labels). Evaluation of shift only. */
export function readPilkada(dir: string): { text: string; sentiment: 'positive' | 'negative' }[] {
  const text = requireFile(join(dir, 'dataset_tweet_sentiment_pilkada_DKI_2017.csv')).toString('utf8');
  return parseDelimitedRecords(text).map((r) => ({
    text: r['Text Tweet'] ?? '',
    sentiment: r.Sentiment === 'positive' ? 'positive' : 'negative',
  }));
}

/** Netifier's four labels per post (Twitter, Instagram, Kaskus; the repo defines none of them). */
export interface NetifierRow {
  text: string;
  platform: string;
  pornography: boolean;
  sara: boolean;
  radicalism: boolean;
  defamation: boolean;
}

/** Netifier `train.csv`: literal `\n` escapes become spaces and Kaskus `[QUOTE=…]` markup is dropped (its text kept). */
export function readNetifierRows(dir: string): NetifierRow[] {
  const text = requireFile(join(dir, 'train.csv')).toString('utf8');
  return parseDelimitedRecords(text)
    .map((r) => ({
      text: (r.original_text ?? '')
        .replace(/\\n/g, ' ')
        .replace(/\[\/?QUOTE(?:=[^\]]*)?\]/gi, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
      platform: r.source ?? '',
      pornography: r.pornografi === '1',
      sara: r.sara === '1',
      radicalism: r.radikalisme === '1',
      defamation: r.pencemaran_nama_baik === '1',
    }))
    .filter((r) => r.text.length > 0);
}

/**
 * Netifier as hate-speech and SARA rows. Its labels are not ours (../shared/data/netifier/SOURCE.md): `sara`
 * marks religion/ethnicity content, which is mostly but not always an attack, and `pencemaran_nama_baik`
 * (defamation) is the closest to insulting a person. Read as: defamation or sara → hate_speech = 1 (sara = its
 * sara label); none of the four → hate_speech = 0; pornography or radicalism alone → not annotated for
 * hate speech (neither clearly an attack nor clearly not).
 */
export function readNetifier(dir: string): Example[] {
  const out: Example[] = [];
  for (const r of readNetifierRows(dir)) {
    const attack = r.defamation || r.sara;
    const none = !r.pornography && !r.sara && !r.radicalism && !r.defamation;
    if (attack) out.push({ text: r.text, labels: { hate_speech: 1, sara: r.sara ? 1 : 0 }, source: 'netifier' });
    else if (none) out.push({ text: r.text, labels: { hate_speech: 0 }, source: 'netifier' });
  }
  return out;
}

/** Comments under 2019 news stories: 1 = not abusive, 2 = abusive, 3 = abusive and offensive → abusive = label ≥ 2. */
export function readNewsCommentsAbusive(dir: string): Example[] {
  const text = requireFile(join(dir, 'comments.csv')).toString('utf8');
  return parseDelimitedRecords(text)
    .filter((r) => r.label === '1' || r.label === '2' || r.label === '3')
    .map((r) => ({ text: (r.text ?? '').replace(/[\u2063\ufffd]/g, ' ').trim(), labels: { abusive: r.label === '1' ? 0 : 1 }, source: 'news-comments-abusive' }));
}

/** Javanese and Sundanese tweets: `uk` (ujaran kasar) → abusive, `hs` → hate_speech; Ibrohim-style placeholders. */
export function readRegionalAbusive(dir: string): Example[] {
  const out: Example[] = [];
  for (const file of ['Javanese.csv', 'Sundanese.csv']) {
    const text = repairEscapedBytes(requireFile(join(dir, file)));
    for (const r of parseDelimitedRecords(text)) {
      out.push({ text: cleanTweet(r.isi_tweet ?? ''), labels: { abusive: r.uk === '1' ? 1 : 0, hate_speech: r.hs === '1' ? 1 : 0 }, source: 'regional-abusive-jv-su' });
    }
  }
  return out;
}

/** The public sets used by `npm run train`, read from the shared data folder. */
export function readSharedData(root: string): Example[] {
  return [
    ...readMultilabelHateAbusive(join(root, 'id-multilabel-hate-abusive')),
    ...readAbusive2018(join(root, 'id-abusive-ibrohim2018')),
    ...readFalseNews(join(root, 'indonesia-false-news')),
    ...readTurnBackHoax2024(join(root, 'turnbackhoax-2024')),
    ...readTurnBackHoax2021(join(root, 'turnbackhoax-2021')),
    ...readSmsa(join(root, 'indonlu-smsa')),
    // No flag labels: used only for weak labels (see weak-labels.ts).
    ...readPilpres2019(join(root, 'pilpres-2019-sentiment')).map(
      (r): Example => ({
        text: r.text,
        labels: {},
        source: 'pilpres-2019-sentiment',
        split: 'train',
        candidateSentiment: r.sentiment === 'positif' ? 'positive' : r.sentiment === 'netral' ? 'neutral' : 'negative',
      }),
    ),
  ].filter((e) => e.text.trim().length > 0);
}

const jsonlLine = z.object({
  text: z.string(),
  labels: z.record(z.string(), z.union([z.literal(0), z.literal(1), z.boolean(), z.enum(SENTIMENT_LABELS)])),
  split: z.enum(['train', 'dev', 'test']).optional(),
  source: z.string().optional(),
});

/**
 * Labelled JSONL: one `{"text": "...", "labels": {"hate_speech": 1, "abusive": 0, "sentiment": "negative"}}`
 * per line. A line names only the labels it annotates; `sentiment` takes a class name; an optional `split`
 * pins the row to train/dev/test.
 */
export function parseJsonl(content: string, origin: string): Example[] {
  const out: Example[] = [];
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let parsed: z.infer<typeof jsonlLine>;
    try {
      parsed = jsonlLine.parse(JSON.parse(line));
    } catch (err) {
      throw new PantauError(`${origin}:${i + 1}: not a labelled example (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, {
        stage: 'training',
        code: 'data_invalid',
        retriable: false,
        cause: err,
      });
    }
    const example: Example = { text: parsed.text, labels: {}, source: parsed.source ?? origin };
    for (const [name, value] of Object.entries(parsed.labels)) {
      if (name === 'sentiment') {
        if (typeof value !== 'string') throw invalidLabel(origin, i, name);
        example.sentiment = value;
      } else if ((FLAG_LABELS as readonly string[]).includes(name)) {
        if (typeof value === 'string') throw invalidLabel(origin, i, name);
        example.labels[name as FlagLabel] = value === true || value === 1 ? 1 : 0;
      } else {
        throw invalidLabel(origin, i, name);
      }
    }
    if (parsed.split !== undefined) example.split = parsed.split;
    out.push(example);
  }
  return out;
}

function invalidLabel(origin: string, index: number, name: string): PantauError {
  return new PantauError(
    `${origin}:${index + 1}: unknown or mistyped label "${name}" (flags: ${FLAG_LABELS.join(', ')} take 0/1; sentiment takes ${SENTIMENT_LABELS.join('/')})`,
    { stage: 'training', code: 'data_invalid', retriable: false },
  );
}

export function readJsonl(path: string): Example[] {
  return parseJsonl(requireFile(path).toString('utf8'), path);
}

/** JSONL text of examples, in the format `parseJsonl` reads (used to export splits for `npm run eval`). */
export function toJsonl(examples: readonly Example[]): string {
  return examples
    .map((e) => {
      const labels: Record<string, 0 | 1 | string> = { ...e.labels };
      if (e.sentiment !== undefined) labels.sentiment = e.sentiment;
      return JSON.stringify({ text: e.text, labels, source: e.source });
    })
    .join('\n') + '\n';
}

/** Public sets that `npm run train` can add with --extra-sources (each SOURCE.md explains its labels). */
export const EXTRA_SOURCES = ['netifier', 'news-comments-abusive', 'regional-abusive-jv-su'] as const;
export type ExtraSource = (typeof EXTRA_SOURCES)[number];

/** Reads the chosen extra sources from the shared data folder. */
export function readExtraSources(root: string, sources: readonly ExtraSource[]): Example[] {
  const readers: Record<ExtraSource, (dir: string) => Example[]> = {
    netifier: readNetifier,
    'news-comments-abusive': readNewsCommentsAbusive,
    'regional-abusive-jv-su': readRegionalAbusive,
  };
  return sources.flatMap((s) => readers[s](join(root, s))).filter((e) => e.text.trim().length > 0);
}
