/**
 * The pipeline definition (`pipelines/pantau.pipeline.json`): what an operator edits. The zod schema below is
 * both the validator and the reference: unknown keys are rejected so a typo never passes silently.
 */
import { readJsonFile } from './json-file.ts';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { formatIssues } from '../core/post.ts';
import { sourceListSchema } from '../sources/index.ts';

export const DEFAULT_PIPELINE_FILE = resolve(PROJECT_ROOT, 'pipelines/pantau.pipeline.json');

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, . _ -');

const topicSchema = z
  .object({
    name: topicName,
    partitions: z.number().int().min(1).max(1000),
    retentionMs: z.number().int().positive(),
  })
  .strict();

export type TopicDefinition = z.infer<typeof topicSchema>;

export const pipelineSchema = z
  .object({
    kafka: z
      .object({
        clientId: z.string().min(1).default('pantau'),
        topics: z
          .object({ raw: topicSchema, scored: topicSchema, deadLetter: topicSchema, alerts: topicSchema })
          .strict(),
        groups: z.object({ classify: z.string().min(1), index: z.string().min(1), alerts: z.string().min(1) }).strict(),
        /** Partitions a worker processes at once: overlaps one partition's waits on Kafka and Elasticsearch with another's work. */
        partitionsConsumedConcurrently: z.number().int().min(1).max(64).default(3),
        /** How long the group waits for a silent worker before giving its partitions to another one. */
        sessionTimeoutMs: z.number().int().min(6_000).max(300_000).default(30_000),
      })
      .strict(),
    elasticsearch: z
      .object({
        indexPrefix: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -'),
        /** Index template files, relative to the pipeline file's folder. */
        templates: z.array(z.string().min(1)).min(1),
      })
      .strict(),
    classify: z
      .object({
        /** Posts scored per model call; larger batches amortise the per-call cost. */
        batchSize: z.number().int().min(1).max(10_000).default(512),
        /** Per-label overrides of the model card's thresholds, e.g. {"hoax": 0.7}. */
        thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
      })
      .strict(),
    index: z
      .object({
        maxAttempts: z.number().int().min(1).max(100).default(6),
        retryBaseMs: z.number().int().min(1).default(250),
      })
      .strict(),
    alerts: z
      .object({
        /** Flags that raise an alert to the humas teams. */
        labels: z.array(z.string().min(1)).min(1),
        webhookTimeoutMs: z.number().int().min(100).default(5000),
        maxAttempts: z.number().int().min(1).max(100).default(5),
        retryBaseMs: z.number().int().min(1).default(500),
      })
      .strict(),
    http: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8080) })
      .strict(),
    /** Ingest sources run by `pantau sources` (RSS/Atom, HTTP push, JSON APIs, CSV/JSONL backfill). */
    sources: sourceListSchema.default([]),
    relevance: z
      .object({
        /** Election keywords, entities and regions, relative to the pipeline file's folder. */
        file: z.string().min(1).default('election.json'),
      })
      .strict()
      .default({ file: 'election.json' }),
    narratives: z
      .object({
        /** How often the indexer recomputes the reach of the narratives it touched (posts, accounts, engagement). */
        reachRefreshMs: z.number().int().min(100).max(600_000).default(5_000),
        /**
         * How far back a new post is matched against registered narratives. Each classify worker holds the
         * narratives of this window in memory, about 250 bytes each: 14 days of 1 million new narratives a
         * day is about 3.5 GB, so lower it for very busy streams.
         */
        windowDays: z.number().min(1).max(90).default(14),
      })
      .strict()
      .default({ reachRefreshMs: 5_000, windowDays: 14 }),
    /** Where `pantau work` serves Prometheus metrics (/metrics). Port 0 picks a free one. */
    metrics: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })
      .strict()
      .default({ host: '127.0.0.1', port: 9464 }),
  })
  .strict();

export type PipelineDefinition = z.infer<typeof pipelineSchema>;

/** Reads and validates a pipeline file; the error names the file and every offending field. */
export function loadPipelineFile(file: string = DEFAULT_PIPELINE_FILE): PipelineDefinition {
  const parsed = pipelineSchema.safeParse(readJsonFile(file, 'pipeline file', 'pipeline_unreadable'));
  if (!parsed.success) {
    throw new PantauError(`pipeline file ${file} is invalid: ${formatIssues(parsed.error)}`, {
      stage: 'config',
      code: 'pipeline_invalid',
      retriable: false,
    });
  }
  return parsed.data;
}
