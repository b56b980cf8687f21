/**
 * Near-duplicate groups across all sources, so that copies of one text never sit on both sides of a split or a
 * fold. Exact copies (same normalised text) are one group; so are texts whose word 3-gram sets overlap by a
 * Jaccard similarity of at least `threshold` (copy-paste campaigns posted with small edits, a fact-check claim
 * that TurnBackHoax and Indonesia False News both carry with different framing). Candidates come from MinHash
 * with banding (locality-sensitive hashing) and are confirmed on the exact 3-gram sets.
 */
import { FNV_OFFSET, combineHashes, finalizeHash, fnvRange } from '../hash.ts';
import { isFeatureToken } from '../normalize.ts';

export interface DedupeOptions {
  /** Jaccard similarity of word 3-gram sets at or above which two texts are one group. */
  threshold: number;
  /** MinHash bands × rows per band. */
  bands: number;
  rows: number;
}

export const DEFAULT_DEDUPE: DedupeOptions = { threshold: 0.6, bands: 20, rows: 4 };

/** Fewer word 3-grams than this: exact copies only (short texts share 3-grams by chance). */
const MIN_SHINGLES = 4;

/**
 * For each key (a normalised text, as `splitKey` gives), the index of its group's representative: the
 * lexicographically smallest key of the group, so the representative does not depend on the order of the data.
 */
export function duplicateGroups(keys: readonly string[], options: DedupeOptions = DEFAULT_DEDUPE): Int32Array {
  const n = keys.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // The smaller key becomes the root, so the representative is the group's smallest key.
    if (keys[ra]! < keys[rb]! || (keys[ra] === keys[rb] && ra < rb)) parent[rb] = ra;
    else parent[ra] = rb;
  };

  const firstWithKey = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const seen = firstWithKey.get(keys[i]!);
    if (seen === undefined) firstWithKey.set(keys[i]!, i);
    else union(seen, i);
  }

  // One MinHash signature per distinct key with enough 3-grams.
  const hashes = options.bands * options.rows;
  const shingles = new Map<number, Set<number>>();
  const buckets = new Map<string, number>();
  for (const i of firstWithKey.values()) {
    const words = keys[i]!.split(' ').filter((w) => w.length > 0 && !isFeatureToken(w));
    if (words.length < MIN_SHINGLES + 2) continue;
    const set = new Set<number>();
    for (let w = 0; w + 2 < words.length; w++) set.add(fnvRange(`${words[w]} ${words[w + 1]} ${words[w + 2]}`, 0, words[w]!.length + words[w + 1]!.length + words[w + 2]!.length + 2));
    if (set.size < MIN_SHINGLES) continue;
    shingles.set(i, set);
    const signature = new Uint32Array(hashes).fill(0xffffffff);
    for (const s of set) {
      for (let h = 0; h < hashes; h++) {
        const v = finalizeHash(combineHashes(s, (FNV_OFFSET ^ Math.imul(h + 1, 0x9e3779b1)) >>> 0));
        if (v < signature[h]!) signature[h] = v;
      }
    }
    for (let b = 0; b < options.bands; b++) {
      const band = `${b}:${Array.from(signature.subarray(b * options.rows, (b + 1) * options.rows)).join(',')}`;
      const first = buckets.get(band);
      if (first === undefined) buckets.set(band, i);
      else if (find(first) !== find(i) && jaccard(shingles.get(first)!, set) >= options.threshold) union(first, i);
    }
  }

  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = find(i);
  return out;
}

function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let common = 0;
  for (const x of small) if (large.has(x)) common++;
  return common / (a.size + b.size - common);
}
