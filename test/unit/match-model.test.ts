/**
 * The shipped claim matcher loads and gives the scores it gave at training time (reference feature vectors
 * and logits stored in model.json); its TF.js gradients match finite differences; a folder that is not a
 * matcher fails with a clear error.
 */
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { activateBackend } from '../../src/classifier/backend.ts';
import { DEFAULT_MATCHER_DIR, loadClaimMatcher } from '../../src/match/matcher.ts';
import { matcherJsonSchema } from '../../src/match/model-format.ts';
import { readMatcherFolder } from '../../src/match/model-io.ts';
import { Reranker } from '../../src/match/reranker.ts';
import { lossAndGradients } from '../../src/match/training/train-reranker.ts';

describe('claim matcher model', () => {
  it('gives the logits recorded at training time for the reference feature vectors', async () => {
    await activateBackend('wasm');
    const json = matcherJsonSchema.parse(JSON.parse(readFileSync(join(DEFAULT_MATCHER_DIR, 'model.json'), 'utf8')));
    const folder = await readMatcherFolder(DEFAULT_MATCHER_DIR);
    for (const name of ['reranker', 'pair'] as const) {
      const ref = json[name].reference;
      expect(ref.length).toBeGreaterThan(0);
      const model = new Reranker(folder[name]);
      const scores = model.score(Float32Array.from(ref.flatMap((r) => r.features)), ref.length);
      ref.forEach((r, i) => expect(scores[i]).toBeCloseTo(r.score, 4));
      model.dispose();
    }
  });

  it('matches a narrative to the claim it repeats, with a probability, through loadClaimMatcher', async () => {
    const matcher = await loadClaimMatcher({ backend: 'wasm' });
    try {
      matcher.setKnowledgeBase([
        { id: 'a', claim: 'Tinta pemilu mengandung lemak babi' },
        { id: 'b', claim: 'Kotak suara TPS 7 Karanganyar dibawa kabur pendukung Hendra' },
        { id: 'c', claim: 'Pemungutan suara Pilkada Sidomulyo diundur ke Desember' },
      ]);
      const found = matcher.match('td malem kotak suara TPS 7 karanganyar diangkut tim hendra, blm dihitung', 3);
      expect(found[0]!.id).toBe('b');
      expect(found.map((c) => c.rank)).toEqual(found.map((_, i) => i + 1));
      for (const c of found) expect(c.probability).toBeGreaterThanOrEqual(0);
      expect(found[0]!.probability).toBeGreaterThan(found[1]?.probability ?? 0);
      expect(matcher.match('selamat pagi semua', 3)).toEqual([]);
    } finally {
      matcher.dispose();
    }
  });

  it('refuses a folder without a model or with a foreign model.json, naming the file', async () => {
    await activateBackend('wasm');
    const empty = mkdtempSync(join(tmpdir(), 'pantau-match-'));
    await expect(readMatcherFolder(empty)).rejects.toThrow(/model\.json is missing/);
    const broken = mkdtempSync(join(tmpdir(), 'pantau-match-'));
    cpSync(DEFAULT_MATCHER_DIR, broken, { recursive: true });
    const json = JSON.parse(readFileSync(join(broken, 'model.json'), 'utf8')) as Record<string, unknown>;
    (json.reranker as { features: string[] }).features = ['something_else'];
    writeFileSync(join(broken, 'model.json'), JSON.stringify(json));
    await expect(readMatcherFolder(broken)).rejects.toThrow(/not a valid claim-matcher description.*reranker features differ/s);
  });

  it('trains with gradients that agree with finite differences of the loss', async () => {
    await activateBackend('cpu');
    const F = 3;
    const H = 2;
    const B = 2;
    const k = 3;
    const p = {
      mean: tf.tensor1d([0.1, -0.2, 0.3]),
      scale: tf.tensor1d([1, 2, 0.5]),
      wide: tf.tensor2d([0.2, -0.1, 0.05], [F, 1]),
      w1: tf.tensor2d([0.3, -0.2, 0.1, 0.4, -0.5, 0.2], [F, H]),
      b1: tf.tensor1d([0.05, 0.1]),
      w2: tf.tensor2d([0.7, -0.3], [H, 1]),
      bias: tf.scalar(0.1),
    };
    const batch = {
      x: Float32Array.from([0.5, 1, -1, 2, 0.3, 0.1, -0.4, 0.9, 1.5, 1, 1, 1, 0.2, -0.3, 0.8, 0.6, 0.6, 0.1]),
      y: Float32Array.from([1, 0, 0, 0, 0, 1]),
      m: Float32Array.from([1, 1, 1, 1, 1, 1]),
      w: Float32Array.from([1, 0.5]),
      hasPositive: Float32Array.from([1, 1]),
      B,
      k,
      nPositive: 2,
    };
    const options = { pointwiseWeight: 0.5, listwiseWeight: 1, l2: 0.01 };
    const [, grads] = lossAndGradients(p, batch, options);
    const eps = 1e-3;
    for (const key of ['wide', 'w1', 'b1', 'w2', 'bias'] as const) {
      const base = p[key];
      const values = Float32Array.from(base.dataSync());
      const g = grads[`reranker/${key}`]!.dataSync();
      for (let i = 0; i < values.length; i++) {
        const at = (delta: number) => {
          const v = Float32Array.from(values);
          v[i]! += delta;
          const shifted = { ...p, [key]: tf.tensor(v, base.shape) };
          return lossAndGradients(shifted, batch, options)[0];
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        expect(g[i]!, `${key}[${i}]`).toBeCloseTo(numeric, 2);
      }
    }
  });
});
