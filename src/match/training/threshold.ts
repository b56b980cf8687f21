/**
 * The match threshold: each narrative's top-1 candidate and its P(match), once with its debunk in the knowledge
 * base and once without; at a threshold, what the pipeline would accept and how often that is right.
 *
 * Two criteria for "right" (src/match/training/same-claim.ts):
 * - `strict`: the top-1 is the expected title (or one that reads identically after the normaliser);
 * - `duplicate-aware`: the top-1 is the expected title or another title that states the same claim, and the
 *   out-of-KB copy has every title of that claim removed (so its knowledge base really holds no debunk of it).
 * Under both, anything accepted for an out-of-KB narrative is wrong.
 */
import { sigmoid, type Platt } from '../reranker.ts';
import type { CandidateLists } from './candidates.ts';

export type MatchCriterion = 'strict' | 'duplicate-aware';

/** One narrative's top-1: its probability, whether it counts as right, whether the debunk was in the base. */
export interface TopMatch {
  p: number;
  right: boolean;
  inKb: boolean;
}

export interface OperatingPoint {
  threshold: number;
  /** Share of the accepted top-1 matches (in-KB and out-of-KB narratives together) that are right; 0 if none. */
  precision: number;
  accepted: number;
  acceptedRight: number;
  /** Share of in-KB narratives whose top-1 is accepted and right. */
  acceptedInKb: number;
  /** Share of out-of-KB narratives whose top-1 is accepted (always wrong). */
  acceptedOutOfKb: number;
  inKb: number;
  outOfKb: number;
}

/**
 * Top-1 of every query of `lists` under `scores`, calibrated by `platt`. `isRight(query, doc)` says whether the
 * candidate `doc` (a KB index) is a right answer for `query`; out-of-KB lists pass `() => false`.
 */
export function topMatches(scores: Float32Array, lists: CandidateLists, platt: Platt, inKb: boolean, isRight: (query: number, doc: number) => boolean): TopMatch[] {
  const out: TopMatch[] = [];
  const { k } = lists;
  for (let q = 0; q < lists.queries; q++) {
    let best = -1;
    for (let j = 0; j < k; j++) if (lists.mask[q * k + j] === 1 && (best < 0 || scores[q * k + j]! > scores[q * k + best]!)) best = j;
    if (best < 0) {
      out.push({ p: 0, right: false, inKb });
      continue;
    }
    out.push({ p: sigmoid(platt.a * scores[q * k + best]! + platt.b), right: inKb && isRight(q, lists.docs[q * k + best]!), inKb });
  }
  return out;
}

export function operatingPoint(tops: readonly TopMatch[], threshold: number): OperatingPoint {
  let accepted = 0;
  let acceptedRight = 0;
  let inKb = 0;
  let outOfKb = 0;
  let inKbRight = 0;
  let outAccepted = 0;
  for (const t of tops) {
    const acc = t.p >= threshold;
    if (t.inKb) inKb++;
    else outOfKb++;
    if (!acc) continue;
    accepted++;
    if (t.inKb && t.right) {
      acceptedRight++;
      inKbRight++;
    }
    if (!t.inKb) outAccepted++;
  }
  return {
    threshold,
    precision: accepted === 0 ? 0 : acceptedRight / accepted,
    accepted,
    acceptedRight,
    acceptedInKb: inKbRight / Math.max(1, inKb),
    acceptedOutOfKb: outAccepted / Math.max(1, outOfKb),
    inKb,
    outOfKb,
  };
}

/** The threshold grid: 0.05 … 0.99 in steps of 0.01. */
export const MATCH_THRESHOLD_GRID: readonly number[] = Array.from({ length: 95 }, (_, i) => (5 + i) / 100);

/**
 * Lowest grid threshold whose accepted top-1 matches are right at least `precision` of the time, with at least
 * one accepted; null when none reaches it.
 */
export function chooseMatchThreshold(tops: readonly TopMatch[], precision: number, grid: readonly number[] = MATCH_THRESHOLD_GRID): OperatingPoint | null {
  for (const t of grid) {
    const point = operatingPoint(tops, t);
    if (point.accepted > 0 && point.precision >= precision) return point;
  }
  return null;
}
