/**
 * The unlabelled election-domain posts of ../shared/data that pantau annotates with ../shared/LABELS.md:
 * Pemilu 2024 tweets (Prabowo-Gibran search, Nov–Dec 2023), replies about the free-meals programme (2025) and
 * the Satria Data 2024 Pemilu tweets. Each post gets a stable id derived from its source, so the project can
 * commit ids and labels only and join them with the texts at training time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PantauError } from '../../core/errors.ts';
import { parseDelimitedRecords } from '../training/csv.ts';

export type ElectionSource = 'pemilu-2024-tweets' | 'mbg-replies-2024' | 'pemilu-2024-topics';
export const ELECTION_SOURCES: readonly ElectionSource[] = ['pemilu-2024-tweets', 'mbg-replies-2024', 'pemilu-2024-topics'];

export interface ElectionPost {
  /** `pemilu24-<tweet id>`, `mbg-<reply id>`, `bdc-<12 hex of the text's SHA-1>`. */
  id: string;
  source: ElectionSource;
  text: string;
}

function read(path: string): string {
  if (!existsSync(path)) throw new PantauError(`Data file not found: ${path}`, { stage: 'training', code: 'data_missing', retriable: false });
  return readFileSync(path, 'utf8');
}

/** Text mis-decoded twice (the Satria Data files: `Ã¢Â€Â\x9d`); such rows are left out rather than guessed at. */
const MOJIBAKE = /Ã.|Â[\x80-\xbf ]/;

const textHash = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 12);

/** Every post of the three sources, in file order; rows without text or with mojibake are left out. */
export function readElectionPosts(dataRoot: string): ElectionPost[] {
  const posts: ElectionPost[] = [];
  for (const r of parseDelimitedRecords(read(join(dataRoot, 'pemilu-2024-tweets', 'tweets.csv')))) {
    const text = (r.full_text ?? '').trim();
    if (r.id_str && text) posts.push({ id: `pemilu24-${r.id_str}`, source: 'pemilu-2024-tweets', text });
  }
  for (const r of parseDelimitedRecords(read(join(dataRoot, 'mbg-replies-2024', 'hybrid_labeled_data.csv')))) {
    const text = (r.reply_text ?? '').trim();
    if (r.reply_id && text) posts.push({ id: `mbg-${r.reply_id}`, source: 'mbg-replies-2024', text });
  }
  const topics = join(dataRoot, 'pemilu-2024-topics');
  const bdcTexts = [
    ...parseDelimitedRecords(read(join(topics, 'dataset_penyisihan_bdc_2024.csv')), ';').map((r) => r.text ?? ''),
    ...parseDelimitedRecords(read(join(topics, 'dataset_unlabeled_penyisihan_bdc_2024.csv')), ';').map((r) => r.Text ?? ''),
  ];
  for (const raw of bdcTexts) {
    const text = raw.trim();
    if (text && !MOJIBAKE.test(text)) posts.push({ id: `bdc-${textHash(text)}`, source: 'pemilu-2024-topics', text });
  }
  return posts;
}

/** The text as compared for duplicates: without links and @mentions, lower case, spaces squeezed. */
export function dedupeKey(text: string): string {
  return text
    .replace(/https?:\/\/\S+/gi, ' ')
    .replace(/@\w+/g, ' ')
    .replace(/\[RE [^\]]*\]/g, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** One post per distinct text (the first one wins) and per id; texts shorter than 15 characters are left out. */
export function distinctPosts(posts: readonly ElectionPost[]): ElectionPost[] {
  const seenText = new Set<string>();
  const seenId = new Set<string>();
  const out: ElectionPost[] = [];
  for (const post of posts) {
    const key = dedupeKey(post.text);
    if (key.length < 15 || seenText.has(key) || seenId.has(post.id)) continue;
    seenText.add(key);
    seenId.add(post.id);
    out.push(post);
  }
  return out;
}
