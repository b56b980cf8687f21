/**
 * Integration tests run against the real Kafka broker and Elasticsearch node: the ones named by
 * KAFKA_BROKERS / ELASTICSEARCH_URL, else the local services (`npm run services -- up`, which .ci/run does).
 * Each test file gets its own topics, consumer groups and index prefix, so files cannot see each other's data.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { openContext, type PipelineContext } from '../../src/pipeline/context.ts';

export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';

/** A config whose topics, groups and indices are unique to this run (`env`: e.g. a secured cluster's variables). */
export function isolatedConfig(label: string, env: NodeJS.ProcessEnv = {}): AppConfig {
  const id = `${label}-${randomBytes(4).toString('hex')}`;
  const config = loadConfig(env);
  const { topics, groups } = config.pipeline.kafka;
  for (const topic of Object.values(topics)) {
    topic.name = `test.${id}.${topic.name}`;
    topic.partitions = Math.min(topic.partitions, 3);
  }
  groups.classify = `test-${id}-classify`;
  groups.index = `test-${id}-index`;
  groups.alerts = `test-${id}-alerts`;
  groups.desk = `test-${id}-desk`;
  config.pipeline.elasticsearch.indexPrefix = `test-${id}`;
  config.pipeline.index.retryBaseMs = 100;
  config.pipeline.alerts.retryBaseMs = 100;
  // The demo units' e-mail goes to a port nobody listens on: fail fast in tests that do not look at the desk.
  config.pipeline.desk.retryBaseMs = 50;
  config.pipeline.desk.maxAttempts = 2;
  return config;
}

export function openTestContext(config: AppConfig): Promise<PipelineContext> {
  return openContext(config, { kafkaBrokers: KAFKA_BROKERS, elasticsearchUrl: ELASTICSEARCH_URL }, silentLogger);
}

/** Deletes what a test created in Elasticsearch (topics are left: deleting them is slow and harmless to keep). */
export async function cleanUp(ctx: PipelineContext): Promise<void> {
  const prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
  // Wildcard deletes are refused by default (action.destructive_requires_name), so name each index.
  const indices = Object.keys(await ctx.es.indices.get({ index: `${prefix}-*`, allow_no_indices: true, ignore_unavailable: true }));
  if (indices.length > 0) await ctx.es.indices.delete({ index: indices });
  // Every template this prefix installed (posts, alerts, desk, users, sessions, reviews, audit, models, retention…).
  await ctx.es.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => {});
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
