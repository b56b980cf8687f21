/**
 * Reads an aggregation answer the way a panel's `result` says: metrics (one value each), a time series (one point
 * per date_histogram bucket, series from paths or split by a terms sub-aggregation) or a table (one row per terms
 * bucket). Paths are dotted; a key that itself holds dots (a percentile's "50.0") is found whole.
 */
import { dayIn } from '../api/dates.ts';
import type { DashboardDefinition, PanelResultSpec } from './definition.ts';

type Spec<K extends PanelResultSpec['kind']> = Extract<PanelResultSpec, { kind: K }>;

export interface MetricValue {
  key: string;
  name: string;
  value: number | null;
}

export interface Series {
  key: string;
  name: string;
  values: number[];
  total: number;
  emphasis: boolean;
  hidden: boolean;
}

export interface TimeSeries {
  /** Each bucket's first day (YYYY-MM-DD, in the dashboard's time zone). */
  x: string[];
  series: Series[];
  /** The result's note with its totals filled in; null when it has none. */
  note: string | null;
}

export interface TableColumn {
  key: string;
  name: string;
  format: 'number' | 'time' | 'duration' | 'labels';
}

export interface TableRow {
  key: string;
  name: string;
  values: Record<string, number | string | string[] | null>;
}

interface Bucket {
  key: string | number;
  doc_count: number;
  [agg: string]: unknown;
}

/** The value at a dotted path; a segment may itself contain dots ("values.50.0" finds key "50.0"). */
export function readPath(from: unknown, path: string): unknown {
  const walk = (node: unknown, parts: string[]): unknown => {
    if (parts.length === 0) return node;
    if (node === null || typeof node !== 'object') return undefined;
    for (let n = parts.length; n >= 1; n--) {
      const key = parts.slice(0, n).join('.');
      if (Object.hasOwn(node, key)) return walk((node as Record<string, unknown>)[key], parts.slice(n));
    }
    return undefined;
  };
  return walk(from, path.split('.'));
}

const asNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bucketsOf = (agg: unknown): Bucket[] => {
  const b = readPath(agg, 'buckets');
  return Array.isArray(b) ? (b as Bucket[]) : [];
};

export function readMetrics(spec: Spec<'metrics'>, root: Record<string, unknown>): MetricValue[] {
  return spec.values.map((v) => ({ key: v.key, name: v.name, value: asNumber(readPath(root, v.path)) }));
}

/** Label keys in the dashboard's order first (so colours and legends stay put), then any others by name. */
function orderKeys(keys: Iterable<string>, dashboard: DashboardDefinition): string[] {
  const known = Object.keys(dashboard.labels);
  const all = [...new Set(keys)];
  return [...known.filter((k) => all.includes(k)), ...all.filter((k) => !known.includes(k)).sort()];
}

export function readTimeSeries(spec: Spec<'time_series'>, aggregations: Record<string, unknown>, dashboard: DashboardDefinition): TimeSeries {
  const buckets = bucketsOf(aggregations[spec.buckets]);
  const x = buckets.map((b) => dayIn(Number(b.key), dashboard.timezone));
  const series: Series[] = [];
  const splitKeys = new Set<string>();
  for (const entry of spec.series) {
    if ('split' in entry) {
      const perBucket = buckets.map((b) => new Map(bucketsOf(b[entry.split]).map((s) => [String(s.key), s.doc_count])));
      // Every known label gets a series, even one that never occurred: a flat zero line says "none" plainly.
      for (const key of orderKeys([...Object.keys(dashboard.labels), ...perBucket.flatMap((m) => [...m.keys()])], dashboard)) {
        const values = perBucket.map((m) => m.get(key) ?? 0);
        splitKeys.add(key);
        series.push({ key, name: dashboard.labels[key] ?? key, values, total: sum(values), emphasis: false, hidden: false });
      }
    } else {
      const values = buckets.map((b) => asNumber(readPath(b, entry.path)) ?? 0);
      series.push({ key: entry.key, name: entry.name, values, total: sum(values), emphasis: entry.emphasis, hidden: entry.hidden });
    }
  }
  const totals: Record<string, number> = Object.fromEntries(series.map((s) => [s.key, s.total]));
  totals.split_sum = sum(series.filter((s) => splitKeys.has(s.key)).map((s) => s.total));
  const note = spec.note === undefined ? null : spec.note.replace(/\{([a-z_]+)\}/g, (whole, k: string) => (k in totals ? totals[k]!.toLocaleString('id-ID') : whole));
  return { x, series, note };
}

export function readTable(spec: Spec<'table'>, aggregations: Record<string, unknown>, dashboard: DashboardDefinition): { columns: TableColumn[]; rows: TableRow[] } {
  const columns = spec.columns.map(({ key, name, format }) => ({ key, name, format }));
  const rows = bucketsOf(aggregations[spec.rows]).map((b) => {
    const values: TableRow['values'] = {};
    for (const c of spec.columns) {
      const v = readPath(b, c.path);
      if (c.format === 'labels') values[c.key] = orderKeys(bucketsOf(v).map((s) => String(s.key)), dashboard);
      else if (c.format === 'time') values[c.key] = asNumber(v) === null ? null : new Date(asNumber(v)!).toISOString();
      else values[c.key] = asNumber(v);
    }
    return { key: String(b.key), name: String(b.key), values };
  });
  return { columns, rows };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
