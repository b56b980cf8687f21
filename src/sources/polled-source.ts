/**
 * What every polled source (RSS/Atom, JSON API) shares: state loaded at start and saved by the subclass,
 * a bounded set of seen ids, a cron-driven poller that never overlaps itself, retries reported to health
 * and logs. A subclass supplies its state schema and `poll()`.
 */
import type { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { SourceDeps } from './deps.ts';
import type { RetryHooks, RetryPolicy } from './retry.ts';
import { ScheduledPoller } from './scheduled-poller.ts';
import { SeenSet } from './seen-set.ts';
import { errorCode, SourceHealthTracker } from './source-health.ts';
import type { PostSink, Source, SourceHealth } from './source.ts';
import { openStateStore, type StateStore } from './state-store.ts';

export interface PolledConfig {
  name: string;
  schedule: string;
  timezone: string;
  runOnStart: boolean;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxSeenIds: number;
}

export interface PolledSetup<S extends { seen: string[] }> {
  /** e.g. 'rss': names the state file and tags logs. */
  type: string;
  /** Words for log lines: 'feed', 'API'. */
  noun: string;
  schema: z.ZodType<S>;
  initial: () => S;
}

export abstract class PolledSource<S extends { seen: string[] }> implements Source {
  readonly name: string;
  protected readonly logger: Logger;
  protected readonly health_: SourceHealthTracker;
  protected readonly store: StateStore<S>;
  protected readonly policy: RetryPolicy;
  /** "Now" (SourceDeps.clock). */
  protected readonly clock: Clock;
  protected state: S;
  protected seen = new SeenSet(1);
  protected sink: PostSink | null = null;
  private poller: ScheduledPoller | null = null;
  private readonly polled: PolledConfig;
  private readonly noun: string;

  constructor(config: PolledConfig, deps: SourceDeps, setup: PolledSetup<S>) {
    this.name = config.name;
    this.polled = config;
    this.noun = setup.noun;
    this.logger = deps.logger.child({ source: config.name, source_type: setup.type });
    this.health_ = new SourceHealthTracker(config.name, deps.clock);
    this.clock = deps.clock ?? systemClock;
    this.state = setup.initial();
    this.store = openStateStore({ dir: deps.stateDir, key: `${setup.type}-${config.name}`, schema: setup.schema, initial: setup.initial, logger: this.logger });
    this.policy = { maxAttempts: config.maxAttempts, baseMs: config.retryBaseMs, maxMs: config.retryMaxMs };
  }

  async start(sink: PostSink): Promise<void> {
    if (this.sink) throw new Error(`source ${this.name} is already started`);
    this.state = await this.store.load();
    this.seen = new SeenSet(this.polled.maxSeenIds, this.state.seen);
    this.sink = sink;
    this.poller = new ScheduledPoller({
      name: this.name,
      schedule: this.polled.schedule,
      timezone: this.polled.timezone,
      logger: this.logger,
      health: this.health_,
      poll: (signal) => this.poll(signal),
    });
    this.poller.start();
    if (this.polled.runOnStart) void this.poller.runNow();
    this.logger.info(`${this.noun} source started`, { schedule: this.polled.schedule, remembered: this.seen.size, ...this.startFields() });
  }

  /** Polls now (or joins the poll in flight) and resolves when it has finished; never rejects. */
  pollNow(): Promise<void> {
    return this.poller ? this.poller.runNow() : Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.poller?.stop();
  }

  health(): SourceHealth {
    return this.health_.snapshot();
  }

  /** Retry hooks that report each failed attempt to health and the log. */
  protected hooks(signal: AbortSignal): RetryHooks & { health: SourceHealthTracker } {
    return {
      signal,
      health: this.health_,
      onRetry: (error, attempt, delayMs) => {
        this.health_.attemptFailed(error);
        this.logger.warn(`${this.noun} attempt failed; retrying`, { attempt, delayMs, error_type: errorCode(error), error: (error as Error).message });
      },
    };
  }

  /** Extra fields for the "started" log line. */
  protected startFields(): Record<string, unknown> {
    return {};
  }

  /** One run: fetch, map, deliver to `this.sink`, then save state. Throwing marks the run failed. */
  protected abstract poll(signal: AbortSignal): Promise<void>;
}
