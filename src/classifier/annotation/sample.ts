/**
 * Which election posts get annotated, drawn so that positives are not too rare and the evaluation can still
 * correct for how they were drawn.
 *
 * Per source, two strata of a fixed size:
 * - `random`: posts drawn uniformly from all of the source's distinct posts;
 * - `high`: posts drawn uniformly from the source's top `highShare` by the current model's highest score among
 *   hate_speech, abusive and sara, among those the random draw did not take.
 * Each post records its inclusion probability: `nRandom / N` for every post, plus, for a post in the top,
 * `(1 − nRandom / N) · nHigh / (K − nRandom · K / N)` (K the size of the top; the random draw is expected to take
 * nRandom·K/N of it). Weighting each annotated post by 1 / probability estimates what the whole source holds
 * (Horvitz–Thompson); the random stratum alone is an unweighted sample of it.
 *
 * The draw is a deterministic function of the seed and the posts' ids: the same data gives the same sample.
 */
import { createHash } from 'node:crypto';
import type { ElectionPost, ElectionSource } from './election-posts.ts';

export interface SampleDesign {
  /** Posts per source and stratum. */
  quotas: Record<ElectionSource, { random: number; high: number }>;
  /** The top share of a source, by model score, that the `high` stratum draws from. */
  highShare: number;
  seed: number;
}

export interface SampledPost extends ElectionPost {
  stratum: 'random' | 'high';
  /** max(hate_speech, abusive, sara) of the ranking model. */
  score: number;
  /** Whether the post is in its source's top `highShare` by score. */
  inTop: boolean;
  inclusionProbability: number;
}

export interface SourceSummary {
  source: ElectionSource;
  /** Distinct posts of the source. */
  posts: number;
  /** Size of its top by score, and the score at its edge. */
  top: number;
  topScoreAtLeast: number;
  random: number;
  high: number;
}

/** Order by a hash of seed and id: a uniform shuffle that does not depend on file order. */
function shuffleKey(seed: number, id: string): string {
  return createHash('sha1').update(`${seed}:${id}`).digest('hex');
}

export function drawSample(
  posts: readonly ElectionPost[],
  scoreOf: (post: ElectionPost) => number,
  design: SampleDesign,
): { sample: SampledPost[]; summary: SourceSummary[] } {
  const sample: SampledPost[] = [];
  const summary: SourceSummary[] = [];
  for (const [source, quota] of Object.entries(design.quotas) as Array<[ElectionSource, SampleDesign['quotas'][ElectionSource]]>) {
    const all = posts.filter((p) => p.source === source).map((post) => ({ post, score: scoreOf(post), key: shuffleKey(design.seed, post.id) }));
    const N = all.length;
    if (N === 0) continue;
    const K = Math.max(1, Math.round(N * design.highShare));
    const byScore = [...all].sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
    const top = new Set(byScore.slice(0, K).map((x) => x.post.id));
    const topScoreAtLeast = byScore[K - 1]!.score;
    const shuffled = [...all].sort((a, b) => (a.key < b.key ? -1 : 1));
    const nRandom = Math.min(quota.random, N);
    const random = shuffled.slice(0, nRandom);
    const taken = new Set(random.map((x) => x.post.id));
    const high = shuffled.filter((x) => top.has(x.post.id) && !taken.has(x.post.id)).slice(0, quota.high);
    const pRandom = nRandom / N;
    const pHighGivenNotRandom = Math.min(1, high.length / Math.max(1, K - (nRandom * K) / N));
    const probability = (id: string) => pRandom + (top.has(id) ? (1 - pRandom) * pHighGivenNotRandom : 0);
    for (const [stratum, list] of [['random', random], ['high', high]] as const) {
      for (const { post, score } of list) {
        sample.push({ ...post, stratum, score, inTop: top.has(post.id), inclusionProbability: probability(post.id) });
      }
    }
    summary.push({ source, posts: N, top: K, topScoreAtLeast, random: random.length, high: high.length });
  }
  return { sample, summary };
}
