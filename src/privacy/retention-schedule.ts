/**
 * The daily retention run inside `pantau work`: a node-cron task on `privacy.schedule` in `privacy.timezone`,
 * started by every work process whatever its stages (it is not a stream stage: it reads no topic). Each
 * process's task fires; the day's lock document (retention.ts) lets exactly one of them run, as the desk's
 * digest markers do. Not started by `pantau demo`: the demo's sample posts are older than any retention.
 */
import cron from 'node-cron';
import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../core/clock.ts';
import { describeError, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { PrivacyConfig } from './config.ts';
import { runRetention, type RetentionSummary } from './retention.ts';

export interface RetentionSchedule {
  /** Runs the scheduled job now (with the daily lock), as the cron task does; for tests and operators. */
  runNow(): Promise<RetentionSummary>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startRetentionSchedule(options: { es: Client; prefix: string; config: PrivacyConfig; authorKey: string | undefined; clock: Clock; logger: Logger }): RetentionSchedule {
  if (options.config.action === 'pseudonymise' && !options.authorKey) {
    throw new PantauError('privacy.action "pseudonymise" needs an author key, and pseudonyms are off (PANTAU_AUTHOR_PSEUDONYMS=off); set PANTAU_AUTHOR_KEY or use action "delete"', {
      stage: 'config',
      code: 'author_key_missing',
      retriable: false,
    });
  }
  const log = options.logger.child({ job: 'retention' });
  let running: Promise<RetentionSummary> | undefined;
  const runNow = (): Promise<RetentionSummary> => {
    // One run at a time in this process: a call during a run joins it instead of starting another.
    running ??= runRetention({ ...options, logger: log, lock: 'daily' }).finally(() => {
      running = undefined;
    });
    return running;
  };
  const task = cron.schedule(
    options.config.schedule,
    () => {
      runNow().then(
        (s) => {
          if (s.skipped) log.info('retention already ran today in another process', { cutoff: s.cutoff });
          else log.info('retention run done', { action: s.action, cutoff: s.cutoff, tookMs: s.tookMs, posts: s.posts, alerts: s.alerts, desk: s.desk });
        },
        (error: unknown) => log.error('retention run failed; the next scheduled run redoes what is left', { error: describeError(error) }),
      );
    },
    { timezone: options.config.timezone, name: 'retention' },
  );
  log.info('retention scheduled', { schedule: options.config.schedule, timezone: options.config.timezone, action: options.config.action, retentionDays: options.config.retentionDays });
  return {
    runNow,
    stop: async () => {
      await task.stop();
      await running?.catch(() => {});
    },
  };
}
