/**
 * At most `ratePerMinute` sends in any window of one minute, per channel. A sliding window rather than a token
 * bucket: a bucket refilled while full lets nearly twice the rate through in one minute, which is what gets a bot
 * flood-limited by Telegram or a webhook throttled. Over the rate, `acquire` waits (alerts are never dropped), and
 * waiters go in arrival order.
 */
import type { Clock } from '../../core/clock.ts';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class RateLimiter {
  readonly ratePerMinute: number;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #windowMs: number;
  /** When the sends of the current window went out, oldest first. */
  readonly #sent: number[] = [];
  /** The previous acquire; each one starts after it, so concurrent callers queue instead of racing. */
  #tail: Promise<void> = Promise.resolve();

  constructor(options: { ratePerMinute: number; clock: Clock; sleep?: Sleep; windowMs?: number }) {
    if (!Number.isInteger(options.ratePerMinute) || options.ratePerMinute < 1) throw new RangeError('ratePerMinute must be a positive integer');
    this.ratePerMinute = options.ratePerMinute;
    this.#clock = options.clock;
    this.#sleep = options.sleep ?? realSleep;
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /** Resolves when one more send fits in the window (at once when it does), and counts that send. */
  acquire(): Promise<void> {
    const turn = this.#tail.then(() => this.#take());
    // A failed wait (a sleep that threw) fails its own caller only, not the queue behind it.
    this.#tail = turn.catch(() => {});
    return turn;
  }

  async #take(): Promise<void> {
    for (;;) {
      const now = this.#clock();
      while (this.#sent.length > 0 && this.#sent[0]! <= now - this.#windowMs) this.#sent.shift();
      if (this.#sent.length < this.ratePerMinute) {
        this.#sent.push(now);
        return;
      }
      // Until the oldest send leaves the window; then look again (the clock may have moved differently).
      await this.#sleep(this.#sent[0]! + this.#windowMs - now);
    }
  }
}
