/**
 * Training on the election stream: weighted (Horvitz–Thompson) estimates, the choice of operating points,
 * near-duplicate grouping before the split, joining committed annotations with texts, and domain intercepts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { joinAnnotations } from '../../src/classifier/training/annotations.ts';
import type { CommittedAnnotation } from '../../src/classifier/annotation/collect.ts';
import { readNetifier, readNewsCommentsAbusive } from '../../src/classifier/training/datasets.ts';
import { duplicateGroups } from '../../src/classifier/training/dedupe.ts';
import type { Example } from '../../src/classifier/training/examples.ts';
import { chooseOperatingPoints, MIN_IN_DOMAIN_POSITIVES } from '../../src/classifier/training/in-domain.ts';
import { splitExamples, splitKey } from '../../src/classifier/training/split.ts';
import { trainLinear, type EncodedExample } from '../../src/classifier/training/trainer.ts';
import { precisionPoint, recallPoint, weightedAuc, weightedMetricsAt } from '../../src/classifier/training/weighted-metrics.ts';
import { fitPlatt } from '../../src/classifier/training/calibrate.ts';

const work = mkdtempSync(join(tmpdir(), 'pantau-in-domain-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('weighted estimates', () => {
  // Two random-stratum posts weigh 10 each (drawn with probability 0.1); three high-stratum posts weigh 1.
  const sample = { scores: [0.9, 0.8, 0.7, 0.3, 0.2], targets: [1, 0, 1, 0, 1], weights: [1, 1, 10, 10, 1] };

  it('weights each post by 1 / inclusion probability', () => {
    const at = weightedMetricsAt(sample, 0.5);
    // Flagged: 0.9 (pos, 1), 0.8 (neg, 1), 0.7 (pos, 10) → tp 11, fp 1; missed positive 0.2 (1).
    expect(at.precision).toBeCloseTo(11 / 12, 10);
    expect(at.recall).toBeCloseTo(11 / 12, 10);
    expect(at.flaggedShare).toBeCloseTo(12 / 23, 10);
    expect(at.positivesFlagged).toBe(2);
    // Unweighted, the same cut has precision 2/3: the weights matter.
    expect(weightedMetricsAt({ ...sample, weights: [1, 1, 1, 1, 1] }, 0.5).precision).toBeCloseTo(2 / 3, 10);
  });

  it('AUC counts weighted pairs', () => {
    // Positives (w): 0.9 (1), 0.7 (10), 0.2 (1); negatives: 0.8 (1), 0.3 (10). Pairs won: 0.9 beats both (1·11),
    // 0.7 beats 0.3 (10·10), 0.2 beats none → 111 of 12·11 = 132.
    expect(weightedAuc(sample)).toBeCloseTo(111 / 132, 10);
  });

  it('picks the lowest threshold that keeps the precision, and the highest that keeps the recall', () => {
    const p = precisionPoint(sample, 0.9, 1)!;
    expect(p.precision).toBeGreaterThanOrEqual(0.9);
    expect(p.threshold).toBeCloseTo(0.5, 10); // midpoint of 0.7 and 0.3
    const r = recallPoint(sample, 0.95)!;
    expect(r.recall).toBe(1);
    expect(r.threshold).toBe(0.2);
    // Too few positives above any cut: no point that rests on them.
    expect(precisionPoint(sample, 0.9, 4)).toBeNull();
  });

  it('weighted Platt scaling fits the weighted population', () => {
    const z = [-2, -1, 0, 1, 2, -2, -1, 0, 1, 2];
    const y = [0, 0, 0, 1, 1, 0, 1, 1, 1, 1];
    const plain = fitPlatt(z, y);
    const weighted = fitPlatt(z, y, 100, [5, 5, 5, 5, 5, 1, 1, 1, 1, 1]);
    // The heavy half is more often negative: its weighted intercept is lower.
    expect(weighted.b).toBeLessThan(plain.b);
  });
});

describe('operating points', () => {
  const make = (n: number, positiveShare: number, annotated: boolean): { rows: Example[]; scores: number[] } => {
    const rows: Example[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      const positive = i < n * positiveShare;
      // Positives score 0.5–1, negatives 0–0.6: overlap, so the precision point sits above the recall point.
      scores.push(positive ? 0.5 + (0.5 * i) / (n * positiveShare) : (0.6 * (i - n * positiveShare)) / (n * (1 - positiveShare)));
      rows.push({
        text: `p${i}`,
        labels: { hate_speech: positive ? 1 : 0, abusive: positive ? 1 : 0 },
        source: annotated ? 'pemilu-2024-tweets' : 'x',
        ...(annotated ? { inclusionProbability: 0.5, stratum: 'random' as const } : {}),
      });
    }
    return { rows, scores };
  };

  it('chooses alert for precision ≥ 0.8 and review for recall ≥ 0.8 on the annotated posts', () => {
    const inDomain = make(400, 0.25, true);
    const chosen = chooseOperatingPoints(inDomain.rows, (_l, i) => inDomain.scores[i]!, [], () => 0, 'dev');
    const p = chosen.points.hate_speech;
    expect(p.alertPrecision).toBeGreaterThanOrEqual(0.8);
    expect(p.reviewRecall).toBeGreaterThanOrEqual(0.8);
    expect(p.review).toBeLessThanOrEqual(p.alert);
    expect(chosen.thresholds.hate_speech).toBe(p.alert);
    expect(p.chosenOn).toContain('in-domain');
    expect(chosen.aims.hate_speech).toContain('precision ≥ 0.8');
  });

  it('falls back to the ordinary calibration rows when the annotated posts hold too few positives', () => {
    const inDomain = make(200, (MIN_IN_DOMAIN_POSITIVES - 1) / 200, true);
    const fallback = make(300, 0.4, false);
    const chosen = chooseOperatingPoints(inDomain.rows, (_l, i) => inDomain.scores[i]!, fallback.rows, (_l, i) => fallback.scores[i]!, 'out-of-fold train + dev');
    expect(chosen.points.hate_speech.chosenOn).toContain('too few');
    expect(chosen.aims.hate_speech).toContain('best F1');
    expect(chosen.points.hate_speech.review).toBeLessThanOrEqual(chosen.points.hate_speech.alert);
  });
});

describe('near-duplicates and the split', () => {
  const base = 'kpu umumkan jadwal debat capres ketiga di jakarta minggu depan siarkan langsung di televisi nasional';

  it('groups copy-paste variants, not texts that merely share words', () => {
    const keys = [base, `${base} sebarkan`, 'harga beras naik lagi di pasar induk hari ini kata pedagang setempat kemarin sore', base.split(' ').reverse().join(' ')].map(splitKey);
    const groups = duplicateGroups(keys);
    expect(groups[0]).toBe(groups[1]);
    expect(groups[2]).not.toBe(groups[0]);
    expect(groups[3]).not.toBe(groups[0]);
  });

  it('puts every near-copy in one split across sources, and drops train-only copies of test texts', () => {
    const examples: Example[] = [];
    for (let i = 0; i < 200; i++) {
      // Numbers normalise to one token, so each text gets its own words (letters for the digits of i).
      const w = [...String(i).padStart(3, '0')].map((d) => 'abcdefghij'[Number(d)]!.repeat(3));
      const text = `berita ${w.join(' ')} tentang pemilu ${w.reverse().join(' ')} yang beredar ${w.join('')} di media`;
      examples.push({ text, labels: { hoax: 1 }, source: 'a' });
      examples.push({ text: `${text} lengkap`, labels: { hoax: 1 }, source: 'b' });
      examples.push({ text: `${text} selengkapnya`, labels: { hoax: 1 }, source: 'c', split: 'train' });
    }
    const splits = splitExamples(examples, { dev: 0.2, test: 0.2 }, 0);
    // Rows without a pinned split: each group in one split. Pinned train rows stay in train, except copies of a
    // test text, which are dropped: no group is on both sides of the test boundary.
    const where = new Map<string, string>();
    for (const name of ['train', 'dev', 'test'] as const) {
      for (const e of splits[name]) {
        if (e.split !== undefined) continue;
        const seen = where.get(e.group!);
        expect(seen === undefined || seen === name).toBe(true);
        where.set(e.group!, name);
      }
    }
    const testGroups = new Set(splits.test.map((e) => e.group));
    expect([...splits.train, ...splits.dev].some((e) => testGroups.has(e.group))).toBe(false);
    expect(splits.test.length).toBeGreaterThan(0);
    expect(splits.test.some((e) => e.source === 'c')).toBe(false);
    // Each test group's train-only copy is dropped.
    expect(splits.dropped).toBe(splits.test.length / 2);
  });
});

describe('joining annotations', () => {
  it('joins labels with texts by id and reports ids without a text', () => {
    const annotation = (id: string, hs: 0 | 1): CommittedAnnotation => ({
      id,
      source: 'pemilu-2024-tweets',
      stratum: 'random' as const,
      inclusionProbability: 0.1,
      final: { hate_speech: hs, abusive: 0, sara: 0, hoax: 1 },
    });
    const { examples, missing } = joinAnnotations([annotation('a', 1), annotation('b', 0)], [{ id: 'a', source: 'pemilu-2024-tweets', text: 'teks a' }] as never);
    expect(missing).toEqual(['b']);
    expect(examples).toHaveLength(1);
    expect(examples[0]).toMatchObject({ text: 'teks a', id: 'a', inclusionProbability: 0.1, labels: { hate_speech: 1, abusive: 0, sara: 0 } });
    // Hoax is not taken from the annotation (kappa 0.67, 4 positives).
    expect(examples[0]!.labels.hoax).toBeUndefined();
  });
});

describe('extra public sets', () => {
  it('reads netifier: defamation or sara as hate speech, none of the four as not, the rest unannotated', () => {
    const dir = join(work, 'netifier');
    makeEmptyDir(dir);
    writeFileSync(
      join(dir, 'train.csv'),
      'original_text,source,pornografi,sara,radikalisme,pencemaran_nama_baik\n' +
        '"dasar kafir [QUOTE=x]kutipan[/QUOTE]",kaskus,0,1,0,0\n' +
        'si anu maling,twitter,0,0,0,1\n' +
        'selamat pagi\\nsemua,instagram,0,0,0,0\n' +
        'konten dewasa,twitter,1,0,0,0\n',
    );
    const rows = readNetifier(dir);
    expect(rows.map((r) => [r.text, r.labels])).toEqual([
      ['dasar kafir kutipan', { hate_speech: 1, sara: 1 }],
      ['si anu maling', { hate_speech: 1, sara: 0 }],
      ['selamat pagi semua', { hate_speech: 0 }],
    ]);
  });

  it('reads news comments: 2 and 3 are abusive, 1 is not, anything else is skipped', () => {
    const dir = join(work, 'news');
    makeEmptyDir(dir);
    writeFileSync(join(dir, 'comments.csv'), 'text,label\nbagus sekali,1\ngoblok,2\nanjing kau,3\naneh,x\n');
    expect(readNewsCommentsAbusive(dir).map((r) => r.labels.abusive)).toEqual([0, 1, 1]);
  });
});

describe('domain intercepts', () => {
  it('learn each domain its base rate, and the model ships the chosen domain', () => {
    // Same features everywhere; domain 0 is 80% positive, domain 1 is 10% positive.
    const rows: EncodedExample[] = [];
    for (let i = 0; i < 400; i++) {
      const domain = i % 2;
      const positive = domain === 0 ? i % 10 < 8 : i % 20 === 1;
      const targets = new Float32Array(4).fill(Number.NaN);
      targets[0] = positive ? 1 : 0;
      rows.push({ ids: Int32Array.of(1), scale: 1, targets, sentiment: -1, weight: 1, domain });
    }
    const options = { epochs: 30, learningRate: 0.3, l2: Array(7).fill(1e-4), positiveWeight: [1, 1, 1, 1], seed: 1, domains: 2 };
    const logit = (w: { kernel: Float32Array; bias: Float32Array }) => w.kernel[1 * 7 + 0]! + w.bias[0]!;
    const p = (v: number) => 1 / (1 + Math.exp(-v));
    expect(p(logit(trainLinear(rows, 4, { ...options, exportDomain: 1 })))).toBeLessThan(0.25);
    expect(p(logit(trainLinear(rows, 4, { ...options, exportDomain: 0 })))).toBeGreaterThan(0.65);
  });
});

function makeEmptyDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}
