/**
 * The three stream stages, each a consumer group reading one topic (see stages/):
 *
 *   posts.raw ──classify──▶ posts.scored ──index──▶ Elasticsearch
 *                   └──────▶ alerts ──route──▶ webhook (+ alerts ledger in Elasticsearch)
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

export type { StageCounters } from './stages/stage.ts';
export type StageName = 'classify' | 'index' | 'alerts';
export const ALL_STAGES: readonly StageName[] = ['classify', 'index', 'alerts'];

export interface Workers {
  counters: StageCounters;
  /** Finishes and commits the batches in flight, leaves the groups, then brings narrative reach up to date. */
  stop(): Promise<void>;
}

export async function startWorkers(
  ctx: PipelineContext,
  options: { stages?: readonly StageName[]; classifier?: Classifier; webhookUrl?: string; onCrash?: (e: unknown) => void },
): Promise<Workers> {
  const stages = options.stages ?? ALL_STAGES;
  const counters: StageCounters = { classified: 0, flagged: 0, indexed: 0, alerts: 0, deadLettered: 0 };
  const deps: StageDeps = { ctx, counters, ...(options.onCrash ? { onCrash: options.onCrash } : {}) };
  const running: RunningConsumer[] = [];
  let reach: ReachRefresher | undefined;

  if (stages.includes('classify')) {
    if (!options.classifier) throw new PantauError('the classify stage needs a classifier', { stage: 'config', code: 'no_classifier', retriable: false });
    running.push(await startClassifyStage(deps, options.classifier));
  }
  if (stages.includes('index')) {
    const { pipeline } = ctx.config;
    reach = startReachRefresher(ctx.es, pipeline.elasticsearch.indexPrefix, pipeline.narratives.reachRefreshMs, ctx.logger.child({ stage: 'index' }));
    running.push(await startIndexStage(deps, reach));
  }
  if (stages.includes('alerts')) running.push(await startAlertsStage(deps, options.webhookUrl));

  return {
    counters,
    stop: async () => {
      await Promise.all(running.map((r) => r.stop()));
      await reach?.stop();
    },
  };
}
