/**
 * The dashboard's range as instants: days are counted in the dashboard's time zone (Asia/Jakarta by default), so
 * "2026-11-30" is 2026-11-29T17:00Z … 2026-11-30T16:59:59.999Z whatever the server's own zone.
 */
import { addDays, daysBetween } from '../api/dates.ts';

/** Ranges longer than this are drawn per week instead of per day. */
export const WEEKLY_AFTER_DAYS = 120;

/** The UTC instant (ms) of midnight starting `day` in `timeZone`. */
export function startOfDay(day: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at that moment (twice: the first guess may sit across a DST change in zones that have one).
  let guess = utcMidnight - offsetMs(utcMidnight, timeZone);
  guess = utcMidnight - offsetMs(guess, timeZone);
  return guess;
}

function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}

export function dayRange(from: string, to: string, timeZone: string): { fromIso: string; toIso: string } {
  return { fromIso: new Date(startOfDay(from, timeZone)).toISOString(), toIso: new Date(startOfDay(addDays(to, 1), timeZone) - 1).toISOString() };
}

export const intervalFor = (from: string, to: string): 'day' | 'week' => (daysBetween(from, to) + 1 > WEEKLY_AFTER_DAYS ? 'week' : 'day');

/** A copy of `aggs` with every string that is exactly `{{name}}` replaced by its value. */
export function fillPlaceholders(aggs: unknown, values: Record<string, string>): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const m = /^\{\{([a-z_]+)\}\}$/.exec(v);
      return m && m[1]! in values ? values[m[1]!] : v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(aggs) as Record<string, unknown>;
}
