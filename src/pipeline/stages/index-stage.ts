/**
 * posts.scored → Elasticsearch. Bulk-indexes with `_id` = post id (a replay overwrites), dead-letters what
 * the index refuses for good, and reports the narratives it touched so their reach is recomputed.
 */
import type { KafkaMessage } from 'kafkajs';
import { startBatchConsumer, type RunningConsumer } from '../../bus/batch-consumer.ts';
import { sendDeadLetters, type DeadLetter } from '../../bus/dead-letter.ts';
import { stageMessages } from '../../core/metrics.ts';
import { formatIssues, scoredPostSchema, type ScoredPost } from '../../core/post.ts';
import { indexPosts } from '../../sinks/elasticsearch-posts.ts';
import type { ReachRefresher } from '../narrative-reach.ts';
import { consumerSettings, letterFor, NARRATIVE_STARTED_HEADER, type StageDeps } from './stage.ts';

export async function startIndexStage(deps: StageDeps, reach: ReachRefresher): Promise<RunningConsumer> {
  const { ctx, counters } = deps;
  const { pipeline } = ctx.config;
  const { topics, groups } = pipeline.kafka;

  return startBatchConsumer({
    ...consumerSettings(deps),
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
          letters.push(letterFor(m, c, 'indexing', 'malformed_json', (error as Error).message));
          continue;
        }
        if (!parsed.success) {
          letters.push(letterFor(m, c, 'indexing', 'schema_mismatch', formatIssues(parsed.error)));
          continue;
        }
        posts.push(parsed.data);
        bySource.set(parsed.data, m);
      }
      const rejections = await indexPosts(ctx.es, posts, {
        prefix: pipeline.elasticsearch.indexPrefix,
        maxAttempts: pipeline.index.maxAttempts,
        retryBaseMs: pipeline.index.retryBaseMs,
        clock: ctx.clock,
      });
      const rejected = new Set(rejections.map((r) => r.post));
      // A post that started its narrative is that narrative's only post so far: nothing has spread, and
      // recomputing the reach of every such singleton cost more than the reach of all the others.
      reach.touched(posts.filter((p) => !rejected.has(p) && bySource.get(p)!.headers?.[NARRATIVE_STARTED_HEADER] === undefined).map((p) => p.narrative_id));
      for (const r of rejections) letters.push(letterFor(bySource.get(r.post)!, c, 'indexing', r.code, `${r.status} ${r.reason}`));
      await sendDeadLetters(ctx.producer, topics.deadLetter.name, letters, 'indexing', ctx.clock);
      counters.indexed += posts.length - rejections.length;
      counters.deadLettered += letters.length;
      stageMessages.inc({ stage: 'index', outcome: 'indexed' }, posts.length - rejections.length);
      stageMessages.inc({ stage: 'index', outcome: 'dead_lettered' }, letters.length);
    },
  });
}
