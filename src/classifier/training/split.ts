/**
 * Deterministic train/dev/test split by a hash of the normalised text, so duplicates (and the same tweet
 * in two datasets) always land in the same split and reruns give the same split.
 */
import { FNV_OFFSET, finalizeHash, fnvRange } from '../hash.ts';
import { normalizeText } from '../normalize.ts';
import type { Example, Split } from './examples.ts';

export interface SplitFractions {
  dev: number;
  test: number;
}

export const DEFAULT_SPLIT: SplitFractions = { dev: 0.1, test: 0.1 };

/** The key that decides the split: normalised text without the slang lexicon (stable across lexicons). */
export function splitKey(text: string): string {
  return normalizeText(text);
}

export function splitOf(key: string, fractions: SplitFractions = DEFAULT_SPLIT, seed = 0): Split {
  const u = finalizeHash(fnvRange(key, 0, key.length, (FNV_OFFSET ^ seed) >>> 0)) / 2 ** 32;
  if (u < fractions.test) return 'test';
  if (u < fractions.test + fractions.dev) return 'dev';
  return 'train';
}

export interface SplitExamples {
  train: Example[];
  dev: Example[];
  test: Example[];
  /** Rows left out because their text is an official test text. */
  dropped: number;
}

/**
 * Splits examples. Rows with a pinned split keep it. Any other row whose text equals a pinned test row is
 * dropped (SmSA train and valid share 14 texts): no test text is trained on, and the official test set stays
 * exactly itself. A source with pinned test rows gets no extra test rows from hashing either.
 */
export function splitExamples(examples: readonly Example[], fractions: SplitFractions = DEFAULT_SPLIT, seed = 0): SplitExamples {
  const keys = examples.map((e) => splitKey(e.text));
  const pinnedTest = new Set<string>();
  examples.forEach((e, i) => {
    if (e.split === 'test') pinnedTest.add(keys[i]!);
  });
  // A source with an official test split (SmSA valid) gets no extra test rows from hashing: they train instead.
  const sourcesWithOfficialTest = new Set(examples.filter((e) => e.split === 'test').map((e) => e.source));
  const out: SplitExamples = { train: [], dev: [], test: [], dropped: 0 };
  examples.forEach((e, i) => {
    const key = keys[i]!;
    let split: Split = e.split ?? splitOf(key, fractions, seed);
    if (e.split === undefined && split === 'test' && sourcesWithOfficialTest.has(e.source)) split = 'train';
    if (e.split === undefined && pinnedTest.has(key)) {
      out.dropped++;
      return;
    }
    out[split].push(e);
  });
  return out;
}
