/**
 * Which failures are worth retrying, as pure functions so the table is tested, not guessed.
 * Same rule as elasticsearch-js's bulk helper and Vector: 429 and 5xx may succeed later; other 4xx never will.
 */

/** HTTP status of a whole request or of one bulk item. */
export function isRetriableStatus(status: number): boolean {
  if (status === 429 || status === 408) return true;
  if (status >= 500 && status <= 599) return status !== 501 && status !== 505;
  return false;
}

/** Exponential backoff with full jitter, capped; `attempt` counts from 1. */
export function backoffMs(attempt: number, baseMs: number, maxMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
