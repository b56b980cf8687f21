/**
 * Calendar days as the dashboard takes them: `YYYY-MM-DD` strings that name a real day, and "today" in the
 * dashboard's time zone (Asia/Jakarta, where the page counts its days).
 */
import type { Clock } from '../core/clock.ts';

export const DASHBOARD_TIME_ZONE = 'Asia/Jakarta';

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * True when `text` is `YYYY-MM-DD` and that day exists: 2026-02-30, 2026-13-01 and 2025-02-29 do not.
 * (Date.parse alone is not enough: it takes 2026-02-30 and rolls it over to 2 March.)
 */
export function isCalendarDay(text: string): boolean {
  const match = ISO_DAY.exec(text);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  if (month < 1 || month > 12 || day < 1) return false;
  // Date.UTC rolls impossible days over into the next month; a real day comes back unchanged.
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The calendar day (`YYYY-MM-DD`) it is at `ms` in `timeZone`. */
export function dayIn(ms: number, timeZone: string = DASHBOARD_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Today in the dashboard's time zone, by `clock`. */
export const today = (clock: Clock, timeZone: string = DASHBOARD_TIME_ZONE): string => dayIn(clock(), timeZone);

/** `day` plus `days` calendar days (negative goes back). `day` must be a calendar day. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both calendar days). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
