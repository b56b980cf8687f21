/**
 * RSS 2.0 and Atom 1.0 documents into a flat list of entries with the few fields pantau needs, plus each
 * item exactly as parsed (for `raw` and for dead letters). Pure: bytes in, entries out, so every feed
 * quirk is unit-tested without a server.
 *
 * The XML is checked well-formed first (fast-xml-parser's validator): its parser alone is lenient and would
 * turn a truncated download into a feed with fewer items. DOCTYPE entity expansion keeps the library's
 * limits (a "billion laughs" feed fails instead of eating memory).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PantauError } from '../../core/errors.ts';

export interface FeedEntry {
  /** The item's own identity: RSS guid or Atom id; null when the feed gives none. */
  guid: string | null;
  link: string | null;
  title: string;
  /** HTML (or plain text) of description / summary / content. */
  summary: string;
  author: string | null;
  /** pubDate / dc:date (RSS), published / updated (Atom), as written. */
  date: string | null;
  /** The item as parsed, attributes prefixed with "@_". */
  raw: Record<string, unknown>;
}

export interface ParsedFeed {
  format: 'rss' | 'atom';
  title: string;
  /** The site's address (RSS channel link, Atom alternate link), as written; null when absent. */
  link: string | null;
  entries: FeedEntry[];
}

const ALWAYS_ARRAYS = new Set(['item', 'entry', 'link', 'category', 'author', 'contributor']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Keep every value a string: a numeric guid "0012" must stay "0012".
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ALWAYS_ARRAYS.has(name),
});

const badXml = (detail: string) => new PantauError(`the feed is not well-formed XML: ${detail}`, { stage: 'receiving', code: 'bad_xml', retriable: true });

/** Concatenated text of a parsed node: strings as they are, elements' text in order, attributes ignored. */
export function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return node.map(textOf).filter(Boolean).join(' ');
  if (typeof node === 'object') {
    return Object.entries(node)
      .filter(([k]) => !k.startsWith('@_'))
      .map(([, v]) => textOf(v))
      .filter(Boolean)
      .join(' ');
  }
  return '';
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());
const first = (node: unknown): unknown => (Array.isArray(node) ? node[0] : node);

function atomLink(links: unknown): string | null {
  if (!Array.isArray(links)) return orNull(textOf(links));
  const withHref = links.filter((l): l is Record<string, unknown> => typeof l === 'object' && l !== null && typeof l['@_href'] === 'string');
  const alternate = withHref.find((l) => l['@_rel'] === undefined || l['@_rel'] === 'alternate') ?? withHref[0];
  return alternate ? orNull(alternate['@_href'] as string) : null;
}

function atomAuthor(authors: unknown): string | null {
  const names = (Array.isArray(authors) ? authors : [authors])
    .map((a) => (typeof a === 'object' && a !== null ? textOf((a as Record<string, unknown>).name) : textOf(a)))
    .filter((n) => n.trim() !== '');
  return names.length > 0 ? names.join(', ') : null;
}

/** RSS 2.0 `<author>` is "e-mail (Name)": the name is the author; a bare address stays as it is. */
function rssAuthor(text: string): string | null {
  const named = /^\S+@\S+\s+\((.+)\)$/.exec(text.trim());
  return orNull(named ? named[1]! : text);
}

function rssEntry(item: Record<string, unknown>): FeedEntry {
  return {
    guid: orNull(textOf(item.guid)),
    link: orNull(textOf(first(item.link))),
    title: textOf(item.title),
    summary: textOf(item.description) || textOf(item['content:encoded']),
    author: rssAuthor(textOf(item['dc:creator']) || textOf(first(item.author))),
    date: orNull(textOf(item.pubDate) || textOf(item['dc:date'])),
    raw: item,
  };
}

function atomEntry(entry: Record<string, unknown>): FeedEntry {
  return {
    guid: orNull(textOf(entry.id)),
    link: atomLink(entry.link),
    title: textOf(entry.title),
    summary: textOf(entry.summary) || textOf(entry.content),
    author: atomAuthor(entry.author),
    date: orNull(textOf(entry.published) || textOf(entry.updated)),
    raw: entry,
  };
}

const asRecords = (v: unknown): Record<string, unknown>[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);

/** Throws PantauError `bad_xml` (retriable: often a truncated download) or `not_a_feed` (not retriable). */
export function parseFeed(xml: string): ParsedFeed {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw badXml(`${valid.err.msg} (line ${valid.err.line})`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    throw badXml((error as Error).message);
  }
  const rss = doc.rss as Record<string, unknown> | undefined;
  if (rss && typeof rss === 'object') {
    const channel = first(rss.channel) as Record<string, unknown> | undefined;
    return { format: 'rss', title: textOf(channel?.title), link: orNull(textOf(first(channel?.link))), entries: asRecords(channel?.item).map(rssEntry) };
  }
  const feed = doc.feed as Record<string, unknown> | undefined;
  if (feed && typeof feed === 'object') {
    return { format: 'atom', title: textOf(feed.title), link: atomLink(feed.link), entries: asRecords(feed.entry).map(atomEntry) };
  }
  const root = Object.keys(doc).find((k) => !k.startsWith('?')) ?? '(none)';
  throw new PantauError(`the document is XML but neither RSS 2.0 nor Atom (root element <${root}>)`, {
    stage: 'receiving',
    code: 'not_a_feed',
    retriable: false,
  });
}
