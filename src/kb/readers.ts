/**
 * Knowledge-base input: JSONL and CSV files written by humas units or exported by partners, and the public
 * debunks in ../shared/data. A bad line is reported with its line number and reason, never silently dropped;
 * the good lines still import.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseDelimitedRecords } from '../classifier/training/csv.ts';
import { PantauError } from '../core/errors.ts';
import { formatIssues } from '../core/post.ts';
import { repairEscapedBytes } from '../classifier/training/datasets.ts';
import { readFalseNews, readTurnBackHoax2024, turnBackHoax2025Claim } from '../match/training/data.ts';
import { parseClaimReviews } from './claim-review.ts';
import { clarificationInputSchema, type ClarificationInput, type Verdict } from './entry.ts';

export interface ReadEntry {
  entry: ClarificationInput;
  origin: string;
}

export interface RejectedLine {
  origin: string;
  line: number;
  reason: string;
}

export interface ReadResult {
  entries: ReadEntry[];
  rejected: RejectedLine[];
}

/** One JSON object per line, fields as in the index (claim, verdict, explanation, sources, …). */
export function parseKbJsonl(content: string, origin: string): ReadResult {
  const out: ReadResult = { entries: [], rejected: [] };
  content.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      out.rejected.push({ origin, line: i + 1, reason: `not JSON (${(error as Error).message})` });
      return;
    }
    const parsed = clarificationInputSchema.safeParse(value);
    if (parsed.success) out.entries.push({ entry: parsed.data, origin });
    else out.rejected.push({ origin, line: i + 1, reason: formatIssues(parsed.error) });
  });
  return out;
}

/** Columns whose cell holds a list, items separated by "|". */
const LIST_COLUMNS = ['sources', 'topics', 'regions', 'institutions'] as const;

/**
 * CSV with a header row naming the fields (claim, verdict, explanation, sources, publisher, url, published_at,
 * topics, regions, institutions; unknown columns are an error). List cells separate items with "|".
 */
export function parseKbCsv(content: string, origin: string, delimiter = ','): ReadResult {
  const out: ReadResult = { entries: [], rejected: [] };
  parseDelimitedRecords(content.replace(/^\ufeff/, ''), delimiter).forEach((record, i) => {
    const entry: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(record)) {
      const cell = value.trim();
      if (cell.length === 0) continue;
      entry[column] = (LIST_COLUMNS as readonly string[]).includes(column) ? cell.split('|').map((v) => v.trim()).filter((v) => v.length > 0) : cell;
    }
    const parsed = clarificationInputSchema.safeParse(entry);
    if (parsed.success) out.entries.push({ entry: parsed.data, origin });
    // Record i is on line i + 2 when no cell spans lines (the header is line 1).
    else out.rejected.push({ origin, line: i + 2, reason: formatIssues(parsed.error) });
  });
  return out;
}

export type KbFileFormat = 'jsonl' | 'csv' | 'claimreview';

/** Reads a JSONL, CSV or ClaimReview JSON-LD file, by its extension (.jsonl, .csv, .jsonld) unless `format` says. */
export function readKbFile(path: string, format?: KbFileFormat): ReadResult {
  if (!existsSync(path)) throw new PantauError(`Knowledge-base file not found: ${path}`, { stage: 'config', code: 'kb_file_missing', retriable: false });
  const ext = extname(path);
  const kind = format ?? (/^\.csv$/i.test(ext) ? 'csv' : /^\.(jsonl|ndjson|json)$/i.test(ext) ? 'jsonl' : /^\.jsonld$/i.test(ext) ? 'claimreview' : null);
  if (kind === null) throw new PantauError(`Cannot tell the format of ${path}: name it .jsonl, .csv or .jsonld (ClaimReview), or pass --format jsonl|csv|claimreview.`, { stage: 'config', code: 'kb_format_unknown', retriable: false });
  const content = readFileSync(path, 'utf8');
  return kind === 'csv' ? parseKbCsv(content, path) : kind === 'claimreview' ? parseClaimReviews(content, path) : parseKbJsonl(content, path);
}

/** TurnBackHoax 2025 verdicts (hasil periksa) in the index's terms; PARODI and the like are not claims. */
const TBH2025_VERDICTS: Record<string, Verdict> = { SALAH: 'hoaks', PENIPUAN: 'hoaks', HOAKS: 'hoaks', KELIRU: 'misinformasi', DISINFORMASI: 'disinformasi', MISINFORMASI: 'misinformasi', FITNAH: 'fitnah' };

/** dd/mm/yyyy → yyyy-mm-dd, or undefined. */
function isoDate(value: string | undefined): string | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec((value ?? '').trim());
  return m === null ? undefined : `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

/** TurnBackHoax 2025 articles: claim from the title slug, verdict, explanation, date, category, link. */
function readTurnBackHoax2025Entries(dir: string): ReadEntry[] {
  const text = readFileSync(join(dir, 'turnbackhoax_articles.csv'), 'utf8').replace(/^\ufeff/, '');
  const out: ReadEntry[] = [];
  for (const r of parseDelimitedRecords(text)) {
    const verdict = TBH2025_VERDICTS[(r.classification ?? '').trim().toUpperCase()];
    const article = turnBackHoax2025Claim(r.url);
    if (verdict === undefined || article === null) continue;
    const explanation = [r.penjelasan, r.kesimpulan].map((v) => (v ?? '').trim()).filter((v) => v.length > 0).join('\n\n');
    const parsed = clarificationInputSchema.safeParse({
      ...article,
      verdict,
      ...(explanation.length > 0 ? { explanation: explanation.slice(0, 20000) } : {}),
      publisher: 'TurnBackHoax (Mafindo)',
      url: r.url!.trim(),
      ...(isoDate(r.date) === undefined ? {} : { published_at: isoDate(r.date) }),
      ...((r.category ?? '').trim().length > 0 ? { topics: [r.category!.trim()] } : {}),
    });
    if (parsed.success) out.push({ entry: parsed.data, origin: 'turnbackhoax-2025' });
  }
  return out;
}

/**
 * TurnBackHoax 2021 articles (SOURCE.md): label 0 rows are debunks whose headline is the hoax claim, label 1
 * rows are clarifications whose headline states the fact. The PENJELASAN part of the body is the explanation.
 */
function readTurnBackHoax2021Entries(dir: string): ReadEntry[] {
  const text = repairEscapedBytes(readFileSync(join(dir, 'Scrapping.csv')));
  const out: ReadEntry[] = [];
  parseDelimitedRecords(text, ';').forEach((r, i) => {
    if (r.Label !== '0' && r.Label !== '1') return;
    const claim = (r.Headline ?? '').replace(/[“”„‟"]/g, ' ').replace(/\s+/g, ' ').trim();
    const explanation = /PENJELASAN\)?:?\s*([\s\S]*?)(?:======|$)/.exec(r.Body ?? '')?.[1]?.trim() ?? '';
    const parsed = clarificationInputSchema.safeParse({
      id: `tbh2021-${i + 1}`,
      claim,
      verdict: r.Label === '0' ? 'hoaks' : 'klarifikasi',
      ...(explanation.length > 0 ? { explanation: explanation.slice(0, 20000) } : {}),
      publisher: 'TurnBackHoax (Mafindo)',
    });
    if (parsed.success) out.push({ entry: parsed.data, origin: 'turnbackhoax-2021' });
  });
  return out;
}

/** A matching set's debunked claims as hoax entries of one publisher. */
function hoaxEntries(kb: readonly { id: string; claim: string }[], origin: string, publisher: string): ReadEntry[] {
  const out: ReadEntry[] = [];
  for (const k of kb) {
    const parsed = clarificationInputSchema.safeParse({ id: k.id, claim: k.claim, verdict: 'hoaks', publisher });
    if (parsed.success) out.push({ entry: parsed.data, origin });
  }
  return out;
}

/** The public debunk sets of ../shared/data that the knowledge base loads with one command. */
export const SHARED_DEBUNK_SETS = ['turnbackhoax-2025', 'turnbackhoax-2024', 'turnbackhoax-2021', 'indonesia-false-news'] as const;

/**
 * Reads the public debunks of ../shared/data as entries. Each set is read only if its folder is there; the
 * result says which were missing. Claims shorter than 10 characters are skipped (no claim to match).
 */
export function readSharedDebunks(root: string): { entries: ReadEntry[]; missing: string[]; perSet: Record<string, number> } {
  const entries: ReadEntry[] = [];
  const missing: string[] = [];
  const perSet: Record<string, number> = {};
  const readers: Record<(typeof SHARED_DEBUNK_SETS)[number], (dir: string) => ReadEntry[]> = {
    'turnbackhoax-2025': readTurnBackHoax2025Entries,
    'turnbackhoax-2024': (dir) => hoaxEntries(readTurnBackHoax2024(dir).kb.map((k) => ({ ...k, id: `tbh2024-${k.id}` })), 'turnbackhoax-2024', 'TurnBackHoax (Mafindo)'),
    'turnbackhoax-2021': readTurnBackHoax2021Entries,
    'indonesia-false-news': (dir) => hoaxEntries(readFalseNews(dir).kb, 'indonesia-false-news', 'Indonesia False News (fact-check claims)'),
  };
  for (const set of SHARED_DEBUNK_SETS) {
    const dir = join(root, set);
    if (!existsSync(dir)) {
      missing.push(set);
      continue;
    }
    const read = readers[set](dir);
    perSet[set] = read.length;
    entries.push(...read);
  }
  return { entries, missing, perSet };
}
