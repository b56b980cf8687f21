/**
 * The tokens that narrative keys (SimHash ids) and election relevance are computed from. Versioned, and
 * deliberately NOT the classifier's normaliser: that one travels with each model and changes when the model
 * is retrained (a new slang lexicon, a new abusive list, new feature tokens), and a narrative id must not
 * change with it, or the same message would start a second narrative the day a model is promoted.
 *
 * Version 1 is frozen: it reproduces what the classifier's normaliser did without a lexicon when narratives
 * were introduced, and test/unit/text-keys.test.ts checks it against tokens and hashes recorded then
 * (test/fixtures/narrative-keys.v1.jsonl). Changing anything here is a new version: add `keyTokensV2`, keep
 * v1, and migrate the narrative registry (its ids are hashes of v1 tokens).
 *
 * What v1 does: URLs in any case are removed; mentions, hashtags, emoji, emoticons, runs of ! and ? become
 * feature tokens (`_user`, `_hashtag` + the tag's word, `_emoji`…); a mostly upper-case post gets `_shout`;
 * then lower case, split on anything but letters, digits and `_`; numbers become `_num`, `kata2` becomes
 * `kata kata`, leetspeak between letters is undone (`anj1ng`), runs of three or more equal letters become
 * one (`bangettt`); at most 256 tokens.
 */

export const KEY_NORMALISER_VERSION = 1;

/** Feature tokens of v1 (the classifier's names at the time; fixed here). */
export const KEY_FEATURE_TOKENS = {
  url: '_url',
  user: '_user',
  hashtag: '_hashtag',
  emoji: '_emoji',
  number: '_num',
  exclamation: '_excl',
  question: '_quest',
  smile: '_smile',
  frown: '_frown',
  shout: '_shout',
  abusive: '_abusive',
} as const;

const FEATURE_TOKEN_SET: ReadonlySet<string> = new Set(Object.values(KEY_FEATURE_TOKENS));

/** True for the feature tokens above: they say how a post is written, not what it says. */
export function isKeyFeatureToken(token: string): boolean {
  return FEATURE_TOKEN_SET.has(token);
}

const MAX_TOKENS = 256;
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g' };

const URL_ANY_CASE = /\b(?:https?:\/\/|www\.)\S+/giu;
const URL_TRIGGER = /https?:|www\./i;
const URL_RE = /\b(?:https?:\/\/|www\.)\S+|\bpic\.twitter\.com\/\S+/giu;
const MENTION_RE = /@[\p{L}\p{N}_]+/gu;
const HASHTAG_RE = /#([\p{L}\p{N}_]+)/gu;
const EMOJI_RE = /\p{Extended_Pictographic}/gu;
const SMILE_RE = /(?:^|\s)(?:[:;=]-?[)\]dDpP]+|\bx[dD]\b|\^_*\^)(?=\s|$)/gu;
const FROWN_RE = /(?:^|\s)(?:[:;=]'?-?[([]+)(?=\s|$)/gu;
const EXCLAMATION_RE = /!+/g;
const QUESTION_RE = /\?+/g;
const SPLIT_RE = /[^\p{L}\p{N}_]+/u;
const ASCII_SPLIT_RE = /[^a-z0-9_]+/;
const NON_ASCII_RE = /[^\t\n\r\x20-\x7e]/;
const EMOTICON_TRIGGER_RE = /[:;=^]|x[dD]\b/;
const DIGITS_RE = /^\d+$/;
const REDUPLICATION_RE = /^(\p{L}{2,})2$/u;
const LEET_INSIDE_RE = /\p{L}[0-9]+\p{L}/u;
const LEET_EDGE_RE = /^[0-9]+\p{L}+[0-9]+\p{L}/u;
const RUN_RE = /(\p{L})\1{2,}/gu;
const SHOUT_MIN_LETTERS = 12;
const SHOUT_UPPER_RATIO = 0.7;

/** The v1 key tokens of a post's text. Pure and deterministic. */
export function keyTokens(text: string): string[] {
  // URLs first, in any case: a shouted "HTTPS://…/PILKADA-TPS" must not leave its path words behind.
  const input = URL_TRIGGER.test(text) ? text.replace(URL_ANY_CASE, ' ') : text;
  const ascii = !NON_ASCII_RE.test(input);
  let s = ascii ? input : input.normalize('NFKC');
  const shout = isShouting(s, ascii);
  if (s.includes('http') || s.includes('www.') || s.includes('pic.twitter')) s = s.replace(URL_RE, ` ${KEY_FEATURE_TOKENS.url} `);
  if (s.includes('@')) s = s.replace(MENTION_RE, ` ${KEY_FEATURE_TOKENS.user} `);
  if (s.includes('#')) s = s.replace(HASHTAG_RE, ` ${KEY_FEATURE_TOKENS.hashtag} $1 `);
  if (!ascii) s = s.replace(EMOJI_RE, ` ${KEY_FEATURE_TOKENS.emoji} `);
  if (EMOTICON_TRIGGER_RE.test(s)) s = s.replace(SMILE_RE, ` ${KEY_FEATURE_TOKENS.smile} `).replace(FROWN_RE, ` ${KEY_FEATURE_TOKENS.frown} `);
  if (s.includes('!')) s = s.replace(EXCLAMATION_RE, ` ${KEY_FEATURE_TOKENS.exclamation} `);
  if (s.includes('?')) s = s.replace(QUESTION_RE, ` ${KEY_FEATURE_TOKENS.question} `);
  s = s.toLowerCase();
  const out: string[] = [];
  if (shout) out.push(KEY_FEATURE_TOKENS.shout);
  for (const raw of s.split(ascii ? ASCII_SPLIT_RE : SPLIT_RE)) {
    if (raw.length === 0) continue;
    if (raw.charCodeAt(0) === 95 /* _ */) {
      if (isKeyFeatureToken(raw)) out.push(raw);
      else pushWord(raw.replace(/_+/g, ''), out);
    } else if (raw.includes('_')) {
      for (const part of raw.split('_')) if (part.length > 0) pushWord(part, out);
    } else {
      pushWord(raw, out);
    }
    if (out.length >= MAX_TOKENS) break;
  }
  if (out.length > MAX_TOKENS) out.length = MAX_TOKENS;
  return out;
}

function isShouting(text: string, ascii: boolean): boolean {
  let letters = 0;
  let upper = 0;
  if (ascii) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 65 && c <= 90) {
        letters++;
        upper++;
      } else if (c >= 97 && c <= 122) letters++;
    }
  } else {
    for (const ch of text) {
      const up = ch.toUpperCase();
      if (ch.toLowerCase() === up) continue;
      letters++;
      if (ch === up) upper++;
    }
  }
  return letters >= SHOUT_MIN_LETTERS && upper / letters >= SHOUT_UPPER_RATIO;
}

function pushWord(word: string, out: string[]): void {
  if (word.length === 0) return;
  if (isPlainWord(word)) {
    out.push(word);
    return;
  }
  if (DIGITS_RE.test(word)) {
    out.push(KEY_FEATURE_TOKENS.number);
    return;
  }
  const redup = REDUPLICATION_RE.exec(word);
  if (redup !== null && redup[1] !== undefined) {
    const base = standardize(redup[1]);
    out.push(base, base);
    return;
  }
  out.push(standardize(word));
}

/** ASCII letters only, and no letter three times in a row. */
function isPlainWord(word: string): boolean {
  let previous = -1;
  let run = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 97 || c > 122) return false;
    run = c === previous ? run + 1 : 1;
    if (run >= 3) return false;
    previous = c;
  }
  return true;
}

/** Leetspeak between letters undone, then runs of three or more equal letters squeezed to one. */
function standardize(word: string): string {
  let w = word;
  if (LEET_INSIDE_RE.test(w) || LEET_EDGE_RE.test(w)) w = w.replace(/[0-9]/g, (d) => LEET[d] ?? d);
  return w.replace(RUN_RE, '$1');
}
