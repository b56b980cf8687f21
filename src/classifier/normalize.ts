/**
 * Text normalisation for Indonesian social-media posts.
 *
 * Turns a raw post into a list of tokens: lower-case words in standard spelling, plus feature tokens for
 * things that carry signal but would only add noise as raw strings. Feature tokens start with `_`, which
 * no word token can, so the featuriser can tell them apart (it skips char n-grams for them).
 *
 * The slang lexicon is data, not code: at run time it comes from the model folder, so a model and the
 * normalisation it was trained with always travel together.
 */

/** Feature tokens emitted in place of surface forms. */
export const FEATURE_TOKENS = {
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
  /** Appended once per word of the model's abusive-word list (see `SlangLexicon.abusive`). */
  abusive: '_abusive',
  /** In place of a politician's, party's or candidate's name (see `SlangLexicon.entities`). */
  entity: '_tokoh',
} as const;

/** Slang → standard spelling, plus the set of standard words (to decide how to squeeze letter runs). */
export interface SlangLexicon {
  readonly map: ReadonlyMap<string, readonly string[]>;
  readonly vocabulary: ReadonlySet<string>;
  /**
   * Standard-spelling words that count as abusive (Ibrohim & Budi's list, shipped with the model). Each
   * occurrence appends one `_abusive` token at the end, so rare insults share the weight of common ones.
   */
  readonly abusive?: ReadonlySet<string>;
  /**
   * Names of politicians, candidates and parties, as token phrases. Each occurrence becomes one `_tokoh`
   * token, so a name is never evidence by itself: in the training tweets politicians' names co-occur with
   * insults, and a model that sees the names learns them ("respect sama pak prabowo" scored as hate speech).
   */
  readonly entities?: EntityPhrases;
  /** Split camel-case hashtags into words (`#PrabowoGibran` → `prabowo gibran`), so names inside tags are seen. */
  readonly splitHashtags?: boolean;
}

/** Token phrases by their first token, longest first. */
export type EntityPhrases = ReadonlyMap<string, readonly (readonly string[])[]>;

/**
 * Builds the phrase index from phrases as written ("Ganjar Pranowo", "PDIP", "Ma'ruf Amin"). A phrase is split
 * and lower-cased like the words of a post, without the slang lexicon or any other rewriting, so it matches a
 * name as people write it ("ma'ruf" would read as "sama ruf" after the lexicon, "ppp" as "pp").
 */
export function createEntityPhrases(phrases: Iterable<string>): EntityPhrases {
  const byFirst = new Map<string, string[][]>();
  const seen = new Set<string>();
  for (const phrase of phrases) {
    const tokens = entityPhraseTokens(phrase);
    const key = tokens.join(' ');
    if (tokens.length === 0 || seen.has(key)) continue;
    seen.add(key);
    const list = byFirst.get(tokens[0]!) ?? [];
    list.push(tokens);
    byFirst.set(tokens[0]!, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.length - a.length);
  return byFirst;
}

/** The words of a phrase as a post's raw words are cut: NFKC, lower case, split at non-letters, digits kept. */
export function entityPhraseTokens(phrase: string): string[] {
  return phrase
    .normalize('NFKC')
    .toLowerCase()
    .split(SPLIT_RE)
    .flatMap((part) => part.split('_'))
    .filter((t) => t.length > 0 && !isFeatureToken(t));
}

/** Length of the longest listed phrase that starts at `words[i]`, or 0. */
function entityMatchAt(words: readonly string[], i: number, entities: EntityPhrases): number {
  const candidates = entities.get(words[i]!);
  if (candidates === undefined) return 0;
  for (const phrase of candidates) {
    if (phrase.every((t, j) => words[i + j] === t)) return phrase.length;
  }
  return 0;
}

/** `tokens` with every entity phrase replaced by `_tokoh` (a run of names becomes one). */
function maskEntities(tokens: string[], entities: EntityPhrases): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const matched = entityMatchAt(tokens, i, entities);
    if (matched > 0) {
      if (out[out.length - 1] !== FEATURE_TOKENS.entity) out.push(FEATURE_TOKENS.entity);
      i += matched;
    } else {
      out.push(tokens[i]!);
      i++;
    }
  }
  return out;
}

/** `PrabowoGibran2024` → `Prabowo Gibran 2024`; an all-caps or all-lower tag is left whole. */
function splitCamelCase(tag: string): string {
  return tag.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2').replace(/(\p{L})(\p{N})|(\p{N})(\p{L})/gu, (_m, a, b, c, d) => (a !== undefined ? `${a} ${b}` : `${c} ${d}`));
}

const EMPTY_LEXICON: SlangLexicon = { map: new Map(), vocabulary: new Set() };

/**
 * Builds a lexicon from `slang → standard` pairs. Keys are lower-cased; identity pairs are dropped;
 * the standard side may be several words (`gpp → tidak apa apa`).
 */
export function createSlangLexicon(pairs: Iterable<readonly [string, string]>): SlangLexicon {
  const map = new Map<string, readonly string[]>();
  const vocabulary = new Set<string>();
  for (const [rawSlang, rawStandard] of pairs) {
    const slang = rawSlang.trim().toLowerCase();
    const standard = rawStandard.trim().toLowerCase().split(/\s+/).filter((w) => w.length > 0);
    if (slang.length === 0 || standard.length === 0) continue;
    for (const word of standard) vocabulary.add(word);
    if (standard.length === 1 && standard[0] === slang) continue;
    if (!map.has(slang)) map.set(slang, standard);
  }
  return { map, vocabulary };
}

/** Digits that stand for letters in leetspeak (`4nj1ng`). */
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g' };

const URL_RE = /\b(?:https?:\/\/|www\.)\S+|\bpic\.twitter\.com\/\S+/giu;
const MENTION_RE = /@[\p{L}\p{N}_]+/gu;
const HASHTAG_RE = /#([\p{L}\p{N}_]+)/gu;
const EMOJI_RE = /\p{Extended_Pictographic}/gu;
const SMILE_RE = /(?:^|\s)(?:[:;=]-?[)\]dDpP]+|\bx[dD]\b|\^_*\^)(?=\s|$)/gu;
const FROWN_RE = /(?:^|\s)(?:[:;=]'?-?[([]+)(?=\s|$)/gu;
const EXCLAMATION_RE = /!+/g;
const QUESTION_RE = /\?+/g;
/** Everything that is not a letter, digit or an underscore-led feature token separates tokens. */
const SPLIT_RE = /[^\p{L}\p{N}_]+/u;
const ASCII_SPLIT_RE = /[^a-z0-9_]+/;
const NON_ASCII_RE = /[^\t\n\r\x20-\x7e]/;
const EMOTICON_TRIGGER_RE = /[:;=^]|x[dD]\b/;
const DIGITS_RE = /^\d+$/;
const REDUPLICATION_RE = /^(\p{L}{2,})2$/u;
/** A digit between two letters marks leetspeak unambiguously (`anj1ng`, `k0nt0l`); `covid19`, `g20` stay. */
const LEET_INSIDE_RE = /\p{L}[0-9]+\p{L}/u;
const RUN_RE = /(\p{L})\1{2,}/gu;

/** A post counts as shouting when most of its letters (at least 12) are upper case. */
const SHOUT_MIN_LETTERS = 12;
const SHOUT_UPPER_RATIO = 0.7;

/** Beyond this many tokens a post is truncated: keeps latency bounded on long articles. */
export const MAX_TOKENS = 256;

/**
 * Normalises one post into tokens. Pure and deterministic: the same text and lexicon give the same tokens.
 */
export function normalizeTokens(text: string, lexicon: SlangLexicon = EMPTY_LEXICON): string[] {
  // Most posts are ASCII: skip Unicode normalisation and the emoji scan for them (both are costly).
  const ascii = !NON_ASCII_RE.test(text);
  let s = ascii ? text : text.normalize('NFKC');
  const shout = isShouting(s, ascii);
  // Each rewrite runs only when its trigger character is present: a cheap test saves a regex pass.
  if (s.includes('http') || s.includes('www.') || s.includes('pic.twitter')) s = s.replace(URL_RE, ` ${FEATURE_TOKENS.url} `);
  if (s.includes('@')) s = s.replace(MENTION_RE, ` ${FEATURE_TOKENS.user} `);
  if (s.includes('#')) {
    s = lexicon.splitHashtags
      ? s.replace(HASHTAG_RE, (_m, tag: string) => ` ${FEATURE_TOKENS.hashtag} ${splitCamelCase(tag)} `)
      : s.replace(HASHTAG_RE, ` ${FEATURE_TOKENS.hashtag} $1 `);
  }
  if (!ascii) s = s.replace(EMOJI_RE, ` ${FEATURE_TOKENS.emoji} `);
  if (EMOTICON_TRIGGER_RE.test(s)) s = s.replace(SMILE_RE, ` ${FEATURE_TOKENS.smile} `).replace(FROWN_RE, ` ${FEATURE_TOKENS.frown} `);
  if (s.includes('!')) s = s.replace(EXCLAMATION_RE, ` ${FEATURE_TOKENS.exclamation} `);
  if (s.includes('?')) s = s.replace(QUESTION_RE, ` ${FEATURE_TOKENS.question} `);
  s = s.toLowerCase();
  const out: string[] = [];
  if (shout) out.push(FEATURE_TOKENS.shout);
  const parts = s.split(ascii ? ASCII_SPLIT_RE : SPLIT_RE);
  const entities = lexicon.entities !== undefined && lexicon.entities.size > 0 ? lexicon.entities : null;
  if (entities === null) {
    for (const raw of parts) {
      if (raw.length === 0) continue;
      if (raw.charCodeAt(0) === 95 /* _ */) {
        // Our own feature tokens pass through; any other underscore run is just a separator.
        if (isFeatureToken(raw)) out.push(raw);
        else pushWord(raw.replace(/_+/g, ''), lexicon, out);
      } else if (raw.includes('_')) {
        for (const part of raw.split('_')) if (part.length > 0) pushWord(part, lexicon, out);
      } else {
        pushWord(raw, lexicon, out);
      }
      if (out.length >= MAX_TOKENS) break;
    }
  } else {
    // Names are matched twice: on the words as written (before the lexicon can rewrite them: "ma'ruf" → "sama
    // ruf"), then on the normalised tokens (squeezed, leetspeak or slang spellings of a name: "jokowiii").
    const words: string[] = [];
    for (const raw of parts) {
      if (raw.length === 0) continue;
      if (raw.charCodeAt(0) === 95 && isFeatureToken(raw)) words.push(raw);
      else for (const part of raw.split('_')) if (part.length > 0) words.push(part);
    }
    for (let i = 0; i < words.length && out.length < MAX_TOKENS; ) {
      const word = words[i]!;
      const matched = word.charCodeAt(0) === 95 ? 0 : entityMatchAt(words, i, entities);
      if (matched > 0) {
        if (out[out.length - 1] !== FEATURE_TOKENS.entity) out.push(FEATURE_TOKENS.entity);
        i += matched;
        continue;
      }
      if (word.charCodeAt(0) === 95) out.push(word);
      else pushWord(word, lexicon, out);
      i++;
    }
  }
  if (out.length > MAX_TOKENS) out.length = MAX_TOKENS;
  if (entities !== null) {
    const masked = maskEntities(out, entities);
    out.length = 0;
    out.push(...masked);
  }
  const abusive = lexicon.abusive;
  if (abusive !== undefined && abusive.size > 0) {
    const words = out.length;
    // At the end, not beside each word: the word bigrams stay those of the text.
    for (let i = 0; i < words; i++) if (abusive.has(out[i]!)) out.push(FEATURE_TOKENS.abusive);
  }
  return out;
}

/** Normalised text: the tokens joined by single spaces. Used for splits and de-duplication. */
export function normalizeText(text: string, lexicon: SlangLexicon = EMPTY_LEXICON): string {
  return normalizeTokens(text, lexicon).join(' ');
}

const FEATURE_TOKEN_SET: ReadonlySet<string> = new Set(Object.values(FEATURE_TOKENS));

export function isFeatureToken(token: string): boolean {
  return FEATURE_TOKEN_SET.has(token);
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
      const lower = ch.toLowerCase();
      const up = ch.toUpperCase();
      if (lower === up) continue;
      letters++;
      if (ch === up) upper++;
    }
  }
  return letters >= SHOUT_MIN_LETTERS && upper / letters >= SHOUT_UPPER_RATIO;
}

/** Normalises one lower-case alphanumeric word and appends the resulting token(s). */
function pushWord(word: string, lexicon: SlangLexicon, out: string[]): void {
  if (word.length === 0) return;
  const direct = lexicon.map.get(word);
  if (direct !== undefined) {
    out.push(...direct);
    return;
  }
  // Fast path: plain letters without a run of three (most words) need no regex at all.
  if (isPlainWord(word)) {
    out.push(word);
    return;
  }
  if (DIGITS_RE.test(word)) {
    out.push(FEATURE_TOKENS.number);
    return;
  }
  const redup = REDUPLICATION_RE.exec(word);
  if (redup !== null && redup[1] !== undefined) {
    // `kata2` is written reduplication: `kata kata`.
    const base = standardize(redup[1], lexicon);
    out.push(...base, ...base);
    return;
  }
  out.push(...standardize(word, lexicon));
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

/** Leetspeak, letter runs, then the slang lexicon. */
function standardize(word: string, lexicon: SlangLexicon): readonly string[] {
  let w = word;
  if (LEET_INSIDE_RE.test(w) || /^[0-9]+\p{L}+[0-9]+\p{L}/u.test(w)) {
    w = w.replace(/[0-9]/g, (d) => LEET[d] ?? d);
  }
  w = squeezeRuns(w, lexicon.vocabulary);
  return lexicon.map.get(w) ?? [w];
}

/**
 * Squeezes runs of three or more equal letters (`bangettt` → `banget`, `mantaaap` → `mantap`).
 * A run becomes one letter unless only the two-letter form is a known standard word (`maaaaf` → `maaf`).
 */
export function squeezeRuns(word: string, vocabulary: ReadonlySet<string>): string {
  if (!RUN_RE.test(word)) return word;
  RUN_RE.lastIndex = 0;
  const single = word.replace(RUN_RE, '$1');
  if (vocabulary.has(single)) return single;
  const double = word.replace(RUN_RE, '$1$1');
  if (vocabulary.has(double)) return double;
  return single;
}
