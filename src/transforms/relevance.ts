/**
 * Election relevance: does a post talk about the election, why, and where?
 *
 * The lists come from `pipelines/election.json` (see src/config/election.ts). Every alias and every post go
 * through the same normalisation (the versioned key normaliser of text-keys.ts, not the classifier's, so a
 * retrained model never changes what matches: lower case, letter runs squeezed, leetspeak undone, URLs and
 * mentions set aside), so matching is whole tokens only: "tps"
 * never matches inside "https", "mk" never inside "mkn".
 *
 * Speed: the aliases are tokenised once, into a map from phrase to entry plus, per first token, the longest
 * phrase that starts with it. Matching a post is one pass over its tokens with one map lookup per token and
 * a few more only where a phrase can start; there is no per-entry scan and no regex per entry.
 *
 * Rules (the false-positive policy):
 * - An entry's `aliases` decide alone: "pilkada", "bawaslu", "surat suara", "nyoblos".
 * - Its `weakAliases` are words common outside elections ("partai" is also a wholesale lot as in "partai
 *   besar diskon", "pemilih" also a picky person, "kampanye" also a health campaign): they make a post
 *   relevant only when `rules.weakEntriesNeeded` different entries match. Words such as "pilih" or "suara"
 *   are in no list at all: "pilih baju" and "suaranya merdu" are not about the election.
 * - Longest phrase wins over the phrases inside it: "kepulauan riau" is the province 21, not also Riau (14).
 * - A hashtag written as one word (#PilkadaCurang, #KPUCurang) matches a strong alias at its start or end.
 * - A post whose language is known and not accepted is not relevant (its matched terms are still returned).
 * - `region` is the BPS code of the place mentioned when that is unambiguous: one province, or a regency and
 *   its own province (the regency wins); null when none or when two different places are named.
 * - Village-head elections (pilkades) are out of scope: their vocabulary is in no list.
 */
import { isKeyFeatureToken as isFeatureToken, keyTokens, KEY_FEATURE_TOKENS as FEATURE_TOKENS } from './text-keys.ts';
import type { ElectionConfig } from '../config/election.ts';
import { PantauError } from '../core/errors.ts';

export interface RelevanceResult {
  relevant: boolean;
  /** Names of the entries that matched, in order of first appearance. */
  terms: string[];
  /** BPS code of the one place mentioned, or null. */
  region: string | null;
}

export interface RelevanceMatcher {
  /** `language`: the post's ISO 639 code when known; null or omitted when not. */
  match(text: string, language?: string | null): RelevanceResult;
  /** The same for a text already split by `matchTokens` (so other transforms can share the tokens). */
  matchTokenized(tokens: readonly string[], language?: string | null): RelevanceResult;
}

interface TermTarget {
  kind: 'term';
  name: string;
  weak: boolean;
}
interface RegionTarget {
  kind: 'region';
  code: string;
}
type Target = TermTarget | RegionTarget;

/** Tokens used for matching: the versioned key tokens, shared with the narrative transform (see text-keys.ts). */
export const matchTokens = keyTokens;

function configError(message: string): PantauError {
  return new PantauError(message, { stage: 'config', code: 'election_config_invalid', retriable: false });
}

/** Normalises one alias into its token key; refuses aliases that would never match as written. */
function aliasKey(alias: string, where: string): string[] {
  const tokens = matchTokens(alias);
  if (tokens.length === 0 || tokens.some(isFeatureToken)) {
    throw configError(
      `${where}: alias "${alias}" normalises to "${tokens.join(' ')}"; aliases must be words (numbers, mentions and URLs are not matched)`,
    );
  }
  return tokens;
}

export function createRelevanceMatcher(config: ElectionConfig): RelevanceMatcher {
  const phrases = new Map<string, Target>();
  /** Longest phrase (in tokens) starting with a given token: 0 or absent means no phrase starts there. */
  const longestFrom = new Map<string, number>();
  /** Strong aliases written without spaces, for hashtags: "suratsuara", "kpu". */
  const compact = new Map<string, TermTarget>();
  const minAffix = config.rules.hashtagAffixMinLength;

  const add = (tokens: string[], target: Target, where: string, alias: string) => {
    const key = tokens.join(' ');
    const existing = phrases.get(key);
    if (existing !== undefined) {
      const same = existing.kind === target.kind && (existing.kind === 'term' ? existing.name === (target as TermTarget).name : existing.code === (target as RegionTarget).code);
      if (!same) throw configError(`${where}: alias "${alias}" (normalised "${key}") is already claimed by ${existing.kind === 'term' ? `term "${existing.name}"` : `region ${existing.code}`}`);
      // The same alias twice in one entry, or strong and weak at once: strong wins.
      if (existing.kind === 'term' && target.kind === 'term' && !target.weak) existing.weak = false;
      return;
    }
    phrases.set(key, target);
    const first = tokens[0]!;
    longestFrom.set(first, Math.max(longestFrom.get(first) ?? 0, tokens.length));
  };

  for (const [list, entries] of Object.entries(config.terms)) {
    entries.forEach((entry, i) => {
      const where = `terms.${list}[${i}] "${entry.name}"`;
      for (const alias of entry.aliases) {
        const tokens = aliasKey(alias, where);
        const target: TermTarget = { kind: 'term', name: entry.name, weak: false };
        add(tokens, target, where, alias);
        const joined = tokens.join('');
        if (joined.length >= minAffix && !compact.has(joined)) compact.set(joined, target);
      }
      for (const alias of entry.weakAliases) add(aliasKey(alias, where), { kind: 'term', name: entry.name, weak: true }, where, alias);
    });
  }
  config.regions.forEach((region, i) => {
    const where = `regions[${i}] ${region.code} "${region.name}"`;
    for (const alias of region.aliases) add(aliasKey(alias, where), { kind: 'region', code: region.code }, where, alias);
  });

  const accepted = new Set(config.languages.accepted);
  const weakNeeded = config.rules.weakEntriesNeeded;

  /** A hashtag body such as "pilkadacurang": the longest strong alias at its start, else at its end. */
  const hashtagAffix = (body: string): TermTarget | undefined => {
    for (let k = body.length - 1; k >= minAffix; k--) {
      const hit = compact.get(body.slice(0, k));
      if (hit !== undefined) return hit;
    }
    for (let k = 1; body.length - k >= minAffix; k++) {
      const hit = compact.get(body.slice(k));
      if (hit !== undefined) return hit;
    }
    return undefined;
  };

  const matchTokenized = (tokens: readonly string[], language: string | null = null): RelevanceResult => {
    const terms: string[] = [];
    const seen = new Set<string>();
    let strong = false;
    const weakEntries = new Set<string>();
    const codes = new Set<string>();

    const record = (target: Target) => {
      if (target.kind === 'region') {
        codes.add(target.code);
        return;
      }
      if (!seen.has(target.name)) {
        seen.add(target.name);
        terms.push(target.name);
      }
      if (target.weak) weakEntries.add(target.name);
      else strong = true;
    };

    // At each position, the longest phrase starting there. A match inside an earlier, longer one is part
    // of it and dropped ("kepulauan riau" is not also "riau"); matches that only overlap are both kept
    // ("pak hendra wijaya" is the weak "pak hendra" and the strong "hendra wijaya").
    let coveredUntil = 0;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const longest = longestFrom.get(token) ?? 0;
      let matched = 0;
      for (let len = Math.min(longest, tokens.length - i); len >= 1; len--) {
        const target = phrases.get(len === 1 ? token : tokens.slice(i, i + len).join(' '));
        if (target !== undefined) {
          if (i + len > coveredUntil) {
            record(target);
            coveredUntil = i + len;
          }
          matched = len;
          break;
        }
      }
      if (matched === 0 && i > 0 && tokens[i - 1] === FEATURE_TOKENS.hashtag && !isFeatureToken(token)) {
        const hit = hashtagAffix(token);
        if (hit !== undefined) record(hit);
      }
    }

    const languageOk = language === null ? config.languages.acceptUnknown : accepted.has(language);
    const relevant = languageOk && (strong || weakEntries.size >= weakNeeded);
    return { relevant, terms, region: resolveRegion(codes) };
  };

  return { match: (text, language = null) => matchTokenized(matchTokens(text), language), matchTokenized };
}

/** The most specific code when all mentioned places nest (province ⊃ regency); null when none or they differ. */
function resolveRegion(codes: ReadonlySet<string>): string | null {
  if (codes.size === 0) return null;
  let best = '';
  for (const code of codes) if (code.length > best.length) best = code;
  for (const code of codes) if (!best.startsWith(code)) return null;
  return best;
}
