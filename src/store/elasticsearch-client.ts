/**
 * The Elasticsearch connection and its boot-time health check. `GET /` is not used: the local integ-test
 * distribution answers it with 404, and cluster health says more anyway.
 */
import { Client } from '@elastic/elasticsearch';
import type { ElasticsearchAuth } from '../config/config.ts';
import { PantauError } from '../core/errors.ts';
import { displayUrl } from '../core/redact.ts';

/**
 * `url` is one node or several joined by commas: with several, a request that fails to connect (a node down)
 * is retried on the next one, so losing one node of a cluster does not stall the pipeline.
 */
export function createElasticsearchClient(url: string, auth: ElasticsearchAuth = {}): Client {
  const nodes = url.split(',').map((u) => u.trim()).filter(Boolean);
  return new Client({
    // One URL stays `node`: the workspace's claim suggestions went missing with `nodes: [url]` (not understood;
    // the browser test caught it), so the list form is used only when there is a list.
    ...(nodes.length > 1 ? { nodes } : { node: nodes[0]! }),
    ...(auth.apiKey ? { auth: { apiKey: auth.apiKey } } : {}),
    ...(auth.username && auth.password ? { auth: { username: auth.username, password: auth.password } } : {}),
    ...(auth.ca ? { tls: { ca: auth.ca } } : {}),
    ...(auth.caFingerprint ? { caFingerprint: auth.caFingerprint } : {}),
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
    throw new PantauError(`Elasticsearch at ${url.split(',').map((u) => displayUrl(u)).join(', ')} is not healthy: ${(cause as Error).message}`, {
      stage: 'services',
      code: 'elasticsearch_unhealthy',
      retriable: true,
      cause,
    });
  }
}
