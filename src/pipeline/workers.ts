/**
 * The three stream stages, each a consumer group reading one topic (see stages/):
 *
 *   posts.raw ──classify+match──▶ posts.scored ──index──▶ Elasticsearch
 *                   └──────▶ alerts ──route──▶ webhook (+ alerts ledger in Elasticsearch)
 *                              └──desk──▶ claim clusters, one case per unit, alerts by the units' channels
 *   bad input from any stage ──▶ posts.dlq (original bytes + reason)
 */
import type { RunningConsumer } from '../bus/batch-consumer.ts';
import type { Classifier } from '../classifier/index.ts';
import { PantauError } from '../core/errors.ts';
import type { PipelineContext } from './context.ts';
import { startReachRefresher, type ReachRefresher } from './narrative-reach.ts';
import { startAlertsStage } from './stages/alerts-stage.ts';
import { startClassifyStage } from './stages/classify-stage.ts';
import { startIndexStage } from './stages/index-stage.ts';
import type { StageCounters, StageDeps } from './stages/stage.ts';
import { startDeskStage, type RunningDesk } from './stages/desk-stage.ts';
import type { Desk } from '../desk/desk.ts';
import type { ClaimMatcher } from '../match/matcher.ts';

export type { StageCounters } from './stages/stage.ts';
export type StageName = 'classify' | 'index' | 'alerts' | 'desk';
export const ALL_STAGES: readonly StageName[] = ['classify', 'index', 'alerts', 'desk'];

export interface Workers {
  counters: StageCounters;
  /** The desk, when its stage runs here (for held alerts and digests on demand). */
  desk?: Desk;
  /** Finishes and commits the batches in flight, leaves the groups, then brings narrative reach up to date. */
  stop(): Promise<void>;
}

export async function startWorkers(
  ctx: PipelineContext,
  options: {
    stages?: readonly StageName[];
    classifier?: Classifier;
    /** Claim matching in classify, same-claim clustering in the desk; without it neither matches claims. */
    claimMatcher?: ClaimMatcher;
    webhookUrl?: string;
    /** Environment the desk reads channel secrets from (default process.env). */
    env?: Record<string, string | undefined>;
    onCrash?: (e: unknown) => void;
  },
): Promise<Workers> {
  const stages = options.stages ?? ALL_STAGES;
  const counters: StageCounters = { classified: 0, flagged: 0, indexed: 0, alerts: 0, deadLettered: 0 };
  const deps: StageDeps = { ctx, counters, ...(options.onCrash ? { onCrash: options.onCrash } : {}) };
  const running: RunningConsumer[] = [];
  let reach: ReachRefresher | undefined;

  if (stages.includes('classify')) {
    if (!options.classifier) throw new PantauError('the classify stage needs a classifier', { stage: 'config', code: 'no_classifier', retriable: false });
    running.push(await startClassifyStage(deps, options.classifier, options.claimMatcher));
  }
  if (stages.includes('index')) {
    const { pipeline } = ctx.config;
    reach = startReachRefresher(ctx.es, pipeline.elasticsearch.indexPrefix, pipeline.narratives.reachRefreshMs, ctx.logger.child({ stage: 'index' }));
    running.push(await startIndexStage(deps, reach));
  }
  if (stages.includes('alerts')) running.push(await startAlertsStage(deps, options.webhookUrl));
  let desk: RunningDesk | undefined;
  if (stages.includes('desk')) {
    desk = await startDeskStage(deps, { ...(options.claimMatcher ? { matcher: options.claimMatcher } : {}), ...(options.env ? { env: options.env } : {}) });
    running.push(desk);
  }

  return {
    counters,
    ...(desk ? { desk: desk.desk } : {}),
    stop: async () => {
      await Promise.all(running.map((r) => r.stop()));
      await reach?.stop();
    },
  };
}
