/**
 * The Elasticsearch connection and its boot-time health check. `GET /` is not used: the local integ-test
 * distribution answers it with 404, and cluster health says more anyway.
 */
import { Client } from '@elastic/elasticsearch';
import type { ElasticsearchAuth } from '../config/config.ts';
import { PantauError } from '../core/errors.ts';
import { displayUrl } from '../core/redact.ts';

export function createElasticsearchClient(url: string, auth: ElasticsearchAuth = {}): Client {
  return new Client({
    node: url,
    ...(auth.apiKey ? { auth: { apiKey: auth.apiKey } } : {}),
    ...(auth.username && auth.password ? { auth: { username: auth.username, password: auth.password } } : {}),
    requestTimeout: 30_000,
    maxRetries: 2,
  });
}

/** Resolves when the cluster answers with status yellow or green; otherwise a retriable error naming the URL. */
export async function checkElasticsearchHealth(client: Client, url: string, timeoutMs = 10_000): Promise<string> {
  try {
    const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: `${timeoutMs}ms` });
    if (health.status === 'red' || health.timed_out) {
      throw new Error(`cluster status is ${health.status}${health.timed_out ? ' (timed out waiting for yellow)' : ''}`);
    }
    return health.status;
  } catch (cause) {
    throw new PantauError(`Elasticsearch at ${displayUrl(url)} is not healthy: ${(cause as Error).message}`, {
      stage: 'services',
      code: 'elasticsearch_unhealthy',
      retriable: true,
      cause,
    });
  }
}
