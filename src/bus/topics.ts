/**
 * Creates the pipeline's topics from their definitions (pipelines/*.pipeline.json). Idempotent: existing
 * topics are left as they are. Partition counts are never changed here (shrinking is impossible and growing
 * moves keys to other partitions, which an operator should decide): a topic whose partition count differs
 * from the file's is reported in a warning and in the result, with the command that grows it.
 */
import type { Kafka } from 'kafkajs';
import type { TopicDefinition } from '../config/pipeline.ts';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { kafkaError } from './kafka-errors.ts';

export interface PartitionMismatch {
  topic: string;
  /** What the pipeline file asks for. */
  configured: number;
  /** What the cluster has. */
  actual: number;
}

export interface EnsureTopicsResult {
  created: string[];
  mismatched: PartitionMismatch[];
}

/**
 * Attempts in all when a step fails retriably. Right after a topic is created, a busy broker's metadata may not
 * know it yet: KafkaJS's wait for leaders (createTopics with waitForLeaders) retries LEADER_NOT_AVAILABLE but
 * not UNKNOWN_TOPIC_OR_PARTITION, which then fails the whole call. Every step here is idempotent, so the
 * procedure simply starts over; the second time the topics are there.
 */
const ENSURE_ATTEMPTS = 5;

export interface EnsureTopicsOptions {
  /** Waits between attempts (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function ensureTopics(kafka: Kafka, topics: TopicDefinition[], logger: Logger, options: EnsureTopicsOptions = {}): Promise<EnsureTopicsResult> {
  const sleep = options.sleep ?? defaultSleep;
  // The topics missing at the first look are the ones created, even when a later attempt finds them made.
  let firstLook: Set<string> | null = null;
  const onLook = (missing: string[]) => {
    firstLook ??= new Set(missing);
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await ensureTopicsOnce(kafka, topics, logger, onLook);
      const created = firstLook as Set<string> | null;
      return { ...result, created: topics.filter((t) => created?.has(t.name) ?? false).map((t) => t.name) };
    } catch (error) {
      if (!(error instanceof PantauError) || !error.retriable || attempt >= ENSURE_ATTEMPTS) throw error;
      logger.warn('creating Kafka topics: a retriable failure, starting over', { attempt, error: error.message });
      await sleep(250 * 2 ** (attempt - 1));
    }
  }
}

async function ensureTopicsOnce(kafka: Kafka, topics: TopicDefinition[], logger: Logger, onLook: (missing: string[]) => void): Promise<EnsureTopicsResult> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    onLook(missing.map((t) => t.name));
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
    const present = topics.filter((t) => existing.has(t.name));
    const mismatched: PartitionMismatch[] = [];
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      for (const t of present) {
        const actual = metadata.topics.find((m) => m.name === t.name)?.partitions.length;
        if (actual !== undefined && actual !== t.partitions) mismatched.push({ topic: t.name, configured: t.partitions, actual });
      }
    }
    for (const m of mismatched) {
      logger.warn(
        m.actual < m.configured
          ? 'topic has fewer partitions than the pipeline file asks for; pantau does not add partitions (keys would move): add them with kafka-topics.sh --alter --partitions if you want the parallelism'
          : 'topic has more partitions than the pipeline file says; pantau never removes partitions (Kafka cannot): update the pipeline file to match',
        m as unknown as Record<string, unknown>,
      );
    }
    return { created: missing.map((t) => t.name), mismatched };
  } catch (cause) {
    throw kafkaError('services', 'creating Kafka topics', cause, 'kafka_topics');
  } finally {
    await admin.disconnect();
  }
}
