/**
 * The read side: what the review list and the dashboard ask Elasticsearch. Both read the posts alias, so
 * they see every monthly index; a cluster with no posts yet answers with empty results, not an error.
 */
import type { Client } from '@elastic/elasticsearch';
import type { ScoredPost } from '../core/post.ts';
import { postsAlias } from './index-names.ts';

export interface FlaggedPage {
  total: number;
  page: number;
  size: number;
  items: Array<Omit<ScoredPost, 'schema_version'>>;
}

export async function listFlagged(
  client: Client,
  prefix: string,
  options: { page: number; size: number; label?: string | undefined; level?: 'alert' | 'review' },
): Promise<FlaggedPage> {
  // alert: flagged at a label's alert point; review: a label between its review and alert points (and not flagged for it).
  const field = options.level === 'review' ? 'review_flags' : 'flags';
  const filter: object[] = options.level === 'review' ? [{ exists: { field: 'review_flags' } }] : [{ term: { flagged: true } }];
  if (options.label) filter.push({ term: { [field]: options.label } });
  const response = await client.search<ScoredPost>({
    index: postsAlias(prefix),
    ignore_unavailable: true,
    allow_no_indices: true,
    from: (options.page - 1) * options.size,
    size: options.size,
    track_total_hits: true,
    // search_text is the stemmed copy of text for the queue's full-text search: nothing a reader needs.
    _source_excludes: ['search_text'],
    query: { bool: { filter } },
    // id breaks ties so paging is stable when posts share a timestamp.
    sort: [{ created_at: { order: 'desc' } }, { id: { order: 'asc' } }],
  });
  const total = totalHits(response);
  return {
    total,
    page: options.page,
    size: options.size,
    items: response.hits.hits.map((hit) => {
      const { schema_version: _v, ...post } = hit._source as ScoredPost & { indexed_at?: string };
      return post;
    }),
  };
}

export interface DailyCounts {
  timeZone: string;
  labels: string[];
  days: Array<{ date: string; total: number; flagged: number; labels: Record<string, number> }>;
}

interface DailyAggs {
  per_day: {
    buckets: Array<{
      key_as_string: string;
      doc_count: number;
      flagged: { doc_count: number };
      per_label: { buckets: Array<{ key: string; doc_count: number }> };
    }>;
  };
}

/** Posts per day (in `timeZone`) with, per label, how many were flagged with it. Days without posts are included. */
export async function dailyCounts(
  client: Client,
  prefix: string,
  options: { from: string; to: string; labels: readonly string[]; timeZone?: string },
): Promise<DailyCounts> {
  const timeZone = options.timeZone ?? 'Asia/Jakarta';
  const response = await client.search<unknown, DailyAggs>({
    index: postsAlias(prefix),
    ignore_unavailable: true,
    allow_no_indices: true,
    size: 0,
    // `||/d` rounds: gte to the start of the first day, lte to the end of the last one.
    query: { range: { created_at: { gte: `${options.from}||/d`, lte: `${options.to}||/d`, time_zone: timeZone } } },
    aggs: {
      per_day: {
        date_histogram: {
          field: 'created_at',
          calendar_interval: 'day',
          time_zone: timeZone,
          format: 'yyyy-MM-dd',
          min_doc_count: 0,
          extended_bounds: { min: options.from, max: options.to },
        },
        aggs: {
          flagged: { filter: { term: { flagged: true } } },
          per_label: { terms: { field: 'flags', size: Math.max(10, options.labels.length) } },
        },
      },
    },
  });
  const buckets = response.aggregations?.per_day.buckets ?? [];
  return {
    timeZone,
    labels: [...options.labels],
    days: buckets.map((b) => {
      const labels: Record<string, number> = Object.fromEntries(options.labels.map((l) => [l, 0]));
      for (const t of b.per_label.buckets) labels[t.key] = t.doc_count;
      return { date: b.key_as_string, total: b.doc_count, flagged: b.flagged.doc_count, labels };
    }),
  };
}

/** The hit count of a search answer (a number, or `{value}` as Elasticsearch 8 answers with track_total_hits). */
export function totalHits(response: { hits: { total?: number | { value: number } } }): number {
  const t = response.hits.total;
  return typeof t === 'number' ? t : (t?.value ?? 0);
}
