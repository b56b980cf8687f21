/**
 * One feed entry into a candidate post (validated afterwards by edge-validate). Pure.
 *
 * The post id is `rss-<source name>-<hash>`, the hash over the entry's guid/id, else its link, else its
 * whole parsed content: guids may be URLs or contain characters the post id does not allow, and the hash
 * keeps the id stable across polls and restarts, which is what de-duplication rests on.
 */
import { createHash } from 'node:crypto';
import { truncateText } from '../edge-validate.ts';
import { parseZonedDate } from '../field-mapping.ts';
import { htmlToText } from '../html-text.ts';
import type { FeedEntry } from './parse-feed.ts';

export interface EntryContext {
  sourceName: string;
  /** Relative links are resolved against this: the site's address from the feed, else the feed's URL. */
  baseUrl: string;
  platform: string;
  language: string | null;
  region: string | null;
  /** created_at when the entry has no date, or one that cannot be read. */
  fetchedAt: Date;
}

export function entryKey(entry: FeedEntry): string {
  return entry.guid ?? entry.link ?? JSON.stringify(entry.raw);
}

export function entryPostId(sourceName: string, entry: FeedEntry): string {
  return `rss-${sourceName}-${createHash('sha256').update(entryKey(entry)).digest('hex').slice(0, 24)}`;
}

/** Absolute http(s) URL of the entry (relative links resolved against `base`), else the link as written. */
export function absoluteLink(link: string | null, base: string): string | null {
  if (link === null) return null;
  try {
    const url = new URL(link, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : link;
  } catch {
    return link;
  }
}

export function entryToCandidate(entry: FeedEntry, ctx: EntryContext): Record<string, unknown> {
  const title = htmlToText(entry.title);
  const summary = htmlToText(entry.summary);
  // Many portals repeat the headline as the first words of the description.
  const text = summary === '' || summary === title ? title : title === '' || summary.startsWith(title) ? summary : `${title}\n\n${summary}`;
  const date = entry.date === null ? null : parseZonedDate(entry.date);
  return {
    id: entryPostId(ctx.sourceName, entry),
    platform: ctx.platform,
    author: entry.author === null ? null : htmlToText(entry.author).slice(0, 200) || null,
    text: truncateText(text),
    url: absoluteLink(entry.link, ctx.baseUrl),
    created_at: date ?? ctx.fetchedAt.toISOString(),
    region: ctx.region,
    engagement: {},
    language: ctx.language,
    raw: entry.raw,
  };
}
