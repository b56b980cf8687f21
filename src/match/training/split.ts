/**
 * Train/dev/test split of narratives by a hash of their normalised text (the matcher's tokens), so duplicate
 * and near-identical copies of one message always share a split, and reruns give the same split.
 */
import { FNV_OFFSET, finalizeHash, fnvRange } from '../../classifier/hash.ts';
import { matchTokens } from '../normalize.ts';
import type { NarrativePair } from './data.ts';

export type MatchSplit = 'train' | 'dev' | 'test';

export interface MatchSplitFractions {
  dev: number;
  test: number;
}

export const DEFAULT_MATCH_SPLIT: MatchSplitFractions = { dev: 0.15, test: 0.15 };

export function splitKey(text: string): string {
  return matchTokens(text).join(' ');
}

export function splitOfText(text: string, fractions: MatchSplitFractions = DEFAULT_MATCH_SPLIT, seed = 0): MatchSplit {
  const key = splitKey(text);
  const u = finalizeHash(fnvRange(key, 0, key.length, (FNV_OFFSET ^ seed) >>> 0)) / 2 ** 32;
  if (u < fractions.test) return 'test';
  if (u < fractions.test + fractions.dev) return 'dev';
  return 'train';
}

export function splitPairs(pairs: readonly NarrativePair[], fractions: MatchSplitFractions = DEFAULT_MATCH_SPLIT, seed = 0): Record<MatchSplit, NarrativePair[]> {
  const out: Record<MatchSplit, NarrativePair[]> = { train: [], dev: [], test: [] };
  for (const p of pairs) out[splitOfText(p.text, fractions, seed)].push(p);
  return out;
}
