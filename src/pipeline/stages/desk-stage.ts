/**
 * alerts → the counter-narrative desk (desk/desk.ts), a consumer group of its own on the alerts topic. Besides
 * the stream it runs two clocks: every `releaseIntervalMs` it sends what waited for a unit's quiet hours, and
 * each unit's `digest_cron` (node-cron, in the units file's time zone) sends that unit's digest.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import { startBatchConsumer, type RunningConsumer } from '../../bus/batch-consumer.ts';
import { sendDeadLetters } from '../../bus/dead-letter.ts';
import { loadHumasUnits, type HumasUnitsConfig } from '../../config/humas-units.ts';
import { describeError } from '../../core/errors.ts';
import { registerSecret } from '../../core/redact.ts';
import type { Logger } from '../../core/log.ts';
import { deskEvents, stageMessages } from '../../core/metrics.ts';
import type { Clock } from '../../core/clock.ts';
import { createChannel } from '../../desk/channels/index.ts';
import { RateLimiter } from '../../desk/channels/rate-limit.ts';
import { Desk, type UnitChannel } from '../../desk/desk.ts';
import type { ClaimMatcher } from '../../match/matcher.ts';
import type { PipelineContext } from '../context.ts';
import { consumerSettings, readAlerts, type StageDeps } from './stage.ts';

/** The base of the links in alerts: the configured public address, else the dashboard's own. */
export function deskBaseUrl(ctx: PipelineContext): string {
  const { desk, http } = ctx.config.pipeline;
  return desk.publicBaseUrl ?? `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}`;
}

/** The link secret: configured, else one per process (links then work only while this process serves them). */
export function deskLinkSecret(ctx: PipelineContext, logger: Logger): string {
  if (ctx.config.deskLinkSecret) return ctx.config.deskLinkSecret;
  logger.warn('PANTAU_DESK_LINK_SECRET is not set: alert links are signed with a key made for this process and stop working when it ends');
  const generated = randomBytes(32).toString('hex');
  registerSecret(generated);
  ctx.config.deskLinkSecret = generated;
  return generated;
}

/**
 * Channels of every unit. A channel whose secret is not set stops the start-up, except for the units marked
 * `example` (the demo's fictional ones): their channels are skipped with a warning, so the demo runs on a fresh
 * machine while a real unit's missing token is found at start, not at the first hoax.
 */
export function buildUnitChannels(units: HumasUnitsConfig, env: Record<string, string | undefined>, options: { timeoutMs: number; clock: Clock; logger: Logger }): Map<string, UnitChannel[]> {
  const out = new Map<string, UnitChannel[]>();
  for (const unit of units.units) {
    const list: UnitChannel[] = [];
    for (const spec of unit.channels) {
      try {
        list.push({ channel: createChannel(spec, env, options), limiter: new RateLimiter({ ratePerMinute: spec.rate_per_minute, clock: options.clock }) });
      } catch (error) {
        if (!unit.example) throw error;
        options.logger.warn('demo unit channel skipped', { unit: unit.id, channel: spec.type, reason: describeError(error) });
      }
    }
    out.set(unit.id, list);
  }
  return out;
}

export interface RunningDesk extends RunningConsumer {
  desk: Desk;
}

export async function startDeskStage(deps: StageDeps, options: { matcher?: ClaimMatcher; env?: Record<string, string | undefined> } = {}): Promise<RunningDesk> {
  const { ctx, counters } = deps;
  const { pipeline } = ctx.config;
  const { topics, groups } = pipeline.kafka;
  const log = ctx.logger.child({ stage: 'desk' });
  const units = loadHumasUnits(resolve(ctx.config.pipelineDir, pipeline.desk.unitsFile));
  const channels = buildUnitChannels(units, options.env ?? process.env, { timeoutMs: pipeline.desk.channelTimeoutMs, clock: ctx.clock, logger: log });
  const desk = new Desk({
    es: ctx.es,
    prefix: pipeline.elasticsearch.indexPrefix,
    units,
    channels,
    ...(options.matcher ? { matcher: options.matcher } : {}),
    clock: ctx.clock,
    logger: log,
    links: { baseUrl: deskBaseUrl(ctx), secret: deskLinkSecret(ctx, log), ttlHours: pipeline.desk.linkTtlHours },
    delivery: { maxAttempts: pipeline.desk.maxAttempts, retryBaseMs: pipeline.desk.retryBaseMs },
    clusterWindowDays: pipeline.desk.clusterWindowDays,
    nearDuplicateJaccard: pipeline.desk.nearDuplicateJaccard,
    escalationMinIntervalMs: pipeline.desk.escalationMinIntervalMs,
  });

  const release = setInterval(() => {
    desk.releaseHeld().then(
      (n) => n > 0 && log.info('held alerts sent after quiet hours', { cases: n }),
      (error: unknown) => log.warn('releasing held alerts failed; will retry', { error: describeError(error) }),
    );
  }, pipeline.desk.releaseIntervalMs);
  release.unref();
  const digests: ScheduledTask[] = units.units
    .filter((u) => u.digest_cron !== null)
    .map((u) =>
      cron.schedule(
        u.digest_cron!,
        () => {
          desk.sendDigest(u.id).catch((error: unknown) => log.error('digest failed', { unit: u.id, error: describeError(error) }));
        },
        { timezone: units.timezone, name: `digest-${u.id}` },
      ),
    );

  const consumer = await startBatchConsumer({
    ...consumerSettings(deps),
    stage: 'desk',
    groupId: groups.desk,
    topic: topics.alerts.name,
    logger: log,
    handler: async (messages, c) => {
      const { alerts, letters } = readAlerts(messages, c);
      const stats = await desk.handle(alerts);
      await sendDeadLetters(ctx.producer, topics.deadLetter.name, letters, 'alerting', ctx.clock);
      counters.deadLettered += letters.length;
      stageMessages.inc({ stage: 'desk', outcome: 'handled' }, alerts.length);
      stageMessages.inc({ stage: 'desk', outcome: 'dead_lettered' }, letters.length);
      deskEvents.inc({ event: 'case_opened' }, stats.casesOpened);
      deskEvents.inc({ event: 'alert_sent' }, stats.alertsSent - stats.escalations);
      deskEvents.inc({ event: 'escalation_sent' }, stats.escalations);
      deskEvents.inc({ event: 'held' }, stats.held);
      if (stats.casesOpened + stats.alertsSent > 0) log.info('desk batch', { ...stats });
    },
  });

  return {
    desk,
    consumer: consumer.consumer,
    stop: async () => {
      clearInterval(release);
      for (const task of digests) await task.stop();
      await consumer.stop();
      await desk.drain();
      await Promise.all([...channels.values()].flat().map((c) => c.channel.close()));
    },
  };
}
