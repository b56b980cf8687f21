/**
 * Runs a source's poll on a cron schedule (node-cron; 5 fields, or 6 with seconds first), never two at once,
 * and never lets a failure escape the timer: a failed poll is logged, counted and shown by health(), and the
 * next tick simply tries again. Shared by the RSS and JSON API sources.
 *
 * Overlap is prevented twice on purpose: node-cron's `noOverlap` skips ticks while a scheduled run is
 * pending, and our own in-flight promise also covers runs started by `runNow()` (at start-up, or by an
 * operator), which node-cron does not track.
 */
import { createTask, validate, type ScheduledTask } from 'node-cron';
import type { Logger } from '../core/log.ts';
import { sourceFetchSeconds } from '../core/metrics.ts';
import { retryAfterOf } from './retry.ts';
import { errorCode, type SourceHealthTracker } from './source-health.ts';

export interface ScheduledPollerOptions {
  name: string;
  /** Cron expression, e.g. "*\/5 * * * *" (every five minutes) or "*\/2 * * * * *" (every two seconds). */
  schedule: string;
  timezone?: string;
  logger: Logger;
  health: SourceHealthTracker;
  /**
   * One poll. Throws when the run failed after its own retries; the error's code goes to the metrics and
   * health. Must stop soon after `signal` aborts.
   */
  poll: (signal: AbortSignal) => Promise<void>;
}

/** True when node-cron accepts the expression (for config validation). */
export function isValidCron(expression: string): boolean {
  return validate(expression);
}

export class ScheduledPoller {
  private readonly options: ScheduledPollerOptions;
  private readonly controller = new AbortController();
  private task: ScheduledTask | null = null;
  private inFlight: Promise<void> | null = null;
  /** Set when a server asked for a pause (Retry-After) longer than one run may wait. */
  private notBefore = 0;

  constructor(options: ScheduledPollerOptions) {
    this.options = options;
  }

  start(): void {
    if (this.task || this.controller.signal.aborted) return;
    const log = this.options.logger;
    this.task = createTask(this.options.schedule, () => this.runNow(), {
      name: `source:${this.options.name}`,
      noOverlap: true,
      timezone: this.options.timezone,
      // node-cron's own messages (skipped overlapping tick, missed tick) are routine for a poller.
      logger: {
        info: (m) => log.debug(`cron: ${m}`),
        warn: (m) => log.debug(`cron: ${m}`),
        debug: (m) => log.debug(`cron: ${String(m)}`),
        error: (m, e) => log.error(`cron: ${String(m)}`, { error: e?.message }),
      },
    });
    void this.task.start();
  }

  /**
   * Polls now unless a poll is already running, in which case it waits for that one. Never rejects.
   * Resolves once the poll finished (its posts are on the bus, or it failed and health() says why).
   */
  runNow(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.controller.signal.aborted) return Promise.resolve();
    const waitMs = this.notBefore - Date.now();
    if (waitMs > 0) {
      this.options.logger.debug('poll skipped: the server asked to wait', { waitMs });
      return Promise.resolve();
    }
    this.inFlight = this.runOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async runOnce(): Promise<void> {
    const { name, health, logger } = this.options;
    const endTimer = sourceFetchSeconds.startTimer({ source: name });
    try {
      await this.options.poll(this.controller.signal);
      health.succeeded();
    } catch (error) {
      if (this.controller.signal.aborted) return; // stopping: an interrupted poll is not a failure
      const pause = retryAfterOf(error);
      if (pause !== undefined) this.notBefore = Date.now() + pause;
      health.failed(error);
      logger.warn('poll failed; the next scheduled poll tries again', { error_type: errorCode(error), error: health.snapshot().lastError });
    } finally {
      endTimer();
    }
  }

  /** Stops the schedule, interrupts waits and fetches of a running poll, and waits until it has finished. */
  async stop(): Promise<void> {
    this.controller.abort();
    if (this.task) await this.task.destroy();
    this.task = null;
    await this.inFlight;
  }
}
