/**
 * One message to one channel, with the channel's rate limit and retries, ending in the record the desk writes to
 * its delivery log. A delivery failure is an outcome, not an exception: the record says `failed` (the receiver
 * refused: retrying cannot help) or `gave_up` (still failing after `maxAttempts`, or asked to wait too long).
 */
import { isoNow, type Clock } from '../../core/clock.ts';
import { describeError, isRetriable } from '../../core/errors.ts';
import { backoffMs } from '../../core/retry.ts';
import type { ChannelMessage } from '../types.ts';
import type { ChannelType } from './spec.ts';
import type { Channel } from './index.ts';
import { realSleep, type RateLimiter, type Sleep } from './rate-limit.ts';
import { ChannelError } from './webhook.ts';

export interface DeliveryRecord {
  channel: ChannelType;
  /** The channel's display form, secrets removed. */
  target: string;
  message_id: string;
  status: 'delivered' | 'failed' | 'gave_up';
  attempts: number;
  /** The last error (describeError: secrets removed); absent when delivered. */
  error?: string;
  /** When the outcome was known (ISO, from the clock). */
  at: string;
}

export interface DeliverOptions {
  /** Sends tried at most, the first included (≥ 1). */
  maxAttempts: number;
  /** Backoff base: the wait before attempt n+1 is backoffMs(n, retryBaseMs, retryMaxMs) (core/retry.ts). */
  retryBaseMs: number;
  retryMaxMs?: number;
  /**
   * A receiver that asks for a longer wait than this (Telegram's retry_after, Retry-After) is given up on rather
   * than blocking the desk for it. Default 5 minutes.
   */
  maxWaitMs?: number;
  limiter?: RateLimiter;
  clock: Clock;
  sleep?: Sleep;
  /** For backoff jitter; tests pass a constant. */
  random?: () => number;
}

export async function deliver(channel: Channel, message: ChannelMessage, options: DeliverOptions): Promise<DeliveryRecord> {
  const sleep = options.sleep ?? realSleep;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  const maxWaitMs = options.maxWaitMs ?? 300_000;
  const record = (status: DeliveryRecord['status'], attempts: number, error?: unknown): DeliveryRecord => ({
    channel: channel.type,
    target: channel.target,
    message_id: message.id,
    status,
    attempts,
    ...(error === undefined ? {} : { error: describeError(error) }),
    at: isoNow(options.clock),
  });

  for (let attempt = 1; ; attempt++) {
    // Every attempt is a request the receiver counts, so each one takes its place in the rate.
    await options.limiter?.acquire();
    try {
      await channel.send(message);
      return record('delivered', attempt);
    } catch (error) {
      if (!isRetriable(error)) return record('failed', attempt, error);
      if (attempt >= maxAttempts) return record('gave_up', attempt, error);
      const asked = error instanceof ChannelError ? (error.retryAfterMs ?? 0) : 0;
      if (asked > maxWaitMs) return record('gave_up', attempt, error);
      await sleep(Math.max(asked, backoffMs(attempt, options.retryBaseMs, options.retryMaxMs, options.random)));
    }
  }
}
