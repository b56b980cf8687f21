/** alerts → webhook. Each alert is delivered once, with the alerts index as the ledger (see sinks/alert-router.ts). */
import { startBatchConsumer, type RunningConsumer } from '../../bus/batch-consumer.ts';
import { sendDeadLetters } from '../../bus/dead-letter.ts';
import { stageMessages } from '../../core/metrics.ts';
import { routeAlerts } from '../../sinks/alert-router.ts';
import { consumerSettings, readAlerts, type StageDeps } from './stage.ts';

export async function startAlertsStage(deps: StageDeps, webhookUrl: string | undefined): Promise<RunningConsumer> {
  const { ctx, counters } = deps;
  const { pipeline } = ctx.config;
  const { topics, groups } = pipeline.kafka;
  const log = ctx.logger.child({ stage: 'alerts' });

  return startBatchConsumer({
    ...consumerSettings(deps),
    stage: 'alerts',
    groupId: groups.alerts,
    topic: topics.alerts.name,
    logger: log,
    handler: async (messages, c) => {
      const read = readAlerts(messages, c);
      const letters = read.letters;
      // Counter posts are for the desk (desk/desk-stage.ts); this raw feed carries flagged posts only.
      const alerts = read.alerts.filter((a) => a.kind !== 'counter');
      const results = await routeAlerts(alerts, {
        client: ctx.es,
        prefix: pipeline.elasticsearch.indexPrefix,
        webhookUrl,
        timeoutMs: pipeline.alerts.webhookTimeoutMs,
        maxAttempts: pipeline.alerts.maxAttempts,
        retryBaseMs: pipeline.alerts.retryBaseMs,
        logger: log,
        clock: ctx.clock,
        isRunning: c.isRunning,
      });
      const count = (r: string) => results.filter((x) => x === r).length;
      if (results.length > 0) {
        log.info('alerts routed', { delivered: count('delivered'), recorded: count('not_sent'), refused: count('failed'), duplicates: count('duplicate') });
      }
      await sendDeadLetters(ctx.producer, topics.deadLetter.name, letters, 'alerting', ctx.clock);
      counters.alerts += count('delivered') + count('not_sent');
      counters.deadLettered += letters.length;
      for (const outcome of ['delivered', 'not_sent', 'failed', 'duplicate']) stageMessages.inc({ stage: 'alerts', outcome }, count(outcome));
      stageMessages.inc({ stage: 'alerts', outcome: 'dead_lettered' }, letters.length);
    },
  });
}
