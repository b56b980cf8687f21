/**
 * Hashed features for a normalised post: word unigrams, word bigrams and char n-grams inside word
 * boundaries (`<kata>`), each family with its own hash seed, folded into `buckets` (a power of two).
 *
 * Hashing runs over char codes without allocating substrings, each token's buckets are memoised, and
 * duplicates inside a post are dropped with a stamp array instead of a Set, so featurising stays a small
 * fraction of inference time.
 */
import { combineHashes, finalizeHash, fnvRange, fnvStep } from './hash.ts';

export interface FeaturizerConfig {
  /** Number of hash buckets; a power of two. */
  buckets: number;
  /** Largest word n-gram (1 = unigrams only, 2 = also bigrams). */
  wordNgramMax: number;
  /** Smallest and largest char n-gram, counted with the `<` `>` word boundaries. 0 disables them. */
  charNgramMin: number;
  charNgramMax: number;
}

export const DEFAULT_FEATURIZER_CONFIG: FeaturizerConfig = {
  buckets: 1 << 18,
  wordNgramMax: 2,
  charNgramMin: 2,
  charNgramMax: 4,
};

/** The features of a batch in CSR form: post `i` owns `ids[offsets[i] .. offsets[i+1])`. */
export interface FeatureBatch {
  readonly ids: Int32Array;
  readonly offsets: Int32Array;
  /** Weight of each feature of post `i` (1/sqrt(feature count)), so long and short posts are comparable. */
  readonly scales: Float32Array;
}

interface TokenFeatures {
  wordHash: number;
  /** Word bucket first, then char n-gram buckets (may repeat; de-duplicated per post). */
  ids: Int32Array;
}

/** Most distinct tokens kept in the per-featuriser memo (~10 MB at most). */
const TOKEN_CACHE_ENTRIES = 100_000;

const SEED_WORD = 0x2f1a3c5d;
const SEED_BIGRAM = 0x6b43a9b5;
const SEED_CHAR = 0x1b873593;
const BOUNDARY_START = 0x3c; // '<'
const BOUNDARY_END = 0x3e; // '>'

export function validateFeaturizerConfig(config: FeaturizerConfig): string | null {
  const { buckets, wordNgramMax, charNgramMin, charNgramMax } = config;
  if (!Number.isInteger(buckets) || buckets < 2 || (buckets & (buckets - 1)) !== 0 || buckets > 1 << 24) {
    return `buckets must be a power of two between 2 and 2^24, got ${buckets}`;
  }
  if (!Number.isInteger(wordNgramMax) || wordNgramMax < 1 || wordNgramMax > 2) return 'wordNgramMax must be 1 or 2';
  if (charNgramMin === 0 && charNgramMax === 0) return null;
  if (!Number.isInteger(charNgramMin) || !Number.isInteger(charNgramMax) || charNgramMin < 1 || charNgramMax < charNgramMin || charNgramMax > 8) {
    return 'char n-gram sizes must satisfy 1 <= min <= max <= 8 (or both 0)';
  }
  return null;
}

export class Featurizer {
  readonly config: Readonly<FeaturizerConfig>;
  private readonly mask: number;
  /**
   * stamp[bucket] === current post number ⇔ bucket already emitted for this post. 16-bit stamps keep the
   * array small enough to stay in cache; it is cleared once every 65,535 posts.
   */
  private readonly stamp: Uint16Array;
  private postNumber = 0;
  private scratch = new Int32Array(4096);
  private readonly cache = new Map<string, TokenFeatures>();

  constructor(config: FeaturizerConfig = DEFAULT_FEATURIZER_CONFIG) {
    const problem = validateFeaturizerConfig(config);
    if (problem !== null) throw new RangeError(problem);
    this.config = { ...config };
    this.mask = config.buckets - 1;
    this.stamp = new Uint16Array(config.buckets);
  }

  /** Unique bucket ids of one tokenised post, in order of first appearance. */
  featurize(tokens: readonly string[]): Int32Array {
    const n = this.collect(tokens);
    return this.scratch.slice(0, n);
  }

  /** Features of many tokenised posts in CSR form. */
  featurizeBatch(batch: readonly (readonly string[])[]): FeatureBatch {
    const offsets = new Int32Array(batch.length + 1);
    const scales = new Float32Array(batch.length);
    // One growing buffer for the whole batch: a typed array per post would make most of the garbage.
    let ids = new Int32Array(Math.max(1024, batch.length * 256));
    let total = 0;
    for (let i = 0; i < batch.length; i++) {
      const n = this.collect(batch[i] ?? []);
      if (total + n > ids.length) {
        const grown = new Int32Array(Math.max(ids.length * 2, total + n));
        grown.set(ids.subarray(0, total));
        ids = grown;
      }
      ids.set(this.scratch.subarray(0, n), total);
      total += n;
      offsets[i + 1] = total;
      scales[i] = n > 0 ? 1 / Math.sqrt(n) : 0;
    }
    return { ids: ids.subarray(0, total), offsets, scales };
  }

  /** Writes the post's unique ids into `scratch` and returns how many there are. */
  private collect(tokens: readonly string[]): number {
    this.postNumber++;
    if (this.postNumber > 0xffff) {
      // Wrapped: clear stamps so no stale bucket looks "already seen".
      this.stamp.fill(0);
      this.postNumber = 1;
    }
    let count = 0;
    const bigrams = this.config.wordNgramMax >= 2;
    let previous = 0;
    for (let t = 0; t < tokens.length; t++) {
      const entry = this.tokenFeatures(tokens[t]!);
      const ids = entry.ids;
      count = this.emitBucket(ids[0]!, count);
      if (bigrams && t > 0) count = this.emit(combineHashes(previous, entry.wordHash ^ SEED_BIGRAM), count);
      previous = entry.wordHash;
      for (let i = 1; i < ids.length; i++) count = this.emitBucket(ids[i]!, count);
    }
    return count;
  }

  /**
   * The word bucket followed by the char n-gram buckets of one token, memoised: words repeat (Zipf), and
   * reusing their buckets makes featurising several times faster. Bounded: cleared when full.
   */
  private tokenFeatures(token: string): TokenFeatures {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    const wordHash = fnvRange(token, 0, token.length, SEED_WORD);
    const { charNgramMin, charNgramMax } = this.config;
    const buckets: number[] = [finalizeHash(wordHash) & this.mask];
    if (charNgramMax > 0 && token.charCodeAt(0) !== 95 /* feature tokens have no inner structure */) {
      // Char n-grams of `<token>` without building the bracketed string.
      const length = token.length + 2;
      for (let start = 0; start < length; start++) {
        let h = SEED_CHAR;
        const end = Math.min(length, start + charNgramMax);
        for (let pos = start; pos < end; pos++) {
          const code = pos === 0 ? BOUNDARY_START : pos === length - 1 ? BOUNDARY_END : token.charCodeAt(pos - 1);
          h = fnvStep(h, code);
          if (pos - start + 1 >= charNgramMin) buckets.push(finalizeHash(h) & this.mask);
        }
      }
    }
    const entry: TokenFeatures = { wordHash, ids: Int32Array.from(buckets) };
    if (this.cache.size >= TOKEN_CACHE_ENTRIES) this.cache.clear();
    this.cache.set(token, entry);
    return entry;
  }

  private emitBucket(bucket: number, count: number): number {
    if (this.stamp[bucket] === this.postNumber) return count;
    this.stamp[bucket] = this.postNumber;
    if (count === this.scratch.length) {
      const grown = new Int32Array(this.scratch.length * 2);
      grown.set(this.scratch);
      this.scratch = grown;
    }
    this.scratch[count] = bucket;
    return count + 1;
  }

  private emit(hash: number, count: number): number {
    return this.emitBucket(hash & this.mask, count);
  }
}
