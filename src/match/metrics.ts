/** Ranking metrics of claim matching: recall@k and mean reciprocal rank over queries with a known answer. */

export interface MatchMetrics {
  recall_at_1: number;
  recall_at_5: number;
  mrr: number;
  queries: number;
  queries_per_s: number;
}

/**
 * `ranks[i]` is the 1-based rank of query i's expected entry among the returned candidates, or 0 when it was
 * not returned. MRR counts a missing answer as 0.
 */
export function rankingMetrics(ranks: readonly number[], seconds: number): MatchMetrics {
  const n = ranks.length;
  let r1 = 0;
  let r5 = 0;
  let rr = 0;
  for (const r of ranks) {
    if (r === 1) r1++;
    if (r >= 1 && r <= 5) r5++;
    if (r >= 1) rr += 1 / r;
  }
  return {
    recall_at_1: n === 0 ? 0 : r1 / n,
    recall_at_5: n === 0 ? 0 : r5 / n,
    mrr: n === 0 ? 0 : rr / n,
    queries: n,
    queries_per_s: seconds > 0 ? n / seconds : 0,
  };
}
