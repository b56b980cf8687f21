/**
 * Which recent claim cluster a narrative without a knowledge-base match joins: one whose first narrative it
 * nearly repeats (content-word Jaccard ≥ `nearDuplicateJaccard`: edits spread over a short message move SimHash
 * past its threshold, e.g. the demo's two "3 truk surat suara" chain variants at distance 10, Jaccard 0.71), or
 * one the claim matcher says carries the same claim (its same-claim threshold, models/claim-matcher-v1). Pure:
 * the desk keeps one per process and feeds it the clusters it reads and creates.
 *
 * Measured on the hand-written rewording fixtures (test/unit/desk-cluster-join.test.ts prints and checks them).
 */
import type { ClaimMatcher } from '../match/matcher.ts';
import { narrativeFeatures } from '../transforms/narrative.ts';

/** Matcher-scored candidates per narrative: the clusters sharing the most content words. */
const MAX_SCORED = 20;

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

interface Candidate {
  id: string;
  text: string;
  features: Set<string>;
}

export class ClusterJoiner {
  private readonly nearDuplicateJaccard: number;
  private readonly matcher: ClaimMatcher | undefined;
  private readonly clusters: Candidate[] = [];

  constructor(options: { nearDuplicateJaccard: number; matcher?: ClaimMatcher }) {
    this.nearDuplicateJaccard = options.nearDuplicateJaccard;
    this.matcher = options.matcher;
  }

  get size(): number {
    return this.clusters.length;
  }

  /** Registers a cluster by the text of its first narrative. */
  add(id: string, text: string): void {
    this.clusters.push({ id, text, features: new Set(narrativeFeatures(text)) });
  }

  /** The cluster `text` joins, or null for a new one. */
  join(text: string): string | null {
    const features = new Set(narrativeFeatures(text));
    const scored = this.clusters.map((c) => ({ c, j: jaccard(features, c.features) })).filter((x) => x.j > 0);
    let best: { id: string; j: number } | null = null;
    for (const { c, j } of scored) if (j >= this.nearDuplicateJaccard && (best === null || j > best.j)) best = { id: c.id, j };
    if (best !== null) return best.id;
    const matcher = this.matcher;
    if (matcher === undefined || scored.length === 0) return null;
    const candidates = scored.sort((a, b) => b.j - a.j).slice(0, MAX_SCORED);
    const p = matcher.sameClaimProbabilities(
      text,
      candidates.map((x) => x.c.text),
    );
    let bestIndex = -1;
    p.forEach((v, i) => {
      if (v >= matcher.settings.sameClaimThreshold && (bestIndex < 0 || v > p[bestIndex]!)) bestIndex = i;
    });
    return bestIndex < 0 ? null : candidates[bestIndex]!.c.id;
  }
}
