/**
 * How an Elasticsearch client failure is classified, in one place. The client reports "no HTTP answer at
 * all" (connection refused or reset, timeout) as status 0 or no status: the node is unreachable, which is
 * worth retrying, like 429 and 5xx. Other 4xx never succeed on retry.
 */
import { PantauError, type Stage } from '../core/errors.ts';
import { isRetriableStatus } from '../sinks/retry-policy.ts';

/** The HTTP status Elasticsearch answered with, or undefined when it did not answer. */
export function httpStatusOf(cause: unknown): number | undefined {
  return (cause as { meta?: { statusCode?: number } }).meta?.statusCode || undefined;
}

export function elasticsearchError(stage: Stage, action: string, cause: unknown): PantauError {
  const status = httpStatusOf(cause);
  return new PantauError(`${action} failed: ${(cause as Error).message}`, {
    stage,
    code: status === undefined ? 'elasticsearch_unreachable' : `elasticsearch_http_${status}`,
    retriable: status === undefined || isRetriableStatus(status),
    cause,
  });
}
