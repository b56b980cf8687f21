/**
 * Narratives: posts that are copies or lightly edited variants of one message (the chain message forwarded
 * with another link, an extra "SEBARKAN!!!", a typo, a dropped word) share a 64-bit SimHash within a small
 * Hamming distance. Pure functions; the shared registry that turns hashes into narrative ids is
 * src/store/narrative-registry.ts.
 *
 * Features: the distinct content words of the post, each weighted 1. Measured on the fixture's hoax posts
 * (test/unit/narrative.test.ts), word 2- and 3-grams made one inserted or dropped word move a short post
 * further (a 20-word message has ~20 unigrams but each edit touches 2–3 n-grams), without separating
 * unrelated posts any better, so they are not used. URLs, mentions, emoji and punctuation are dropped (the
 * same chain arrives with different links), so are function words and their slang spellings ("yang", "yg").
 * Tokens come from the versioned key normaliser (text-keys.ts), never from the classifier's: a hash must not
 * change when the model (and the normaliser and lexicon that travel with it) is upgraded, or the same text
 * would get a new narrative id.
 *
 * Threshold and lookup: near-duplicates are at distance ≤ NARRATIVE_MAX_DISTANCE (7 of 64). The hash is cut
 * into 4 bands of 16 bits; two hashes within distance 7 differ by at most 1 bit in at least one band (if
 * every band differed in 2 or more, the distance would be at least 8). So a narrative is stored under its 4
 * exact band keys and looked up with, per band, the key itself and its 16 one-bit neighbours (68 keys): every
 * narrative within distance 7 is found, and a random one only with probability 4·17/65536 ≈ 0.1 %.
 */
import { isKeyFeatureToken as isFeatureToken, keyTokens as matchTokens } from './text-keys.ts';

/** Hashes within this Hamming distance are the same narrative. The band layout guarantees lookup up to 7. */
export const NARRATIVE_MAX_DISTANCE = 7;
/** Posts with fewer distinct content words have no narrative: "wkwk" and "😭😭😭" are not a message. */
export const MIN_FEATURES = 4;
export const BAND_COUNT = 4;
export const BAND_BITS = 16;

/** A 64-bit SimHash as two unsigned 32-bit halves (JS bit operations are 32-bit; BigInt is ~10× slower). */
export interface SimHash {
  hi: number;
  lo: number;
}

/** Function words and their usual slang spellings: they say nothing about which message a post is. */
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'yang yg di ke dari dr dan dn atau ini itu tu sdh sudah udah udh dah aja saja ya ada akan utk untuk dengan dgn pada sama sm ' +
    'juga jg tapi tp tetapi kalo kalau klo kl kita kami saya sy aku gue gw gua km kamu lo lu mereka dia nya lah kok sih dong deh ' +
    'nih tuh buat bwt bisa biar jadi jd tidak tdk gak ga gk nggak enggak bukan belum blm lagi lg oleh dalam dlm se sebelum sblm ' +
    'setelah stlh karena krn karna pun para bagi apa mau the of and to in is'
  ).split(' '),
);

/** The distinct content words of a post, in order of first appearance. */
export function narrativeFeatures(text: string): string[] {
  return featuresOfTokens(matchTokens(text));
}

/** The same for a text already split by `matchTokens`. */
export function featuresOfTokens(tokens: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.length < 2 || isFeatureToken(token) || STOPWORDS.has(token)) continue;
    seen.add(token);
  }
  return [...seen];
}

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so every input bit reaches every output bit. */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED_LO = 0;
const SEED_HI = 0x9e3779b9;
const counts = new Int32Array(64);

/** Charikar's SimHash: each feature votes ±1 on each of 64 bits; a bit is set when its votes are positive. */
export function simhash(features: readonly string[]): SimHash {
  counts.fill(0);
  for (const feature of features) {
    const lo = hash32(feature, SEED_LO);
    const hi = hash32(feature, SEED_HI);
    for (let bit = 0; bit < 32; bit++) {
      counts[bit]! += ((lo >>> bit) & 1) === 1 ? 1 : -1;
      counts[32 + bit]! += ((hi >>> bit) & 1) === 1 ? 1 : -1;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (counts[bit]! > 0) lo |= 1 << bit;
    if (counts[32 + bit]! > 0) hi |= 1 << bit;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** The SimHash of a post's text, or null when it has too few content words to be a message. */
export function textSimhash(text: string): SimHash | null {
  return tokensSimhash(matchTokens(text));
}

/** The same for a text already split by `matchTokens`. */
export function tokensSimhash(tokens: readonly string[]): SimHash | null {
  const features = featuresOfTokens(tokens);
  return features.length < MIN_FEATURES ? null : simhash(features);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function hamming(a: SimHash, b: SimHash): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0);
}

export function simhashHex(h: SimHash): string {
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
}

export function parseSimhashHex(hex: string): SimHash {
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new Error(`not a 64-bit hex simhash: "${hex}"`);
  return { hi: Number.parseInt(hex.slice(0, 8), 16), lo: Number.parseInt(hex.slice(8), 16) };
}

/** Deterministic: the same text gives the same id on every worker and every replay. */
export function narrativeIdFor(h: SimHash): string {
  return `nar-${simhashHex(h)}`;
}

function bandValues(h: SimHash): number[] {
  return [h.hi >>> 16, h.hi & 0xffff, h.lo >>> 16, h.lo & 0xffff];
}

/** A band key as one number: band index in the high bits, the band's 16 bits below (no strings to build). */
const bandKey = (band: number, value: number) => band * 0x10000 + value;

/** The 4 keys a narrative is stored under. */
export function bandKeys(h: SimHash): number[] {
  return bandValues(h).map((value, band) => bandKey(band, value));
}

/** The 68 keys to look up: each band as is and with each of its bits flipped (see the header for why). */
export function probeKeys(h: SimHash): number[] {
  const keys: number[] = [];
  bandValues(h).forEach((value, band) => {
    keys.push(bandKey(band, value));
    for (let bit = 0; bit < BAND_BITS; bit++) keys.push(bandKey(band, value ^ (1 << bit)));
  });
  return keys;
}
