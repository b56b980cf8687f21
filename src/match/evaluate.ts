/** Measures a matcher on queries with known answers: recall@1, recall@5, MRR (over its returned list) and speed. */
import type { MatchQuery } from './input.ts';
import type { ClaimMatcher } from './matcher.ts';
import { rankingMetrics, type MatchMetrics } from './metrics.ts';

export interface MatchEvaluation extends MatchMetrics {
  /** Queries whose expected id is not in the knowledge base (counted as misses). */
  missing_expected: number;
}

/**
 * Runs `matcher.match(text, depth)` for every query (the knowledge base must be set) and ranks the expected
 * id in what it returned. `depth` defaults to the matcher's candidate count, so MRR sees every candidate.
 * Speed is the match calls alone (the index is built before).
 */
export function evaluateMatcher(matcher: ClaimMatcher, queries: readonly MatchQuery[], options: { depth?: number; onProgress?: (done: number, total: number) => void } = {}): MatchEvaluation {
  const depth = options.depth ?? matcher.settings.candidates;
  const ids = new Set(matcher.knowledgeBase.map((e) => e.id));
  const ranks: number[] = [];
  let missing = 0;
  const start = performance.now();
  queries.forEach((q, i) => {
    if (!ids.has(q.expectedId)) missing++;
    const found = matcher.match(q.text, depth);
    ranks.push(found.findIndex((c) => c.id === q.expectedId) + 1);
    if (options.onProgress !== undefined && (i + 1) % 200 === 0) options.onProgress(i + 1, queries.length);
  });
  const seconds = (performance.now() - start) / 1000;
  return { ...rankingMetrics(ranks, seconds), missing_expected: missing };
}
