/**
 * A dashboard as data (`dashboards/<id>.json`): its panels, each with the index it reads, the time field the range
 * applies to, which global filter applies to which field, the Elasticsearch aggregation and how to read the answer.
 * This schema is the file's validator and its reference; the runner (run-panel.ts), the Kibana export and the
 * daily brief all read the same definition.
 */
import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { formatIssues } from '../core/post.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { readJsonFile } from '../config/json-file.ts';
import { isTimeZone } from '../core/time-zone.ts';

export const DEFAULT_DASHBOARDS_DIR = resolve(PROJECT_ROOT, 'dashboards');

/** The global filters: every panel says which field each applies to, or leaves it out (not applicable). */
export const FILTER_IDS = ['label', 'region', 'platform', 'source'] as const;
export type FilterId = (typeof FILTER_IDS)[number];

/** The indices a panel may read (aliases `<prefix>-<index>`); aggregates only, never documents. */
export const PANEL_INDICES = ['posts', 'desk-cases', 'audit'] as const;
export type PanelIndex = (typeof PANEL_INDICES)[number];

export const CHART_TYPES = ['metrics', 'line', 'table', 'choropleth', 'bar', 'stacked-bar', 'interval'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/** Placeholders the runner fills in an aggregation; any other `{{…}}` is refused at load. */
export const PLACEHOLDERS = ['timezone', 'from', 'to', 'interval'] as const;

/** A dotted path into one aggregation bucket: `doc_count`, `flagged.doc_count`, `to_counter.values.50.0`. */
const path = z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted path such as "flagged.doc_count"');
const key = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower case letters, digits and _');
const name = z.string().trim().min(1).max(80);

const metricsResult = z
  .object({
    kind: z.literal('metrics'),
    values: z.array(z.object({ key, name, path }).strict()).min(1),
  })
  .strict();

const seriesEntry = z.union([
  z
    .object({
      key,
      name,
      path,
      /** Drawn thicker: the distinct-post line among the per-label ones. */
      emphasis: z.boolean().default(false),
      /** Read (for totals and the note) but not drawn. */
      hidden: z.boolean().default(false),
    })
    .strict(),
  /** One series per bucket of this terms sub-aggregation (its keys are labels, named by `labels`). */
  z.object({ split: key }).strict(),
]);

const timeSeriesResult = z
  .object({
    kind: z.literal('time_series'),
    /** The date_histogram aggregation at the top level. */
    buckets: key,
    series: z.array(seriesEntry).min(1),
    /** Shown under the chart; `{key}` is the series' total over the range, `{split_sum}` the sum of the split series. */
    note: z.string().max(400).optional(),
  })
  .strict();

export const COLUMN_FORMATS = ['number', 'time', 'duration', 'labels'] as const;

const tableResult = z
  .object({
    kind: z.literal('table'),
    /** The terms aggregation at the top level; each bucket is a row. */
    rows: key,
    columns: z.array(z.object({ key, name, path, format: z.enum(COLUMN_FORMATS).default('number') }).strict()).min(1),
    /** Names the rows: narrative text and status, province name, unit name. */
    enrich: z.enum(['narrative', 'province', 'unit']).optional(),
  })
  .strict();

/** Computed in code from stored decisions (the same numbers the admins' precision page shows). */
const computedResult = z.object({ kind: z.literal('computed'), compute: z.enum(['precision']) }).strict();

const panelSchema = z
  .object({
    id: key,
    title: z.string().trim().min(1).max(120),
    description: z.string().trim().min(1).max(400),
    chart: z.enum(CHART_TYPES),
    index: z.enum(PANEL_INDICES),
    time_field: z.string().regex(/^[a-z_.]+$/),
    filter_fields: z.partialRecord(z.enum(FILTER_IDS), z.string().regex(/^[a-z_.]+$/)),
    /** Added to the panel's filters (Elasticsearch query DSL). */
    query: z.record(z.string(), z.unknown()).optional(),
    aggs: z.record(z.string(), z.unknown()).optional(),
    result: z.discriminatedUnion('kind', [metricsResult, timeSeriesResult, tableResult, computedResult]),
    /** Whether the election stages are drawn on this (time) chart. */
    markers: z.boolean().default(false),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.result.kind === 'computed') {
      if (p.aggs !== undefined) ctx.addIssue({ code: 'custom', message: `panel ${p.id}: a computed panel has no aggs` });
      return;
    }
    if (p.aggs === undefined) {
      ctx.addIssue({ code: 'custom', message: `panel ${p.id}: needs aggs` });
      return;
    }
    for (const m of JSON.stringify(p.aggs).matchAll(/\{\{([^}]*)\}\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) ctx.addIssue({ code: 'custom', message: `panel ${p.id}: unknown placeholder {{${m[1]}}}; known: ${PLACEHOLDERS.join(', ')}` });
    }
    // The range and filters are the runner's; a placeholder in the query would be sent as it is.
    if (p.query !== undefined && /\{\{[^}]*\}\}/.test(JSON.stringify(p.query))) ctx.addIssue({ code: 'custom', message: `panel ${p.id}: placeholders belong in aggs only; the time range and filters are added to the query by the runner` });
    const top = p.result.kind === 'time_series' ? p.result.buckets : p.result.kind === 'table' ? p.result.rows : null;
    if (top !== null && !(top in p.aggs)) ctx.addIssue({ code: 'custom', message: `panel ${p.id}: result reads aggregation "${top}", which aggs does not define` });
    const wants: Record<string, ChartType[]> = { metrics: ['metrics'], time_series: ['line'], table: ['table', 'choropleth', 'bar', 'stacked-bar'] };
    if (!wants[p.result.kind]!.includes(p.chart)) ctx.addIssue({ code: 'custom', message: `panel ${p.id}: chart "${p.chart}" cannot show a ${p.result.kind} result (use ${wants[p.result.kind]!.join(' or ')})` });
    if (p.chart === 'choropleth' && (p.result.kind !== 'table' || p.result.enrich !== 'province')) ctx.addIssue({ code: 'custom', message: `panel ${p.id}: a choropleth needs rows of provinces (enrich: "province")` });
  });

export const dashboardSchema = z
  .object({
    version: z.literal(1),
    id: key,
    title: z.string().trim().min(1).max(160),
    notes: z.array(z.string()).default([]),
    timezone: z.string().default('Asia/Jakarta'),
    default_days: z.number().int().min(1).max(366).default(30),
    refresh_seconds: z.number().int().min(10).max(86_400).default(300),
    /** Bahasa Indonesia names of the labels (series and filter options). */
    labels: z.record(z.string(), name),
    filters: z.array(z.object({ id: z.enum(FILTER_IDS), name }).strict()),
    /** The election stages drawn as markers (relative to the project). */
    stages_file: z.string().optional(),
    panels: z.array(panelSchema).min(1),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    for (const p of d.panels) {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', message: `panel id "${p.id}" is used twice` });
      seen.add(p.id);
    }
    if (!isTimeZone(d.timezone)) ctx.addIssue({ code: 'custom', message: `timezone "${d.timezone}" is not an IANA time zone such as "Asia/Jakarta"` });
  });

export type DashboardDefinition = z.infer<typeof dashboardSchema>;
export type PanelDefinition = DashboardDefinition['panels'][number];
export type PanelResultSpec = PanelDefinition['result'];

export function parseDashboard(raw: unknown, source = 'dashboard'): DashboardDefinition {
  const parsed = dashboardSchema.safeParse(raw);
  if (!parsed.success) throw new PantauError(`${source} is invalid: ${formatIssues(parsed.error)}`, { stage: 'config', code: 'dashboard_invalid', retriable: false });
  return parsed.data;
}

export function loadDashboard(file: string): DashboardDefinition {
  const path = resolve(file);
  const dashboard = parseDashboard(readJsonFile(path, 'dashboard file', 'dashboard_unreadable'), `dashboard file ${path}`);
  if (dashboard.id !== basename(path, '.json')) {
    throw new PantauError(`dashboard file ${path}: its id "${dashboard.id}" must be its file name without .json`, { stage: 'config', code: 'dashboard_invalid', retriable: false });
  }
  return dashboard;
}

/** Every `*.json` dashboard of a folder, by id. */
export function loadDashboards(dir: string = DEFAULT_DASHBOARDS_DIR): Map<string, DashboardDefinition> {
  const out = new Map<string, DashboardDefinition>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const d = loadDashboard(resolve(dir, file));
    out.set(d.id, d);
  }
  return out;
}
