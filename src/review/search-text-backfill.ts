/**
 * Fills the derived fields (`search_text`, `province`, `source`: store/post-derived-fields.ts) of posts indexed
 * before the posts sink wrote them (posts template < v5, < v6), so the analysts' Indonesian search finds them by
 * every word form and the dashboard's map and sources panels count them.
 *
 * Without scripting (this Elasticsearch has no painless, so no update_by_query), the work is done here: find
 * a page of posts without the field, bulk-update each with a partial document (`doc: {search_text}`), repeat
 * until none is left. Updated posts drop out of the next search, so no cursor is needed; a post whose update
 * failed is left out of later pages (and counted), so a failure cannot loop. Safe to run while the stream
 * runs, and again: posts that have the field are never touched.
 */
import type { Client } from '@elastic/elasticsearch';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { postsAlias } from '../store/index-names.ts';
import { derivedPostFields } from '../store/post-derived-fields.ts';

export interface BackfillProgress {
  updated: number;
  failed: number;
  /** Posts still without the field when the run began (an estimate: the stream may add or age posts meanwhile). */
  total: number;
}

export async function backfillSearchText(es: Client, prefix: string, options: { pageSize?: number; dryRun?: boolean; onProgress?: (p: BackfillProgress) => void } = {}): Promise<BackfillProgress> {
  const index = postsAlias(prefix);
  const pageSize = options.pageSize ?? 500;
  const failedIds: string[] = [];
  // `source` is derivable from every post; `province` only from one with a region, so it is not asked for.
  const missing = () => ({
    bool: {
      should: [{ bool: { must_not: { exists: { field: 'search_text' } } } }, { bool: { must_not: { exists: { field: 'source' } } } }],
      minimum_should_match: 1,
      must_not: failedIds.length > 0 ? [{ ids: { values: failedIds } }] : [],
    },
  });
  const progress: BackfillProgress = { updated: 0, failed: 0, total: 0 };
  try {
    progress.total = (await es.count({ index, ignore_unavailable: true, allow_no_indices: true, query: missing() })).count;
    if (options.dryRun) return progress;
    for (;;) {
      const page = await es.search<{ text?: string; region?: string | null }>({ index, ignore_unavailable: true, allow_no_indices: true, size: pageSize, _source: ['text', 'region'], query: missing() });
      const hits = page.hits.hits.filter((h) => typeof h._source?.text === 'string');
      if (hits.length === 0) break;
      const result = await es.bulk({
        refresh: 'wait_for',
        operations: hits.flatMap((h) => [{ update: { _index: h._index, _id: h._id! } }, { doc: derivedPostFields({ id: h._id!, text: h._source!.text!, region: h._source!.region ?? null }) }]),
      });
      result.items.forEach((item, i) => {
        if (item.update?.error) {
          failedIds.push(hits[i]!._id!);
          progress.failed++;
        } else progress.updated++;
      });
      options.onProgress?.({ ...progress });
      // Posts without text cannot be stemmed: they are left as they are (and out of the next pages).
      for (const h of page.hits.hits) if (typeof h._source?.text !== 'string') failedIds.push(h._id!);
    }
  } catch (error) {
    throw elasticsearchError('indexing', 'filling search_text of older posts', error);
  }
  return progress;
}
