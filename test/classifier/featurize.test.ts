import { describe, expect, it } from 'vitest';
import { Featurizer, validateFeaturizerConfig } from '../../src/classifier/featurize.ts';
import { fnvRange } from '../../src/classifier/hash.ts';

const config = { buckets: 1 << 16, wordNgramMax: 2, charNgramMin: 2, charNgramMax: 5 };

describe('Featurizer', () => {
  it('gives the same ids for the same tokens, across instances', () => {
    const tokens = ['dasar', 'anjing', 'kamu', '_excl'];
    const a = new Featurizer(config).featurize(tokens);
    const b = new Featurizer(config);
    b.featurize(['something', 'else']);
    expect(Array.from(b.featurize(tokens))).toEqual(Array.from(a));
  });

  it('keeps ids inside the bucket range and unique within a post', () => {
    const ids = new Featurizer(config).featurize(['kata', 'kata', 'kata', 'lain']);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThan(config.buckets);
    }
  });

  it('counts the expected number of features for a single word', () => {
    // "<ab>" has 4 chars: 3 bigrams + 2 trigrams + 1 four-gram = 6 char n-grams, plus the word itself.
    const f = new Featurizer({ buckets: 1 << 20, wordNgramMax: 1, charNgramMin: 2, charNgramMax: 5 });
    expect(f.featurize(['ab']).length).toBe(7);
  });

  it('distinguishes word order through bigrams', () => {
    const f = new Featurizer(config);
    const ab = new Set(f.featurize(['bukan', 'hoax']));
    const ba = new Set(f.featurize(['hoax', 'bukan']));
    expect([...ab].some((id) => !ba.has(id))).toBe(true);
  });

  it('does not build char n-grams for feature tokens', () => {
    const f = new Featurizer(config);
    expect(f.featurize(['_url']).length).toBe(1);
  });

  it('puts a batch in CSR form equal to featurising each post alone', () => {
    const posts = [['satu', 'dua'], [], ['tiga']];
    const f = new Featurizer(config);
    const batch = f.featurizeBatch(posts);
    expect(batch.offsets.length).toBe(posts.length + 1);
    posts.forEach((tokens, i) => {
      const alone = new Featurizer(config).featurize(tokens);
      expect(Array.from(batch.ids.subarray(batch.offsets[i]!, batch.offsets[i + 1]!))).toEqual(Array.from(alone));
      expect(batch.scales[i]).toBeCloseTo(alone.length === 0 ? 0 : 1 / Math.sqrt(alone.length), 6);
    });
  });

  it('rejects a bucket count that is not a power of two', () => {
    expect(validateFeaturizerConfig({ ...config, buckets: 1000 })).toMatch(/power of two/);
    expect(() => new Featurizer({ ...config, buckets: 1000 })).toThrow(RangeError);
  });
});

describe('fnvRange', () => {
  it('matches the FNV-1a reference value and hashes a range without copying', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c.
    expect(fnvRange('a', 0, 1)).toBe(0xe40c292c);
    expect(fnvRange('xay', 1, 2)).toBe(0xe40c292c);
  });
});
