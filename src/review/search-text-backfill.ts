/**
 * Fills `search_text` for posts indexed before the posts sink wrote it (posts template < v5), so the
 * analysts' Indonesian search finds them by every word form, not only by their exact words.
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
import { searchText } from './search-text.ts';

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
  const missing = () => ({ bool: { must_not: [{ exists: { field: 'search_text' } }, ...(failedIds.length > 0 ? [{ ids: { values: failedIds } }] : [])] } });
  const progress: BackfillProgress = { updated: 0, failed: 0, total: 0 };
  try {
    progress.total = (await es.count({ index, ignore_unavailable: true, allow_no_indices: true, query: missing() })).count;
    if (options.dryRun) return progress;
    for (;;) {
      const page = await es.search<{ text?: string }>({ index, ignore_unavailable: true, allow_no_indices: true, size: pageSize, _source: ['text'], query: missing() });
      const hits = page.hits.hits.filter((h) => typeof h._source?.text === 'string');
      if (hits.length === 0) break;
      const result = await es.bulk({
        refresh: 'wait_for',
        operations: hits.flatMap((h) => [{ update: { _index: h._index, _id: h._id! } }, { doc: { search_text: searchText(h._source!.text!) } }]),
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
