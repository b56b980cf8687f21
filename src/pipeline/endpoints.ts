/**
 * Where Kafka and Elasticsearch are. Configured clusters (KAFKA_BROKERS, ELASTICSEARCH_URL) are used as they
 * are and nothing local starts: that is production. A service left unconfigured is started locally from the
 * cache under .services/ (see `npm run services`), so a fresh clone runs with one command.
 */
import type { AppConfig } from '../config/config.ts';
import { upLocalServices } from '../local-services/index.ts';
import type { Endpoints } from './context.ts';

export async function resolveEndpoints(config: AppConfig, log: (line: string) => void): Promise<Endpoints & { local: boolean }> {
  if (config.kafkaBrokers && config.elasticsearchUrl) {
    return { kafkaBrokers: config.kafkaBrokers, elasticsearchUrl: config.elasticsearchUrl, local: false };
  }
  log('KAFKA_BROKERS / ELASTICSEARCH_URL not set: using local services (npm run services -- up)');
  const local = await upLocalServices({ log });
  return {
    kafkaBrokers: config.kafkaBrokers ?? local.kafkaBrokers,
    elasticsearchUrl: config.elasticsearchUrl ?? local.elasticsearchUrl,
    local: true,
  };
}
