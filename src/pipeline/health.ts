/** Reachability of the two clusters, for /healthz and `pantau validate`. */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { describeError } from '../core/errors.ts';

export async function checkHealth(kafka: Kafka, es: Client): Promise<Record<string, string>> {
  const [kafkaState, esState] = await Promise.all([
    (async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        return 'ok';
      } catch (error) {
        return describeError(error);
      } finally {
        await admin.disconnect().catch(() => {});
      }
    })(),
    es.cluster
      .health({ timeout: '2s' })
      .then((h) => (h.status === 'red' ? 'cluster status red' : 'ok'))
      .catch((error: unknown) => describeError(error)),
  ]);
  return { kafka: kafkaState, elasticsearch: esState };
}
