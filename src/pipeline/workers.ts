/**
 * The three stream stages, each a consumer group reading one topic:
 *
 *   posts.raw ──classify──▶ posts.scored ──index──▶ Elasticsearch
 *                   └──────▶ alerts ──route──▶ webhook (+ alerts ledger in Elasticsearch)
 *   bad input from any stage ──▶ posts.dlq (original bytes + reason)
 */
import type { KafkaMessage } from 'kafkajs';
import { startBatchConsumer, type BatchContext, type RunningConsumer } from '../bus/batch-consumer.ts';
import { sendDeadLetters, type DeadLetter } from '../bus/dead-letter.ts';
import { produceAll } from '../bus/produce.ts';
import type { Classifier } from '../classifier/index.ts';
import { stageMessages, transformSeconds } from '../core/metrics.ts';
import { PantauError } from '../core/errors.ts';
import { scoredPostSchema, formatIssues, type Alert, type Post, type ScoredPost } from '../core/post.ts';
import { indexPosts } from '../sinks/elasticsearch-posts.ts';
import { alertFor, classifyPosts } from '../transforms/classify.ts';
import { decodePost } from '../transforms/decode.ts';
import { routeAlerts } from '../transforms/route-alerts.ts';
import type { PipelineContext } from './context.ts';
import { startReachRefresher, type ReachRefresher } from './narrative-reach.ts';
import { loadElectionConfig } from '../config/election.ts';
import { createRelevanceMatcher, type RelevanceMatcher } from '../transforms/relevance.ts';
import { assignNarratives, NarrativeCache, NarrativeRegistryView } from '../store/narratives.ts';
import { resolve } from 'node:path';

export type StageName = 'classify' | 'index' | 'alerts';
export const ALL_STAGES: readonly StageName[] = ['classify', 'index', 'alerts'];

export interface StageCounters {
  classified: number;
  flagged: number;
  indexed: number;
  alerts: number;
  deadLettered: number;
}

export interface Workers {
  counters: StageCounters;
  stop(): Promise<void>;
}

const origin = (m: KafkaMessage, c: BatchContext) => ({ topic: c.topic, partition: c.partition, offset: m.offset });

/**
 * What the classify stage adds besides scores: why the post is election-related, and its narrative
 * (near-duplicates share one). Narratives live in Elasticsearch, so this can fail retriably.
 */
async function enrich(
  scored: ScoredPost[],
  matcher: RelevanceMatcher,
  narratives: { cache: NarrativeCache; view: NarrativeRegistryView },
  ctx: PipelineContext,
  prefix: string,
): Promise<void> {
  let timer = transformSeconds.startTimer({ transform: 'relevance' });
  for (const post of scored) {
    const r = matcher.match(post.text, post.language);
    post.relevance = { relevant: r.relevant, terms: r.terms };
    if (post.region === null && r.region !== null) post.region = r.region;
  }
  timer();
  timer = transformSeconds.startTimer({ transform: 'narratives' });
  const assigned = await assignNarratives(ctx.es, prefix, scored, narratives);
  for (const post of scored) post.narrative_id = assigned.get(post.id) ?? null;
  timer();
}

export async function startWorkers(
  ctx: PipelineContext,
  options: { stages?: readonly StageName[]; classifier?: Classifier; webhookUrl?: string; onCrash?: (e: unknown) => void },
): Promise<Workers> {
  const { pipeline } = ctx.config;
  const { topics, groups } = pipeline.kafka;
  const prefix = pipeline.elasticsearch.indexPrefix;
  const stages = options.stages ?? ALL_STAGES;
  const counters: StageCounters = { classified: 0, flagged: 0, indexed: 0, alerts: 0, deadLettered: 0 };
  const running: RunningConsumer[] = [];
  const common = {
    kafka: ctx.kafka,
    retryBaseMs: pipeline.index.retryBaseMs,
    sessionTimeoutMs: pipeline.kafka.sessionTimeoutMs,
    partitionsConcurrently: pipeline.kafka.partitionsConsumedConcurrently,
    ...(options.onCrash ? { onCrash: options.onCrash } : {}),
  };

  if (stages.includes('classify')) {
    const matcher = createRelevanceMatcher(loadElectionConfig(resolve(ctx.config.pipelineDir, pipeline.relevance.file)));
    const narratives = { cache: new NarrativeCache(), view: new NarrativeRegistryView(ctx.es, prefix) };
    const classifier = options.classifier;
    if (!classifier) throw new PantauError('the classify stage needs a classifier', { stage: 'config', code: 'no_classifier', retriable: false });
    running.push(
      await startBatchConsumer({
        ...common,
        stage: 'classify',
        groupId: groups.classify,
        topic: topics.raw.name,
        logger: ctx.logger.child({ stage: 'classify' }),
        handler: async (messages, c) => {
          const posts: Post[] = [];
          const letters: DeadLetter[] = [];
          for (const m of messages) {
            const decoded = decodePost(m.value);
            if (decoded.ok) posts.push(decoded.post);
            else letters.push({ reason: decoded.reason, detail: decoded.detail, stage: 'decoding', key: m.key, value: m.value, origin: origin(m, c) });
          }
          let scored: ScoredPost[];
          try {
            scored = await classifyPosts(posts, {
              classifier,
              thresholdOverrides: pipeline.classify.thresholds,
              batchSize: pipeline.classify.batchSize,
              alertLabels: pipeline.alerts.labels,
            });
          } catch (cause) {
            throw cause instanceof PantauError
              ? cause
              : new PantauError(`classifier failed: ${(cause as Error).message}`, { stage: 'classifying', code: 'model_error', retriable: false, cause });
          }
          await enrich(scored, matcher, narratives, ctx, prefix);
          const alerts = scored.map((p) => alertFor(p, pipeline.alerts.labels)).filter((a): a is Alert => a !== null);
          const topicMessages = [
            { topic: topics.scored.name, messages: scored.map((p) => ({ key: p.id, value: JSON.stringify(p) })) },
            { topic: topics.alerts.name, messages: alerts.map((a) => ({ key: a.post_id, value: JSON.stringify(a) })) },
          ];
          await produceAll(ctx.producer, topicMessages, 'classifying');
          await sendDeadLetters(ctx.producer, topics.deadLetter.name, letters, 'classifying');
          const flagged = scored.filter((p) => p.flagged).length;
          counters.classified += scored.length;
          counters.flagged += flagged;
          counters.deadLettered += letters.length;
          stageMessages.inc({ stage: 'classify', outcome: 'flagged' }, flagged);
          stageMessages.inc({ stage: 'classify', outcome: 'not_flagged' }, scored.length - flagged);
          stageMessages.inc({ stage: 'classify', outcome: 'dead_lettered' }, letters.length);
        },
      }),
    );
  }

  let reach: ReachRefresher | undefined;
  if (stages.includes('index')) {
    reach = startReachRefresher(ctx.es, prefix, pipeline.narratives.reachRefreshMs, ctx.logger.child({ stage: 'index' }));
    const reachRefresher = reach;
    running.push(
      await startBatchConsumer({
        ...common,
        stage: 'index',
        groupId: groups.index,
        topic: topics.scored.name,
        logger: ctx.logger.child({ stage: 'index' }),
        handler: async (messages, c) => {
          const posts: ScoredPost[] = [];
          const letters: DeadLetter[] = [];
          const bySource = new Map<ScoredPost, KafkaMessage>();
          for (const m of messages) {
            let parsed;
            try {
              parsed = scoredPostSchema.safeParse(JSON.parse(m.value?.toString('utf8') ?? ''));
            } catch (error) {
              letters.push({ reason: 'malformed_json', detail: (error as Error).message, stage: 'indexing', key: m.key, value: m.value, origin: origin(m, c) });
              continue;
            }
            if (!parsed.success) {
              letters.push({ reason: 'schema_mismatch', detail: formatIssues(parsed.error), stage: 'indexing', key: m.key, value: m.value, origin: origin(m, c) });
              continue;
            }
            posts.push(parsed.data);
            bySource.set(parsed.data, m);
          }
          const rejections = await indexPosts(ctx.es, posts, {
            prefix,
            maxAttempts: pipeline.index.maxAttempts,
            retryBaseMs: pipeline.index.retryBaseMs,
          });
          const rejected = new Set(rejections.map((r) => r.post));
          reachRefresher.touched(posts.filter((p) => !rejected.has(p)).map((p) => p.narrative_id));
          for (const r of rejections) {
            const m = bySource.get(r.post)!;
            letters.push({ reason: 'rejected_by_index', detail: `${r.status} ${r.reason}`, stage: 'indexing', key: m.key, value: m.value, origin: origin(m, c) });
          }
          await sendDeadLetters(ctx.producer, topics.deadLetter.name, letters, 'indexing');
          counters.indexed += posts.length - rejections.length;
          counters.deadLettered += letters.length;
          stageMessages.inc({ stage: 'index', outcome: 'indexed' }, posts.length - rejections.length);
          stageMessages.inc({ stage: 'index', outcome: 'dead_lettered' }, letters.length);
        },
      }),
    );
  }

  if (stages.includes('alerts')) {
    const log = ctx.logger.child({ stage: 'alerts' });
    running.push(
      await startBatchConsumer({
        ...common,
        stage: 'alerts',
        groupId: groups.alerts,
        topic: topics.alerts.name,
        logger: log,
        handler: async (messages, c) => {
          const letters: DeadLetter[] = [];
          const alerts: Alert[] = [];
          for (const m of messages) {
            try {
              const alert = JSON.parse(m.value?.toString('utf8') ?? '') as Alert;
              if (typeof alert.post_id !== 'string' || !Array.isArray(alert.flags)) throw new Error('not an alert: needs post_id and flags');
              alerts.push(alert);
            } catch (error) {
              letters.push({ reason: 'malformed_json', detail: (error as Error).message, stage: 'alerting', key: m.key, value: m.value, origin: origin(m, c) });
            }
          }
          const results = await routeAlerts(alerts, {
            client: ctx.es,
            prefix,
            webhookUrl: options.webhookUrl,
            timeoutMs: pipeline.alerts.webhookTimeoutMs,
            maxAttempts: pipeline.alerts.maxAttempts,
            retryBaseMs: pipeline.alerts.retryBaseMs,
            logger: log,
          });
          const count = (r: string) => results.filter((x) => x === r).length;
          if (results.length > 0) {
            log.info('alerts routed', { delivered: count('delivered'), recorded: count('not_sent'), refused: count('failed'), duplicates: count('duplicate') });
          }
          counters.alerts += count('delivered') + count('not_sent');
          for (const outcome of ['delivered', 'not_sent', 'failed', 'duplicate']) stageMessages.inc({ stage: 'alerts', outcome }, count(outcome));
          stageMessages.inc({ stage: 'alerts', outcome: 'dead_lettered' }, letters.length);
          await sendDeadLetters(ctx.producer, topics.deadLetter.name, letters, 'alerting');
          counters.deadLettered += letters.length;
        },
      }),
    );
  }

  return {
    counters,
    stop: async () => {
      await Promise.all(running.map((r) => r.stop()));
      await reach?.stop();
    },
  };
}
