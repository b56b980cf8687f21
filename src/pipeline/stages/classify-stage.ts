/**
 * posts.raw → classify → posts.scored (+ alerts). Decodes and validates each post, scores it, records why it
 * is election-related and which narrative it belongs to, and raises an alert for alerting flags.
 */
import { resolve } from 'node:path';
import { startBatchConsumer, type RunningConsumer } from '../../bus/batch-consumer.ts';
import { sendDeadLetters, type DeadLetter } from '../../bus/dead-letter.ts';
import { produceAll } from '../../bus/produce.ts';
import { DEFAULT_MODEL_DIR, loadClassifier, type Classifier } from '../../classifier/index.ts';
import type { BackendChoice } from '../../classifier/backend.ts';
import { ActiveModel } from '../../classifier/active-model.ts';
import { ModelRegistry } from '../../classifier/registry.ts';
import { electionEntityNames, loadElectionConfig } from '../../config/election.ts';
import { describeError, PantauError } from '../../core/errors.ts';
import { stageMessages, transformSeconds } from '../../core/metrics.ts';
import type { Alert, Post, ScoredPost } from '../../core/post.ts';
import { assignNarratives, NarrativeCache, NarrativeRegistryView } from '../../store/narrative-registry.ts';
import { alertFor, classifyPosts } from '../../transforms/classify.ts';
import { decodePost } from '../../transforms/decode.ts';
import { loadTrustedPublishers } from '../../config/trusted-publishers.ts';
import { createTrustedPublisherMatcher } from '../../transforms/trusted-publisher.ts';
import { pseudonymisePost } from '../../sources/pseudonymising-sink.ts';
import { createRelevanceMatcher, matchTokens, type RelevanceMatcher } from '../../transforms/relevance.ts';
import { consumerSettings, letterFor, NARRATIVE_STARTED_HEADER, type StageDeps } from './stage.ts';
import type { ClaimMatcher } from '../../match/matcher.ts';
import { KnowledgeBaseView } from '../../store/knowledge-base-view.ts';
import { ClaimMatchTransform } from '../../transforms/match-claims.ts';
import { effectiveReviewThresholds, effectiveThresholds } from '../../transforms/classify.ts';
import type { Logger } from '../../core/log.ts';

/** Bound on a worker's read of the active model pointer: past it, the batch goes on with the model it has. */
const POINTER_TIMEOUT_MS = 2_000;

interface ClaimMatching {
  transform: ClaimMatchTransform;
  kb: KnowledgeBaseView;
}

/** Re-reads the knowledge base when a check is due; a failed read keeps the entries it has (and says so). */
async function refreshKnowledgeBase(m: ClaimMatching, logger: Logger): Promise<void> {
  if (!m.kb.due) return;
  try {
    if (await m.kb.sync()) {
      m.transform.setKnowledgeBase(m.kb.entries);
      logger.info('knowledge base loaded for claim matching', { claims: m.kb.entries.length });
    }
  } catch (error) {
    logger.warn('knowledge base not re-read; matching with the entries already loaded', { claims: m.transform.knowledgeBaseSize, error: describeError(error) });
  }
}

interface Narratives {
  cache: NarrativeCache;
  view: NarrativeRegistryView;
}

/**
 * What the classify stage adds besides scores: why the post is election-related, and its narrative
 * (near-duplicates share one). The narrative registry lives in Elasticsearch, so this can fail retriably.
 * Returns the ids of the posts that started a new narrative.
 */
async function enrich(scored: ScoredPost[], matcher: RelevanceMatcher, narratives: Narratives): Promise<Set<string>> {
  let timer = transformSeconds.startTimer({ transform: 'relevance' });
  // Both transforms read the same tokens: split each text once.
  const tokenized = scored.map((post) => ({ id: post.id, text: post.text, created_at: post.created_at, tokens: matchTokens(post.text) }));
  scored.forEach((post, i) => {
    const r = matcher.matchTokenized(tokenized[i]!.tokens, post.language);
    post.relevance = { relevant: r.relevant, terms: r.terms };
    if (post.region === null && r.region !== null) post.region = r.region;
  });
  timer();
  timer = transformSeconds.startTimer({ transform: 'narratives' });
  const started = new Set<string>();
  const assigned = await assignNarratives(narratives.view, tokenized, { cache: narratives.cache, started });
  for (const post of scored) post.narrative_id = assigned.get(post.id) ?? null;
  timer();
  return started;
}

export async function startClassifyStage(deps: StageDeps, classifier: Classifier, claimMatcher?: ClaimMatcher): Promise<RunningConsumer> {
  const { ctx, counters } = deps;
  const { pipeline } = ctx.config;
  const { topics, groups } = pipeline.kafka;
  const prefix = pipeline.elasticsearch.indexPrefix;
  const election = loadElectionConfig(resolve(ctx.config.pipelineDir, pipeline.relevance.file));
  const matcher = createRelevanceMatcher(election);
  const authorKey = ctx.config.authorKey;
  const trustedPublisherOf = createTrustedPublisherMatcher(loadTrustedPublishers(resolve(ctx.config.pipelineDir, pipeline.trustedPublishers.file)), ctx.config.authorKey);
  const narratives: Narratives = { cache: new NarrativeCache(), view: new NarrativeRegistryView(ctx.es, prefix, { windowMs: pipeline.narratives.windowDays * 86_400_000, clock: ctx.clock }) };
  const logger = ctx.logger.child({ stage: 'classify' });
  let matching: ClaimMatching | undefined;
  if (claimMatcher !== undefined && pipeline.match.enabled) {
    const alert = effectiveThresholds(classifier, pipeline.classify.thresholds);
    const review = effectiveReviewThresholds(classifier, alert, pipeline.classify.reviewThresholds);
    matching = {
      transform: new ClaimMatchTransform(claimMatcher, { minHoaxScore: pipeline.match.minHoaxScore ?? review.hoax ?? alert.hoax ?? 0.5, cacheSize: pipeline.match.cacheNarratives }),
      kb: new KnowledgeBaseView(ctx.es, prefix, { refreshMs: pipeline.match.kbRefreshMs, clock: ctx.clock }),
    };
    await refreshKnowledgeBase(matching, logger);
  }
  // The model follows the registry's active pointer (promote / rollback), swapped between batches.
  const model = new ActiveModel({
    initial: classifier,
    initialDir: ctx.config.modelDir ?? DEFAULT_MODEL_DIR,
    registry: new ModelRegistry(ctx.es, prefix, { clock: ctx.clock, shippedDir: ctx.config.modelDir ?? DEFAULT_MODEL_DIR, pointerTimeoutMs: POINTER_TIMEOUT_MS }),
    load: (dir) => loadClassifier({ modelDir: dir, backend: classifier.backend as BackendChoice, extraEntities: electionEntityNames(election) }),
    refreshMs: pipeline.classify.modelRefreshMs,
    clock: ctx.clock,
    logger,
  });
  const followRegistry = pipeline.classify.modelRefreshMs > 0;
  // Start on the active model, not the configured one, when they differ: a restart must not undo a promotion.
  if (followRegistry) await model.refresh(true);
  // Read the registry before joining the group: with weeks of narratives the first read takes a while, and
  // inside a batch it would hold up the heartbeats. If Elasticsearch is down, the first batch reads it.
  try {
    await narratives.view.sync();
    logger.info('narrative registry read', { narratives: narratives.view.size });
  } catch (error) {
    logger.warn('narrative registry not read at start; the first batch will', { error: describeError(error) });
  }

  const consumer = await startBatchConsumer({
    ...consumerSettings(deps),
    stage: 'classify',
    groupId: groups.classify,
    topic: topics.raw.name,
    logger,
    handler: async (messages, c) => {
      const posts: Post[] = [];
      const letters: DeadLetter[] = [];
      for (const m of messages) {
        const decoded = decodePost(m.value);
        // Safety net: a post some other producer put on posts.raw with a handle gets its pseudonym here.
        if (decoded.ok) posts.push(authorKey === undefined ? decoded.post : pseudonymisePost(decoded.post, authorKey));
        else letters.push(letterFor(m, c, 'decoding', decoded.reason, decoded.detail));
      }
      if (followRegistry) await model.refresh();
      const lease = model.lease();
      let scored: ScoredPost[];
      try {
        scored = await classifyPosts(posts, {
          classifier: lease.classifier,
          thresholdOverrides: pipeline.classify.thresholds,
          reviewOverrides: pipeline.classify.reviewThresholds,
          batchSize: pipeline.classify.batchSize,
          alertLabels: pipeline.alerts.labels,
          clock: ctx.clock,
          trustedPublisherOf,
        });
      } catch (cause) {
        throw cause instanceof PantauError
          ? cause
          : new PantauError(`classifier failed: ${(cause as Error).message}`, { stage: 'classifying', code: 'model_error', retriable: false, cause });
      } finally {
        lease.release();
      }
      const started = await enrich(scored, matcher, narratives);
      if (matching !== undefined) {
        await refreshKnowledgeBase(matching, logger);
        const timer = transformSeconds.startTimer({ transform: 'match' });
        matching.transform.apply(scored, (p) => trustedPublisherOf(p) !== null);
        timer();
      }
      const alerts = scored.map((p) => alertFor(p, pipeline.alerts.labels, ctx.clock)).filter((a): a is Alert => a !== null);
      await produceAll(
        ctx.producer,
        [
          {
            topic: topics.scored.name,
            messages: scored.map((p) => ({ key: p.id, value: JSON.stringify(p), ...(started.has(p.id) ? { headers: { [NARRATIVE_STARTED_HEADER]: '1' } } : {}) })),
          },
          { topic: topics.alerts.name, messages: alerts.map((a) => ({ key: a.post_id, value: JSON.stringify(a) })) },
        ],
        'classifying',
      );
      await sendDeadLetters(ctx.producer, topics.deadLetter.name, letters, 'classifying', ctx.clock);
      const flagged = scored.filter((p) => p.flagged).length;
      counters.classified += scored.length;
      counters.flagged += flagged;
      counters.deadLettered += letters.length;
      stageMessages.inc({ stage: 'classify', outcome: 'flagged' }, flagged);
      stageMessages.inc({ stage: 'classify', outcome: 'not_flagged' }, scored.length - flagged);
      stageMessages.inc({ stage: 'classify', outcome: 'dead_lettered' }, letters.length);
    },
  });
  return {
    consumer: consumer.consumer,
    stop: async () => {
      await consumer.stop();
      model.close();
    },
  };
}
