/**
 * The indexer sink: bulk-indexes scored posts with `_id` = post id, so a replayed batch overwrites instead of
 * duplicating. Resends only the items that failed with a retriable status.
 *
 * What happens to an item, by its answer (the table is `itemOutcome`, tested in test/unit/retry-rules.test.ts):
 * - 2xx: indexed;
 * - 429 (the node is overloaded): resent; while any item keeps getting 429 after `maxAttempts`, the call
 *   throws a retriable error and the stage waits and tries the batch again (backpressure, never dropped);
 * - other retriable statuses (5xx: a shard failing, an ingest failure on the node): resent up to
 *   `maxAttempts`, then returned as a rejection with reason `index_retries_exhausted`, so the stage
 *   dead-letters it and the partition moves on instead of stalling on one document;
 * - anything else (mapping conflict, bad value): returned as a rejection at once (`rejected_by_index`).
 * A request that gets no answer at all (node down) throws a retriable error: nothing is dead-lettered
 * while Elasticsearch is away.
 */
import type { Client } from '@elastic/elasticsearch';
import { Histogram } from 'prom-client';
import { isoNow, systemClock, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import type { ScoredPost } from '../core/post.ts';
import { registry, sinkRequestSeconds } from '../core/metrics.ts';
import { backoffMs, isRetriableHttpStatus } from '../core/retry.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { postsIndexFor } from '../store/index-names.ts';
import { derivedPostFields } from '../store/post-derived-fields.ts';

export interface Rejection {
  post: ScoredPost;
  status: number;
  reason: string;
  /** `rejected_by_index`: refused for good; `index_retries_exhausted`: failed with 5xx on every attempt. */
  code: 'rejected_by_index' | 'index_retries_exhausted';
}

export interface IndexOptions {
  prefix: string;
  maxAttempts: number;
  retryBaseMs: number;
  clock?: Clock;
}

export type ItemOutcome = 'indexed' | 'backpressure' | 'retry' | 'reject';

/** What to do with one bulk item, by its status. */
export function itemOutcome(status: number): ItemOutcome {
  if (status >= 200 && status < 300) return 'indexed';
  if (status === 429) return 'backpressure';
  return isRetriableHttpStatus(status) ? 'retry' : 'reject';
}

/**
 * Elasticsearch's own time for a bulk request of posts (`took`), beside the request's time as this process
 * saw it (`pantau_sink_request_duration_seconds`): the difference is the network, the serialisation of the
 * request and the answer, and the time the answer waited for this process's event loop.
 */
export const bulkTookSeconds = new Histogram({
  name: 'pantau_elasticsearch_bulk_took_seconds',
  help: 'Time Elasticsearch reports (took) for one bulk request of posts.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once every post is either acknowledged by Elasticsearch or returned as a rejection.
 * Throws a retriable PantauError when the cluster is unreachable or keeps answering 429.
 */
export async function indexPosts(client: Client, posts: ScoredPost[], options: IndexOptions): Promise<Rejection[]> {
  const clock = options.clock ?? systemClock;
  const rejections: Rejection[] = [];
  let pending = posts;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const indexedAt = isoNow(clock);
    let response;
    const timer = sinkRequestSeconds.startTimer({ sink: 'elasticsearch' });
    try {
      response = await client.bulk({
        // Only what is read below: every item keeps its status (so positions still match `pending`), and
        // the answer for 1,000 posts shrinks to a fifth, which the client parses faster.
        filter_path: ['took', 'errors', 'items.*.status', 'items.*.error'],
        operations: pending.flatMap((post) => [
          { index: { _index: postsIndexFor(options.prefix, post.created_at), _id: post.id } },
          // search_text, province, source: derived for search and the dashboard (store/post-derived-fields.ts).
          { ...post, indexed_at: indexedAt, ...derivedPostFields(post) },
        ]),
      });
    } catch (cause) {
      throw elasticsearchError('indexing', 'bulk request to Elasticsearch', cause);
    } finally {
      timer();
    }
    if (typeof response.took === 'number') bulkTookSeconds.observe(response.took / 1000);
    if (!response.errors) return rejections;

    const again: ScoredPost[] = [];
    let overloaded = 0;
    const lastAttempt = attempt >= options.maxAttempts;
    response.items.forEach((item, i) => {
      const result = item.index;
      const post = pending[i]!;
      if (!result?.error) return;
      const reason = `${result.error.type}: ${result.error.reason ?? ''}`;
      const outcome = itemOutcome(result.status);
      if (outcome === 'reject') rejections.push({ post, status: result.status, reason, code: 'rejected_by_index' });
      else if (outcome === 'retry' && lastAttempt) {
        rejections.push({ post, status: result.status, reason: `${reason} (failed on all ${attempt} attempts)`, code: 'index_retries_exhausted' });
      } else {
        if (outcome === 'backpressure') overloaded++;
        again.push(post);
      }
    });
    if (lastAttempt && again.length > 0) {
      throw new PantauError(`Elasticsearch is overloaded: ${overloaded} documents still answered 429 after ${attempt} bulk attempts`, {
        stage: 'indexing',
        code: 'elasticsearch_overloaded',
        retriable: true,
      });
    }
    if (again.length > 0) await sleep(backoffMs(attempt, options.retryBaseMs));
    pending = again;
  }
  return rejections;
}
