/**
 * Estimated precision of the alerts, per label and ISO week (Asia/Jakarta), from analysts' label decisions, and a
 * drift warning when the latest week falls clearly below the baseline.
 *
 * - Unit: one decision about one label of a queue item (a narrative counts once, however many copies it has).
 *   A corrected decision replaces the earlier one (latest wins) but stays in the week of the first: the week the
 *   alert was reviewed, not the week someone changed their mind.
 * - Flagged items (`reason_in_queue: 'flagged'`): each label of `labels_before` (the alert flags) is confirmed when
 *   the decision keeps it (decision.ts: confirm, relabel keeping it) and dismissed otherwise.
 * - Uncertain samples (near the thresholds, drawn to learn from) are counted apart, on the labels the decision
 *   speaks about among their review and alert flags: mixing them in would make precision a function of sampling.
 * - Interval: Wilson 95%. Drift: the newest of the last two weeks with at least `minDecisions` decisions, against
 *   the pooled earlier weeks of the window (at least `minDecisions` too), else the model card's estimated alert
 *   precision; warned when it is `minDrop` below and the baseline is above its interval.
 */
import type { Client } from '@elastic/elasticsearch';
import { FLAG_LABELS } from '../classifier/labels.ts';
import type { Clock } from '../core/clock.ts';
import { decisionTargets, readLabelDecisions } from './feedback.ts';
import { LABEL_DECISIONS, type AuditEntry } from './decision.ts';

const DAY_MS = 86_400_000;
/** Asia/Jakarta is UTC+7 all year (no daylight saving). */
const JAKARTA_OFFSET_MS = 7 * 3_600_000;
const Z95 = 1.959964;

export const DEFAULT_PRECISION_WEEKS = 8;
export const DEFAULT_MIN_DECISIONS = 20;
export const DEFAULT_MIN_DROP = 0.1;

export interface PrecisionCell {
  confirmed: number;
  dismissed: number;
  n: number;
  precision: number | null;
  /** Wilson 95% interval; null without decisions. */
  low: number | null;
  high: number | null;
}

export interface WeekPrecision {
  /** ISO week in Asia/Jakarta, e.g. "2026-W48". */
  week: string;
  /** Its Monday (Jakarta), YYYY-MM-DD. */
  start: string;
  /** Alert-level flags. */
  labels: Record<string, PrecisionCell>;
  /** Uncertain samples, apart. */
  uncertain: Record<string, PrecisionCell>;
}

export interface DriftWarning {
  label: string;
  week: string;
  precision: number;
  baseline: number;
  baseline_source: 'previous_weeks' | 'model_card';
  n: number;
  high: number;
  /** For analysts and admins, in Bahasa Indonesia. */
  message: string;
}

export interface PrecisionReport {
  weeks: WeekPrecision[];
  warnings: DriftWarning[];
}

export interface PrecisionOptions {
  /** Weeks in the window, the current week (of `now`) last. */
  weeks: number;
  now: number;
  /** The active model card's estimated precision at the alert point, per label (baseline of last resort). */
  modelAlertPrecision?: Partial<Record<string, number | null>>;
  minDecisions?: number;
  minDrop?: number;
}

/** The ISO week (Asia/Jakarta) of an instant and its Monday. */
export function isoWeekJakarta(ms: number): { week: string; start: string; mondayUtcMs: number } {
  const local = new Date(ms + JAKARTA_OFFSET_MS);
  const dayFromMonday = (local.getUTCDay() + 6) % 7;
  const monday = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - dayFromMonday);
  // The ISO year is the year of the week's Thursday; week 1 holds the year's first Thursday.
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return { week: `${year}-W${String(week).padStart(2, '0')}`, start: new Date(monday).toISOString().slice(0, 10), mondayUtcMs: monday - JAKARTA_OFFSET_MS };
}

/** Wilson score interval (95%) of k successes in n. */
export function wilson(k: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The first instant (UTC ms) of the window's earliest week: decisions before it are not needed. */
export function windowStart(now: number, weeks: number): number {
  return isoWeekJakarta(now).mondayUtcMs - (weeks - 1) * 7 * DAY_MS;
}

interface Outcome {
  week: string;
  reason: AuditEntry['reason_in_queue'];
  /** label → kept (true) or not. */
  labels: Map<string, boolean>;
}

export function weeklyPrecision(entries: readonly AuditEntry[], options: PrecisionOptions): PrecisionReport {
  const minDecisions = options.minDecisions ?? DEFAULT_MIN_DECISIONS;
  const minDrop = options.minDrop ?? DEFAULT_MIN_DROP;
  const current = isoWeekJakarta(options.now);
  const windowWeeks: { week: string; start: string }[] = [];
  for (let i = options.weeks - 1; i >= 0; i--) {
    const w = isoWeekJakarta(current.mondayUtcMs - i * 7 * DAY_MS + DAY_MS);
    windowWeeks.push({ week: w.week, start: w.start });
  }
  const inWindow = new Set(windowWeeks.map((w) => w.week));

  // Latest decision per item and set of posts; the week of the first.
  const ordered = entries.filter((e) => LABEL_DECISIONS.includes(e.action)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1));
  const outcomes = new Map<string, Outcome>();
  for (const e of ordered) {
    const key = `${e.item_id}|${e.posts.map((p) => p.post_id).sort().join(',')}`;
    const targets = decisionTargets(e);
    const asked = e.reason_in_queue === 'flagged' ? new Set(e.labels_before) : new Set([...e.labels_before, ...e.posts.flatMap((p) => p.review_flags)]);
    const labels = new Map<string, boolean>();
    for (const label of asked) {
      const y = targets[label as keyof typeof targets];
      if (y !== undefined) labels.set(label, y === 1);
    }
    const week = outcomes.get(key)?.week ?? isoWeekJakarta(Date.parse(e.at)).week;
    outcomes.set(key, { week, reason: e.reason_in_queue, labels });
  }

  const empty = (): Record<string, PrecisionCell> => Object.fromEntries(FLAG_LABELS.map((l) => [l, precisionCell(0, 0)]));
  const counts = new Map(windowWeeks.map((w) => [w.week, { flagged: new Map<string, [number, number]>(), uncertain: new Map<string, [number, number]>() }]));
  for (const o of outcomes.values()) {
    if (!inWindow.has(o.week)) continue;
    const bucket = counts.get(o.week)![o.reason === 'uncertain' ? 'uncertain' : 'flagged'];
    for (const [label, kept] of o.labels) {
      const c = bucket.get(label) ?? [0, 0];
      c[kept ? 0 : 1]++;
      bucket.set(label, c);
    }
  }
  const weeks: WeekPrecision[] = windowWeeks.map((w) => {
    const c = counts.get(w.week)!;
    const labels = empty();
    const uncertain = empty();
    for (const [label, [k, d]] of c.flagged) labels[label] = precisionCell(k, d);
    for (const [label, [k, d]] of c.uncertain) uncertain[label] = precisionCell(k, d);
    return { week: w.week, start: w.start, labels, uncertain };
  });

  const warnings: DriftWarning[] = [];
  const labels = new Set(weeks.flatMap((w) => Object.keys(w.labels)));
  for (const label of labels) {
    const recent = weeks.slice(-2).map((w, i) => ({ w, index: weeks.length - 2 + i })).reverse().find(({ w }) => (w.labels[label]?.n ?? 0) >= minDecisions);
    if (recent === undefined) continue;
    const latest = recent.w.labels[label]!;
    let k = 0;
    let n = 0;
    for (const w of weeks.slice(0, Math.max(0, recent.index))) {
      k += w.labels[label]?.confirmed ?? 0;
      n += w.labels[label]?.n ?? 0;
    }
    const card = options.modelAlertPrecision?.[label];
    const baseline = n >= minDecisions ? { value: k / n, source: 'previous_weeks' as const } : typeof card === 'number' ? { value: card, source: 'model_card' as const } : null;
    if (baseline === null || latest.precision === null || latest.high === null) continue;
    if (latest.precision <= baseline.value - minDrop && latest.high < baseline.value) {
      warnings.push({
        label,
        week: recent.w.week,
        precision: latest.precision,
        baseline: baseline.value,
        baseline_source: baseline.source,
        n: latest.n,
        high: latest.high,
        message: driftMessage(label, recent.w.week, latest, baseline.value, baseline.source),
      });
    }
  }
  return { weeks, warnings };
}

/** Reads the decisions of the window from the audit log and computes the report. */
export async function readWeeklyPrecision(es: Client, prefix: string, options: Omit<PrecisionOptions, 'now'> & { clock: Clock }): Promise<PrecisionReport> {
  const now = options.clock();
  const since = new Date(windowStart(now, options.weeks)).toISOString();
  // Decisions corrected later are read with their first decision only when it is in the window: enough here.
  const entries = await readLabelDecisions(es, prefix, { since });
  const { clock: _clock, ...rest } = options;
  return weeklyPrecision(entries, { ...rest, now });
}

const LABEL_NAMES_ID: Record<string, string> = { hate_speech: 'ujaran kebencian', abusive: 'bahasa kasar', sara: 'provokasi SARA', hoax: 'hoaks' };

function driftMessage(label: string, week: string, c: PrecisionCell, baseline: number, source: DriftWarning['baseline_source']): string {
  const pct = (v: number) => `${Math.round(100 * v)}%`;
  const against = source === 'previous_weeks' ? 'minggu-minggu sebelumnya' : 'perkiraan pada kartu model';
  return (
    `Presisi peringatan ${LABEL_NAMES_ID[label] ?? label} pada minggu ${week} turun menjadi ${pct(c.precision!)} ` +
    `(${c.confirmed} dikonfirmasi dari ${c.n} keputusan; interval 95%: ${pct(c.low!)}–${pct(c.high!)}), di bawah acuan ${pct(baseline)} dari ${against}. ` +
    'Periksa apakah isi aliran posting berubah atau model perlu dilatih ulang dengan umpan balik analis.'
  );
}

/** A precision cell of `confirmed` kept and `dismissed` dropped labels, with its Wilson interval. */
export function precisionCell(confirmed: number, dismissed: number): PrecisionCell {
  const n = confirmed + dismissed;
  if (n === 0) return { confirmed, dismissed, n, precision: null, low: null, high: null };
  const { low, high } = wilson(confirmed, n);
  return { confirmed, dismissed, n, precision: confirmed / n, low, high };
}
