/**
 * Official clarification pages published as RSS 2.0 or Atom feeds (a ministry's "klarifikasi hoaks" page,
 * Komdigi's hoax reports, TurnBackHoax) into knowledge-base entries. Each item is one entry: the title without
 * its verdict marker ("[HOAKS]", "[SALAH]", "DISINFORMASI:") is the claim, the marker is the verdict, the
 * description as plain text is the explanation. An item the schema refuses is reported with its position and
 * reason, never silently dropped. Feed URLs are only ever shown through displayUrl (a token in the query
 * string stays out of the report, the origins and error messages).
 */
import { existsSync, readFileSync } from 'node:fs';
import { PantauError } from '../core/errors.ts';
import { formatIssues } from '../core/post.ts';
import { displayUrl } from '../core/redact.ts';
import { fetchBody } from '../sources/http-fetch.ts';
import { htmlToText } from '../sources/html-text.ts';
import { parseFeed, textOf, type FeedEntry } from '../sources/rss/parse-feed.ts';
import { clarificationInputSchema, VERDICTS, type ClarificationInput, type Verdict } from './entry.ts';
import type { ReadResult } from './readers.ts';

export interface FeedOptions {
  /** Where the feed was read from: relative item links are made absolute against it. */
  feedUrl?: string;
  /** The entries' publisher; else the feed's title. */
  publisher?: string;
  /** The verdict of items whose title carries no marker (default klarifikasi). */
  defaultVerdict?: Verdict;
  /** The entries' origin (default: the feed URL as displayUrl shows it, else "feed"). */
  origin?: string;
}

export interface FeedClarifications {
  entries: { entry: ClarificationInput; origin: string }[];
  /** Items refused: position is the item's 1-based place in the feed. */
  refused: { position: number; reason: string }[];
  /** The origin given to the entries (safe to print). */
  origin: string;
}

/** Marker words in titles, as fact-checkers and humas units write them, in the index's verdicts. */
const MARKERS: Record<string, Verdict> = {
  HOAKS: 'hoaks',
  HOAX: 'hoaks',
  SALAH: 'hoaks',
  PENIPUAN: 'hoaks',
  DISINFORMASI: 'disinformasi',
  MISINFORMASI: 'misinformasi',
  KELIRU: 'misinformasi',
  FITNAH: 'fitnah',
  KLARIFIKASI: 'klarifikasi',
  BENAR: 'benar',
};
const WORDS = Object.keys(MARKERS).join('|');
/** "[HOAKS]", "(SALAH)", "HOAKS:", "HOAKS - " at the start of a title ("Hoaks-hoaks pemilu …" is no marker). */
const MARKER_RE = new RegExp(`^\\s*(?:[\\[(]\\s*(${WORDS})\\s*[\\])]|(${WORDS})(?:\\s*:|\\s+[-–—|](?=\\s)))\\s*`, 'i');

/** A title's verdict marker (the first of any leading ones) and the claim without the markers. */
export function splitVerdictMarker(title: string): { claim: string; verdict: Verdict | null } {
  let claim = title;
  let verdict: Verdict | null = null;
  for (let m = MARKER_RE.exec(claim); m !== null; m = MARKER_RE.exec(claim)) {
    verdict ??= MARKERS[(m[1] ?? m[2]!).toUpperCase()]!;
    claim = claim.slice(m[0].length);
  }
  return { claim: claim.trim(), verdict };
}

/** Indonesian time zones that some feeds write in RFC 822 dates instead of an offset ("… 08:00:00 WIB"). */
const ZONES: Record<string, string> = { WIB: '+0700', WITA: '+0800', WIT: '+0900' };
const ISO_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** A feed date (ISO 8601 or RFC 822) as ISO; null when unreadable. */
export function feedDateToIso(value: string): string | null {
  const text = value.trim();
  if (ISO_RE.test(text) && clarificationInputSchema.shape.published_at.safeParse(text).success) return text;
  const zoned = text.replace(/\b(WIB|WITA|WIT)\s*$/i, (z) => ZONES[z.toUpperCase()]!);
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Category texts: RSS `<category>text</category>`, Atom `<category term="…" label="…"/>`. */
function categories(raw: Record<string, unknown>): string[] {
  const nodes = Array.isArray(raw.category) ? raw.category : raw.category === undefined ? [] : [raw.category];
  const out = new Set<string>();
  for (const node of nodes) {
    const attrs = typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : {};
    const text = (typeof attrs['@_label'] === 'string' ? attrs['@_label'] : typeof attrs['@_term'] === 'string' ? attrs['@_term'] : textOf(node)) as string;
    const topic = htmlToText(text).replace(/\s+/g, ' ').trim().slice(0, 100);
    if (topic.length > 0) out.add(topic);
  }
  return [...out].slice(0, 50);
}

/** At most `max` characters, not ending in half a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\ud800-\udbff]/.test(text[max - 1]!) ? max - 1 : max;
  return text.slice(0, end).trimEnd();
}

/** The base for relative links, without credentials, query or fragment (so "#x" cannot copy a token). */
function linkBase(feedUrl: string | undefined, siteLink: string | null): URL | null {
  for (const candidate of [feedUrl, siteLink]) {
    if (candidate === undefined || candidate === null) continue;
    try {
      const base = new URL(candidate);
      if (base.protocol !== 'http:' && base.protocol !== 'https:') continue;
      base.username = '';
      base.password = '';
      base.search = '';
      base.hash = '';
      return base;
    } catch {
      // Not an absolute URL: try the next.
    }
  }
  return null;
}

function itemEntry(item: FeedEntry, base: URL | null, publisher: string | undefined, defaultVerdict: Verdict): { entry: Record<string, unknown> } | { reason: string } {
  const title = htmlToText(item.title).replace(/\s+/g, ' ').trim();
  if (title.length === 0) return { reason: 'claim: the item has no title' };
  const { claim, verdict } = splitVerdictMarker(title);
  const entry: Record<string, unknown> = { claim, verdict: verdict ?? defaultVerdict };
  const explanation = cut(htmlToText(item.summary), 20000);
  if (explanation.length > 0) entry.explanation = explanation;
  if (publisher !== undefined) entry.publisher = publisher;
  if (item.link !== null) {
    let url: URL;
    try {
      url = base === null ? new URL(item.link) : new URL(item.link, base);
    } catch {
      return { reason: `url: "${item.link.slice(0, 200)}" is not a link${base === null ? ' (a relative link needs the feed URL)' : ''}` };
    }
    entry.url = url.toString();
  }
  if (item.date !== null) {
    const iso = feedDateToIso(item.date);
    if (iso === null) return { reason: `published_at: unreadable date "${item.date.slice(0, 100)}"` };
    entry.published_at = iso;
  }
  const topics = categories(item.raw);
  if (topics.length > 0) entry.topics = topics;
  return { entry };
}

/**
 * Every item of an RSS 2.0 or Atom document as a knowledge-base entry, or refused with its position and
 * reason. Throws PantauError (bad_xml, not_a_feed) when the document is not a feed at all.
 */
export function clarificationsFromFeed(xml: string, options: FeedOptions = {}): FeedClarifications {
  const feed = parseFeed(xml);
  const defaultVerdict = options.defaultVerdict ?? 'klarifikasi';
  if (!(VERDICTS as readonly string[]).includes(defaultVerdict)) throw new PantauError(`unknown verdict "${defaultVerdict}"; one of ${VERDICTS.join(', ')}`, { stage: 'config', code: 'kb_verdict_unknown', retriable: false });
  const feedTitle = cut(htmlToText(feed.title).replace(/\s+/g, ' ').trim(), 200);
  const publisher = options.publisher?.trim() || (feedTitle.length > 0 ? feedTitle : undefined);
  const origin = options.origin ?? (options.feedUrl === undefined ? 'feed' : displayUrl(options.feedUrl));
  const base = linkBase(options.feedUrl, feed.link);
  const out: FeedClarifications = { entries: [], refused: [], origin };
  feed.entries.forEach((item, i) => {
    const built = itemEntry(item, base, publisher, defaultVerdict);
    if ('reason' in built) {
      out.refused.push({ position: i + 1, reason: built.reason });
      return;
    }
    const parsed = clarificationInputSchema.safeParse(built.entry);
    if (parsed.success) out.entries.push({ entry: parsed.data, origin });
    else out.refused.push({ position: i + 1, reason: formatIssues(parsed.error) });
  });
  return out;
}

export interface ReadFeedOptions extends FeedOptions {
  /** Deadline for the whole download (default 30 s). */
  timeoutMs?: number;
  /** Largest feed accepted (default 20 MB). */
  maxBytes?: number;
}

const isHttp = (source: string) => /^https?:\/\//i.test(source);

/** Fetches (http/https, with a deadline and a size limit) or reads (a file path) a feed, then converts it. */
export async function readClarificationFeed(source: string, options: ReadFeedOptions = {}): Promise<FeedClarifications> {
  const { timeoutMs = 30_000, maxBytes = 20 * 1024 * 1024, ...feedOptions } = options;
  let xml: string;
  let shown: string;
  if (isHttp(source)) {
    shown = displayUrl(source);
    const fetched = await fetchBody(source, { timeoutMs, maxBytes, headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1' } });
    xml = fetched.body.toString('utf8');
    feedOptions.feedUrl ??= source;
  } else {
    shown = source;
    if (!existsSync(source)) throw new PantauError(`Feed file not found: ${source}`, { stage: 'config', code: 'kb_file_missing', retriable: false });
    xml = readFileSync(source, 'utf8');
  }
  try {
    return clarificationsFromFeed(xml.replace(/^\ufeff/, ''), { ...feedOptions, origin: feedOptions.origin ?? shown });
  } catch (error) {
    if (error instanceof PantauError) throw new PantauError(`${shown}: ${error.message}`, { stage: error.stage, code: error.code, retriable: error.retriable });
    throw error;
  }
}

/** A feed's entries and refused items as an import's input (refused items listed as "<origin>:<position>"). */
export function feedImportInput(feed: FeedClarifications): ReadResult {
  return { entries: feed.entries, rejected: feed.refused.map((r) => ({ origin: feed.origin, line: r.position, reason: r.reason })) };
}
