/**
 * Request rate limits of the HTTP API, per caller: fixed one-minute windows per key (an IP address before
 * sign-in, the principal after). Refusing is the point here (429 with Retry-After), unlike the desk's
 * channel limiter, which waits. Memory is bounded: keys of past windows are dropped.
 */
import type { Clock } from '../core/clock.ts';

export interface RateLimits {
  /** Requests per minute from one IP address, whoever it is (also before sign-in). */
  perIp: number;
  /** Login attempts per minute from one IP address (on top of the per-account lockout). */
  login: number;
  /** Reads (GET) per minute per principal. */
  read: number;
  /** Changes (POST/PUT/DELETE) per minute per principal. */
  write: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perIp: 1_200, login: 20, read: 600, write: 120 };

const WINDOW_MS = 60_000;
const MAX_KEYS = 50_000;

export class RequestLimiter {
  readonly #clock: Clock;
  #window = -1;
  readonly #counts = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Counts one request under `key`; null when within `perMinute`, else the seconds until the next window. */
  take(key: string, perMinute: number): number | null {
    const now = this.#clock();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.#window || this.#counts.size > MAX_KEYS) {
      this.#window = window;
      this.#counts.clear();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    if (count <= perMinute) return null;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }
}
