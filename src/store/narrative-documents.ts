/**
 * Narratives that spread: index `<prefix>-narratives` (template pipelines/elasticsearch/narratives.template.json),
 * one document per narrative with two or more posts, holding its earliest post and its reach. What
 * dashboards and humas alerts read; the registry that assigns narrative ids is narrative-registry.ts.
 *
 * Only the reach refresher writes here, and it recomputes everything from the posts index (the source of
 * truth), so replays and re-indexing never double-count. A narrative of one post has no document: most
 * posts are such singletons, and writing a document for each would double Elasticsearch's work for nothing
 * a reader ranks by spread.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { isoNow, systemClock, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import { isRetriableHttpStatus } from '../core/retry.ts';
import { elasticsearchError } from './elasticsearch-errors.ts';
import { postsAlias } from './index-names.ts';

export const narrativesIndex = (prefix: string) => `${prefix}-narratives`;

export interface NarrativeDoc {
  id: string;
  simhash: string;
  first_seen: string | null;
  first_post_id: string | null;
  sample_text: string;
  reach: NarrativeReach;
}

export interface NarrativeReach {
  posts: number;
  accounts: number;
  likes: number;
  shares: number;
  replies: number;
  views: number;
  first_seen: string | null;
  last_seen: string | null;
  flags: string[];
  updated_at: string;
}

/** Narratives per "which of these spread" count. */
const SPREAD_CHUNK = 1_000;
/** Narratives per reach aggregation. */
// Each bucket's account count holds a HyperLogLog sketch of up to ~8 bytes × precision: 200 buckets at
// precision 3000 stay near 5 MB, far below the node's circuit breaker (1000 × 40 000 tripped it here).
const REACH_CHUNK = 200;
const ACCOUNTS_PRECISION = 3_000;
const SAMPLE_TEXT_MAX = 2000;

const esError = (action: string, cause: unknown): PantauError => elasticsearchError('indexing', action, cause);

interface ReachBucket {
  key: string;
  doc_count: number;
  accounts: { value: number };
  likes: { value: number };
  shares: { value: number };
  replies: { value: number };
  views: { value: number };
  first: { value: number | null; value_as_string?: string };
  last: { value: number | null; value_as_string?: string };
  flags: { buckets: Array<{ key: string; doc_count: number }> };
  earliest: { hits: { hits: Array<{ _id?: string; _source?: { text?: string; created_at?: string } }> } };
}

/**
 * Recomputes the documents of the given narratives from the posts: for those with two or more posts,
 * `reach` (posts, distinct accounts — `cardinality` of author, exact up to 3 000, an estimate beyond —
 * engagement sums, first/last post time, the flags seen) and the earliest post, written with
 * `doc_as_upsert`; the others (`single`) are left without a document. Reads what is searchable: refresh the
 * posts index first, or the newest posts count at the next call. Throws a PantauError (stage `indexing`,
 * retriable when Elasticsearch is down or overloaded).
 */
export async function refreshNarrativeReach(
  client: Client,
  prefix: string,
  narrativeIds: Iterable<string>,
  options: { clock?: Clock } = {},
): Promise<{ updated: number; single: number }> {
  const ids = [...new Set(narrativeIds)];
  const spread: string[] = [];
  for (let start = 0; start < ids.length; start += SPREAD_CHUNK) spread.push(...(await spreadAmong(client, prefix, ids.slice(start, start + SPREAD_CHUNK))));
  let updated = 0;
  for (let start = 0; start < spread.length; start += REACH_CHUNK) {
    const buckets = await aggregateReach(client, prefix, spread.slice(start, start + REACH_CHUNK));
    if (buckets.length === 0) continue;
    const updatedAt = isoNow(options.clock ?? systemClock);
    let response: estypes.BulkResponse;
    try {
      response = await client.bulk({
        operations: buckets.flatMap((b) => [{ update: { _index: narrativesIndex(prefix), _id: b.key } }, { doc: documentOf(b, updatedAt), doc_as_upsert: true }]),
      });
    } catch (cause) {
      throw esError('updating narrative reach', cause);
    }
    const failures = response.items.map((item) => item.update).filter((r) => r?.error);
    updated += response.items.length - failures.length;
    if (failures.length > 0) {
      const retriable = failures.every((f) => isRetriableHttpStatus(f!.status));
      const first = failures[0]!;
      throw new PantauError(`${failures.length} narrative reach updates failed: ${first.status} ${first.error?.type}: ${first.error?.reason ?? ''}`, {
        stage: 'indexing',
        code: retriable ? 'elasticsearch_overloaded' : 'narrative_rejected',
        retriable,
      });
    }
  }
  return { updated, single: ids.length - spread.length };
}

// `execution_hint: map` buckets only the posts the query matched, instead of building global ordinals
// over every narrative id in the index after each refresh (millions of mostly unique values).
const terms = (ids: readonly string[]) => ({ field: 'narrative_id', size: ids.length, execution_hint: 'map' as const });

/** Which of `ids` have two or more posts: a count without sub-aggregations, cheap for singletons. */
async function spreadAmong(client: Client, prefix: string, ids: readonly string[]): Promise<string[]> {
  let response;
  try {
    response = await client.search<unknown, { by_narrative: { buckets: Array<{ key: string }> } }>({
      index: postsAlias(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      query: { bool: { filter: [{ terms: { narrative_id: [...ids] } }] } },
      aggs: { by_narrative: { terms: { ...terms(ids), min_doc_count: 2 } } },
    });
  } catch (cause) {
    throw esError('narrative spread count', cause);
  }
  return (response.aggregations?.by_narrative.buckets ?? []).map((b) => b.key);
}

async function aggregateReach(client: Client, prefix: string, ids: readonly string[]): Promise<ReachBucket[]> {
  const sum = (field: string) => ({ sum: { field } });
  let response;
  try {
    response = await client.search<unknown, { by_narrative: { buckets: ReachBucket[] } }>({
      index: postsAlias(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      query: { bool: { filter: [{ terms: { narrative_id: [...ids] } }] } },
      aggs: {
        by_narrative: {
          terms: terms(ids),
          aggs: {
            accounts: { cardinality: { field: 'author', precision_threshold: ACCOUNTS_PRECISION } },
            likes: sum('engagement.likes'),
            shares: sum('engagement.shares'),
            replies: sum('engagement.replies'),
            views: sum('engagement.views'),
            first: { min: { field: 'created_at' } },
            last: { max: { field: 'created_at' } },
            flags: { terms: { field: 'flags', size: 20 } },
            earliest: { top_hits: { size: 1, sort: [{ created_at: { order: 'asc' } }, { id: { order: 'asc' } }], _source: ['text', 'created_at'] } },
          },
        },
      },
    });
  } catch (cause) {
    throw esError('narrative reach aggregation', cause);
  }
  return response.aggregations?.by_narrative.buckets ?? [];
}

function documentOf(bucket: ReachBucket, updatedAt: string): NarrativeDoc {
  const iso = (v: { value: number | null }) => (v.value === null ? null : new Date(v.value).toISOString());
  const earliest = bucket.earliest.hits.hits[0];
  return {
    id: bucket.key,
    simhash: bucket.key.replace(/^nar-/, ''),
    first_seen: iso(bucket.first),
    first_post_id: earliest?._id ?? null,
    sample_text: (earliest?._source?.text ?? '').slice(0, SAMPLE_TEXT_MAX),
    reach: {
      posts: bucket.doc_count,
      accounts: bucket.accounts.value,
      likes: bucket.likes.value,
      shares: bucket.shares.value,
      replies: bucket.replies.value,
      views: bucket.views.value,
      first_seen: iso(bucket.first),
      last_seen: iso(bucket.last),
      flags: bucket.flags.buckets.map((f) => f.key),
      updated_at: updatedAt,
    },
  };
}
