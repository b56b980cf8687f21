/**
 * Health and metrics of one source, kept in one place so every source reports the same way: health() for
 * the operator's status page, Prometheus counters for the dashboards.
 *
 * Every failed attempt is counted once in `pantau_source_errors_total`: one that will be retried through
 * attemptFailed (remembered as lastError, state unchanged), the last one of a run through failed(), which
 * also turns the source `failing` until a run succeeds again.
 */
import { isoNow, systemClock, type Clock } from '../core/clock.ts';
import { PantauError, describeError } from '../core/errors.ts';
import { sourceErrors, sourcePosts, sourceUp } from '../core/metrics.ts';
import type { SourceHealth } from './source.ts';

/** The bounded error code of any error: a PantauError's code, else `unexpected`. */
export function errorCode(error: unknown): string {
  return error instanceof PantauError ? error.code : 'unexpected';
}

export type PostOutcome = 'published' | 'dead_lettered' | 'duplicate';

export class SourceHealthTracker {
  readonly name: string;
  private state: SourceHealth['state'] = 'idle';
  private lastSuccessAt: string | null = null;
  private lastError: string | null = null;
  private consecutiveFailures = 0;

  private readonly clock: Clock;

  constructor(name: string, clock: Clock = systemClock) {
    this.name = name;
    this.clock = clock;
  }

  /** One attempt failed (it may be retried): counted, remembered, but the state is unchanged. */
  attemptFailed(error: unknown): void {
    sourceErrors.inc({ source: this.name, error_type: errorCode(error) });
    this.lastError = describeError(error);
  }

  /** A whole run succeeded. */
  succeeded(): void {
    this.state = 'ok';
    this.lastSuccessAt = isoNow(this.clock);
    this.consecutiveFailures = 0;
    sourceUp.set({ source: this.name }, 1);
  }

  /** A whole run failed after its retries (its last error is counted here; earlier ones by attemptFailed). */
  failed(error: unknown): void {
    sourceErrors.inc({ source: this.name, error_type: errorCode(error) });
    this.state = 'failing';
    this.lastError = describeError(error);
    this.consecutiveFailures++;
    sourceUp.set({ source: this.name }, 0);
  }

  /** A request refused for the client's own fault (bad signature, too large…): counted, health unchanged. */
  refused(code: string): void {
    sourceErrors.inc({ source: this.name, error_type: code });
  }

  posts(outcome: PostOutcome, count: number): void {
    if (count > 0) sourcePosts.inc({ source: this.name, outcome }, count);
  }

  snapshot(): SourceHealth {
    return {
      name: this.name,
      state: this.state,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      consecutiveFailures: this.consecutiveFailures,
    };
  }
}
