/**
 * What the daily brief says, before any rendering: built by collect.ts from the leadership dashboard's panels,
 * the knowledge base and the desk; drawn by render-html.ts (e-mail) and render-pdf.ts (one A4 page). Aggregates
 * only: no post id, author handle or post URL is ever in it (the only links are published clarifications).
 * Also the wording both renderings share: section headings, statuses, numbers and dates the Indonesian way.
 */
import { publicText, type NarrativeStatus } from '../dashboard/enrich.ts';

export type { NarrativeStatus };

/** A narrative's handling by the humas units, as leadership reads it. */
export const STATUS_NAMES: Record<NarrativeStatus, string> = {
  none: 'belum ada kasus',
  new: 'baru',
  acknowledged: 'diakui',
  countered: 'sudah dilawan',
  closed: 'ditutup',
};

/** The brief's section headings, in order (the tests look for each in the HTML and in the PDF's text). */
export const SECTIONS = {
  figures: 'Angka utama',
  where: 'Kategori dan wilayah',
  narratives: 'Narasi teratas',
  clarifications: 'Klarifikasi terbit',
  openAlerts: 'Peringatan terbuka',
  confidence: 'Seberapa yakin',
} as const;

export const BRIEF_TITLE = 'Ringkasan Harian Pantau';

export interface BriefFigure {
  key: string;
  name: string;
  value: number | null;
  /** The same figure on the day before. */
  previous: number | null;
  /** Relative change from `previous` (0.25 = +25 %); null when either is missing or the day before was 0. */
  change: number | null;
}

export interface BriefNarrative {
  /** The narrative's sample text, mentions and links removed. */
  text: string;
  accounts: number;
  posts: number;
  shares: number;
  views: number;
  /** Category names (Hoaks, Ujaran kebencian…). */
  labels: string[];
  status: NarrativeStatus;
}

export interface BriefClarification {
  /** The claim answered (knowledge base), or the desk case's summary. */
  title: string;
  /** Publisher (knowledge base) or humas unit (desk). */
  by: string;
  /** The public clarification; null when none was given. */
  url: string | null;
  /** Knowledge-base verdict (hoaks, disinformasi…), or null for a desk counter. */
  verdict: string | null;
  source: 'kb' | 'desk';
  /** When it was published (ISO). */
  at: string;
}

export interface BriefData {
  /** The day described, YYYY-MM-DD in Asia/Jakarta. */
  date: string;
  previousDate: string;
  /** Names of the election stages the day falls in. */
  stages: string[];
  /** Posts monitored, posts flagged, narratives flagged: on the day, and the day before. */
  figures: BriefFigure[];
  /** Distinct flagged posts per category; a post may carry several. */
  labels: {
    rows: Array<{ key: string; name: string; posts: number }>;
    /** Distinct flagged posts. */
    flagged: number;
    /** Flagged posts with two categories or more. */
    multiLabel: number;
  };
  /** The three provinces with the most flagged posts. */
  provinces: Array<{ name: string; flagged: number }>;
  /** The five flagged narratives that reached the most accounts, with their handling status. */
  narratives: BriefNarrative[];
  openAlerts: {
    total: number;
    new: number;
    acknowledged: number;
    units: Array<{ name: string; new: number; acknowledged: number }>;
    /** The window of opening days the open cases are counted over. */
    sinceDays: number;
  };
  clarifications: BriefClarification[];
  /** Analysts' decisions on alerts over the last `days` days, or null when there were none. */
  precision: { days: number; confirmed: number; dismissed: number; n: number; precision: number; low: number | null; high: number | null } | null;
  generatedAt: string;
}

const numberFormat = new Intl.NumberFormat('id-ID');
/** 12345 → "12.345" (id-ID groups with "."). */
export const formatNumber = (n: number | null): string => (n === null || !Number.isFinite(n) ? '–' : numberFormat.format(Math.round(n)));

/** 0.934 → "93,4 %" (one decimal below 10 %, none above). */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${new Intl.NumberFormat('id-ID', { maximumFractionDigits: Math.abs(pct) < 10 ? 1 : 0 }).format(pct)} %`;
}

/** The change against the day before in words, for both renderings: "naik 25 %", "turun 10 %", "sama". */
export function describeChange(f: Pick<BriefFigure, 'value' | 'previous' | 'change'>): string {
  if (f.value === null || f.previous === null) return 'tanpa pembanding';
  if (f.previous === 0) return f.value === 0 ? 'tidak berubah' : 'naik dari 0';
  if (f.change === null || f.change === 0) return 'tidak berubah';
  return `${f.change > 0 ? 'naik' : 'turun'} ${formatPercent(Math.abs(f.change))}`;
}

/** "2026-11-30" → "Senin, 30 November 2026". */
export function formatDay(day: string): string {
  return new Intl.DateTimeFormat('id-ID', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** An instant as "1 Des 2026 07.00 WIB" (Asia/Jakarta). */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  const date = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Asia/Jakarta' }).format(d);
  const time = new Intl.DateTimeFormat('id-ID', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Jakarta' }).format(d);
  return `${date} ${time} WIB`;
}

/** The precision line both renderings end with, or the reason there is none. */
export function precisionLine(p: BriefData['precision']): string {
  if (!p) return 'Belum ada keputusan analis atas peringatan dalam 30 hari terakhir, jadi presisi belum bisa diperkirakan.';
  const range = p.low !== null && p.high !== null ? ` (selang 95 %: ${formatPercent(p.low)}–${formatPercent(p.high)})` : '';
  return `Perkiraan presisi peringatan ${p.days} hari terakhir: ${formatPercent(p.precision)}${range}, dari ${formatNumber(p.n)} keputusan analis (${formatNumber(p.confirmed)} dikonfirmasi, ${formatNumber(p.dismissed)} ditolak).`;
}

/** The note on categories: why per-category counts add up to more than the distinct posts. */
export function multiLabelNote(l: BriefData['labels']): string | null {
  if (l.multiLabel === 0) return null;
  return `${formatNumber(l.multiLabel)} dari ${formatNumber(l.flagged)} unggahan ditandai punya dua kategori atau lebih, jadi jumlah per kategori lebih besar dari jumlah unggahan.`;
}

/**
 * Text from posts and cases as leadership may see it: the dashboard's public text (no mentions, links, e-mail
 * addresses or phone numbers), at most `max` characters.
 */
export const cleanText = (text: string, max = 240): string => truncate(publicText(text), max);

export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
}
