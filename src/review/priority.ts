/**
 * The queue's order and its sample of uncertain items: pure functions, so the formula is tested on its own and
 * stated once (the API answers it verbatim as `priority_formula`).
 */
import { createHash } from 'node:crypto';

/**
 * priority = score × reach × recency, with
 *   score   = the item's highest score for one of its alert-level labels (its review-level labels when it has none),
 *   reach   = log2(2 + distinct accounts + total shares) — 1 for one post by nobody known with no shares, growing slowly,
 *   recency = 0.5^(hours since the item's newest post / 72) — halves every three days without a new post.
 *
 * Three days, not one: an unreviewed narrative flagged at 0.99 last week must still come before a fresh one
 * sampled near the review point at 0.11 (with a one-day half-life, a week's age cost a factor of 128 and the
 * real stream's queue was ordered by date alone, every priority rounding to 0.00).
 */
export const PRIORITY_FORMULA = 'priority = max label score × log2(2 + distinct accounts + total shares) × 0.5^(hours since newest post / 72)';

export const RECENCY_HALF_LIFE_HOURS = 72;

export interface PriorityInput {
  /** 0..1 */
  score: number;
  accounts: number;
  shares: number;
  /** Hours since the item's newest post (negative, a post "from the future", counts as 0). */
  ageHours: number;
}

export interface Priority {
  priority: number;
  parts: { score: number; reach: number; recency: number };
}

export function priorityOf(input: PriorityInput): Priority {
  const score = input.score;
  const reach = Math.log2(2 + Math.max(0, input.accounts) + Math.max(0, input.shares));
  const recency = 0.5 ** (Math.max(0, input.ageHours) / RECENCY_HALF_LIFE_HOURS);
  return { priority: score * reach * recency, parts: { score, reach, recency } };
}

/** A number in [0, 1) fixed by the item id: the same on every request, machine and restart. */
export function stableFraction(itemId: string): number {
  return createHash('sha256').update(itemId).digest().readUInt32BE(0) / 2 ** 32;
}

/** True when an uncertain item is in the queue's sample at `rate` (0: none, 1: all). */
export function inUncertainSample(itemId: string, rate: number): boolean {
  return stableFraction(itemId) < rate;
}
