/**
 * Reachability of the two clusters, for /healthz. The answer is unauthenticated, so it says only what an
 * operator or a probe needs: `ok`, `unreachable` or `red` per cluster. Why a check failed (the client's
 * error, with addresses) goes to the log, at warn level.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

export type ClusterState = 'ok' | 'unreachable' | 'red';

export async function checkHealth(kafka: Kafka, es: Client, logger: Logger): Promise<{ kafka: ClusterState; elasticsearch: ClusterState }> {
  const failed = (cluster: string) => (error: unknown): ClusterState => {
    logger.warn(`health check: ${cluster} did not answer`, { error: describeError(error) });
    return 'unreachable';
  };
  const [kafkaState, esState] = await Promise.all([
    (async (): Promise<ClusterState> => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        return 'ok';
      } catch (error) {
        return failed('Kafka')(error);
      } finally {
        await admin.disconnect().catch(() => {});
      }
    })(),
    es.cluster
      .health({ timeout: '2s' })
      .then((h): ClusterState => (h.status === 'red' ? 'red' : 'ok'))
      .catch(failed('Elasticsearch')),
  ]);
  return { kafka: kafkaState, elasticsearch: esState };
}
