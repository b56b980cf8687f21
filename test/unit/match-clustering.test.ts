/**
 * Claim clusters on the rewording fixture written for pantau (test/fixtures/claim-rewordings.jsonl: 55 pairs
 * of rewordings of one election claim, 55 pairs of different claims about the same people and places). The
 * figures asserted are those reported in models/claim-matcher-v1/MODEL_CARD.md, with a small margin.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClaimClusterer, clusterClaims, loadClaimMatcher } from '../../src/match/matcher.ts';
import { clusteringFigures, readRewordings } from '../../src/match/rewordings.ts';

const fixture = fileURLToPath(new URL('../fixtures/claim-rewordings.jsonl', import.meta.url));

/** Reported on the test fixture (model card): share clustered and false-merge rate. */
const REPORTED = { clusteredShare: 3 / 55, falseMergeRate: 4 / 55 };
const MARGIN = 0.03;

describe('claim clustering', () => {
  it('has at least 50 rewording pairs and 50 different-claim pairs, each a distinct line', () => {
    const rows = readRewordings(fixture);
    expect(rows.filter((r) => r.same_claim).length).toBeGreaterThanOrEqual(50);
    expect(rows.filter((r) => !r.same_claim).length).toBeGreaterThanOrEqual(50);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => `${r.a}|${r.b}`)).size).toBe(rows.length);
    for (const r of rows) expect(r.a).not.toBe(r.b);
  });

  it('clusters rewordings and keeps different claims apart as well as reported', async () => {
    const matcher = await loadClaimMatcher({ backend: 'wasm' });
    try {
      const f = clusteringFigures(matcher, readRewordings(fixture));
      expect(f.clusteredShare).toBeGreaterThanOrEqual(REPORTED.clusteredShare - MARGIN);
      expect(f.falseMergeRate).toBeLessThanOrEqual(REPORTED.falseMergeRate + MARGIN);
    } finally {
      matcher.dispose();
    }
  });

  it('puts a verbatim repost in its cluster, an unrelated text in a new one, and never merges clusters later', async () => {
    const matcher = await loadClaimMatcher({ backend: 'wasm' });
    try {
      const a = 'KPU Sidomulyo diam2 hapus 12 ribu nama pemilih dari DPT di kecamatan yg pro Bu Sri Lestari!! sebarkan';
      const ids = clusterClaims(matcher, [a, `${a} 🙏🙏`, 'Resep rendang padang empuk tanpa presto, cocok buat lebaran']);
      expect(ids[0]).toBe(ids[1]);
      expect(ids[2]).not.toBe(ids[0]);
      const c = new ClaimClusterer(matcher, 1.01);
      expect([c.add(a), c.add(a)]).toEqual([0, 1]);
      expect(matcher.sameClaimProbability(a, a)).toBeGreaterThan(matcher.settings.sameClaimThreshold);
    } finally {
      matcher.dispose();
    }
  });
});
