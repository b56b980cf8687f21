/**
 * The annotation tooling: the sample draw and its inclusion probabilities, joining two readings with the
 * adjudication, and Cohen's kappa.
 */
import { describe, expect, it } from 'vitest';
import { cohensKappa, collectAnnotations, parseAnnotationFile, parseLabelLines, annotationLine, type Reading } from '../../src/classifier/annotation/collect.ts';
import { dedupeKey, distinctPosts, type ElectionPost } from '../../src/classifier/annotation/election-posts.ts';
import { drawSample, type SampleDesign } from '../../src/classifier/annotation/sample.ts';

const r = (hs: 0 | 1, ab: 0 | 1, sara: 0 | 1 = 0, hoax: 0 | 1 = 0): Reading => ({ hate_speech: hs, abusive: ab, sara, hoax });

describe("Cohen's kappa", () => {
  it('matches hand-computed values', () => {
    // 10 posts: agree on 8 (3 positive, 5 negative); po = 0.8, pa = pb = 0.4, pe = 0.16 + 0.36 = 0.52 → (0.8-0.52)/0.48
    const a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const b = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0];
    expect(cohensKappa(a, b)).toBeCloseTo(0.28 / 0.48, 10);
    expect(cohensKappa([1, 0, 1], [1, 0, 1])).toBe(1);
    expect(cohensKappa([0, 0], [0, 0])).toBeNull();
    expect(() => cohensKappa([1], [1, 0])).toThrow(/same posts/);
  });
});

describe('collecting readings', () => {
  const sample = [
    { id: 'p1', source: 'pemilu-2024-tweets', text: 'x', stratum: 'random', score: 0.1, inTop: false, inclusionProbability: 0.1 },
    { id: 'p2', source: 'pemilu-2024-tweets', text: 'y', stratum: 'high', score: 0.9, inTop: true, inclusionProbability: 0.6 },
  ] as const;
  const first = new Map([['p1', r(0, 0)], ['p2', r(1, 1)]]);

  it('keeps both readings, takes the adjudicated label where they differ, and counts agreement', () => {
    const second = new Map([['p1', r(0, 0)], ['p2', r(0, 1)]]);
    const { posts, agreement } = collectAnnotations([...sample], first, second, new Map([['p2', r(1, 1)]]));
    expect(posts.map((p) => [p.id, p.final.hate_speech, p.adjudicated])).toEqual([['p1', 0, false], ['p2', 1, true]]);
    const hs = agreement.find((a) => a.label === 'hate_speech')!;
    expect(hs).toMatchObject({ posts: 2, positives: [1, 0, 1], disagreements: 1, observed: 0.5 });
    // The committed line has no text, and reads back.
    const line = annotationLine(posts[1]!);
    expect(line).not.toContain('"text"');
    expect(parseAnnotationFile(line, 'labels.jsonl')).toEqual([{ id: 'p2', source: 'pemilu-2024-tweets', stratum: 'high', inclusionProbability: 0.6, final: r(1, 1) }]);
  });

  it('refuses a missing reading, an unadjudicated disagreement, and an adjudication of an agreement', () => {
    expect(() => collectAnnotations([...sample], first, new Map([['p1', r(0, 0)]]), new Map())).toThrow(/p2 lacks the second reading/);
    expect(() => collectAnnotations([...sample], first, new Map([['p1', r(0, 0)], ['p2', r(0, 1)]]), new Map())).toThrow(/p2: the readings differ/);
    expect(() => collectAnnotations([...sample], first, first, new Map([['p1', r(0, 0)]]))).toThrow(/p1: adjudicated although/);
  });

  it('checks every label line: 0/1 values, sara only with hate speech, no id twice', () => {
    expect(() => parseLabelLines('{"id":"a","hate_speech":2,"abusive":0,"sara":0,"hoax":0}', 'f')).toThrow(/f:1: "hate_speech" must be 0 or 1/);
    expect(() => parseLabelLines('{"id":"a","hate_speech":0,"abusive":0,"sara":1,"hoax":0}', 'f')).toThrow(/sara = 1 needs hate_speech = 1/);
    const line = '{"id":"a","hate_speech":0,"abusive":0,"sara":0,"hoax":0}';
    expect(() => parseLabelLines(`${line}\n${line}`, 'f')).toThrow(/f:2: id a appears twice/);
  });
});

describe('the sample draw', () => {
  const posts: ElectionPost[] = Array.from({ length: 200 }, (_, i) => ({ id: `pemilu24-${i}`, source: 'pemilu-2024-tweets', text: `post nomor ${i} tentang pemilu` }));
  const design: SampleDesign = { quotas: { 'pemilu-2024-tweets': { random: 20, high: 10 }, 'mbg-replies-2024': { random: 0, high: 0 }, 'pemilu-2024-topics': { random: 0, high: 0 } }, highShare: 0.1, seed: 7 };
  const score = (p: ElectionPost) => Number(p.id.split('-')[1]) / 200;

  it('draws the quotas without repeats, the high stratum only from the top, deterministically', () => {
    const { sample, summary } = drawSample(posts, score, design);
    expect(sample).toHaveLength(30);
    expect(new Set(sample.map((p) => p.id)).size).toBe(30);
    expect(sample.filter((p) => p.stratum === 'high').every((p) => p.inTop && score(p) >= 0.9)).toBe(true);
    expect(summary[0]).toMatchObject({ posts: 200, top: 20, random: 20, high: 10 });
    expect(drawSample(posts, score, design).sample).toEqual(sample);
    expect(drawSample(posts, score, { ...design, seed: 8 }).sample).not.toEqual(sample);
  });

  it('gives every post its inclusion probability: n/N outside the top, more inside it', () => {
    const { sample } = drawSample(posts, score, design);
    for (const p of sample) {
      if (!p.inTop) expect(p.inclusionProbability).toBeCloseTo(20 / 200, 10);
      else expect(p.inclusionProbability).toBeCloseTo(0.1 + 0.9 * (10 / (20 - 2)), 10);
    }
  });

  it('compares texts without links and mentions when it removes duplicates', () => {
    expect(dedupeKey('@a Hoaks ini! https://t.co/x')).toBe(dedupeKey('@b hoaks ini! https://t.co/y'));
    const kept = distinctPosts([
      { id: 'a', source: 'pemilu-2024-tweets', text: '@a Surat suara dicoblos duluan https://t.co/1' },
      { id: 'b', source: 'pemilu-2024-tweets', text: '@b surat suara dicoblos duluan https://t.co/2' },
      { id: 'c', source: 'pemilu-2024-tweets', text: 'pendek' },
    ]);
    expect(kept.map((p) => p.id)).toEqual(['a']);
  });
});
