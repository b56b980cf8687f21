/**
 * The backoff loop of the polling sources: retry what can succeed later (timeouts, 429, 5xx, a bus that is
 * briefly away), with capped exponential backoff and full jitter from the sinks' retry policy, honouring a
 * server's Retry-After, and stopping at once when the source is being stopped.
 */
import { isRetriable } from '../core/errors.ts';
import { backoffMs } from '../core/retry.ts';

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First backoff; doubles per attempt. */
  baseMs: number;
  /** Ceiling of one wait. A Retry-After longer than this ends the loop (see `retryAfterOf`). */
  maxMs: number;
}

export interface RetryHooks {
  /** When aborted, the loop waits no more and rethrows the last error. */
  signal?: AbortSignal;
  /** Called before each wait: the place to log and count the failed attempt. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/** How long the server asked us to wait (HTTP Retry-After), when an error carries it. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = typeof error === 'object' && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Resolves after `ms`, or early when `signal` aborts (never rejects: callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `work` until it succeeds, a non-retriable error occurs, the attempts are used up, or the signal
 * aborts; then rethrows the last error unchanged (so its code and Retry-After reach the caller).
 * A Retry-After above `policy.maxMs` also ends the loop at once: waiting that long inside one run would
 * block the schedule, so the caller remembers the pause instead (see ScheduledPoller).
 */
export async function retrying<T>(work: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (hooks.signal?.aborted || !isRetriable(error) || attempt >= policy.maxAttempts) throw error;
      const asked = retryAfterOf(error);
      if (asked !== undefined && asked > policy.maxMs) throw error;
      const delayMs = Math.max(backoffMs(attempt, policy.baseMs, policy.maxMs, hooks.random), asked ?? 0);
      hooks.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, hooks.signal);
      if (hooks.signal?.aborted) throw error;
    }
  }
}
