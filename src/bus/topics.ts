/**
 * Creates the pipeline's topics from their definitions (pipelines/*.pipeline.json). Idempotent: existing
 * topics are left as they are (partitions are never shrunk; a larger count in the file is reported).
 */
import type { Kafka } from 'kafkajs';
import type { TopicDefinition } from '../config/pipeline.ts';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

export async function ensureTopics(kafka: Kafka, topics: TopicDefinition[], logger: Logger): Promise<string[]> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: -1, // the broker's default: 1 locally, the cluster's setting in production
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
      logger.info('created topics', { topics: missing.map((t) => t.name) });
    }
    return missing.map((t) => t.name);
  } catch (cause) {
    throw new PantauError(`cannot create Kafka topics: ${(cause as Error).message}`, {
      stage: 'services',
      code: 'kafka_topics',
      retriable: true,
      cause,
    });
  } finally {
    await admin.disconnect();
  }
}
