/**
 * The desk's alert text, in Bahasa Indonesia for humas staff: one case (new or escalated) or a unit's digest,
 * rendered once into every form a channel may need (plain text, Slack mrkdwn, e-mail HTML, Telegram HTML and
 * a JSON payload; see ChannelMessage in desk/types.ts).
 *
 * Post text, authors, claims and clarification fields are untrusted: every form escapes them, and only
 * http(s) URLs ever become links (a `javascript:` or `data:` link is shown as "tanpa tautan"). The message is
 * built once as a small document (paragraphs and lists of text, bold, italic, code and links) and each form
 * renders that document, so no form can forget an escape the others have.
 */
import type { HumasUnit } from '../config/humas-units.ts';
import { type Clock, isoNow } from '../core/clock.ts';
import { dayIn } from '../api/dates.ts';
import type { Verdict } from '../kb/entry.ts';
import type { CaseContent, CaseStatus, ChannelMessage, ExamplePost, NarrativeCase } from './types.ts';

// ---------------------------------------------------------------------------------------------------------
// Words

const LABEL_NAMES: Readonly<Record<string, string>> = { hoax: 'hoaks', hate_speech: 'ujaran kebencian', sara: 'SARA', abusive: 'kata kasar' };
/** Which label names the subject when a case carries several. */
const LABEL_PRIORITY = ['hoax', 'sara', 'hate_speech', 'abusive'];

export const labelName = (label: string): string => LABEL_NAMES[label] ?? label;

const STATUS_NAMES: Readonly<Record<CaseStatus, string>> = {
  new: 'baru',
  acknowledged: 'diterima',
  countered: 'kontra-narasi dilaporkan',
  closed: 'ditutup',
};

const VERDICT_TAGS: Readonly<Record<Verdict, string>> = {
  hoaks: 'HOAKS',
  disinformasi: 'DISINFORMASI',
  misinformasi: 'MISINFORMASI',
  fitnah: 'FITNAH',
  klarifikasi: 'KLARIFIKASI',
  benar: 'BENAR',
};

const VERDICT_FACTS: Readonly<Record<Verdict, string>> = {
  hoaks: 'Informasi tersebut tidak benar (hoaks).',
  disinformasi: 'Informasi tersebut adalah disinformasi: tidak benar dan menyesatkan.',
  misinformasi: 'Informasi tersebut keliru (misinformasi).',
  fitnah: 'Informasi tersebut tidak benar dan merupakan fitnah.',
  klarifikasi: 'Pihak berwenang telah memberikan klarifikasi atas informasi tersebut.',
  benar: 'Informasi tersebut telah dikonfirmasi oleh sumber resmi.',
};

const TREND_NAMES = { naik: 'naik', turun: 'turun', stabil: 'stabil' } as const;

const PLATFORM_NAMES: Readonly<Record<string, string>> = {
  twitter: 'X (Twitter)',
  x: 'X (Twitter)',
  facebook: 'Facebook',
  instagram: 'Instagram',
  tiktok: 'TikTok',
  youtube: 'YouTube',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  news: 'Berita daring',
  rss: 'Berita daring',
};

const platformName = (platform: string): string => PLATFORM_NAMES[platform.toLowerCase()] ?? platform;

// ---------------------------------------------------------------------------------------------------------
// Numbers and times (id-ID)

const integerFormat = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const factorFormat = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 5210 → "5.210". */
export const formatNumber = (n: number): string => integerFormat.format(Math.round(n));

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];
const ZONE_NAMES: Readonly<Record<string, string>> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** "2027-02-28T16:30:00Z" in Asia/Jakarta → "28 Feb 2027 23.30 WIB". An unreadable time comes back as given. */
export function formatTime(iso: string | number, timeZone: string): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  let f = timeFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    timeFormats.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const hour = String(Number(get('hour')) % 24).padStart(2, '0');
  return `${get('day')} ${MONTHS[Number(get('month')) - 1] ?? get('month')} ${get('year')} ${hour}.${get('minute')} ${ZONE_NAMES[timeZone] ?? timeZone}`;
}

// ---------------------------------------------------------------------------------------------------------
// Text clean-up

/** C0 controls (tab, line feed and carriage return kept), DEL, zero-width and bidi controls: a post could hide or reorder text with them. */
function isHiddenControl(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    code === 0x7f ||
    code === 0x200b ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

function stripControls(s: string): string {
  let out = '';
  for (const ch of s) if (!isHiddenControl(ch.codePointAt(0)!)) out += ch;
  return out;
}
const URL_RE = /\b(?:https?:\/\/|www\.)\S+|\bpic\.twitter\.com\/\S+|\b[a-z][a-z0-9+.-]*:\/\/\S+|\bjavascript:\S*/giu;
const MENTION_RE = /(?<![\p{L}\p{N}_.])@[\p{L}\p{N}_.]+/gu;
const EMOJI_RE = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}]|[\u{1F3FB}-\u{1F3FF}]|\u20E3|\uFE0F|\u200D/gu;
const TRAILING_HASHTAGS_RE = /(?:\s*#[\p{L}\p{N}_]+)+\s*$/u;
const HASHTAG_RE = /#([\p{L}\p{N}_]+)/gu;

const CHAIN_PREFIX = String.raw`(?:(?:tolong|mohon|wajib|segera|ayo|yuk|harap)\s+)?`;
const CHAIN_VERB = String.raw`(?:sebarkan|sebarluaskan|disebarkan|disebarluaskan|viralkan|diviralkan|bagikan|dibagikan|share|teruskan|forward|broadcast)`;
const CHAIN_TAIL = String.raw`(?:\s+(?:sebelum\s+(?:di)?hapus|sblm\s+(?:di)?hapus|ke\s+(?:semua\s+|seluruh\s+)?(?:grup|group|teman|kawan|saudara|keluarga|kontak|orang)(?:\s+(?:anda|kamu|lain|lainnya|wa|whatsapp|kalian|keluarga|teman|kantor|alumni|rt|rw|terdekat|tercinta))*|segera|luas|seluas-luasnya|sebanyak-banyaknya|sebanyak\s+mungkin|ya|yuk|guys|(?:agar|biar|supaya)\s+(?:semua\s+)?(?:orang|masyarakat|warga)?\s*tahu))*`;
/** A call to spread the message: removed when shouted, followed by "!" or about deletion ("sebelum dihapus"). */
const CHAIN_RE = new RegExp(String.raw`(?<![\p{L}\p{N}])${CHAIN_PREFIX}${CHAIN_VERB}${CHAIN_TAIL}(?![\p{L}\p{N}])(\s*[!.]+)?`, 'giu');
const CHAIN_KEEP_AFTER_RE = /\bjangan\s+(?:di)?$/iu;
const DONT_STOP_RE = /(?<![\p{L}])jangan\s+(?:berhenti|putus|stop)\s+di\s+(?:kamu|anda|sini|tangan\s+anda)(?:\s+saja)?[!.]*/giu;
const ALARM_LEAD_RE = /^(?:\s*(?:info\s+penting|penting|breaking(?:\s+news)?|waspada|awas|darurat|info\s+a1|perhatian|baca\s+sampai\s+(?:habis|selesai))\s*[!:.]+)+/iu;

/** Upper-case words kept as written: acronyms a humas reader expects in capitals. */
const ACRONYMS = new Set(
  'KPU RI TPS DPR DPRD DPD KTP NIK KK DPT KPPS PPS PPK PPLN MK MA KPK TNI POLRI PNS ASN BPS BUMN BLT BPJS PLN DKI NTT NTB SARA PDIP PKB PKS PAN PPP NU UU PP WNA WNI OTT IKN PBB APBN APBD KIP KIS LPG BBM SMS WA PT CV'.split(' '),
);
/** Upper-case words with a usual spelling of their own. */
const PROPER: Readonly<Record<string, string>> = {
  BAWASLU: 'Bawaslu',
  PANWASLU: 'Panwaslu',
  KOMDIGI: 'Komdigi',
  KOMINFO: 'Kominfo',
  DISKOMINFO: 'Diskominfo',
  INDONESIA: 'Indonesia',
  JAKARTA: 'Jakarta',
  PRESIDEN: 'Presiden',
  PEMILU: 'pemilu',
  PILKADA: 'pilkada',
  PILPRES: 'pilpres',
};

const MAX_SENTENCE = 200;
const MIN_SENTENCE = 15;
const ABBREVIATION_RE = /(?:^|\s)(?:no|dr|drs|ir|bpk|bp|ibu|jl|kab|kec|kel|prov|dll|dsb|tgl|sdr|hj|st|pt|a\.n|u\.p)\.$/iu;

function stripNoise(text: string): string {
  let s = stripControls(text).replace(URL_RE, ' ').replace(MENTION_RE, ' ').replace(EMOJI_RE, ' ');
  s = s.replace(TRAILING_HASHTAGS_RE, '').replace(HASHTAG_RE, '$1');
  s = s.replace(DONT_STOP_RE, ' ');
  s = s.replace(CHAIN_RE, (match: string, punct: string | undefined, offset: number, whole: string) => {
    if (CHAIN_KEEP_AFTER_RE.test(whole.slice(Math.max(0, offset - 12), offset))) return match;
    const words = punct === undefined ? match : match.slice(0, match.length - punct.length);
    const shouted = /\p{Lu}/u.test(words) && words === words.toUpperCase();
    if (shouted || (punct ?? '').includes('!') || /hapus/iu.test(words)) return ' ';
    return match;
  });
  s = s.replace(ALARM_LEAD_RE, ' ');
  // A line break ends a sentence when the line has four words or more and the next line starts with a
  // capital (a headline on its own line); otherwise it is a wrapped sentence and becomes a space.
  s = s.replace(/([^\n]*?)([^\s.!?…:;,])[ \t]*(?:\r?\n\s*)+(?=\p{Lu})/gu, (_m, head: string, last: string) =>
    (head + last).trim().split(/\s+/).length >= 4 ? `${head}${last}. ` : `${head}${last} `,
  );
  s = s.replace(/\s*(?:\r?\n)+\s*/g, ' ');
  s = s
    .replace(/([!?])[!?1]*[!?]/g, '$1')
    .replace(/\.{2,}|…+/g, '…')
    .replace(/([,;:])\1+/g, '$1')
    .replace(/[-=_*~]{3,}/g, ' ')
    .replace(/\s+([,.!?;:…])/g, '$1')
    .replace(/\s+/g, ' ');
  return s.trim().replace(/^[\s–—:;,.!?…-]+/u, '').replace(/\s*[–—:;,-]+$/u, '');
}

function isShouting(text: string): boolean {
  let letters = 0;
  let upper = 0;
  for (const ch of text) {
    const up = ch.toUpperCase();
    const low = ch.toLowerCase();
    if (up === low) continue;
    letters++;
    if (ch === up) upper++;
  }
  return letters >= 12 && upper / letters >= 0.7;
}

/** ALL-CAPS words to normal case, keeping acronyms (KPU, TPS) and codes with digits (C1, 01). */
function normaliseCase(text: string): string {
  const shouting = isShouting(text);
  const out = text.replace(/[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu, (word) => {
    if (!/\p{Lu}/u.test(word) || word !== word.toUpperCase() || /\p{N}/u.test(word)) return word;
    if (ACRONYMS.has(word)) return word;
    const proper = PROPER[word];
    if (proper !== undefined) return proper;
    if (shouting || [...word].length >= 4) return word.toLowerCase();
    return word;
  });
  // Sentence starts get a capital again.
  return out.replace(/(^|[.!?]\s+)(\p{Ll})/gu, (_m, lead: string, ch: string) => lead + ch.toUpperCase());
}

/** Text cut at a word boundary to at most `max` characters, "…" included. */
export function cutAtWord(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  const cut = space >= max / 2 ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,.;:!?\-–—…]+$/u, '')}…`;
}

function firstSentence(text: string): string {
  const re = /[.!?](?=\s|$)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const end = m.index + 1;
    if (end < MIN_SENTENCE) continue;
    const candidate = text.slice(0, end);
    if (ABBREVIATION_RE.test(candidate)) continue;
    return candidate;
  }
  return text;
}

/**
 * The narrative in one sentence: URLs, @mentions, emoji, repeated punctuation and chain-message calls
 * ("SEBARKAN!!!", "VIRALKAN SEBELUM DIHAPUS", "jangan berhenti di kamu") removed, ALL-CAPS words in normal
 * case (acronyms such as KPU and TPS kept), cut at the first sentence end or at a word boundary within 200
 * characters with "…". An empty string when nothing readable is left.
 */
export function narrativeSentence(text: string): string {
  const clean = normaliseCase(stripNoise(text));
  if (clean.length === 0) return '';
  return cutAtWord(firstSentence(clean), MAX_SENTENCE);
}

/** A post's text for an example line: noise kept (it is evidence), controls removed, one line, ≤ 200 chars. */
function excerpt(text: string, max = 200): string {
  return cutAtWord(stripControls(text).replace(/\s+/g, ' ').trim(), max);
}

/** The URL when it is an absolute http(s) URL (normalised), else null: nothing else becomes a link. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed) || /\s/.test(trimmed) || stripControls(trimmed) !== trimmed) return null;
  try {
    const parsed = new URL(trimmed);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.href;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Counter message

const MAX_COUNTER = 600;
const CLAIM_VERDICT_PREFIX_RE = /^\s*(?:\[[^\]]{2,20}\]|\((?:salah|hoaks|hoax|disinformasi|misinformasi|fitnah|keliru)\)|(?:salah|hoaks|hoax|disinformasi|misinformasi|fitnah|keliru)\s*[:\-–])\s*/iu;
const CHECK_FIRST = 'Yuk, cek fakta sebelum membagikan informasi. Saring sebelum sharing!';

/**
 * A short counter message a humas unit can post as it is, when the case has a matched clarification: the
 * claim tagged with the verdict, the fact (first sentence of the clarification's explanation, else what the
 * verdict says), "Sumber resmi: <url>" and an invitation to check before sharing. At most 600 characters.
 * Null when the case has no clarification.
 */
export function suggestCounterMessage(c: CaseContent): string | null {
  const k = c.clarification;
  if (k === null) return null;
  const tag = VERDICT_TAGS[k.verdict] ?? k.verdict.toUpperCase();
  const url = safeHttpUrl(k.url);
  const source = url !== null && url.length <= 300 ? `Sumber resmi: ${url}` : k.publisher !== null && k.publisher.trim() !== '' ? `Sumber: ${excerpt(k.publisher, 100)}` : null;
  const claim = cutAtWord(narrativeSentence(k.claim.replace(CLAIM_VERDICT_PREFIX_RE, '')) || excerpt(k.claim, 160), 160);
  const explained = k.explanation === null ? '' : narrativeSentence(k.explanation);
  const fixed = [`[${tag}] ${claim}`, source, CHECK_FIRST].filter((line): line is string => line !== null);
  const fixedLength = fixed.reduce((n, line) => n + line.length + 1, 0);
  const factBudget = MAX_COUNTER - fixedLength - 'Faktanya: '.length;
  const fact = explained !== '' ? `Faktanya: ${cutAtWord(explained, Math.max(40, factBudget))}` : VERDICT_FACTS[k.verdict];
  const lines = [fixed[0]!, fact, ...fixed.slice(1)];
  const message = lines.join('\n');
  return [...message].length <= MAX_COUNTER ? message : cutAtWord(message, MAX_COUNTER);
}

// ---------------------------------------------------------------------------------------------------------
// The document and its forms

type Inline =
  | { t: 'text'; v: string }
  | { t: 'b'; v: string }
  | { t: 'i'; v: string }
  | { t: 'code'; v: string }
  | { t: 'link'; url: string; label: string }
  | { t: 'br' };

type Block = { kind: 'p'; parts: Inline[] } | { kind: 'list'; ordered: boolean; items: Inline[][] } | { kind: 'quote'; lines: string[] };

const text = (v: string): Inline => ({ t: 'text', v });
const bold = (v: string): Inline => ({ t: 'b', v });
const italic = (v: string): Inline => ({ t: 'i', v });
const br: Inline = { t: 'br' };
/** A link when `url` is http(s); else the fallback text, never a link. */
const link = (url: string | null, label: string, fallback = 'tanpa tautan'): Inline => {
  const safe = safeHttpUrl(url);
  return safe === null ? italic(fallback) : { t: 'link', url: safe, label };
};
const p = (...parts: Inline[]): Block => ({ kind: 'p', parts });

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** &, < and >: all Telegram's HTML mode and Slack's mrkdwn need escaped. */
const escapeAngles = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeTelegram = escapeAngles;
const escapeSlack = escapeAngles;
/** Slack link targets: `|` and `>` end the target, so they are percent-encoded; & escaped as Slack asks. */
const slackUrl = (url: string): string => escapeSlack(url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C'));
/** Text in mrkdwn: &, < and > escaped, so no `<!channel>`, `<@user>` or `<url|label>` can come from a post. */
const slackText = escapeSlack;

function renderInlinePlain(parts: readonly Inline[], indent: string): string {
  return parts
    .map((x) => {
      switch (x.t) {
        case 'br':
          return `\n${indent}`;
        case 'link':
          return x.label === x.url ? x.url : `${x.label}: ${x.url}`;
        default:
          return x.v;
      }
    })
    .join('');
}

/** mrkdwn emphasis only works with the marks against the words: "*Narasi:* teks", not "*Narasi: *teks". */
function slackEmphasis(mark: string, v: string): string {
  const m = /^(\s*)(.*?)(\s*)$/su.exec(v)!;
  return m[2] === '' ? v : `${m[1]}${mark}${slackText(m[2]!)}${mark}${m[3]}`;
}

function renderInlineSlack(parts: readonly Inline[], indent: string): string {
  return parts
    .map((x) => {
      switch (x.t) {
        case 'br':
          return `\n${indent}`;
        case 'link':
          return `<${slackUrl(x.url)}|${slackText(x.label)}>`;
        case 'b':
          return slackEmphasis('*', x.v);
        case 'i':
          return slackEmphasis('_', x.v);
        case 'code':
          return `\`${slackText(x.v)}\``;
        default:
          return slackText(x.v);
      }
    })
    .join('');
}

function renderInlineTelegram(parts: readonly Inline[], indent: string): string {
  return parts
    .map((x) => {
      switch (x.t) {
        case 'br':
          return `\n${indent}`;
        case 'link':
          return `<a href="${escapeTelegram(x.url).replace(/"/g, '&quot;')}">${escapeTelegram(x.label)}</a>`;
        case 'b':
          return `<b>${escapeTelegram(x.v)}</b>`;
        case 'i':
          return `<i>${escapeTelegram(x.v)}</i>`;
        case 'code':
          return `<code>${escapeTelegram(x.v)}</code>`;
        default:
          return escapeTelegram(x.v);
      }
    })
    .join('');
}

const LINK_STYLE = 'color:#0b57d0;text-decoration:underline';

function renderInlineHtml(parts: readonly Inline[]): string {
  return parts
    .map((x) => {
      switch (x.t) {
        case 'br':
          return '<br>';
        case 'link':
          return `<a href="${escapeHtml(x.url)}" style="${LINK_STYLE}" target="_blank" rel="noopener noreferrer">${escapeHtml(x.label)}</a>`;
        case 'b':
          return `<strong>${escapeHtml(x.v)}</strong>`;
        case 'i':
          return `<em>${escapeHtml(x.v)}</em>`;
        case 'code':
          return `<code style="font-family:monospace">${escapeHtml(x.v)}</code>`;
        default:
          return escapeHtml(x.v);
      }
    })
    .join('');
}

interface Forms {
  text: string;
  markdown: string;
  html: string;
  telegram_html: string;
}

function renderBlocks(blocks: readonly Block[]): Forms {
  const plain: string[] = [];
  const slack: string[] = [];
  const telegram: string[] = [];
  const html: string[] = [];
  for (const block of blocks) {
    if (block.kind === 'p') {
      plain.push(renderInlinePlain(block.parts, ''));
      slack.push(renderInlineSlack(block.parts, ''));
      telegram.push(renderInlineTelegram(block.parts, ''));
      html.push(`<p style="margin:0 0 12px 0">${renderInlineHtml(block.parts)}</p>`);
    } else if (block.kind === 'list') {
      const marker = (i: number) => (block.ordered ? `${i + 1}. ` : '• ');
      const pad = (i: number) => ' '.repeat(marker(i).length);
      plain.push(block.items.map((item, i) => `${block.ordered ? marker(i) : '- '}${renderInlinePlain(item, pad(i))}`).join('\n'));
      slack.push(block.items.map((item, i) => `${marker(i)}${renderInlineSlack(item, pad(i))}`).join('\n'));
      telegram.push(block.items.map((item, i) => `${marker(i)}${renderInlineTelegram(item, pad(i))}`).join('\n'));
      const tag = block.ordered ? 'ol' : 'ul';
      html.push(`<${tag} style="margin:0 0 12px 0;padding-left:24px">${block.items.map((item) => `<li style="margin:0 0 6px 0">${renderInlineHtml(item)}</li>`).join('')}</${tag}>`);
    } else {
      plain.push(block.lines.join('\n'));
      slack.push(block.lines.map((line) => `>${slackText(line)}`).join('\n'));
      telegram.push(block.lines.map((line) => escapeTelegram(line)).join('\n'));
      html.push(
        `<blockquote style="margin:0 0 12px 0;padding:8px 12px;border-left:4px solid #0b57d0;background:#f1f5fb;white-space:pre-wrap">${block.lines.map(escapeHtml).join('<br>')}</blockquote>`,
      );
    }
  }
  return {
    text: plain.join('\n\n'),
    markdown: slack.join('\n\n'),
    telegram_html: telegram.join('\n\n'),
    html: `<div style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#1f2933;max-width:640px">${html.join('')}<p style="margin:16px 0 0 0;font-size:12px;color:#6b7280">Pesan otomatis dari pantau, pemantauan hoaks dan konten negatif jaringan Bakohumas.</p></div>`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Case messages

export interface RenderOptions {
  clock: Clock;
  /** IANA time zone the times are shown in (the units file's `timezone`, normally Asia/Jakarta → WIB). */
  timezone: string;
}

export interface CaseRenderOptions extends RenderOptions {
  /** For escalations: the engagement at the previous alert, so the message can say how much the reach grew. */
  lastAlertedEngagement?: number;
}

/** The label that names the case in a subject, capitalised: "Hoaks", "SARA", "Ujaran kebencian". */
function headline(labels: readonly string[]): string {
  const main = LABEL_PRIORITY.find((l) => labels.includes(l)) ?? labels[0];
  if (main === undefined) return 'Peringatan';
  const name = labelName(main);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const labelList = (labels: readonly string[]): string => (labels.length === 0 ? '-' : labels.map(labelName).join(', '));
const reachLine = (c: CaseContent): string => `${formatNumber(c.reach.posts)} unggahan, ${formatNumber(c.reach.engagement)} interaksi`;
const summaryOf = (c: CaseContent): string => narrativeSentence(c.summary) || excerpt(c.summary) || '(tanpa teks)';

/** "2,3×" (one decimal, id-ID). */
export const formatFactor = (factor: number): string => `${factorFormat.format(factor)}×`;

function growth(c: NarrativeCase, options: CaseRenderOptions): number | null {
  const last = options.lastAlertedEngagement;
  if (last === undefined || !Number.isFinite(last) || last <= 0) return null;
  return c.reach.engagement / last;
}

function exampleItem(e: ExamplePost, timezone: string): Inline[] {
  const meta = `${platformName(e.platform)} · ${formatTime(e.created_at, timezone)} · ${formatNumber(e.reach)} interaksi`;
  const quoted = excerpt(e.text);
  return [bold(meta), br, text(`“${quoted === '' ? '(tanpa teks)' : quoted}”`), br, link(e.url, 'buka unggahan')];
}

function examplePayload(e: ExamplePost): Record<string, unknown> {
  return { id: e.id, platform: e.platform, author: e.author, created_at: e.created_at, url: safeHttpUrl(e.url), text: stripControls(e.text), reach: e.reach };
}

/** One case for one unit, new or escalated. `id` is `<case_id>:<kind>:<escalations>`. */
export function renderCaseMessage(c: NarrativeCase, unit: HumasUnit, kind: 'new' | 'escalation', options: CaseRenderOptions): ChannelMessage {
  const { timezone } = options;
  const summary = summaryOf(c);
  const factor = kind === 'escalation' ? growth(c, options) : null;
  const growthText = factor === null ? null : `jangkauan naik ${formatFactor(factor)}`;
  const subjectHead = `${kind === 'escalation' ? '[ESKALASI] ' : ''}[pantau] ${headline(c.labels)}: `;
  const subjectTail = growthText === null ? '' : ` (${growthText})`;
  const subject = subjectHead + cutAtWord(summary, Math.max(30, 120 - subjectHead.length - subjectTail.length)) + subjectTail;
  const counter = suggestCounterMessage(c);

  const blocks: Block[] = [];
  if (kind === 'escalation') {
    const since =
      factor === null
        ? 'Jangkauan kasus ini terus naik sejak peringatan terakhir.'
        : `Jangkauan naik ${formatFactor(factor)} sejak peringatan terakhir (${formatNumber(options.lastAlertedEngagement!)} → ${formatNumber(c.reach.engagement)} interaksi).`;
    blocks.push(p(bold('[ESKALASI] '), text(since)));
  }
  blocks.push(p(bold(`${kind === 'escalation' ? 'Eskalasi kasus untuk' : 'Kasus baru untuk'} ${unit.name}`)));
  blocks.push(p(bold('Narasi: '), text(summary)));
  blocks.push(p(bold('Label: '), text(labelList(c.labels)), br, bold('Jangkauan: '), text(`${reachLine(c)} · tren ${TREND_NAMES[c.reach.trend] ?? c.reach.trend}`)));
  if (c.examples.length > 0) {
    blocks.push(p(bold('Contoh unggahan:')));
    blocks.push({ kind: 'list', ordered: true, items: c.examples.slice(0, 3).map((e) => exampleItem(e, timezone)) });
  }
  const k = c.clarification;
  if (k !== null) {
    const by = [k.publisher, k.published_at === null ? null : formatTime(k.published_at, timezone)].filter((x): x is string => x !== null && x !== '');
    blocks.push(
      p(
        bold(`Klarifikasi: ${VERDICT_TAGS[k.verdict] ?? k.verdict}`),
        text(` (kecocokan ${Math.round(k.probability * 100)}%)${by.length > 0 ? ` — ${by.join(', ')}` : ''}`),
        br,
        text(`“${excerpt(k.claim, 240)}”`),
        br,
        link(k.url, 'baca klarifikasi'),
      ),
    );
    if (counter !== null) {
      blocks.push(p(bold('Usulan kontra-narasi (siap unggah):')));
      blocks.push({ kind: 'quote', lines: counter.split('\n') });
    }
  } else {
    blocks.push(p(bold('Belum ada klarifikasi. '), text(`Mohon ${unit.name} menyiapkan klarifikasi atau kontra-narasi, lalu melaporkannya lewat tautan "Laporkan kontra-narasi".`)));
  }
  blocks.push(p(bold('Status: '), text(`${STATUS_NAMES[c.status] ?? c.status} (dibuka ${formatTime(c.opened_at, timezone)})`)));
  blocks.push({
    kind: 'list',
    ordered: false,
    items: [[link(c.links.acknowledge, 'Tandai diterima', 'Tandai diterima (tautan tidak tersedia)')], [link(c.links.counter, 'Laporkan kontra-narasi', 'Laporkan kontra-narasi (tautan tidak tersedia)')], [link(c.links.close, 'Tutup kasus', 'Tutup kasus (tautan tidak tersedia)')]],
  });
  blocks.push(p(link(c.links.view, 'Lihat kasus lengkap', 'Lihat kasus di dasbor pantau')));

  const forms = renderBlocks(blocks);
  const sentAt = isoNow(options.clock);
  return {
    id: `${c.case_id}:${kind}:${c.escalations}`,
    subject,
    ...forms,
    payload: {
      type: 'pantau.case',
      kind,
      case_id: c.case_id,
      cluster_id: c.cluster_id,
      unit_id: unit.id,
      status: c.status,
      labels: [...c.labels],
      summary,
      examples: c.examples.slice(0, 3).map(examplePayload),
      reach: c.reach,
      clarification: k === null ? null : { ...k, url: safeHttpUrl(k.url) },
      suggested_counter: counter,
      links: { ...c.links },
      ...(factor === null ? {} : { growth: Math.round(factor * 100) / 100 }),
      sent_at: sentAt,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Digest

const MAX_DIGEST_CASES = 20;

/** A unit's open cases for its digest: not closed, most engagement first, then newest, then case id. */
export function digestCases(cases: readonly NarrativeCase[], unit: Pick<HumasUnit, 'id'>): NarrativeCase[] {
  return cases
    .filter((c) => c.unit_id === unit.id && c.status !== 'closed')
    .sort((a, b) => b.reach.engagement - a.reach.engagement || Date.parse(b.opened_at) - Date.parse(a.opened_at) || (a.case_id < b.case_id ? -1 : a.case_id > b.case_id ? 1 : 0));
}

/**
 * Whether a unit's digest goes out. An empty digest ("Tidak ada kasus baru") IS sent: it is one message a
 * day, and it tells the unit that pantau and the channel work, which silence cannot. Nothing is sent to a
 * unit without a digest schedule or without channels.
 */
export function shouldSendDigest(unit: Pick<HumasUnit, 'digest_cron' | 'channels'>, _openCases: readonly NarrativeCase[]): boolean {
  return unit.digest_cron !== null && unit.channels.length > 0;
}

/** The unit's digest: every open case of the unit in one message. `id` is `<unit_id>:digest:<YYYY-MM-DD>` (day in `timezone`). */
export function renderDigest(cases: readonly NarrativeCase[], unit: HumasUnit, options: RenderOptions): ChannelMessage {
  const nowMs = options.clock();
  const day = dayIn(nowMs, options.timezone);
  const open = digestCases(cases, unit);
  const dayText = formatTime(nowMs, options.timezone).split(' ').slice(0, 3).join(' ');
  const blocks: Block[] = [p(bold(`Ringkasan harian ${unit.name}`), text(` — ${dayText}`))];
  let subject: string;
  if (open.length === 0) {
    subject = `[pantau] Ringkasan harian: Tidak ada kasus baru`;
    blocks.push(p(text('Tidak ada kasus baru dan tidak ada kasus terbuka. Pemantauan tetap berjalan.')));
  } else {
    const fresh = open.filter((c) => c.status === 'new').length;
    subject = `[pantau] Ringkasan harian: ${formatNumber(open.length)} kasus terbuka (${formatNumber(fresh)} baru)`;
    blocks.push(p(text(`${formatNumber(open.length)} kasus terbuka, ${formatNumber(fresh)} di antaranya belum ditandai diterima. Urut dari jangkauan terbesar.`)));
    blocks.push({
      kind: 'list',
      ordered: true,
      items: open.slice(0, MAX_DIGEST_CASES).map((c) => [
        bold(`${headline(c.labels)}: `),
        text(summaryOf(c)),
        br,
        text(`${reachLine(c)} · tren ${TREND_NAMES[c.reach.trend] ?? c.reach.trend} · status ${STATUS_NAMES[c.status] ?? c.status} · ${c.clarification === null ? 'belum ada klarifikasi' : `klarifikasi: ${VERDICT_TAGS[c.clarification.verdict] ?? c.clarification.verdict}`}`),
        br,
        link(c.links.view, 'Lihat kasus', 'tautan tidak tersedia'),
      ]),
    });
    if (open.length > MAX_DIGEST_CASES) blocks.push(p(italic(`… dan ${formatNumber(open.length - MAX_DIGEST_CASES)} kasus lain di dasbor pantau.`)));
  }
  const forms = renderBlocks(blocks);
  return {
    id: `${unit.id}:digest:${day}`,
    subject,
    ...forms,
    payload: {
      type: 'pantau.digest',
      unit_id: unit.id,
      day,
      count: open.length,
      cases: open.map((c) => ({
        case_id: c.case_id,
        cluster_id: c.cluster_id,
        status: c.status,
        labels: [...c.labels],
        summary: summaryOf(c),
        reach: { posts: c.reach.posts, engagement: c.reach.engagement, trend: c.reach.trend },
        clarification: c.clarification === null ? null : { verdict: c.clarification.verdict, url: safeHttpUrl(c.clarification.url) },
        links: { ...c.links },
      })),
      sent_at: isoNow(options.clock),
    },
  };
}
