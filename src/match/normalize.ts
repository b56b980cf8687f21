/**
 * Text normalisation for claim matching. Its own, versioned (like `transforms/text-keys.ts`): the reranker is
 * trained on these tokens, so the matcher model records `MATCH_NORMALISER_VERSION` and refuses a model made
 * with another.
 *
 * Unlike the narrative keys, numbers are kept (a claim about "gempa 9,8" is not one about "gempa 6,2"), and
 * words that carry no claim are dropped: Indonesian function words, chat abbreviations of them (`yg`, `dgn`),
 * and the fact-checkers' framing words (`PENJELASAN`, `[arsip]`, `hoaks`, `narasi`, `memposting`).
 *
 * What it does: removes the fact-checkers' boilerplate category sentence (`claimPart`);
 * removes URLs, @mentions and emoji; NFKC, lower case; splits on anything but letters and digits (a decimal
 * point or comma between digits stays: `9,8`); undoes leetspeak with a digit between letters (`rus4k`),
 * written reduplication (`kata2` → `kata kata`) and runs of three or more equal letters (`bangettt`); maps a
 * short list of chat spellings to the standard word (`gak` → `tidak`, `pemilu` stays); drops stopwords.
 */

export const MATCH_NORMALISER_VERSION = 1;

/** Beyond this many tokens a text is truncated (keeps retrieval time bounded on long articles). */
export const MAX_MATCH_TOKENS = 400;

/**
 * Chat spellings → standard words. Hand-written for pantau from common Indonesian usage (not from a dataset);
 * only frequent forms whose meaning is unambiguous.
 */
const SPELLINGS: Readonly<Record<string, string>> = {
  yg: 'yang', dgn: 'dengan', dg: 'dengan', utk: 'untuk', untk: 'untuk', tdk: 'tidak', gak: 'tidak', ga: 'tidak', nggak: 'tidak',
  ngga: 'tidak', enggak: 'tidak', engga: 'tidak', gk: 'tidak', tak: 'tidak', g: 'tidak', sdh: 'sudah', udh: 'sudah', udah: 'sudah',
  dah: 'sudah', blm: 'belum', blum: 'belum', krn: 'karena', karna: 'karena', krna: 'karena', jg: 'juga', jga: 'juga', aja: 'saja',
  aj: 'saja', sj: 'saja', bgt: 'banget', dr: 'dari', dri: 'dari', pd: 'pada', org: 'orang', orng: 'orang', tsb: 'tersebut',
  bs: 'bisa', bsa: 'bisa', sy: 'saya', gue: 'saya', gw: 'saya', aku: 'saya', km: 'kamu', lu: 'kamu', lo: 'kamu', kalo: 'kalau',
  klo: 'kalau', kl: 'kalau', klw: 'kalau', trs: 'terus', trus: 'terus', skrg: 'sekarang', skrang: 'sekarang', sm: 'sama',
  ama: 'sama', bkn: 'bukan', gimana: 'bagaimana', gmn: 'bagaimana', knp: 'kenapa', kpd: 'kepada', thd: 'terhadap',
  spt: 'seperti', kyk: 'seperti', kayak: 'seperti', sbg: 'sebagai', sbgai: 'sebagai', dlm: 'dalam',
  pdhl: 'padahal', tp: 'tapi', tpi: 'tapi', tetapi: 'tapi', hrs: 'harus', msh: 'masih', masi: 'masih', lg: 'lagi', lgi: 'lagi',
  bnyk: 'banyak', byk: 'banyak', sblm: 'sebelum', stlh: 'setelah', ttg: 'tentang', bhw: 'bahwa', dpt: 'dapat', dapet: 'dapat',
  dpet: 'dapat', kmrn: 'kemarin', kemaren: 'kemarin', bsk: 'besok', tgl: 'tanggal', thn: 'tahun', jt: 'juta', jta: 'juta',
  rb: 'ribu', rbu: 'ribu', milyar: 'miliar', smua: 'semua', smw: 'semua', sbnrnya: 'sebenarnya', emang: 'memang', emg: 'memang', mmg: 'memang',
  bener: 'benar', bnr: 'benar', beneran: 'benar', td: 'tadi', tdi: 'tadi', nih: 'ini', ni: 'ini', tuh: 'itu', tu: 'itu',
  hrg: 'harga', duit: 'uang', doku: 'uang', nyoblos: 'coblos', mencoblos: 'coblos', dicoblos: 'coblos', pencoblosan: 'coblos',
  kecurangan: 'curang', dicurangi: 'curang', sebarkan: 'sebar', viralkan: 'viral',
};

/**
 * Indonesian function words and chat fillers that carry no claim, plus the fact-checkers' own framing words.
 * Hand-written for pantau.
 */
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'yang dan di ke dari ini itu dengan untuk pada adalah dalam akan tidak juga atau oleh karena saja sudah belum ' +
    'bisa ada para se nya lah kah pun sih dong deh kok loh lho ya yah yuk ayo mari kan tapi namun serta bahwa agar ' +
    'supaya jika kalau maka sedang telah masih lagi harus dapat sebagai seperti tersebut tentang terhadap kepada ' +
    'bagi hingga sampai antara oleh sejak ketika saat setelah sebelum begitu sangat banget lebih paling sama ' +
    'semua setiap beberapa banyak sedikit hanya cuma pula kembali yaitu yakni ialah merupakan kami kita saya kamu ' +
    'anda dia mereka ia beliau nih tuh gitu gini aja dah deh wkwk wkwkwk haha hehe mas mbak pak bu bapak ibu kak ' +
    'bro sis guys gan min an the of and to in is a an rt via cc amp hoaks hoax arsip narasi berikut sebagai ' +
    'unggah mengunggah diunggah beredar unggahan akun penjelasan memposting posting postingan'
  ).split(/\s+/),
);

const URL_RE = /\b(?:https?:\/\/|www\.)\S+|\b[\w-]+\.(?:com|id|co|net|org|me|ly)\/\S*/giu;
const MENTION_RE = /@[\p{L}\p{N}_]+/gu;
const NON_ASCII_RE = /[^\t\n\r\x20-\x7e]/;
/** Letters or digits; a decimal separator between digits stays inside the token (`9,8`, `2.000`). */
const TOKEN_RE = /[\p{L}\p{N}]+(?:[.,][\p{N}]+)*/gu;
const ASCII_TOKEN_RE = /[a-z0-9]+(?:[.,][0-9]+)*/g;
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g' };
const LEET_INSIDE_RE = /\p{L}[0-9]+\p{L}/u;
const REDUPLICATION_RE = /^(\p{L}{2,})2$/u;
const RUN_RE = /(\p{L})\1{2,}/gu;
const DIGIT_RE = /[0-9]/;

/**
 * First Draft's category sentence that TurnBackHoax puts at the head of an explanation ("Berdasarkan 7 Jenis
 * Mis- dan Disinformasi oleh First Draft News, termasuk “Konten yang Menyesatkan: …”"): the same words in every
 * debunk, so they say nothing about the claim.
 */
const FIRST_DRAFT_RE = /Berdasarkan 7 Jenis Mis-? ?dan Disinformasi[^“"]{0,80}[“"][^”"]{0,300}[”"]?/gi;

/**
 * The text a claim matcher should look at: the fact-checkers' boilerplate removed. The rest of an explanation
 * (`PENJELASAN: Akun X memposting gambar Jokowi memegang pigura…`) stays: it restates the claim, and on dev
 * keeping it matched better than cutting it off (recall@1 of the lexical stage 0.749 cut, 0.774 kept).
 */
export function claimPart(text: string): string {
  return text.includes('Disinformasi') ? text.replace(FIRST_DRAFT_RE, ' ') : text;
}

/** Content tokens of a text for claim matching. Pure and deterministic. */
export function matchTokens(text: string): string[] {
  let s = claimPart(text);
  if (s.includes('http') || s.includes('www') || s.includes('/')) s = s.replace(URL_RE, ' ');
  if (s.includes('@')) s = s.replace(MENTION_RE, ' ');
  const ascii = !NON_ASCII_RE.test(s);
  if (!ascii) s = s.normalize('NFKC');
  s = s.toLowerCase();
  const out: string[] = [];
  const re = ascii ? ASCII_TOKEN_RE : TOKEN_RE;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    pushToken(m[0], out);
    if (out.length >= MAX_MATCH_TOKENS) break;
  }
  if (out.length > MAX_MATCH_TOKENS) out.length = MAX_MATCH_TOKENS;
  return out;
}

/** Units written against a number (`20jt`, `40rb`, `rp20jt`): split off so the number and the unit match alone. */
const UNITS: Readonly<Record<string, string>> = {
  jt: 'juta', juta: 'juta', rb: 'ribu', ribu: 'ribu', k: 'ribu', m: 'miliar', miliar: 'miliar', milyar: 'miliar', t: 'triliun',
  triliun: 'triliun', persen: 'persen', th: 'tahun', thn: 'tahun', tahun: 'tahun', an: 'an', km: 'km', kg: 'kg', mw: 'mw', sr: 'sr',
};
const MONEY_RE = /^(rp)?([0-9]+(?:[.,][0-9]+)*)([a-z]*)$/;

function pushToken(raw: string, out: string[]): void {
  let w = raw;
  if (DIGIT_RE.test(w)) {
    const money = MONEY_RE.exec(w);
    if (money !== null && (money[3] === '' || UNITS[money[3]!] !== undefined)) {
      if (money[1] !== undefined) out.push('rp');
      out.push(money[2]!.replace(/[.,]/g, ','));
      const unit = money[3] === '' ? undefined : UNITS[money[3]!];
      if (unit !== undefined && unit !== 'an') out.push(unit);
      return;
    }
    const redup = REDUPLICATION_RE.exec(w);
    if (redup !== null) {
      const base = standard(redup[1]!);
      if (base !== null) out.push(base, base);
      return;
    }
    if (LEET_INSIDE_RE.test(w)) w = w.replace(/[0-9]/g, (d) => LEET[d] ?? d);
    else {
      // A code like `g20` or `covid19`: kept as it is, separators unified (`9.8` and `9,8` are one number).
      out.push(w.replace(/[.,]/g, ','));
      return;
    }
  }
  const t = standard(w);
  if (t !== null) out.push(t);
}

/** Squeezes letter runs, maps chat spellings, drops stopwords and one-letter words. */
function standard(word: string): string | null {
  let w = word;
  if (w.length > 2 && RUN_RE.test(w)) {
    RUN_RE.lastIndex = 0;
    w = w.replace(RUN_RE, '$1');
  }
  w = SPELLINGS[w] ?? w;
  if (w.length < 2 || STOPWORDS.has(w)) return null;
  return w;
}

/** Char n-grams of one token inside `<` `>` boundaries, sizes min..max (the same as an ngram analyzer's). */
export function charNgrams(token: string, min: number, max: number, out: string[]): void {
  const w = `<${token}>`;
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n));
  }
}
