import { describe, expect, it } from 'vitest';
import { scoredPostSchema } from '../../src/core/post.ts';
import { DashboardData, LABELS } from '../../src/bench/synthetic-dashboard.ts';
import { PROVINCE_CODES } from '../../src/dashboard/provinces.ts';
import { startOfDay } from '../../src/dashboard/time-range.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const N = 20_000;

describe('the dashboard benchmark data', () => {
  const data = new DashboardData({ now: NOW, days: 90 });
  const posts = Array.from({ length: N }, (_, i) => data.post(i));

  it('is the same for the same seed, whatever order the posts are asked for in, and other for another seed', () => {
    const again = new DashboardData({ now: NOW, days: 90 });
    expect(again.post(12_345)).toEqual(posts[12_345]);
    expect([again.post(7), again.post(3)]).toEqual([posts[7], posts[3]]);
    const other = new DashboardData({ now: NOW, days: 90, seed: 7 });
    expect(other.post(3)).not.toEqual(posts[3]);
    expect(again.desk(500).cases).toEqual(data.desk(500).cases);
    expect(again.decisions(100)).toEqual(data.decisions(100));
  });

  it('spreads posts over all 38 provinces, Java the heaviest, and over the 90 days (Asia/Jakarta) before now', () => {
    const perProvince = new Map<string, number>();
    for (const p of posts) if (p.province) perProvince.set(p.province, (perProvince.get(p.province) ?? 0) + 1);
    expect([...perProvince.keys()].sort()).toEqual([...PROVINCE_CODES].sort());
    const top = [...perProvince.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c]) => c);
    expect(top.every((c) => ['31', '32', '33', '35'].includes(c))).toBe(true);
    const withoutRegion = posts.filter((p) => p.region === null).length / N;
    expect(withoutRegion).toBeGreaterThan(0.15);
    expect(withoutRegion).toBeLessThan(0.3);
    expect(posts.some((p) => p.region?.length === 4)).toBe(true);
    const first = startOfDay('2026-09-04', 'Asia/Jakarta');
    for (const p of posts) expect(Date.parse(p.created_at) >= first && Date.parse(p.created_at) < NOW, p.created_at).toBe(true);
    expect([data.firstDay, data.lastDay]).toEqual(['2026-09-04', '2026-12-02']);
  });

  it('flags 5–15 % of posts, some with several labels, and puts most posts in Zipf-sized narratives', () => {
    const flagged = posts.filter((p) => p.flagged);
    expect(flagged.length / N).toBeGreaterThan(0.05);
    expect(flagged.length / N).toBeLessThan(0.15);
    expect(flagged.every((p) => p.flags.length > 0 && p.flags.every((f) => (LABELS as readonly string[]).includes(f)))).toBe(true);
    expect(flagged.filter((p) => p.flags.length > 1).length).toBeGreaterThan(0);
    const sizes = new Map<string, number>();
    for (const p of posts) if (p.narrative_id) sizes.set(p.narrative_id, (sizes.get(p.narrative_id) ?? 0) + 1);
    const sorted = [...sizes.values()].sort((a, b) => b - a);
    expect(sorted[0]!).toBeGreaterThan(50 * sorted[Math.floor(sorted.length / 2)]!);
    expect(new Set(posts.map((p) => p.author)).size).toBeGreaterThan(5_000);
  });

  it('writes posts the product could have written: the scored post schema, derived province and source', () => {
    for (const p of posts.slice(0, 200)) {
      const { indexed_at: _i, search_text: _s, province, source, ...post } = p;
      expect(scoredPostSchema.parse(post)).toEqual(post);
      expect(province).toBe(p.region ? p.region.slice(0, 2) : null);
      expect(p.id.startsWith(`${source}-`)).toBe(true);
    }
  });

  it('gives desk cases to 40 units with response times, and label decisions', () => {
    const desk = data.desk(5_000);
    expect(new Set(desk.cases.map((c) => c.unit_id)).size).toBe(40);
    expect(desk.cases.length).toBeGreaterThan(4_500);
    expect(desk.cases.every((c) => c.status === 'new' || c.seconds_to_acknowledge !== null)).toBe(true);
    expect(desk.cases.every((c) => Date.parse(c.opened_at) < NOW)).toBe(true);
    const decisions = data.decisions(3_000);
    expect(decisions).toHaveLength(3_000);
    expect(new Set(decisions.map((d) => d.action))).toEqual(new Set(['confirm', 'dismiss', 'relabel']));
  });
});
