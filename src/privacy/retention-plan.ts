/**
 * Retention's date arithmetic, pure so it can be tested at any instant: the cutoff, the day a run counts
 * for (its lock), and what each monthly posts index needs. Days are 24-hour days; months are UTC months,
 * as the posts indices are (store/index-names.ts).
 */

const DAY_MS = 86_400_000;

/** Posts created before this instant (epoch ms) are past retention. */
export function retentionCutoff(nowMs: number, retentionDays: number): number {
  return nowMs - retentionDays * DAY_MS;
}

/** `YYYY-MM-DD` of `nowMs` in `timeZone`: the day one scheduled run is allowed per. */
export function dayKey(nowMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(nowMs));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The month a posts index holds, as [start, end) in epoch ms; null for a name that is not `<prefix>-posts-YYYY.MM`. */
export function postsIndexMonth(index: string, prefix: string): { start: number; end: number } | null {
  if (!index.startsWith(`${prefix}-posts-`)) return null;
  const m = /^(\d{4})\.(\d{2})$/.exec(index.slice(prefix.length + '-posts-'.length));
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  // Date.UTC rolls month 12 over into January of the next year.
  return { start: Date.UTC(year, month - 1, 1), end: Date.UTC(year, month, 1) };
}

export type IndexPlan = 'whole' | 'partial' | 'keep';

/**
 * whole: the month ended at or before the cutoff, so every post in it is old (the run still checks that no
 * newer post strayed in before deleting the index); partial: the cutoff falls inside the month; keep: the
 * month starts at or after the cutoff.
 */
export function planPostsIndex(month: { start: number; end: number }, cutoffMs: number): IndexPlan {
  if (month.end <= cutoffMs) return 'whole';
  if (month.start < cutoffMs) return 'partial';
  return 'keep';
}
