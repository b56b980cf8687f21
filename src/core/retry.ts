/**
 * What every retry rule of pantau shares, as pure functions: the HTTP status table and the backoff.
 *
 * Each system we write to has its own rule built on these (one place each, table-tested in
 * test/unit/retry-rules.test.ts):
 *   Elasticsearch  store/elasticsearch-errors.ts   isRetriableElasticsearchFailure
 *   Kafka          bus/kafka-errors.ts             isRetriableKafkaFailure
 *   webhooks       sinks/webhook.ts                isRetriableWebhookFailure
 * and all three agree on what they do not recognise: an unknown error is NOT retried. Waiting does not
 * heal a bug, and a stage that retries a bug forever stalls its partition instead of telling the operator.
 */

/**
 * HTTP status of a whole request or of one bulk item. Same rule as elasticsearch-js's bulk helper and
 * Vector: 408, 429 and 5xx may succeed later; other 4xx never will; 501 and 505 say the server cannot do
 * it at all.
 */
export function isRetriableHttpStatus(status: number): boolean {
  if (status === 429 || status === 408) return true;
  if (status >= 500 && status <= 599) return status !== 501 && status !== 505;
  return false;
}

/** Exponential backoff with full jitter, capped; `attempt` counts from 1. */
export function backoffMs(attempt: number, baseMs: number, maxMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
