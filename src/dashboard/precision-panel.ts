/**
 * The dashboard's estimated precision: the analysts' decisions on alerts in the range, pooled per label, with a
 * Wilson 95% interval. The same rules as the admins' weekly precision (review/precision.ts: one decision per
 * narrative, latest wins, uncertain samples apart), over the dashboard's range instead of weeks.
 */
import type { Client } from '@elastic/elasticsearch';
import { daysBetween } from '../api/dates.ts';
import { readLabelDecisions } from '../review/feedback.ts';
import { precisionCell, weeklyPrecision, type PrecisionCell } from '../review/precision.ts';
import { dayRange } from './time-range.ts';

export type PrecisionRow = PrecisionCell & { key: string; name: string };

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
    return { key, name: options.labels[key]!, ...precisionCell(confirmed, dismissed) };
  });
}
