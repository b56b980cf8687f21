/**
 * 32-bit FNV-1a over UTF-16 char codes. Used for feature hashing: it runs over a string range
 * without allocating substrings, and a seed keeps the feature families (words, bigrams, char n-grams) apart.
 */

export const FNV_OFFSET = 0x811c9dc5;

/** One FNV-1a step: fold one char code into the running hash. */
export function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193) >>> 0;
}

/** FNV-1a of `text[start..end)`, starting from `seed` (FNV_OFFSET when unseeded). */
export function fnvRange(text: string, start: number, end: number, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = start; i < end; i++) h = fnvStep(h, text.charCodeAt(i));
  return h;
}

/** Combines two hashes (order-sensitive), e.g. two word hashes into a bigram hash. */
export function combineHashes(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Final avalanche so low bits (used for the bucket) depend on every input bit. */
export function finalizeHash(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
