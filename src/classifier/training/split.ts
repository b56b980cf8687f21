/**
 * Deterministic train/dev/test split by a hash of the normalised text, so duplicates (and the same tweet
 * in two datasets) always land in the same split and reruns give the same split.
 */
import { FNV_OFFSET, finalizeHash, fnvRange } from '../hash.ts';
import { normalizeText } from '../normalize.ts';
import { duplicateGroups } from './dedupe.ts';
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
  /** Rows left out because their text is (a near-copy of) an official test text, or a train-only copy of a test text. */
  dropped: number;
}

export interface SplitOptions {
  /** Split fractions of a source (default: `fractions` for every source). */
  fractionsOf?: (source: string) => SplitFractions;
  /** Group near-duplicates (dedupe.ts) before splitting, not only exact copies (default true). */
  nearDuplicates?: boolean;
}

/**
 * Splits examples by a hash of their duplicate group (the group's smallest normalised text), so every copy and
 * near-copy of a text lands in one split, whatever source it comes from. Each returned row carries its group in
 * `group` (folds use it too). Rows with a pinned split keep it. Other rows of a group that holds a pinned test
 * row are dropped (SmSA train and valid share 14 texts): no test text is trained on, and the official test set
 * stays exactly itself. Train-only rows (pinned to train: single-class sources) whose group lands in test are
 * dropped as well, so a copy of a test claim is never trained on. A source with pinned test rows gets no extra
 * test rows from hashing either.
 */
export function splitExamples(examples: readonly Example[], fractions: SplitFractions = DEFAULT_SPLIT, seed = 0, options: SplitOptions = {}): SplitExamples {
  const keys = examples.map((e) => splitKey(e.text));
  const groups = options.nearDuplicates === false ? exactGroups(keys) : duplicateGroups(keys);
  const groupKeys = examples.map((_, i) => keys[groups[i]!]!);
  const pinnedTest = new Set<string>();
  examples.forEach((e, i) => {
    if (e.split === 'test') pinnedTest.add(groupKeys[i]!);
  });
  // A source with an official test split (SmSA valid) gets no extra test rows from hashing: they train instead.
  const sourcesWithOfficialTest = new Set(examples.filter((e) => e.split === 'test').map((e) => e.source));
  const splits: (Split | null)[] = examples.map((e, i) => {
    const key = groupKeys[i]!;
    if (e.split === undefined && pinnedTest.has(key)) return null;
    const split = e.split ?? splitOf(key, options.fractionsOf?.(e.source) ?? fractions, seed);
    return e.split === undefined && split === 'test' && sourcesWithOfficialTest.has(e.source) ? 'train' : split;
  });
  const testGroups = new Set(groupKeys.filter((_, i) => splits[i] === 'test'));
  const out: SplitExamples = { train: [], dev: [], test: [], dropped: 0 };
  examples.forEach((e, i) => {
    const split = splits[i] ?? null;
    // Not in test, but a copy of a text that is: never trained on, never used to choose anything.
    if (split === null || (split !== 'test' && testGroups.has(groupKeys[i]!))) {
      out.dropped++;
      return;
    }
    out[split].push({ ...e, group: groupKeys[i]! });
  });
  return out;
}

/** Groups of exact copies only (each key's first occurrence is the representative). */
function exactGroups(keys: readonly string[]): Int32Array {
  const first = new Map<string, number>();
  return Int32Array.from(keys, (k, i) => {
    const seen = first.get(k);
    if (seen !== undefined) return seen;
    first.set(k, i);
    return i;
  });
}
