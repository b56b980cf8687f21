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
import { privacySchema } from '../privacy/config.ts';
import { BRIEF_DEFAULTS, briefSchema } from '../brief/config.ts';

export const DEFAULT_PIPELINE_FILE = resolve(PROJECT_ROOT, 'pipelines/pantau.pipeline.json');

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, . _ -');

const topicSchema = z
  .object({
    name: topicName.describe('Topic name.'),
    partitions: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .describe('Partitions when pantau creates the topic; an existing topic keeps its own (a difference is reported at start-up). More partitions let more workers share the stage.'),
    retentionMs: z.number().int().positive().describe('How long Kafka keeps messages (retention.ms) when pantau creates the topic.'),
  })
  .strict();

export type TopicDefinition = z.infer<typeof topicSchema>;

const groupName = z.string().min(1);

export const pipelineSchema = z
  .object({
    $schema: z.string().optional().describe('JSON Schema of this file, for editors (pipelines/pantau.pipeline.schema.json); ignored by pantau.'),
    kafka: z
      .object({
        clientId: z.string().min(1).default('pantau').describe('Client id pantau announces to the brokers (shows in broker logs and quotas).'),
        topics: z
          .object({
            raw: topicSchema.describe('Posts as the sources read them (key: post id).'),
            scored: topicSchema.describe('Classified posts, on their way to Elasticsearch.'),
            deadLetter: topicSchema.describe('Bad input and documents that cannot be indexed, with the original bytes and the reason in headers.'),
            alerts: topicSchema.describe('Flagged posts (and posts that counter a matched claim), one message per post: the raw alert feed and the desk read it.'),
          })
          .strict()
          .describe('The four topics; created at start-up when missing.'),
        groups: z
          .object({
            classify: groupName.describe('Consumer group of the classify stage (reads topics.raw).'),
            index: groupName.describe('Consumer group of the index stage (reads topics.scored).'),
            alerts: groupName.describe('Consumer group of the alerts stage (reads topics.alerts).'),
            desk: groupName.default('pantau-desk').describe('Consumer group of the counter-narrative desk (reads topics.alerts too, with its own offsets).'),
          })
          .strict()
          .describe('One consumer group per stage: workers of the same group share its partitions.'),
        partitionsConsumedConcurrently: z
          .number()
          .int()
          .min(1)
          .max(64)
          .default(3)
          .describe("Partitions a worker processes at once: overlaps one partition's waits on Kafka and Elasticsearch with another's work."),
        sessionTimeoutMs: z
          .number()
          .int()
          .min(6_000)
          .max(300_000)
          .default(30_000)
          .describe('How long the group waits for a silent worker before giving its partitions to another one (ms).'),
      })
      .strict()
      .describe('Topics, consumer groups and consumer settings. Where the brokers are comes from KAFKA_BROKERS.'),
    elasticsearch: z
      .object({
        indexPrefix: z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')
          .describe('Prefix of every index and template pantau makes (`<prefix>-posts-YYYY.MM`, `<prefix>-alerts`…); PANTAU_INDEX_PREFIX overrides it.'),
        templates: z.array(z.string().min(1)).min(1).describe("Index template files, relative to the pipeline file's folder; installed when missing or older than the file's version."),
      })
      .strict()
      .describe('Index names and templates. Where the cluster is comes from ELASTICSEARCH_URL.'),
    classify: z
      .object({
        batchSize: z.number().int().min(1).max(10_000).default(512).describe('Posts scored per model call; larger batches amortise the per-call cost.'),
        thresholds: z
          .record(z.string(), z.number().min(0).max(1))
          .default({})
          .describe('Per-label overrides of the model card\'s alert points (thresholds), e.g. {"hoax": 0.7}; an unknown label is refused at start-up.'),
        reviewThresholds: z
          .record(z.string(), z.number().min(0).max(1))
          .default({})
          .describe("Per-label overrides of the model card's review points: posts scored between a label's review and alert points go to the analysts' queue (`review_flags`), not to humas teams; never above the alert point."),
        modelRefreshMs: z
          .number()
          .int()
          .min(0)
          .default(10_000)
          .describe(
            'How often a classify worker reads the model registry\'s active pointer (`<prefix>-models`, set by `pantau models promote|rollback`), in ms; one small request. A changed pointer loads the new model and swaps it between batches. 0 = never: the worker keeps the model it started with.',
          ),
      })
      .strict()
      .describe('The classify stage: model batches and per-label thresholds (the model comes from PANTAU_MODEL_DIR or models/).'),
    index: z
      .object({
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(6)
          .describe('Bulk attempts for a document Elasticsearch answers 5xx for; after the last it goes to the dead-letter topic (index_retries_exhausted). Documents answered 429 are retried without limit (backpressure).'),
        retryBaseMs: z.number().int().min(1).default(250).describe('First backoff between attempts (ms); doubles per attempt, with jitter.'),
      })
      .strict()
      .describe('The index stage: retries of documents Elasticsearch fails to index.'),
    alerts: z
      .object({
        labels: z.array(z.string().min(1)).min(1).describe('Flags that raise an alert to the humas teams.'),
        webhookTimeoutMs: z.number().int().min(100).default(5000).describe('Deadline of one webhook delivery (ms).'),
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(5)
          .describe('Delivery attempts per alert before the batch is retried later (the alert stays pending in the ledger).'),
        retryBaseMs: z.number().int().min(1).default(500).describe('First backoff between delivery attempts (ms); doubles per attempt, with jitter.'),
      })
      .strict()
      .describe('Which flags raise alerts, and how they are delivered to PANTAU_WEBHOOK_URL.'),
    review: z
      .object({
        uncertainSampleRate: z
          .number()
          .min(0)
          .max(1)
          .default(0.2)
          .describe(
            "Share of the uncertain items (narratives whose posts only reach a label's review point, not its alert point) shown in the analysts' queue with reason `uncertain`, to learn where the model is unsure. Chosen by a stable hash of the item id, so the sample is the same on every request; 0 shows none, 1 all.",
          ),
      })
      .strict()
      .default({ uncertainSampleRate: 0.2 })
      .describe("The analysts' review queue (`GET /api/queue`): flagged narratives, and a sample of the uncertain ones."),
    http: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address of the dashboard and review API (PANTAU_HTTP_HOST overrides it).'),
        port: z.number().int().min(0).max(65535).default(8080).describe('Port of the dashboard and review API; 0 picks a free one (PANTAU_HTTP_PORT overrides it).'),
      })
      .strict()
      .describe('Where `pantau serve` and `pantau demo` serve the dashboard (/), the review list (/api/flagged) and /healthz.'),
    auth: z
      .object({
        sessionIdleMinutes: z.number().int().min(1).max(1_440).default(30).describe('A session ends after this many minutes without a request.'),
        sessionMaxHours: z.number().int().min(1).max(168).default(12).describe('A session ends this many hours after sign-in, however active.'),
        maxFailedLogins: z.number().int().min(1).max(100).default(5).describe('Wrong passwords in a row before an account is locked.'),
        lockoutMinutes: z.number().int().min(1).max(1_440).default(15).describe('How long a locked account stays locked.'),
        rateLimits: z
          .object({
            perIp: z.number().int().min(1).default(1_200).describe('Requests per minute from one IP address.'),
            login: z.number().int().min(1).default(20).describe('Sign-in attempts per minute from one IP address.'),
            read: z.number().int().min(1).default(600).describe('Reads per minute per user or token.'),
            write: z.number().int().min(1).default(120).describe('Changes per minute per user or token.'),
          })
          .strict()
          .default({ perIp: 1_200, login: 20, read: 600, write: 120 })
          .describe('Request rate limits of the API (429 with Retry-After beyond them).'),
      })
      .strict()
      .default({ sessionIdleMinutes: 30, sessionMaxHours: 12, maxFailedLogins: 5, lockoutMinutes: 15, rateLimits: { perIp: 1_200, login: 20, read: 600, write: 120 } })
      .describe('Sign-in sessions, lockout and rate limits of the workspace API. Users and tokens: `pantau users`.'),
    sources: sourceListSchema.default([]).describe('Ingest sources run by `pantau sources` (RSS/Atom, HTTP push, JSON APIs, CSV/JSONL backfill); see the source types below.'),
    relevance: z
      .object({
        file: z.string().min(1).default('election.json').describe("Election keywords, entities and regions, relative to the pipeline file's folder."),
      })
      .strict()
      .default({ file: 'election.json' })
      .describe('Election relevance: which terms make a post election-related.'),
    electionStages: z
      .object({
        file: z.string().min(1).default('election-stages.json').describe("The election's stages (campaign, quiet period, voting day, counting) marked on the dashboard and named in the daily brief, relative to the pipeline file's folder."),
      })
      .strict()
      .default({ file: 'election-stages.json' })
      .describe('Election stages: calendar days of each stage of the contest.'),
    trustedPublishers: z
      .object({
        file: z.string().min(1).default('trusted-publishers.json').describe("Official accounts and sites whose posts are never flagged hoax, relative to the pipeline file's folder."),
      })
      .strict()
      .default({ file: 'trusted-publishers.json' })
      .describe('Trusted publishers (KPU, Bawaslu, Komdigi, Diskominfo and humas units): their clarifications quote the hoax they answer, so they are never flagged hoax.'),
    narratives: z
      .object({
        reachRefreshMs: z
          .number()
          .int()
          .min(100)
          .max(600_000)
          .default(5_000)
          .describe('How often the indexer recomputes the reach of the narratives it touched (posts, accounts, engagement), in ms.'),
        windowDays: z
          .number()
          .min(1)
          .max(90)
          .default(14)
          .describe(
            'How far back a new post is matched against registered narratives. Each classify worker holds the narratives of this window in memory, about 250 bytes each: 14 days of 1 million new narratives a day is about 3.5 GB, so lower it for very busy streams.',
          ),
      })
      .strict()
      .default({ reachRefreshMs: 5_000, windowDays: 14 })
      .describe('Narratives: near-duplicate posts grouped by SimHash, and their reach.'),
    match: z
      .object({
        enabled: z.boolean().default(true).describe('Match narratives against the knowledge base of clarifications in the classify stage.'),
        kbRefreshMs: z
          .number()
          .int()
          .min(1_000)
          .max(3_600_000)
          .default(60_000)
          .describe('How often a classify worker checks the knowledge base for new entries (ms); a check is one small request, a reload only when it changed.'),
        minHoaxScore: z
          .number()
          .min(0)
          .max(1)
          .nullable()
          .default(null)
          .describe(
            "Posts are matched when the model's hoax score reaches this (or they are flagged, or from a trusted publisher); null: the model's hoax review point (0.057 for pantau-id-v2, about 9 % of election tweets).",
          ),
        cacheNarratives: z
          .number()
          .int()
          .min(100)
          .max(10_000_000)
          .default(50_000)
          .describe('Narratives whose match a classify worker remembers (LRU): a narrative is matched once, not per post.'),
      })
      .strict()
      .default({ enabled: true, kbRefreshMs: 60_000, minHoaxScore: null, cacheNarratives: 50_000 })
      .describe('Claim matching: narratives against known debunks; a post supporting a claim marked false is flagged hoax.'),
    desk: z
      .object({
        unitsFile: z.string().min(1).default('humas-units.json').describe("Humas units, their channels and what they answer for, relative to the pipeline file's folder."),
        publicBaseUrl: z
          .url({ protocol: /^https?$/ })
          .nullable()
          .default(null)
          .describe('Address of `pantau serve` as the humas units reach it, for the links in alerts (PANTAU_PUBLIC_URL overrides it); null: http://<http.host>:<http.port>.'),
        linkTtlHours: z.number().int().min(1).max(2_160).default(336).describe('How long the acknowledge / counter / close links in an alert work (hours).'),
        releaseIntervalMs: z.number().int().min(1_000).max(3_600_000).default(60_000).describe('How often held messages (quiet hours) are checked for release (ms).'),
        channelTimeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe('Deadline of one delivery to one channel (ms).'),
        maxAttempts: z.number().int().min(1).max(20).default(4).describe('Delivery attempts per message and channel; the outcome is in the delivery log either way.'),
        retryBaseMs: z.number().int().min(1).default(1_000).describe('First backoff between delivery attempts (ms); doubles per attempt, with jitter.'),
        clusterWindowDays: z.number().min(1).max(90).default(14).describe('How far back a new unmatched narrative may join a claim cluster.'),
        escalationMinIntervalMs: z
          .number()
          .int()
          .min(0)
          .max(86_400_000)
          .default(3_600_000)
          .describe("Least time between two messages to a unit about one case (ms): a new cluster's first posts arrive in several batches, and its reach must not 'double' into an escalation minutes after the first alert."),
        nearDuplicateJaccard: z
          .number()
          .min(0.3)
          .max(1)
          .default(0.7)
          .describe('Content-word overlap (Jaccard) at which an unmatched narrative joins a recent cluster as a near-duplicate SimHash kept apart.'),
      })
      .strict()
      .default({
        unitsFile: 'humas-units.json',
        publicBaseUrl: null,
        linkTtlHours: 336,
        releaseIntervalMs: 60_000,
        channelTimeoutMs: 10_000,
        maxAttempts: 4,
        retryBaseMs: 1_000,
        clusterWindowDays: 14,
        escalationMinIntervalMs: 3_600_000,
        nearDuplicateJaccard: 0.7,
      })
      .describe('The counter-narrative desk: claim clusters, one case per cluster and humas unit, alerts through the units\' channels, lifecycle links.'),
    metrics: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address of /metrics and /healthz of `pantau work` and `pantau sources`.'),
        port: z.number().int().min(0).max(65535).default(9464).describe('Their port; 0 picks a free one (PANTAU_METRICS_PORT overrides it).'),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 9464 })
      .describe('Where `pantau work` and `pantau sources` serve Prometheus metrics (/metrics) and their health (/healthz).'),
    privacy: privacySchema
      .default({ retentionDays: 180, action: 'delete', schedule: '15 2 * * *', timezone: 'Asia/Jakarta' })
      .describe('Retention of posts and of the personal data derived from them (author pseudonyms are set by PANTAU_AUTHOR_KEY / PANTAU_AUTHOR_PSEUDONYMS, see the README).'),
    brief: briefSchema
      .default(BRIEF_DEFAULTS)
      .describe("The daily brief for leadership: yesterday's figures, top narratives and their status, clarifications published and open alerts, as one PDF page and an HTML e-mail in Bahasa Indonesia (`pantau brief` makes it on demand)."),
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
