/**
 * Writes knowledge-base entries to Elasticsearch. The document id is the claim key, and each write is a
 * `create`: an entry already in the index (from an earlier import, another source or the API) stays as it is,
 * so importing the same file twice changes nothing and reports it.
 */
import type { Client } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import type { ClarificationDoc } from './entry.ts';

export interface StoreResult {
  created: number;
  alreadyPresent: number;
}

const CHUNK = 500;

export async function storeClarifications(es: Client, index: string, docs: readonly ClarificationDoc[], onProgress?: (done: number, total: number) => void): Promise<StoreResult> {
  const result: StoreResult = { created: 0, alreadyPresent: 0 };
  for (let at = 0; at < docs.length; at += CHUNK) {
    const chunk = docs.slice(at, at + CHUNK);
    let response;
    try {
      response = await es.bulk({ operations: chunk.flatMap((d) => [{ create: { _index: index, _id: d.claim_key } }, d]), refresh: at + CHUNK >= docs.length ? 'wait_for' : false });
    } catch (error) {
      throw elasticsearchError('indexing', 'store knowledge-base entries', error);
    }
    for (const [i, item] of response.items.entries()) {
      const op = item.create;
      if (op === undefined) continue;
      if (op.status === 201) result.created++;
      else if (op.status === 409) result.alreadyPresent++;
      else {
        throw new PantauError(`Elasticsearch refused the entry "${chunk[i]!.claim.slice(0, 80)}": ${op.error?.type ?? op.status} ${op.error?.reason ?? ''}`.trim(), {
          stage: 'indexing',
          code: 'kb_entry_refused',
          retriable: op.status === 429 || op.status >= 500,
        });
      }
    }
    onProgress?.(Math.min(at + CHUNK, docs.length), docs.length);
  }
  return result;
}

/** Every entry of the index, in claim-key order (search_after pages of 1,000). */
export async function* allClarifications(es: Client, index: string): AsyncGenerator<ClarificationDoc> {
  let after: (string | number)[] | undefined;
  for (;;) {
    let page;
    try {
      page = await es.search<ClarificationDoc>({ index, size: 1000, sort: [{ claim_key: 'asc' }], ...(after === undefined ? {} : { search_after: after }), query: { match_all: {} } });
    } catch (error) {
      throw elasticsearchError('serving', 'read knowledge-base entries', error);
    }
    const hits = page.hits.hits;
    for (const hit of hits) if (hit._source !== undefined) yield hit._source;
    if (hits.length < 1000) return;
    after = hits[hits.length - 1]!.sort as (string | number)[];
  }
}
