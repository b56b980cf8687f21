/**
 * When two knowledge-base titles state the same claim, for choosing the match threshold. TurnBackHoax debunks a
 * resurfacing claim again under a new title ("SURAT REKRUTMEN KERJA OLEH MAYAPADA HOSPITAL" / "… JUNI 2024"), and
 * the benchmark names only one of them; for the pipeline, returning either debunk is a correct match. So a top-1
 * that is another title of the same claim counts as right when the threshold is chosen (`duplicate-aware`), while
 * `strict` counts only the expected title (and titles that read identically after the normaliser).
 *
 * Conservative on purpose: a wrong "same claim" would let the threshold drop on matches that are in fact wrong.
 * Two titles state the same claim when
 *  1. they read the same after the matcher's normaliser (numbers kept), or
 *  2. they are near-duplicates where one only adds detail to the other:
 *     - content words = the matcher's normaliser (`matchTokens`: stopwords out, numbers kept), without the
 *       media-framing words below ("Video", "Tangkapan Layar Artikel …", "Gambar … berjudul");
 *     - a word of one title and a word of the other are one word when they differ by an Indonesian affix
 *       (`akui`/`mengakui`, `putuskan`/`diputuskan`, `harta`/`hartanya`) or by one letter in words of 5+ letters
 *       (`magnitude`/`magnitudo`, `samudera`/`samudra`); `juni`/`juli`, `bsi`/`bni` stay different;
 *     - every content word of the shorter title is in the longer one (the longer only adds: a date, "Video",
 *       a place), and the word-set Jaccard is ≥ 0.6;
 *     - if both raw titles name @accounts, they name the same one (the normaliser drops @mentions, so
 *       "Akun Tiktok @a Berisi Konten Giveaway" and "… @b …" would otherwise look identical).
 *
 * Plain Jaccard ≥ 0.6 alone was tried first and let through different claims that differ in one name:
 * "Undian Berhadiah Mengatasnamakan Bank Aceh" / "… Bank BJB", "Lowongan Kerja Puskesmas Blora" /
 * "… Majalengka", "Wabah Mpox Sudah Menyebar ke Manado" / "… Nias"; the subset condition rejects those.
 * The knowledge base's de-duplication key (`claimKey` in src/kb/entry.ts) is not used: it drops numbers, and
 * "Gempa Bermagnitudo 4,2 Guncang Tuban pada 15 April 2024" / "Gempa Bermagnitudo 5 … pada 19 April 2024" (two
 * different quakes) share a key. There is no explicit "same claim" link between titles in the data.
 * It also rejects some true duplicates that reword the claim ("02 BATALKAN MAKAN SIANG GRATIS" / "Makan Siang
 * Gratis Digagalkan 02"): those stay counted wrong, which only makes the chosen threshold more cautious.
 */
import { matchTokens } from '../normalize.ts';

/** Words that say how a claim was shown (video, screenshot of an article), not what it says. */
export const FRAMING_WORDS: ReadonlySet<string> = new Set(['video', 'foto', 'gambar', 'tangkapan', 'layar', 'artikel', 'berjudul', 'judul', 'cover', 'cuplikan', 'rekaman', 'klaim']);

const PREFIXES = ['', 'me', 'mem', 'men', 'meng', 'meny', 'di', 'ber', 'be', 'ter', 'pe', 'pem', 'pen', 'peng', 'per', 'ke', 'se'];
const SUFFIXES = ['', 'kan', 'i', 'an', 'nya', 'lah'];
const HANDLE_RE = /@[\p{L}\p{N}_.]+/gu;

/** A title prepared for the same-claim test. */
export interface ClaimTitle {
  /** Normalised text (the matcher's tokens joined). */
  normalised: string;
  /** Content words without framing words. */
  words: ReadonlySet<string>;
  /** @accounts named in the raw title, lower case, trailing dots dropped. */
  handles: ReadonlySet<string>;
}

export function claimTitle(claim: string): ClaimTitle {
  const tokens = matchTokens(claim);
  const handles = new Set([...claim.matchAll(HANDLE_RE)].map((m) => m[0].toLowerCase().replace(/\.+$/, '')));
  return { normalised: tokens.join(' '), words: new Set(tokens.filter((t) => !FRAMING_WORDS.has(t))), handles };
}

/** `long` is `short` with an Indonesian prefix and/or suffix (`short` at least 4 letters). */
function affixed(short: string, long: string): boolean {
  if (short.length < 4 || long.length <= short.length) return false;
  const at = long.indexOf(short);
  if (at < 0) return false;
  return PREFIXES.includes(long.slice(0, at)) && SUFFIXES.includes(long.slice(at + short.length));
}

/** Levenshtein distance is exactly 1 (a substitution, an insertion or a deletion). */
function oneEdit(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Two words that are one word for the same-claim test: an affixed form or a one-letter variant. */
export function variantWords(a: string, b: string): boolean {
  if (a === b) return true;
  if (/[0-9]/.test(a) || /[0-9]/.test(b)) return false;
  if (affixed(a, b) || affixed(b, a)) return true;
  return a.length >= 5 && b.length >= 5 && oneEdit(a, b);
}

/** Whether two titles state the same claim (see the module header). Symmetric. */
export function sameClaimTitles(a: ClaimTitle, b: ClaimTitle): boolean {
  if (a.normalised === b.normalised) return true;
  if (a.handles.size > 0 && b.handles.size > 0 && ![...a.handles].some((h) => b.handles.has(h))) return false;
  const [short, long] = a.words.size <= b.words.size ? [a.words, b.words] : [b.words, a.words];
  if (short.size < 2) return false;
  // Map each word of the shorter title onto the longer one (itself, or one unused variant of it).
  const onlyLong = new Set([...long].filter((w) => !short.has(w)));
  let shared = 0;
  for (const w of short) {
    if (long.has(w)) {
      shared++;
      continue;
    }
    const partner = [...onlyLong].find((x) => variantWords(w, x));
    if (partner === undefined) return false;
    onlyLong.delete(partner);
    shared++;
  }
  const union = short.size + long.size - shared;
  return shared / union >= 0.6;
}

/** Whether two raw claims state the same claim. */
export function sameClaim(a: string, b: string): boolean {
  return sameClaimTitles(claimTitle(a), claimTitle(b));
}

/**
 * For a knowledge base: per entry, the entries stating the same claim (itself included). O(n²) over the titles
 * with a shared-word prefilter; 3,746 titles take well under a second.
 */
export function sameClaimGroups(claims: readonly string[]): Int32Array[] {
  const titles = claims.map(claimTitle);
  const byWord = new Map<string, number[]>();
  titles.forEach((t, i) => {
    for (const w of t.words) {
      let list = byWord.get(w);
      if (list === undefined) byWord.set(w, (list = []));
      list.push(i);
    }
  });
  const byText = new Map<string, number[]>();
  titles.forEach((t, i) => {
    let list = byText.get(t.normalised);
    if (list === undefined) byText.set(t.normalised, (list = []));
    list.push(i);
  });
  return titles.map((t, i) => {
    const candidates = new Set<number>([i, ...(byText.get(t.normalised) ?? [])]);
    for (const w of t.words) for (const j of byWord.get(w) ?? []) candidates.add(j);
    const out: number[] = [];
    for (const j of candidates) if (j === i || sameClaimTitles(t, titles[j]!)) out.push(j);
    return Int32Array.from(out.sort((x, y) => x - y));
  });
}
