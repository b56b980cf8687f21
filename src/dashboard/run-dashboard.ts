/**
 * Runs a dashboard definition's panels against Elasticsearch: the time range and the global filters become the
 * panel's query, the placeholders of its aggregation are filled, one `size: 0` search per panel, and the answer
 * is read as the panel's `result` says. Rows are then named (narrative text and status, province, humas unit).
 *
 * Aggregates only: what leaves here are counts, sums, percentiles, label keys, province and unit names, and a
 * narrative's sample text with mentions and links removed; never a post id, author or URL.
 */
import type { Client } from '@elastic/elasticsearch';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { auditIndex, deskCasesIndex, postsAlias } from '../store/index-names.ts';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import type { ElectionStages } from '../config/election-stages.ts';
import { FILTER_IDS, type DashboardDefinition, type FilterId, type PanelDefinition, type PanelIndex } from './definition.ts';
import { dayRange, fillPlaceholders, intervalFor } from './time-range.ts';
import { readMetrics, readTable, readTimeSeries, type MetricValue, type TableColumn, type TableRow, type TimeSeries } from './read-result.ts';
import { nameNarratives, nameProvinces, nameUnits, type NarrativeStatus } from './enrich.ts';
import { precisionRows, type PrecisionRow } from './precision-panel.ts';

export interface DashboardFilters {
  /** Days (YYYY-MM-DD) in the dashboard's time zone, both included. */
  from: string;
  to: string;
  label?: string | undefined;
  /** A BPS province code (2 digits). */
  region?: string | undefined;
  platform?: string | undefined;
  source?: string | undefined;
}

export interface DashboardDeps {
  es: Client;
  prefix: string;
  units?: HumasUnitsConfig | undefined;
  stages?: ElectionStages | undefined;
}

interface PanelBase {
  id: string;
  title: string;
  description: string;
  chart: PanelDefinition['chart'];
  /** Global filters set that this panel's data cannot be filtered by (its index has no such field). */
  not_applied: FilterId[];
  /** Elasticsearch's own time for the panel's search (ms). */
  took_ms: number;
}

export type PanelData = PanelBase &
  (
    | { kind: 'metrics'; values: MetricValue[] }
    | ({ kind: 'time_series' } & TimeSeries)
    | { kind: 'table'; columns: TableColumn[]; rows: Array<TableRow & { status?: NarrativeStatus }> }
    | { kind: 'computed'; rows: PrecisionRow[] }
  );

export interface StageMarker {
  id: string;
  name: string;
  start: string;
  end: string;
}

export interface DashboardData {
  id: string;
  title: string;
  timezone: string;
  filters: DashboardFilters;
  interval: 'day' | 'week';
  panels: PanelData[];
  /** Election stages that overlap the range. */
  markers: StageMarker[];
  /** Wall time of the whole dashboard (panels run concurrently). */
  took_ms: number;
}

const INDEX: Record<PanelIndex, (prefix: string) => string> = { posts: postsAlias, 'desk-cases': deskCasesIndex, audit: auditIndex };

/** The panel's query: its time range, the global filters that apply to it, and its own query. */
export function panelQuery(panel: PanelDefinition, filters: DashboardFilters, timezone: string): { query: Record<string, unknown>; notApplied: FilterId[] } {
  const range = dayRange(filters.from, filters.to, timezone);
  const filter: unknown[] = [{ range: { [panel.time_field]: { gte: range.fromIso, lte: range.toIso } } }];
  const notApplied: FilterId[] = [];
  for (const id of FILTER_IDS) {
    const value = filters[id];
    if (value === undefined || value === '') continue;
    const field = panel.filter_fields[id];
    if (field === undefined) notApplied.push(id);
    else filter.push({ term: { [field]: value } });
  }
  if (panel.query) filter.push(panel.query);
  return { query: { bool: { filter } }, notApplied };
}

/** The search a panel runs (also what the benchmark and the Kibana export test run). */
export function panelSearch(panel: PanelDefinition, dashboard: DashboardDefinition, filters: DashboardFilters): { body: Record<string, unknown>; notApplied: FilterId[] } {
  const { query, notApplied } = panelQuery(panel, filters, dashboard.timezone);
  const range = dayRange(filters.from, filters.to, dashboard.timezone);
  const aggs = fillPlaceholders(panel.aggs ?? {}, { timezone: dashboard.timezone, from: range.fromIso, to: range.toIso, interval: intervalFor(filters.from, filters.to) });
  return { body: { size: 0, track_total_hits: true, query, aggs }, notApplied };
}

export async function runPanel(deps: DashboardDeps, dashboard: DashboardDefinition, panelId: string, filters: DashboardFilters): Promise<PanelData> {
  const panel = dashboard.panels.find((p) => p.id === panelId);
  if (!panel) throw new Error(`dashboard ${dashboard.id} has no panel "${panelId}"`);
  return runOne(deps, dashboard, panel, filters);
}

async function runOne(deps: DashboardDeps, dashboard: DashboardDefinition, panel: PanelDefinition, filters: DashboardFilters): Promise<PanelData> {
  const base = { id: panel.id, title: panel.title, description: panel.description, chart: panel.chart };
  const spec = panel.result;
  if (spec.kind === 'computed') {
    const started = performance.now();
    const notApplied = FILTER_IDS.filter((id) => filters[id] !== undefined && filters[id] !== '' && panel.filter_fields[id] === undefined);
    const rows = await precisionRows(deps.es, deps.prefix, { from: filters.from, to: filters.to, timezone: dashboard.timezone, labels: dashboard.labels, label: filters.label });
    return { ...base, kind: 'computed', rows, not_applied: notApplied, took_ms: Math.round(performance.now() - started) };
  }
  const { body, notApplied } = panelSearch(panel, dashboard, filters);
  let response: { took?: number; aggregations?: Record<string, unknown>; hits: { total?: number | { value: number } } };
  try {
    response = (await deps.es.search({ index: INDEX[panel.index](deps.prefix), ignore_unavailable: true, allow_no_indices: true, request_cache: true, ...body })) as typeof response;
  } catch (error) {
    throw elasticsearchError('serving', `dashboard panel ${panel.id}`, error);
  }
  const aggregations = response.aggregations ?? {};
  const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
  const common = { ...base, not_applied: notApplied, took_ms: response.took ?? 0 };
  if (spec.kind === 'metrics') return { ...common, kind: 'metrics', values: readMetrics(spec, { doc_count: total, ...aggregations }) };
  if (spec.kind === 'time_series') return { ...common, kind: 'time_series', ...readTimeSeries(spec, aggregations, dashboard) };
  const table = readTable(spec, aggregations, dashboard);
  const keys = table.rows.map((r) => r.key);
  if (spec.enrich === 'narrative') {
    const named = await nameNarratives(deps.es, deps.prefix, keys);
    return { ...common, kind: 'table', columns: table.columns, rows: table.rows.map((r) => ({ ...r, name: named.get(r.key)?.name ?? r.name, status: named.get(r.key)?.status ?? 'none' })) };
  }
  const names = spec.enrich === 'province' ? nameProvinces(keys) : spec.enrich === 'unit' ? nameUnits(keys, deps.units) : null;
  return { ...common, kind: 'table', columns: table.columns, rows: table.rows.map((r) => ({ ...r, name: names?.get(r.key) ?? r.name })) };
}

export async function runDashboard(deps: DashboardDeps, dashboard: DashboardDefinition, filters: DashboardFilters): Promise<DashboardData> {
  const started = performance.now();
  const panels = await Promise.all(dashboard.panels.map((p) => runOne(deps, dashboard, p, filters)));
  const markers = (deps.stages?.stages ?? []).filter((s) => s.start <= filters.to && s.end >= filters.from).map(({ id, name, start, end }) => ({ id, name, start, end }));
  return {
    id: dashboard.id,
    title: dashboard.title,
    timezone: dashboard.timezone,
    filters,
    interval: intervalFor(filters.from, filters.to),
    panels,
    markers,
    took_ms: Math.round(performance.now() - started),
  };
}
