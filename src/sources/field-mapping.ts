/**
 * Turns one record of a platform (a JSON API item, a CSV row) into a candidate post, following a field
 * mapping from the pipeline file. The mapping names where each post field is: a JSON Pointer for JSON
 * sources, a column name for CSV; `fieldMappingSchema` is built for either kind of reference.
 *
 * Values are converted, not judged: an id or date the schema refuses is passed on as it is, so the edge
 * validation dead-letters the record with a message that names the field. Engagement counts are the one
 * exception: they are read leniently ("1200" counts) and left out when unreadable ("1,2 rb"), because a
 * post should not be lost for a like count; the record stays whole in `raw`.
 */
import { z } from 'zod';
import { truncateText } from './edge-validate.ts';
import { htmlToText } from './html-text.ts';

export const createdAtFormats = ['iso', 'epoch_s', 'epoch_ms'] as const;

export function fieldMappingSchema<R extends z.ZodType<string>>(ref: R) {
  return z
    .object({
      id: ref.describe('The platform\'s own id of the item; the post id becomes `<idPrefix>-<id>`.'),
      text: z.union([ref, z.array(ref).min(1).max(10)]).describe('One field, or several joined with a blank line (e.g. title and body).'),
      textFormat: z.enum(['plain', 'html']).default('plain').describe('`html` when the platform sends the text as HTML (Mastodon, WordPress): tags are stripped.'),
      author: ref.optional().describe("The author's handle or name (pseudonymised unless PANTAU_AUTHOR_PSEUDONYMS=off)."),
      url: ref.optional().describe('Link to the original post; only http(s) URLs are accepted.'),
      createdAt: ref.describe('When the post was published.'),
      createdAtFormat: z.enum(createdAtFormats).default('iso').describe('`iso`: an ISO 8601 / RFC 2822 date with a time zone; `epoch_s` / `epoch_ms`: a Unix time.'),
      likes: ref.optional().describe('Engagement counts: likes (a whole number ≥ 0).'),
      shares: ref.optional().describe('Shares, retweets or forwards.'),
      replies: ref.optional().describe('Replies or comments.'),
      views: ref.optional().describe('Views or impressions.'),
      region: ref.optional().describe('BPS province/regency code per item; when absent, the source\'s `region` applies.'),
      language: ref.optional().describe('ISO 639 code per item; when absent, the source\'s `language` applies.'),
    })
    .strict();
}

export interface FieldMapping {
  id: string;
  text: string | string[];
  textFormat: 'plain' | 'html';
  author?: string | undefined;
  url?: string | undefined;
  createdAt: string;
  createdAtFormat: (typeof createdAtFormats)[number];
  likes?: string | undefined;
  shares?: string | undefined;
  replies?: string | undefined;
  views?: string | undefined;
  region?: string | undefined;
  language?: string | undefined;
}

/** What the source's config says for every record. */
export interface MappingDefaults {
  idPrefix: string;
  platform: string;
  language: string | null;
  region: string | null;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** The native id as text: strings as they are, integers in decimal; anything else is no id. */
export function nativeIdOf(v: unknown): string | null {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return null;
}

function count(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

const INDONESIAN_ZONES: Record<string, string> = { WIB: '+0700', WITA: '+0800', WIT: '+0900' };
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2}|\b(GMT|UTC|UT)\b)\s*$/i;
const HAS_ZONE_BEFORE_YEAR = /[+-]\d{4} \d{4}$/; // Twitter v1.1: "Wed Oct 10 20:19:24 +0000 2018"

/**
 * A date as ISO 8601 in UTC, or the value unchanged when it cannot be read safely (the schema then names
 * it). A date without a time zone is not guessed: "2026-11-20 10:00" could be WIB, WITA or WIT.
 */
export function toIsoDate(value: unknown, format: FieldMapping['createdAtFormat']): unknown {
  if (format !== 'iso') {
    const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) return value;
    const date = new Date(format === 'epoch_s' ? n * 1000 : n);
    return Number.isNaN(date.getTime()) ? value : date.toISOString();
  }
  if (typeof value !== 'string') return value;
  return parseZonedDate(value) ?? value;
}

/** ISO 8601 in UTC of a date written with a time zone (ISO 8601, RFC 2822); null otherwise. */
export function parseZonedDate(value: string): string | null {
  // Indonesian portals sometimes write the zone's name instead of its offset.
  const text = value.trim().replace(/\s*\b(WIB|WITA|WIT)$/i, (_m, zone: string) => ` ${INDONESIAN_ZONES[zone.toUpperCase()]}`);
  if (!HAS_ZONE.test(text) && !HAS_ZONE_BEFORE_YEAR.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

/**
 * Builds the candidate post. `get(ref)` reads one reference from the record (undefined when absent).
 * Returns the native id too, for seen-sets and cursors.
 */
export function mapRecord(
  get: (ref: string) => unknown,
  mapping: FieldMapping,
  defaults: MappingDefaults,
  raw: unknown,
): { nativeId: string | null; candidate: Record<string, unknown> } {
  const nativeId = nativeIdOf(get(mapping.id));
  const refs = Array.isArray(mapping.text) ? mapping.text : [mapping.text];
  const text = refs
    .map((r) => {
      const t = asText(get(r));
      return t === undefined ? undefined : mapping.textFormat === 'html' ? htmlToText(t) : t.trim();
    })
    .filter((t): t is string => t !== undefined && t !== '')
    .join('\n\n');
  const optionalText = (ref: string | undefined) => {
    if (ref === undefined) return undefined;
    const v = get(ref);
    return present(v) ? asText(v)?.trim() ?? v : undefined;
  };
  const engagement: Record<string, number> = {};
  for (const key of ['likes', 'shares', 'replies', 'views'] as const) {
    const ref = mapping[key];
    const n = ref === undefined ? undefined : count(get(ref));
    if (n !== undefined) engagement[key] = n;
  }
  const candidate: Record<string, unknown> = {
    id: nativeId === null ? undefined : `${defaults.idPrefix}-${nativeId}`,
    platform: defaults.platform,
    author: optionalText(mapping.author) ?? null,
    text: truncateText(text),
    url: optionalText(mapping.url) ?? null,
    created_at: toIsoDate(get(mapping.createdAt), mapping.createdAtFormat),
    region: optionalText(mapping.region) ?? defaults.region,
    engagement,
    language: optionalText(mapping.language) ?? defaults.language,
    raw,
  };
  return { nativeId, candidate };
}
