import { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { describeTexts, generatePosts } from '../../src/bench/synthetic-posts.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { seededRandom } from '../../src/core/random.ts';
import { assignNarratives, BandIndex, NarrativeRegistryView, type Registered } from '../../src/store/narrative-registry.ts';
import { hamming, narrativeIdFor, NARRATIVE_MAX_DISTANCE, tokensSimhash, type SimHash } from '../../src/transforms/narrative.ts';

/** A seeded PRNG of 32-bit integers, so a failure reproduces. */
function prng(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.floor(random() * 4294967296);
}

/** `hash` with `bits` distinct random bits flipped. */
function flip(hash: SimHash, bits: number, random: () => number): SimHash {
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(random() % 64);
  let { hi, lo } = hash;
  for (const bit of chosen) {
    if (bit < 32) lo ^= 1 << bit;
    else hi ^= 1 << (bit - 32);
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** The registry's rule, by brute force: the oldest (created, rank, id) within the threshold. */
function bruteOldest(all: Registered[], hash: SimHash): Registered | undefined {
  const within = all.filter((n) => hamming(n.hash, hash) <= NARRATIVE_MAX_DISTANCE);
  within.sort((a, b) => a.createdMs - b.createdMs || a.rank - b.rank || (a.id < b.id ? -1 : 1));
  return within[0];
}

describe('the band index of the narrative registry', () => {
  it('finds exactly the oldest narrative within the threshold, as a scan of all of them would', () => {
    const random = prng(7);
    const index = new BandIndex();
    const all: Registered[] = [];
    // More than the index's first capacity (1,024), so it grows; some narratives share a creation time.
    for (let i = 0; i < 5000; i++) {
      const base = all.length > 0 && i % 3 === 0 ? all[random() % all.length]!.hash : { hi: random(), lo: random() };
      const hash = i % 3 === 0 ? flip(base, 1 + (random() % 12), random) : base;
      const n: Registered = { id: narrativeIdFor(hash), hash, createdMs: 1_000 + (random() % 50), rank: random() % 10 };
      all.push(n);
      index.add(n);
    }
    expect(index.size).toBe(5000);
    let found = 0;
    for (let q = 0; q < 3000; q++) {
      const query = q % 2 === 0 ? flip(all[random() % all.length]!.hash, random() % 10, random) : { hi: random(), lo: random() };
      const want = bruteOldest(all, query);
      expect(index.oldestWithin(query)).toBe(want);
      if (want) found++;
    }
    expect(found).toBeGreaterThan(1000);
  });

  it('starts over with only the narratives it is given', () => {
    const random = prng(11);
    const index = new BandIndex();
    const all = Array.from({ length: 2000 }, (_, i) => {
      const hash = { hi: random(), lo: random() };
      return { id: narrativeIdFor(hash), hash, createdMs: i, rank: 0 };
    });
    for (const n of all) index.add(n);
    const kept = all.filter((n) => n.createdMs >= 1500);
    index.rebuild(kept);
    expect(index.size).toBe(kept.length);
    for (const n of all) expect(index.oldestWithin(n.hash)).toBe(n.createdMs >= 1500 ? n : undefined);
  });
});

describe('the worst-case texts of the benchmark', () => {
  it('differ in what the narrative SimHash keys on, within a run and between tags', () => {
    const posts = [...generatePosts(6000, 'a', 'unique'), ...generatePosts(2000, 'b', 'unique')];
    const stats = describeTexts(posts);
    expect(stats).toMatchObject({ posts: 8000, repeatedTexts: 0, repeatedSimhashes: 0, withoutSimhash: 0 });
    expect(stats.nearDuplicates).toBeLessThan(8000 * 0.005);
    // Post i is the same whatever N; reposts stay reposts.
    expect(generatePosts(10, 'a', 'unique')[9]).toEqual(posts[9]);
    expect(describeTexts(generatePosts(2000, 'r', 'repost')).repeatedSimhashes).toBeGreaterThan(1500);
  });
});

describe('assigning narratives within one batch', () => {
  /** A view that never reaches Elasticsearch: nothing to sync (its clock stands at 0), registrations kept in memory. */
  class OfflineView extends NarrativeRegistryView {
    constructor() {
      super(new Client({ node: 'http://127.0.0.1:1' }), 'offline', { clock: fixedClock(0) });
    }
    override async register(narratives: readonly Registered[]): Promise<void> {
      for (const n of narratives) this.add(n);
    }
  }

  /** Messages of 12 words and variants with one word replaced or dropped (near-duplicates), shuffled. */
  function batch(n: number, seed: number) {
    const random = prng(seed);
    const word = () => `kata${random() % 5000}`;
    const messages = Array.from({ length: Math.ceil(n / 3) }, () => Array.from({ length: 12 }, word));
    return Array.from({ length: n }, (_, i) => {
      const words = [...messages[random() % messages.length]!];
      if (i % 2 === 1) words.splice(random() % words.length, 1, ...(random() % 2 === 0 ? [word()] : []));
      return { id: `p-${String(i).padStart(4, '0')}`, text: words.join(' '), tokens: words, created_at: new Date(Date.UTC(2026, 10, 1, 0, random() % 30)).toISOString() };
    });
  }

  /** The rule by brute force: in (created_at, id) order, the first registered narrative within reach, else a new one. */
  function expected(posts: ReturnType<typeof batch>): Map<string, string> {
    const registered: SimHash[] = [];
    const result = new Map<string, string>();
    const ordered = [...posts].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1));
    for (const post of ordered) {
      const hash = tokensSimhash(post.tokens)!;
      const first = registered.find((r) => hamming(r, hash) <= NARRATIVE_MAX_DISTANCE);
      if (!first) registered.push(hash);
      result.set(post.id, narrativeIdFor(first ?? hash));
    }
    return result;
  }

  it.each([
    ['a small batch (its new narratives scanned)', 60],
    ['a large batch (its new narratives indexed)', 900],
  ])('follows the registry rule in %s', async (_name, n) => {
    const posts = batch(n, n);
    const want = expected(posts);
    expect(new Set(want.values()).size).toBeLessThan(n * 0.6); // the variants did join their message
    expect(await assignNarratives(new OfflineView(), posts)).toEqual(want);
  });
});

describe('concurrent batches of one worker', () => {
  /** Registration takes a while, as a write to Elasticsearch does. */
  class SlowOfflineView extends NarrativeRegistryView {
    constructor() {
      super(new Client({ node: 'http://127.0.0.1:1' }), 'offline', { clock: fixedClock(0) });
    }
    override async register(narratives: readonly Registered[]): Promise<void> {
      await new Promise((r) => setTimeout(r, 30));
      for (const n of narratives) this.add(n);
    }
  }

  it('put variants of one new message into one narrative when they arrive in two partitions at once', async () => {
    const text = 'PENTING!!! Kotak suara di gudang KPU Kecamatan Sidomulyo sudah dibuka malam ini oleh orang tak dikenal, saksi diusir';
    const view = new SlowOfflineView();
    const [a, b] = await Promise.all([
      assignNarratives(view, [{ id: 'wa-1', text, created_at: '2026-11-20T01:00:00Z' }]),
      assignNarratives(view, [{ id: 'wa-2', text: `${text}. Sebarkan!!`, created_at: '2026-11-20T01:00:01Z' }]),
    ]);
    expect(a.get('wa-1')).toMatch(/^nar-/);
    expect(b.get('wa-2')).toBe(a.get('wa-1'));
  });
});
