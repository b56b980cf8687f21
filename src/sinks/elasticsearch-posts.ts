/**
 * The indexer sink: bulk-indexes scored posts with `_id` = post id, so a replayed batch overwrites instead of
 * duplicating. Resends only the items that failed with a retriable status; items Elasticsearch rejects for
 * good (mapping conflicts, bad values) come back as rejections for the dead-letter topic.
 */
import type { Client } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import type { ScoredPost } from '../core/post.ts';
import { sinkRequestSeconds } from '../core/metrics.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { postsIndexFor } from '../store/index-names.ts';
import { backoffMs, isRetriableStatus } from './retry-policy.ts';

export interface Rejection {
  post: ScoredPost;
  status: number;
  reason: string;
}

export interface IndexOptions {
  prefix: string;
  maxAttempts: number;
  retryBaseMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once every post is either acknowledged by Elasticsearch or returned as a rejection.
 * Throws a retriable PantauError when the cluster is unreachable or items keep failing with 429/5xx.
 */
export async function indexPosts(client: Client, posts: ScoredPost[], options: IndexOptions): Promise<Rejection[]> {
  const rejections: Rejection[] = [];
  let pending = posts;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const indexedAt = new Date().toISOString();
    let response;
    const timer = sinkRequestSeconds.startTimer({ sink: 'elasticsearch' });
    try {
      response = await client.bulk({
        // Only what is read below: every item keeps its status (so positions still match `pending`), and
        // the answer for 1,000 posts shrinks to a fifth, which the client parses faster.
        filter_path: ['errors', 'items.*.status', 'items.*.error'],
        operations: pending.flatMap((post) => [
          { index: { _index: postsIndexFor(options.prefix, post.created_at), _id: post.id } },
          { ...post, indexed_at: indexedAt },
        ]),
      });
    } catch (cause) {
      throw elasticsearchError('indexing', 'bulk request to Elasticsearch', cause);
    } finally {
      timer();
    }
    if (!response.errors) return rejections;

    const retry: ScoredPost[] = [];
    response.items.forEach((item, i) => {
      const result = item.index;
      const post = pending[i]!;
      if (!result?.error) return;
      if (isRetriableStatus(result.status)) retry.push(post);
      else rejections.push({ post, status: result.status, reason: `${result.error.type}: ${result.error.reason ?? ''}` });
    });
    if (retry.length > 0 && attempt >= options.maxAttempts) {
      throw new PantauError(`${retry.length} documents still failing after ${attempt} bulk attempts`, {
        stage: 'indexing',
        code: 'elasticsearch_overloaded',
        retriable: true,
      });
    }
    if (retry.length > 0) await sleep(backoffMs(attempt, options.retryBaseMs));
    pending = retry;
  }
  return rejections;
}
