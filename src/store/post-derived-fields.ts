/**
 * Fields the posts sink derives from a post for searching and aggregating, so no query needs a script (this
 * Elasticsearch has no painless): the stemmed search text, the province of the region, the source of the id.
 * `pantau backfill-search` writes the same fields on posts indexed before they existed.
 */
import { searchText } from '../review/search-text.ts';

export interface DerivedPostFields {
  /** The stemmed words for the analysts' Indonesian full-text search (review/search-text.ts). */
  search_text: string;
  /** The 2-digit BPS province code of `region` (2 or 4 digits), for the dashboard's map; null without a region. */
  province: string | null;
  /** The source the id names (`<source>-<native id>`), for the dashboard's sources panel. */
  source: string;
}

/** The province of a BPS region code: its first two digits. */
export const provinceOf = (region: string | null | undefined): string | null => (typeof region === 'string' && /^\d{2}(\d{2})?$/.test(region) ? region.slice(0, 2) : null);

/** The distinct provinces of region codes, in order of first appearance. */
export const provincesOf = (regions: readonly (string | null | undefined)[]): string[] => [...new Set(regions.map(provinceOf).filter((p): p is string => p !== null))];

/** The source of a post id: what comes before its first "-" (the whole id when it has none). */
export const sourceOf = (id: string): string => {
  const dash = id.indexOf('-');
  return dash > 0 ? id.slice(0, dash) : id;
};

export const derivedPostFields = (post: { id: string; text: string; region?: string | null }): DerivedPostFields => ({
  search_text: searchText(post.text),
  province: provinceOf(post.region),
  source: sourceOf(post.id),
});
