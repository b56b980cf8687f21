/**
 * Integration tests need the real Kafka and Elasticsearch. When KAFKA_BROKERS and ELASTICSEARCH_URL are set,
 * those are used as they are. Otherwise the local services are brought up (`npm run services -- up`), and
 * stopped again afterwards only if this run started them.
 */
import { downLocalServices, upLocalServices } from '../src/local-services/index.ts';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.KAFKA_BROKERS && process.env.ELASTICSEARCH_URL) return undefined;
  const log = (line: string) => process.stdout.write(`[services] ${line}\n`);
  const { started } = await upLocalServices({ log });
  if (started.length === 0) return undefined;
  return async () => {
    await downLocalServices({ log });
  };
}
