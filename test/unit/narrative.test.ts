import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bandKeys,
  hamming,
  narrativeFeatures,
  narrativeIdFor,
  NARRATIVE_MAX_DISTANCE,
  parseSimhashHex,
  probeKeys,
  simhash,
  simhashHex,
  textSimhash,
  tokensSimhash,
  type SimHash,
} from '../../src/transforms/narrative.ts';
import { matchTokens } from '../../src/transforms/relevance.ts';

interface FixturePost {
  id: string;
  text: string;
}
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const posts: FixturePost[] = readFileSync(fixture('sample-posts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FixturePost);
const hoaxIds = new Set(
  readFileSync(fixture('sample-posts.labels.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; labels: { hoax: number } })
    .filter((l) => l.labels.hoax === 1)
    .map((l) => l.id),
);

/** Deterministic pseudo-random numbers (mulberry32), so the property tests are reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function flipBits(h: SimHash, bits: readonly number[]): SimHash {
  let { hi, lo } = h;
  for (const b of bits) {
    if (b < 32) lo ^= 1 << b;
    else hi ^= 1 << (b - 32);
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

describe('simhash primitives', () => {
  it('computes Hamming distance over both halves', () => {
    const a = { hi: 0, lo: 0 };
    expect(hamming(a, a)).toBe(0);
    expect(hamming(a, { hi: 0xffffffff, lo: 0xffffffff })).toBe(64);
    expect(hamming(a, flipBits(a, [0, 31, 32, 63]))).toBe(4);
  });

  it('round-trips through 16 hex digits and derives the narrative id from them', () => {
    const h = { hi: 0x0123abcd, lo: 0xfedc0001 };
    expect(simhashHex(h)).toBe('0123abcdfedc0001');
    expect(parseSimhashHex('0123abcdfedc0001')).toEqual(h);
    expect(narrativeIdFor(h)).toBe('nar-0123abcdfedc0001');
    expect(() => parseSimhashHex('xyz')).toThrow();
  });

  it('is deterministic and independent of feature order', () => {
    expect(simhash(['surat', 'suara', 'gudang'])).toEqual(simhash(['gudang', 'surat', 'suara']));
  });

  it('finds, through the probe keys, every hash within the threshold (pigeonhole over 4 bands)', () => {
    const next = random(7);
    for (let trial = 0; trial < 2000; trial++) {
      const h = { hi: Math.floor(next() * 2 ** 32), lo: Math.floor(next() * 2 ** 32) };
      const distance = Math.floor(next() * (NARRATIVE_MAX_DISTANCE + 1));
      const bits = new Set<number>();
      while (bits.size < distance) bits.add(Math.floor(next() * 64));
      const other = flipBits(h, [...bits]);
      expect(hamming(h, other)).toBe(distance);
      const stored = new Set(bandKeys(other));
      expect(probeKeys(h).some((k) => stored.has(k))).toBe(true);
    }
  });

  it('looks up with 68 keys and stores 4', () => {
    const h = simhash(['a', 'b', 'c', 'd']);
    expect(bandKeys(h)).toHaveLength(4);
    expect(new Set(probeKeys(h)).size).toBe(68);
  });
});

describe('what a narrative is made of', () => {
  it('gives the same hash from shared tokens as from the text, for every sample post', () => {
    for (const p of posts) expect(tokensSimhash(matchTokens(p.text))).toEqual(textSimhash(p.text));
  });

  const chain =
    'SEBARKAN!!! Ditemukan 3 truk surat suara yang SUDAH DICOBLOS paslon 02 di gudang KPU Sidomulyo. Sumber terpercaya dr orang dalam KPU.';

  it('ignores links, mentions, emoji, punctuation, case and function words', () => {
    const variant = `@grup_rt ${chain.toLowerCase()} 🙏🙏 https://bit.ly/x9 yg`;
    expect(textSimhash(variant)).toEqual(textSimhash(`${chain} https://s.id/other`));
    expect(narrativeFeatures('Yang di TPS itu sudah ada https://x.co/tps')).toEqual(['tps']);
  });

  it('gives no hash to posts with fewer than four content words', () => {
    expect(textSimhash('😭😭😭')).toBeNull();
    expect(textSimhash('wkwk')).toBeNull();
    expect(textSimhash('https://kabarnusantara.id/pilkada/2026/11/21/rekap-hari-ketiga')).toBeNull();
  });

  it('hashes at least 20 000 posts per second', () => {
    const texts = posts.map((p) => p.text);
    const start = performance.now();
    let n = 0;
    for (; n < 48_000; n += texts.length) for (const t of texts) textSimhash(t);
    expect(n / ((performance.now() - start) / 1000)).toBeGreaterThan(20_000);
  });
});

describe('clustering measured on the fixture', () => {
  const hashes = posts.map((p) => textSimhash(p.text));

  it('puts no two unrelated sample posts within the threshold', () => {
    let close = 0;
    let pairs = 0;
    for (let i = 0; i < posts.length; i++) {
      for (let j = i + 1; j < posts.length; j++) {
        const a = hashes[i];
        const b = hashes[j];
        if (!a || !b) continue;
        pairs++;
        if (hamming(a, b) <= NARRATIVE_MAX_DISTANCE) close++;
      }
    }
    expect(pairs).toBeGreaterThan(25_000);
    expect(close).toBe(0);
  });

  // The way chain messages really travel: the same text forwarded with edits. Each edit is applied to every
  // hoax post of the fixture; the figures below are the measured floor, with a margin.
  const edits: Array<[string, (s: string) => string, number]> = [
    ['another link', (s) => `${s.replace(/https?:\/\/\S+/g, 'https://bit.ly/3xYz')} https://s.id/abc`, 1],
    ['mentions added', (s) => `@budi_88 @sari ${s}`, 1],
    ['slang spelling', (s) => s.replace(/\byang\b/g, 'yg').replace(/\bsudah\b/gi, 'udh').replace(/\bdari\b/g, 'dr'), 1],
    ['shouted', (s) => s.toUpperCase(), 1],
    ['a stretched word', (s) => s.replace(/(\p{L}{3,}a)\b/u, '$1aa'), 1],
    ['"Sebarkan!!!" and emoji appended', (s) => `${s} 🙏🙏 Sebarkan!!!`, 0.75],
    ['one word dropped', (s) => s.split(' ').filter((_, i, all) => i !== Math.floor(all.length / 3)).join(' '), 0.7],
  ];

  it.each(edits)('clusters each hoax with its copy: %s', (_name, edit, floor) => {
    const hoaxes = posts.filter((p) => hoaxIds.has(p.id) && textSimhash(p.text) !== null);
    expect(hoaxes.length).toBeGreaterThan(40);
    const together = hoaxes.filter((p) => {
      const edited = textSimhash(edit(p.text));
      return edited !== null && hamming(textSimhash(p.text)!, edited) <= NARRATIVE_MAX_DISTANCE;
    }).length;
    expect(together / hoaxes.length).toBeGreaterThanOrEqual(floor);
  });
});
