/**
 * Readers for the shared fact-check data (../shared/data, see each SOURCE.md) as claim-matching material: a
 * knowledge base of debunk titles and (narrative, title id) pairs. Read at training and evaluation time only;
 * nothing here is copied into the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PantauError } from '../../core/errors.ts';
import { parseDelimitedRecords } from '../../classifier/training/csv.ts';
import { repairEscapedBytes } from '../../classifier/training/datasets.ts';
import type { KbEntry } from '../types.ts';

/** One circulated narrative and the id of the knowledge-base entry that debunks it. */
export interface NarrativePair {
  text: string;
  expectedId: string;
}

/** A dataset as a matching task: its own knowledge base and the narratives that should find their entry. */
export interface MatchingSet {
  source: string;
  kb: KbEntry[];
  pairs: NarrativePair[];
}

function requireFile(path: string): Buffer {
  if (!existsSync(path)) throw new PantauError(`Data file not found: ${path}`, { stage: 'training', code: 'data_missing', retriable: false });
  return readFileSync(path);
}

/** Curly quotes around a quoted narrative carry nothing. */
function unquote(text: string): string {
  return text.replace(/[“”„‟]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * TurnBackHoax 2024: the 3,746 debunk titles are the knowledge base; each narrative file row pairs its
 * `HOAX_TEXT` with the title of the same ID. The narrative is kept raw (with any `PENJELASAN` tail), as the
 * evaluation feeds it: the normaliser cuts that part.
 */
export function readTurnBackHoax2024(dir: string): MatchingSet {
  const kb = parseDelimitedRecords(requireFile(join(dir, 'categorized_hoaxes.csv')).toString('utf8'))
    .filter((r) => (r.ID ?? '') !== '' && (r.TITLE ?? '').trim() !== '')
    .map((r) => ({ id: r.ID!, claim: r.TITLE!.trim() }));
  const pairs: NarrativePair[] = [];
  for (const file of ['sentiment_results.csv', 'others_sentiment_results.csv', 'scam_sentiment_results.csv']) {
    for (const r of parseDelimitedRecords(requireFile(join(dir, file)).toString('utf8'))) {
      const text = (r.HOAX_TEXT ?? '').trim();
      if (text.length === 0 || (r.ID ?? '') === '') continue;
      pairs.push({ text, expectedId: r.ID! });
    }
  }
  return { source: 'turnbackhoax-2024', kb, pairs };
}

/** `[SALAH] Foo` / `[HOAKS] Foo` / `SALAH: Foo` → `Foo`. */
function stripVerdictPrefix(title: string): string {
  return title.replace(/^\s*(?:\[[^\]]{2,20}\]|(?:salah|hoaks|hoax|penipuan|disinformasi|misinformasi|fitnah)\s*:)\s*/i, '').trim();
}

/** TurnBackHoax 2021 debunk articles: the headline is the claim, the `(NARASI)` section the narrative. */
export function readTurnBackHoax2021(dir: string): MatchingSet {
  const text = repairEscapedBytes(requireFile(join(dir, 'Scrapping.csv')));
  const kb: KbEntry[] = [];
  const pairs: NarrativePair[] = [];
  parseDelimitedRecords(text, ';').forEach((r, i) => {
    if (r.Label !== '0') return;
    const claim = stripVerdictPrefix(r.Headline ?? '');
    const narasi = /\(NARASI\):?\s*([\s\S]*?)(?:======|\(PENJELASAN\)|PENJELASAN|$)/.exec(r.Body ?? '')?.[1]?.trim() ?? '';
    if (claim.length < 10 || narasi.length < 20) return;
    const id = `tbh2021-${i + 1}`;
    kb.push({ id, claim });
    pairs.push({ text: unquote(narasi.slice(0, 2000)), expectedId: id });
  });
  return { source: 'turnbackhoax-2021', kb, pairs };
}

/** The fact-checker's lead-in before the quoted claim ("Akun Facebook X ... mengunggah narasi [arsip] sebagai berikut:"). */
const FRAMING_RE = /^[\s\S]{0,300}?(?:sebagai berikut|berisi narasi|disertai narasi|dengan narasi|narasi)\s*:\s*/i;

/**
 * A TurnBackHoax 2025 article's id and claim, from its URL slug with the leading verdict word dropped
 * (`…/articles/35352-salah-gunung-lawu-bakal-erupsi-besar` → `tbh2025-35352`, "gunung lawu bakal erupsi besar"),
 * or null when the URL is not an article's or the claim is shorter than 10 characters.
 */
export function turnBackHoax2025Claim(url: string | undefined): { id: string; claim: string } | null {
  const slug = /articles\/(\d+)-([^/?#]+)/.exec(url ?? '');
  if (slug === null) return null;
  const claim = slug[2]!
    .split('-')
    .filter((w, i) => !(i === 0 && /^(salah|penipuan|parodi|satire|satir|komedi|hoaks|keliru|disinformasi|misinformasi)$/i.test(w)))
    .join(' ');
  return claim.length < 10 ? null : { id: `tbh2025-${slug[1]}`, claim };
}

/** TurnBackHoax 2025 articles: the title is the URL slug (verdict word dropped), the narrative `narasi`. */
export function readTurnBackHoax2025(dir: string): MatchingSet {
  const text = requireFile(join(dir, 'turnbackhoax_articles.csv')).toString('utf8');
  const kb: KbEntry[] = [];
  const pairs: NarrativePair[] = [];
  for (const r of parseDelimitedRecords(text)) {
    const article = turnBackHoax2025Claim(r.url);
    const narasi = (r.narasi ?? '').trim();
    if (article === null || narasi.length < 20) continue;
    kb.push(article);
    pairs.push({ text: unquote(narasi.replace(FRAMING_RE, '').slice(0, 2000)), expectedId: article.id });
  }
  return { source: 'turnbackhoax-2025', kb, pairs };
}

/**
 * Indonesia False News (Data_latih.csv), hoax rows only: the title `judul` is the claim, `narasi` the
 * message. Rows whose narrative merely starts with the title teach nothing and are skipped.
 */
export function readFalseNews(dir: string): MatchingSet {
  const text = requireFile(join(dir, 'Data_latih.csv')).toString('utf8');
  const kb: KbEntry[] = [];
  const pairs: NarrativePair[] = [];
  for (const r of parseDelimitedRecords(text)) {
    if (r.label !== '1') continue;
    const claim = (r.judul ?? '').trim();
    const narasi = unquote(r.narasi ?? '');
    if (claim.length < 10 || narasi.length < 20) continue;
    if (narasi.toLowerCase().startsWith(claim.toLowerCase().slice(0, 40))) continue;
    const id = `ifn-${r.ID ?? kb.length + 1}`;
    kb.push({ id, claim });
    pairs.push({ text: narasi.slice(0, 2000), expectedId: id });
  }
  return { source: 'indonesia-false-news', kb, pairs };
}

/** The extra sets (other years and sources) that can add training pairs. */
export function readExtraSets(root: string): MatchingSet[] {
  const out: MatchingSet[] = [];
  const readers: [string, (dir: string) => MatchingSet][] = [
    ['turnbackhoax-2021', readTurnBackHoax2021],
    ['turnbackhoax-2025', readTurnBackHoax2025],
    ['indonesia-false-news', readFalseNews],
  ];
  for (const [folder, read] of readers) {
    const dir = join(root, folder);
    if (existsSync(dir)) out.push(read(dir));
  }
  return out;
}
