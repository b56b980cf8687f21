/**
 * How an Elasticsearch client failure is classified, in one place: the retry rule of every stage that talks
 * to Elasticsearch (the posts indexer, the narrative registry and documents, the alerts ledger).
 *
 * - no HTTP answer at all (connection refused or reset, timeout, no living node): retriable, the node
 *   may be back soon;
 * - an HTTP answer: by its status (core/retry.ts: 408, 429, 5xx retriable; other 4xx not);
 * - anything else (a request we could not serialise, an answer we could not parse, a bug): not retriable.
 */
import { errors } from '@elastic/elasticsearch';
import { PantauError, type Stage } from '../core/errors.ts';
import { isRetriableHttpStatus } from '../core/retry.ts';

/** The HTTP status Elasticsearch answered with, or undefined when it did not answer. */
export function httpStatusOf(cause: unknown): number | undefined {
  return (cause as { meta?: { statusCode?: number } } | null)?.meta?.statusCode || undefined;
}

/** True when the node did not answer at all (as opposed to answering with an error). */
function isUnanswered(cause: unknown): boolean {
  return cause instanceof errors.ConnectionError || cause instanceof errors.TimeoutError || cause instanceof errors.NoLivingConnectionsError;
}

export function isRetriableElasticsearchFailure(cause: unknown): boolean {
  if (isUnanswered(cause)) return true;
  if (cause instanceof errors.ResponseError) {
    const status = httpStatusOf(cause);
    return status !== undefined && isRetriableHttpStatus(status);
  }
  return false;
}

export function elasticsearchError(stage: Stage, action: string, cause: unknown): PantauError {
  const status = httpStatusOf(cause);
  return new PantauError(`${action} failed: ${(cause as Error).message ?? String(cause)}`, {
    stage,
    code: isUnanswered(cause) ? 'elasticsearch_unreachable' : status !== undefined ? `elasticsearch_http_${status}` : 'elasticsearch_client',
    retriable: isRetriableElasticsearchFailure(cause),
    cause,
  });
}
