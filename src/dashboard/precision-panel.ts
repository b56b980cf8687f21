/**
 * The dashboard's estimated precision: the analysts' decisions on alerts in the range, pooled per label, with a
 * Wilson 95% interval. The same rules as the admins' weekly precision (review/precision.ts: one decision per
 * narrative, latest wins, uncertain samples apart), over the dashboard's range instead of weeks.
 */
import type { Client } from '@elastic/elasticsearch';
import { daysBetween } from '../api/dates.ts';
import { readLabelDecisions } from '../review/feedback.ts';
import { weeklyPrecision, wilson } from '../review/precision.ts';
import { dayRange } from './time-range.ts';

export interface PrecisionRow {
  key: string;
  name: string;
  confirmed: number;
  dismissed: number;
  n: number;
  precision: number | null;
  low: number | null;
  high: number | null;
}

export async function precisionRows(es: Client, prefix: string, options: { from: string; to: string; timezone: string; labels: Record<string, string>; label?: string | undefined }): Promise<PrecisionRow[]> {
  const range = dayRange(options.from, options.to, options.timezone);
  const entries = (await readLabelDecisions(es, prefix, { since: range.fromIso })).filter((e) => e.at <= range.toIso);
  // Enough weeks to hold every decision of the range, then pooled.
  const report = weeklyPrecision(entries, { weeks: Math.ceil((daysBetween(options.from, options.to) + 1) / 7) + 2, now: Date.parse(range.toIso) });
  const keys = Object.keys(options.labels).filter((l) => options.label === undefined || options.label === '' || l === options.label);
  return keys.map((key) => {
    let confirmed = 0;
    let dismissed = 0;
    for (const w of report.weeks) {
      confirmed += w.labels[key]?.confirmed ?? 0;
      dismissed += w.labels[key]?.dismissed ?? 0;
    }
    const n = confirmed + dismissed;
    const interval = n > 0 ? wilson(confirmed, n) : null;
    return { key, name: options.labels[key]!, confirmed, dismissed, n, precision: n > 0 ? confirmed / n : null, low: interval?.low ?? null, high: interval?.high ?? null };
  });
}
