/**
 * Stance of a post towards the claim it repeats: does it spread the claim (`supports`) or answer it
 * (`counter`: it calls the claim a hoax, denies it, or passes on the clarification)? A post that quotes a hoax
 * to debunk it shares the hoax's words, so the claim matcher alone would call it a hoax.
 *
 * Rules, not a model: the cues fact-checkers and humas units write ("[SALAH]", "hoaks", "tidak benar",
 * "faktanya", "klarifikasi", "cek fakta") are few and stable, while chain messages defend themselves with the
 * same words negated ("ini bukan hoaks!", "bukan berita bohong"), which the rules treat as support. Measured on
 * TurnBackHoax (README, "Claim matching"): hoax narratives against debunk titles with their explanations.
 * Trusted publishers are counter whatever they write (their clarifications are the counter).
 */
import { keyTokens } from './text-keys.ts';

export type Stance = 'supports' | 'counter';

/** Words that call the claim false or name the answer to it. */
const DEBUNK_WORDS = new Set([
  'hoaks',
  'hoax',
  'hoaxs',
  'hoks',
  'disinformasi',
  'misinformasi',
  'klarifikasi',
  'faktanya',
  'meluruskan',
  'membantah',
  'dibantah',
  'bantahan',
  'menampik',
  'ditampik',
  'keliru',
  'cekfakta',
  'stophoax',
  'stophoaks',
  'antihoax',
  'antihoaks',
  'turnbackhoax',
]);

/** Two-word cues: the first word, then the ones that may follow it. */
const DEBUNK_PHRASES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['tidak', new Set(['benar', 'bener'])],
  ['tdk', new Set(['benar', 'bener'])],
  ['tak', new Set(['benar', 'bener'])],
  ['gak', new Set(['benar', 'bener'])],
  ['ga', new Set(['benar', 'bener'])],
  ['nggak', new Set(['benar', 'bener'])],
  ['bukan', new Set(['fakta'])],
  ['cek', new Set(['fakta'])],
  ['berita', new Set(['bohong'])],
  ['kabar', new Set(['bohong'])],
  ['jangan', new Set(['percaya', 'termakan', 'terprovokasi', 'sebarkan', 'disebarkan'])],
  ['fakta', new Set(['sebenarnya', 'sesungguhnya'])],
]);

/** Words that, right before a cue, turn it into the chain message's self-defence ("bukan hoaks"). */
const NEGATIONS = new Set(['bukan', 'bkn', 'tidak', 'tdk', 'gak', 'ga', 'nggak', 'enggak', 'tak']);

/** "dibilang hoax", "dicap hoaks": the chain message saying it is being called a hoax. */
const CALLED = new Set(['dibilang', 'dicap', 'dituduh', 'dianggap', 'disebut']);

/** "[SALAH]", "SALAH:" or "(HOAKS)" at the start: how fact-checkers title a debunk. */
const VERDICT_MARK = /^\s*(?:\[\s*(?:salah|hoaks|hoax|disinformasi|misinformasi|keliru|fitnah|klarifikasi|cek fakta)\s*\]|\(\s*(?:salah|hoaks|hoax)\s*\)|(?:salah|hoaks|hoax)\s*:)/i;

/** The stance of `text`; `trusted` (a trusted publisher's post) is always counter. */
export function stanceOf(text: string, trusted = false): Stance {
  if (trusted || VERDICT_MARK.test(text)) return 'counter';
  const tokens = keyTokens(text);
  // A chain message defending itself ("ini bukan hoaks!", "dibilang hoax, padahal nyata") supports its claim,
  // whatever debunk words it uses elsewhere ("…, faktanya vaksin berisi chip").
  for (let i = 1; i < tokens.length; i++) {
    if ((NEGATIONS.has(tokens[i - 1]!) || CALLED.has(tokens[i - 1]!)) && (DEBUNK_WORDS.has(tokens[i]!) || (tokens[i] === 'berita' && tokens[i + 1] === 'bohong'))) return 'supports';
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const negated = i > 0 && NEGATIONS.has(tokens[i - 1]!);
    if (DEBUNK_WORDS.has(t) && !negated) return 'counter';
    const next = DEBUNK_PHRASES.get(t);
    // "berita bohong" negated ("bukan berita bohong") is the chain message defending itself.
    if (next !== undefined && i + 1 < tokens.length && next.has(tokens[i + 1]!) && !negated) return 'counter';
  }
  return 'supports';
}
