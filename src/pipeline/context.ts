/**
 * Everything a pipeline process connects to, made once at start-up: Kafka (one client, one producer),
 * Elasticsearch, the logger. Topics and index templates are created here, idempotently, from their
 * definitions under pipelines/.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka } from '../bus/kafka-client.ts';
import { kafkaError } from '../bus/kafka-errors.ts';
import { trackingPartitioner } from '../bus/produce.ts';
import { ensureTopics } from '../bus/topics.ts';
import type { AppConfig } from '../config/config.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { checkElasticsearchHealth, createElasticsearchClient } from '../store/elasticsearch-client.ts';
import { ensureIndexTemplates } from '../store/index-templates.ts';

export interface Endpoints {
  kafkaBrokers: string[];
  elasticsearchUrl: string;
}

export interface PipelineContext {
  config: AppConfig;
  endpoints: Endpoints;
  kafka: Kafka;
  producer: Producer;
  es: Client;
  logger: Logger;
  /** "Now" for every stage: classification, indexing and alert times, narrative windows. */
  clock: Clock;
  close(): Promise<void>;
}

export async function openContext(config: AppConfig, endpoints: Endpoints, logger: Logger, options: { clock?: Clock } = {}): Promise<PipelineContext> {
  const kafka = createKafka({ brokers: endpoints.kafkaBrokers, clientId: config.pipeline.kafka.clientId, logger, security: config.kafkaSecurity });
  const es = createElasticsearchClient(endpoints.elasticsearchUrl, config.elasticsearchAuth);
  await checkElasticsearchHealth(es, endpoints.elasticsearchUrl);
  const { topics } = config.pipeline.kafka;
  await ensureTopics(kafka, [topics.raw, topics.scored, topics.deadLetter, topics.alerts], logger);
  await ensureIndexTemplates(es, {
    files: config.pipeline.elasticsearch.templates,
    baseDir: config.pipelineDir,
    prefix: config.pipeline.elasticsearch.indexPrefix,
    logger,
  });
  // The default (murmur2, Java-compatible) partitioner named explicitly: same key → same partition as Java clients;
  // it notes each message's partition, so produceAll can check that all of them were acknowledged.
  // Five requests in flight (the Kafka default) let a stage's produce requests overlap. The price: a request
  // retried after a broker error can land after a later one of the same partition. Posts carry stable ids,
  // so this only matters when a source re-sends an updated post within the same moment.
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 5, createPartitioner: trackingPartitioner });
  try {
    await producer.connect();
  } catch (cause) {
    throw kafkaError('services', `connecting to Kafka at ${endpoints.kafkaBrokers.join(',')}`, cause, 'kafka_unreachable');
  }
  return {
    config,
    endpoints,
    kafka,
    producer,
    es,
    logger,
    clock: options.clock ?? systemClock,
    close: async () => {
      await producer.disconnect();
      await es.close();
    },
  };
}
