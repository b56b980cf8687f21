/**
 * The rewording fixtures (test/fixtures/claim-rewordings*.jsonl, written for pantau): pairs of narratives
 * that carry one claim (`same_claim: true`: rewordings, slang, typos, other word order, details added or
 * dropped) and pairs about the same people and places that carry different claims (`same_claim: false`).
 *
 * Figures: the rewording texts are clustered together in one online pass (a, b of each pair in turn), and the
 * different-claim texts in another. "Clustered" is the share of rewording pairs that end in one cluster;
 * "false merges" the share of different-claim pairs that do; "cross-pair merges" counts clusters that hold
 * texts of two or more fixture lines (every line is its own claim, so each such cluster is a wrong merge too).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ClaimClusterer, type ClaimMatcher } from './matcher.ts';

const row = z.object({ id: z.string(), same_claim: z.boolean(), a: z.string().min(1), b: z.string().min(1) }).strict();
export type RewordingPair = z.infer<typeof row>;

export function readRewordings(path: string): RewordingPair[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l, i) => ({ l: l.trim(), i }))
    .filter(({ l }) => l.length > 0)
    .map(({ l, i }) => {
      const parsed = row.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.issues[0]!.message}`);
      return parsed.data;
    });
}

export interface ClusteringFigures {
  rewordingPairs: number;
  clustered: number;
  /** clustered / rewordingPairs. */
  clusteredShare: number;
  differentPairs: number;
  falseMerges: number;
  /** falseMerges / differentPairs. */
  falseMergeRate: number;
  /** Clusters that hold texts of two or more fixture lines, over both passes. */
  crossPairMerges: number;
}

function pass(matcher: ClaimMatcher, pairs: readonly RewordingPair[], threshold: number): { together: number; cross: number } {
  const clusterer = new ClaimClusterer(matcher, threshold);
  const lineOf = new Map<number, Set<number>>();
  let together = 0;
  pairs.forEach((p, i) => {
    const ca = clusterer.add(p.a);
    const cb = clusterer.add(p.b);
    if (ca === cb) together++;
    for (const c of [ca, cb]) {
      const set = lineOf.get(c) ?? new Set<number>();
      set.add(i);
      lineOf.set(c, set);
    }
  });
  let cross = 0;
  for (const lines of lineOf.values()) if (lines.size > 1) cross++;
  return { together, cross };
}

export function clusteringFigures(matcher: ClaimMatcher, pairs: readonly RewordingPair[], threshold = matcher.settings.sameClaimThreshold): ClusteringFigures {
  const same = pairs.filter((p) => p.same_claim);
  const different = pairs.filter((p) => !p.same_claim);
  const r = pass(matcher, same, threshold);
  const d = pass(matcher, different, threshold);
  return {
    rewordingPairs: same.length,
    clustered: r.together,
    clusteredShare: same.length === 0 ? 0 : r.together / same.length,
    differentPairs: different.length,
    falseMerges: d.together,
    falseMergeRate: different.length === 0 ? 0 : d.together / different.length,
    crossPairMerges: r.cross + d.cross,
  };
}
