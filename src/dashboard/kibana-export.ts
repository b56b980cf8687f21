/**
 * A dashboard definition (dashboards/<id>.json) as Kibana 8.x saved objects, for deployments that run Kibana on the
 * same Elasticsearch: one data view per index the panels read, one visualization per panel and the dashboard.
 *
 * Every panel with an aggregation becomes a Vega-Lite visualization whose Elasticsearch request is the panel's own
 * query and aggregation, so Kibana shows the numbers the built-in page shows. The placeholders become Kibana's Vega
 * context keywords (src/plugins/vis_types/vega/public/data_model/es_query_parser.ts in elastic/kibana):
 *   {{from}} / {{to}}  → {"%timefilter%": "min"} / {"%timefilter%": "max"} (the dashboard's time picker)
 *   {{timezone}}       → the definition's timezone, written in
 *   {{interval}}       → "day", fixed: Kibana's %autointerval% picks fixed intervals (24h, 1w, 30d) that do not
 *                        follow calendar days in the dashboard's timezone; the built-in page switches to weeks past
 *                        120 days, a Kibana chart stays daily.
 * The dashboard's filter bar and query reach every Vega request: with `%context%: true` + `%timefield%` when the
 * panel has no query of its own, else (Kibana refuses %context% beside body.query) through the
 * %dashboard_context-must_clause% / -filter_clause / -must_not_clause markers and a {"%timefilter%": true} range.
 *
 * A computed panel (precision) has no aggregation Kibana could run: it becomes a markdown panel that says so.
 *
 * The choropleth is a map (Vega-Lite geoshape, mercator fitted to the shapes): the 33 province shapes of
 * dashboards/geo/indonesia-provinces.geojson are embedded in the spec (`datasets`, coordinates rounded to 2 decimals,
 * rings rewound for d3-geo; province-shapes.ts) and are its main data. Each shape stands for its own BPS code and the
 * codes that fall back to it (dashboards/geo/bps-code-fallback.json: 65→64, 92→91, 95/96/97→94): the spec flattens
 * a shape into those codes, looks each up in the Elasticsearch buckets (the request is the lookup's `data.url`, which
 * Kibana resolves wherever a `data` object holds one), sums them per shape and keeps one row per shape, so a shape
 * without posts shows 0, drawn grey. The spec text keeps one feature per line.
 *
 * Output is deterministic (no timestamps, stable ids derived from the prefix and the ids in the definition), so an
 * import with "overwrite" replaces the objects of an earlier export.
 */
import { PantauError } from '../core/errors.ts';
import type { DashboardDefinition, PanelDefinition, PanelIndex } from './definition.ts';
import { PROVINCES } from './provinces.ts';
import { forVega, loadProvinceShapes, shapeMembers, type ProvinceShapes } from './province-shapes.ts';

export interface KibanaExportOptions {
  /** The index prefix of the deployment (pipeline elasticsearch.indexPrefix): the panels read `<prefix>-<index>`. */
  prefix: string;
  /**
   * The oldest Kibana the file must import into (default 8.8.0). From 8.8.0 objects carry `typeMigrationVersion`,
   * `coreMigrationVersion` 8.8.0 and `managed` as Kibana 8.8+ exports them; below it (8.0–8.7) the older
   * `migrationVersion` form. Either way Kibana migrates them to its own version on import.
   */
  kibanaVersion?: string;
  /** Names of the humas units by id (pipelines/humas-units.json), to name rows of unit panels. */
  unitNames?: Readonly<Record<string, string>>;
  /** Address of `pantau serve` (PANTAU_PUBLIC_URL), linked from the panels Kibana cannot compute. */
  publicUrl?: string | null;
  /** Folder of the province shapes and their code fallback for choropleth panels (default dashboards/geo). */
  geoDir?: string;
  /** The shapes themselves (read from geoDir when not given). */
  provinceShapes?: ProvinceShapes;
}

export interface SavedObjectReference {
  id: string;
  name: string;
  type: string;
}

export interface KibanaSavedObject {
  id: string;
  type: 'index-pattern' | 'visualization' | 'dashboard';
  attributes: Record<string, unknown>;
  references: SavedObjectReference[];
  coreMigrationVersion: string;
  typeMigrationVersion?: string;
  migrationVersion?: Record<string, string>;
  managed?: boolean;
}

export const DEFAULT_KIBANA_VERSION = '8.8.0';
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** The name Kibana gives a visualization's data view reference (searchSourceJSON.indexRefName). */
export const SEARCH_SOURCE_INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';
/** The date_histogram interval written for {{interval}} (see the file comment). */
export const KIBANA_INTERVAL = 'day';
/** The name of the embedded province shapes in a choropleth spec (`datasets`). */
export const SHAPES_DATASET = 'provinsi';
/** Fill of a province without posts. */
export const NO_DATA_COLOR = '#d3dae6';

/** What each type's migrations had reached in the Kibana release that introduced each export form. */
const TYPE_VERSIONS = {
  modern: { 'index-pattern': '8.0.0', visualization: '8.0.0', dashboard: '8.7.0' },
  legacy: { 'index-pattern': '8.0.0', visualization: '8.0.0', dashboard: '8.0.0' },
} as const;

const EMPTY_QUERY = { query: '', language: 'kuery' };

/** `8.8.0` → [8, 8, 0]; anything else is refused. */
function parseVersion(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (!m) throw new PantauError(`Kibana version "${v}" is not of the form 8.15.0`, { stage: 'config', code: 'kibana_version_invalid', retriable: false });
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export const dataViewId = (prefix: string, index: PanelIndex) => `pantau-${prefix}-data-view-${index}`;
export const visualizationId = (prefix: string, dashboardId: string, panelId: string) => `pantau-${prefix}-${dashboardId}-${panelId}`;
export const dashboardId = (prefix: string, id: string) => `pantau-${prefix}-dashboard-${id}`;

const INDEX_NAMES: Record<PanelIndex, string> = { posts: 'unggahan', 'desk-cases': 'kasus desk', audit: 'audit keputusan' };

/** The saved objects of one dashboard: data views first, then visualizations, then the dashboard (references resolve forwards). */
export function exportKibana(dashboard: DashboardDefinition, options: KibanaExportOptions): KibanaSavedObject[] {
  const [major, minor] = parseVersion(options.kibanaVersion ?? DEFAULT_KIBANA_VERSION);
  if (major !== 8) throw new PantauError(`the export writes Kibana 8.x saved objects; got Kibana ${options.kibanaVersion}`, { stage: 'config', code: 'kibana_version_invalid', retriable: false });
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(options.prefix)) throw new PantauError(`index prefix "${options.prefix}" is not a valid index name start`, { stage: 'config', code: 'prefix_invalid', retriable: false });
  const modern = minor >= 8;
  const versions = modern ? TYPE_VERSIONS.modern : TYPE_VERSIONS.legacy;
  const meta = (type: KibanaSavedObject['type']): Pick<KibanaSavedObject, 'coreMigrationVersion' | 'typeMigrationVersion' | 'migrationVersion' | 'managed'> =>
    modern
      ? { coreMigrationVersion: '8.8.0', typeMigrationVersion: versions[type], managed: false }
      : { coreMigrationVersion: '8.0.0', migrationVersion: { [type]: versions[type] } };
  const { prefix } = options;
  // The province shapes are read once for all panels, and only when a map needs them.
  const needsShapes = dashboard.panels.some((p) => p.chart === 'choropleth' && p.aggs !== undefined);
  const specOptions = needsShapes && options.provinceShapes === undefined ? { ...options, provinceShapes: loadProvinceShapes(options.geoDir) } : options;

  const vegaPanels = dashboard.panels.filter((p) => p.aggs !== undefined);
  const indices = [...new Set(vegaPanels.map((p) => p.index))];
  const timeFieldOf = (index: PanelIndex) => vegaPanels.find((p) => p.index === index)!.time_field;
  const dataViews: KibanaSavedObject[] = indices.map((index) => ({
    id: dataViewId(prefix, index),
    type: 'index-pattern',
    attributes: {
      title: `${prefix}-${index}*`,
      name: `pantau: ${INDEX_NAMES[index]} (${prefix}-${index})`,
      timeFieldName: timeFieldOf(index),
      fields: '[]',
      fieldAttrs: '{}',
      fieldFormatMap: '{}',
      runtimeFieldMap: '{}',
      sourceFilters: '[]',
      typeMeta: '{}',
      allowNoIndex: true,
    },
    references: [],
    ...meta('index-pattern'),
  }));

  const visualizations: KibanaSavedObject[] = dashboard.panels.map((panel) => {
    // A computed panel is a markdown note; every other panel a Vega visualization sending its own request, with the
    // data view referenced so that the dashboard's filter bar offers the panel's fields.
    const computed = panel.aggs === undefined;
    const visState = computed
      ? { title: panel.title, type: 'markdown', aggs: [], params: { fontSize: 12, openLinksInNewTab: true, markdown: computedMarkdown(dashboard, panel, options.publicUrl ?? null) } }
      : { title: panel.title, type: 'vega', aggs: [], params: { spec: specText(vegaSpec(dashboard, panel, specOptions)) } };
    return {
      id: visualizationId(prefix, dashboard.id, panel.id),
      type: 'visualization',
      attributes: {
        title: panel.title,
        description: panel.description,
        version: 1,
        uiStateJSON: '{}',
        visState: JSON.stringify(visState),
        kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: EMPTY_QUERY, filter: [], ...(computed ? {} : { indexRefName: SEARCH_SOURCE_INDEX_REF }) }) },
      },
      references: computed ? [] : [{ id: dataViewId(prefix, panel.index), name: SEARCH_SOURCE_INDEX_REF, type: 'index-pattern' }],
      ...meta('visualization'),
    };
  });

  const layout = gridLayout(dashboard.panels);
  const panelVersion = modern ? '8.8.0' : '8.0.0';
  const panels = dashboard.panels.map((panel, i) => ({
    version: panelVersion,
    type: 'visualization',
    gridData: { ...layout[i]!, i: String(i) },
    panelIndex: String(i),
    embeddableConfig: { enhancements: {} },
    panelRefName: `panel_${i}`,
  }));
  const board: KibanaSavedObject = {
    id: dashboardId(prefix, dashboard.id),
    type: 'dashboard',
    attributes: {
      title: dashboard.title,
      description: `Diekspor oleh pantau dari dashboards/${dashboard.id}.json (indeks ${prefix}-*). Filter: ${filterHint(dashboard)}.`,
      version: 1,
      timeRestore: true,
      timeFrom: `now-${dashboard.default_days}d`,
      timeTo: 'now',
      refreshInterval: { pause: false, value: dashboard.refresh_seconds * 1000 },
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      panelsJSON: JSON.stringify(panels),
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: EMPTY_QUERY, filter: [] }) },
    },
    // Kibana 8.x names a panel's reference "<panelIndex>:<panelRefName>" (dashboard_container_references.ts, createExtract).
    references: panels.map((p, i) => ({ id: visualizations[i]!.id, name: `${p.panelIndex}:${p.panelRefName}`, type: 'visualization' })),
    ...meta('dashboard'),
  };
  return [...dataViews, ...visualizations, board];
}

/**
 * The spec as Kibana's editor shows it: indented, except that each embedded shape stays on one line (indenting
 * 17,000 coordinate pairs would make the saved object several times larger).
 */
export function specText(spec: Record<string, unknown>): string {
  const datasets = spec.datasets as Record<string, unknown[]> | undefined;
  if (datasets === undefined) return JSON.stringify(spec, null, 2);
  const compact: string[] = [];
  const marked = { ...spec, datasets: Object.fromEntries(Object.entries(datasets).map(([name, rows]) => [name, rows.map((r) => `\u0000${compact.push(JSON.stringify(r)) - 1}`)])) };
  return JSON.stringify(marked, null, 2).replace(/"\\u0000(\d+)"/g, (_, i: string) => compact[Number(i)]!);
}

/** Kibana's export format: one object per line, then the export summary line Kibana writes last. */
export function toNdjson(objects: readonly KibanaSavedObject[]): string {
  const summary = { excludedObjects: [], excludedObjectsCount: 0, exportedCount: objects.length, missingRefCount: 0, missingReferences: [] };
  return [...objects, summary].map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/** "Kategori: flags (unggahan), labels (kasus desk); …": which field each global filter is on, per index. */
function filterHint(dashboard: DashboardDefinition): string {
  return dashboard.filters
    .map((f) => {
      const fields = new Map<string, Set<string>>();
      for (const p of dashboard.panels) {
        const field = p.filter_fields[f.id];
        if (field === undefined) continue;
        if (!fields.has(field)) fields.set(field, new Set());
        fields.get(field)!.add(INDEX_NAMES[p.index]);
      }
      return `${f.name}: ${[...fields].map(([field, where]) => `${field} (${[...where].join(', ')})`).join(', ') || 'tidak berlaku'}`;
    })
    .join('; ');
}

function computedMarkdown(dashboard: DashboardDefinition, panel: PanelDefinition, publicUrl: string | null): string {
  const where = publicUrl ? `[halaman bawaan pantau](${publicUrl.replace(/\/+$/, '')}/)` : 'halaman bawaan pantau (`pantau serve`, alamat /)';
  return [
    `### ${panel.title}`,
    '',
    panel.description,
    '',
    `Angka ini dihitung oleh pantau dari keputusan analis yang tersimpan, bukan dengan agregasi Elasticsearch, sehingga Kibana tidak dapat menampilkannya. Lihat ${where}; admin juga melihatnya di /app (Admin → Presisi).`,
    '',
    `Filter dasbor ini (${dashboard.filters.map((f) => f.name).join(', ')}) memakai nama kolom yang berbeda per indeks: ${filterHint(dashboard)}.`,
  ].join('\n');
}

/** 48-column grid: wide charts take a row, the others two per row. */
function gridLayout(panels: readonly PanelDefinition[]): { x: number; y: number; w: number; h: number }[] {
  const out: { x: number; y: number; w: number; h: number }[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const p of panels) {
    const w = p.chart === 'metrics' || p.chart === 'line' || p.chart === 'table' ? 48 : 24;
    const h = p.chart === 'metrics' ? 7 : 15;
    if (x + w > 48) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    out.push({ x, y, w, h });
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return out;
}

// ---- the Vega request -------------------------------------------------------------------------------------------

/** The Vega `data.url` of a panel: Kibana's context-aware Elasticsearch request. */
export function vegaRequest(dashboard: DashboardDefinition, panel: PanelDefinition, prefix: string): Record<string, unknown> {
  if (panel.aggs === undefined) throw new Error(`panel ${panel.id} has no aggregation`);
  let aggs = substitutePlaceholders(panel.aggs, dashboard.timezone, panel.id) as Record<string, unknown>;
  // A metrics panel reads doc_count of the whole request: one match_all bucket around its aggregations gives it one.
  if (panel.result.kind === 'metrics') aggs = { [METRICS_BUCKET]: { filter: { match_all: {} }, aggs } };
  const index = `${prefix}-${panel.index}`;
  if (panel.query === undefined) {
    return { index, '%context%': true, '%timefield%': panel.time_field, body: { size: 0, aggs } };
  }
  return {
    index,
    body: {
      size: 0,
      query: {
        bool: {
          must: ['%dashboard_context-must_clause%', { range: { [panel.time_field]: { '%timefilter%': true } } }, panel.query],
          filter: ['%dashboard_context-filter_clause%'],
          must_not: ['%dashboard_context-must_not_clause%'],
        },
      },
      aggs,
    },
  };
}

/** The wrapper bucket of metrics panels (see vegaRequest). */
export const METRICS_BUCKET = 'pantau';

/** Where in the response the panel's rows are: Vega's `format.property`. */
export function vegaFormatProperty(panel: PanelDefinition): string {
  switch (panel.result.kind) {
    case 'metrics':
      return `aggregations.${METRICS_BUCKET}`;
    case 'time_series':
      return `aggregations.${panel.result.buckets}.buckets`;
    case 'table':
      return `aggregations.${panel.result.rows}.buckets`;
    case 'computed':
      throw new Error(`panel ${panel.id} is computed`);
  }
}

function substitutePlaceholders(value: unknown, timezone: string, panelId: string): unknown {
  if (typeof value === 'string') {
    switch (value) {
      case '{{from}}':
        return { '%timefilter%': 'min' };
      case '{{to}}':
        return { '%timefilter%': 'max' };
      case '{{timezone}}':
        return timezone;
      case '{{interval}}':
        return KIBANA_INTERVAL;
    }
    if (value.includes('{{')) throw new PantauError(`panel ${panelId}: a placeholder must be a whole value to export it to Kibana, not part of "${value}"`, { stage: 'config', code: 'dashboard_invalid', retriable: false });
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => substitutePlaceholders(v, timezone, panelId));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitutePlaceholders(v, timezone, panelId)]));
  return value;
}

// ---- the drawing (Vega-Lite v5) -----------------------------------------------------------------------------------

/** A Vega expression string literal. */
const str = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A Vega expression object literal mapping keys to names. */
const dict = (entries: Readonly<Record<string, string>>) => `({${Object.entries(entries).map(([k, v]) => `${str(k)}: ${str(v)}`).join(', ')}})`;

/**
 * A result path (`flagged.doc_count`, `to_counter.values.50.0`) as a Vega expression on `datum`. Two numeric
 * segments in a row are one key: percentiles name their values "50.0", "90.0".
 */
export function pathExpression(path: string, base = 'datum'): string {
  const parts: string[] = [];
  for (const seg of path.split('.')) {
    const last = parts.at(-1);
    if (last !== undefined && /^\d+$/.test(last) && /^\d+$/.test(seg)) parts[parts.length - 1] = `${last}.${seg}`;
    else parts.push(seg);
  }
  return base + parts.map((p) => `[${str(p)}]`).join('');
}

function labelsText(bucketsExpr: string, labels: Readonly<Record<string, string>>): string {
  // ", hoax, sara, " → ", Hoaks, Provokasi SARA, " → "Hoaks, Provokasi SARA" (keys hold no ", ").
  let e = `', ' + join(pluck(${bucketsExpr}, 'key'), ', ') + ', '`;
  for (const [key, name] of Object.entries(labels)) e = `replace(${e}, ${str(`, ${key}, `)}, ${str(`, ${name}, `)})`;
  return `slice(${e}, 2, -2)`;
}

/** The count of one label in a terms aggregation's buckets (0 when absent). */
function labelCount(bucketsExpr: string, key: string): string {
  const at = `indexof(pluck(${bucketsExpr}, 'key'), ${str(key)})`;
  return `(${at} < 0 ? 0 : ${bucketsExpr}[${at}].doc_count)`;
}

type TableColumn = Extract<PanelDefinition['result'], { kind: 'table' }>['columns'][number];

function columnText(column: TableColumn, labels: Readonly<Record<string, string>>): string {
  const v = pathExpression(column.path);
  switch (column.format) {
    case 'labels':
      return labelsText(`${v}.buckets`, labels);
    case 'time':
      return `isValid(${v}) ? timeFormat(${v}, '%d-%m-%Y %H:%M') : '–'`;
    case 'duration':
      return `!isValid(${v}) ? '–' : ${v} < 3600 ? format(${v} / 60, ',.0f') + ' mnt' : ${v} < 172800 ? format(${v} / 3600, ',.1f') + ' jam' : format(${v} / 86400, ',.1f') + ' hari'`;
    case 'number':
      return `isValid(${v}) ? format(${v}, ',.0f') : '–'`;
  }
}

function rowName(panel: PanelDefinition, options: KibanaExportOptions): string {
  const enrich = panel.result.kind === 'table' ? panel.result.enrich : undefined;
  if (enrich === 'province') return `${dict(PROVINCES)}[datum.key] || datum.key`;
  if (enrich === 'unit' && options.unitNames) return `${dict(options.unitNames)}[datum.key] || datum.key`;
  // Narrative texts live in pantau's narrative registry, not in a field Kibana could read: the id is shown.
  return 'datum.key';
}

export function vegaSpec(dashboard: DashboardDefinition, panel: PanelDefinition, options: KibanaExportOptions): Record<string, unknown> {
  const data = { url: vegaRequest(dashboard, panel, options.prefix), format: { property: vegaFormatProperty(panel) } };
  const head = { $schema: VEGA_LITE_SCHEMA, description: `${panel.description} (pantau: ${dashboard.id}/${panel.id})`, data };
  const result = panel.result;
  const labels = dashboard.labels;
  if (result.kind === 'metrics') {
    const names = Object.fromEntries(result.values.map((v) => [`v_${v.key}`, v.name]));
    return {
      ...head,
      transform: [
        ...result.values.map((v) => ({ calculate: pathExpression(v.path), as: `v_${v.key}` })),
        { fold: Object.keys(names), as: ['metric', 'value'] },
        { calculate: `${dict(names)}[datum.metric]`, as: 'name' },
      ],
      mark: { type: 'text', fontSize: 30, fontWeight: 'bold', tooltip: true },
      encoding: {
        x: { field: 'name', type: 'nominal', sort: Object.values(names), axis: { orient: 'top', title: null, labelAngle: 0, domain: false, ticks: false, labelFontSize: 13, labelLimit: 240 } },
        text: { field: 'value', type: 'quantitative', format: ',d' },
      },
    };
  }
  if (result.kind === 'time_series') {
    const names: Record<string, string> = {};
    const calcs: { calculate: string; as: string }[] = [];
    let emphasis: string | null = null;
    for (const s of result.series) {
      if ('split' in s) {
        for (const [key, name] of Object.entries(labels)) {
          names[`l_${key}`] = name;
          calcs.push({ calculate: labelCount(`datum[${str(s.split)}].buckets`, key), as: `l_${key}` });
        }
      } else if (!s.hidden) {
        names[`s_${s.key}`] = s.name;
        calcs.push({ calculate: pathExpression(s.path), as: `s_${s.key}` });
        if (s.emphasis) emphasis = `s_${s.key}`;
      }
    }
    return {
      ...head,
      transform: [...calcs, { fold: Object.keys(names), as: ['series_key', 'value'] }, { calculate: `${dict(names)}[datum.series_key]`, as: 'series' }],
      mark: { type: 'line', tooltip: true, point: false },
      encoding: {
        x: { field: 'key', type: 'temporal', title: null },
        y: { field: 'value', type: 'quantitative', title: 'Unggahan' },
        color: { field: 'series', type: 'nominal', title: null, sort: Object.values(names), scale: { domain: Object.values(names) } },
        strokeWidth: emphasis === null ? { value: 2 } : { condition: { test: `datum.series_key === ${str(emphasis)}`, value: 4 }, value: 1.5 },
      },
    };
  }
  if (result.kind !== 'table') throw new Error(`panel ${panel.id} is computed`);
  const columnNames = Object.fromEntries(result.columns.map((c) => [`c_${c.key}`, c.name]));
  if (panel.chart === 'table') {
    return {
      ...head,
      transform: [
        { window: [{ op: 'row_number', as: 'rank' }] },
        { calculate: rowName(panel, options), as: 'row' },
        ...result.columns.map((c) => ({ calculate: columnText(c, labels), as: `c_${c.key}` })),
        { fold: Object.keys(columnNames), as: ['column_key', 'text'] },
        { calculate: `${dict(columnNames)}[datum.column_key]`, as: 'column' },
      ],
      mark: { type: 'text', tooltip: true, limit: 220 },
      encoding: {
        y: { field: 'row', type: 'nominal', sort: { field: 'rank', op: 'min', order: 'ascending' }, axis: { title: null, labelLimit: 260 } },
        x: { field: 'column', type: 'nominal', sort: Object.values(columnNames), axis: { orient: 'top', title: null, labelAngle: 0, labelLimit: 180 } },
        text: { field: 'text', type: 'nominal' },
      },
    };
  }
  // bar, stacked-bar and the choropleth: the first number column is what they show.
  const numeric = result.columns.filter((c) => c.format === 'number' || c.format === 'duration');
  const others = result.columns.filter((c) => !numeric.includes(c));
  const first = numeric[0];
  if (first === undefined) throw new PantauError(`panel ${panel.id}: a ${panel.chart} needs a number column`, { stage: 'config', code: 'dashboard_invalid', retriable: false });
  if (panel.chart === 'choropleth') return choroplethSpec(head, first, options.provinceShapes ?? loadProvinceShapes(options.geoDir));
  // bar and stacked-bar: the number columns as bars, the others in the tooltip.
  const base = [
    { calculate: rowName(panel, options), as: 'row' },
    ...numeric.map((c) => ({ calculate: pathExpression(c.path), as: `c_${c.key}` })),
    ...others.map((c) => ({ calculate: columnText(c, labels), as: `t_${c.key}` })),
  ];
  const numericNames = numeric.map((c) => c.name);
  const tooltip = [{ field: 'row', type: 'nominal', title: 'Baris' }, ...numeric.map((c) => ({ field: `c_${c.key}`, type: 'quantitative', title: c.name, format: ',d' })), ...others.map((c) => ({ field: `t_${c.key}`, type: 'nominal', title: c.name }))];
  const y = { field: 'row', type: 'nominal', title: null, sort: { field: `c_${first.key}`, op: 'max', order: 'descending' }, axis: { labelLimit: 200 } };
  const color = { field: 'series', type: 'nominal', title: null, sort: numericNames, scale: { domain: numericNames } };
  if (panel.chart === 'stacked-bar') {
    const names = Object.fromEntries(numeric.map((c) => [`c_${c.key}`, c.name]));
    return {
      ...head,
      transform: [...base, { fold: Object.keys(names), as: ['series_key', 'value'] }, { calculate: `${dict(names)}[datum.series_key]`, as: 'series' }],
      mark: { type: 'bar', tooltip: true },
      encoding: { y: { ...y, sort: '-x' }, x: { field: 'value', type: 'quantitative', title: null, stack: 'zero' }, color, tooltip },
    };
  }
  // Overlaid, first column at the back: the later columns are parts of the first (flagged of monitored posts).
  return {
    ...head,
    transform: base,
    layer: numeric.map((c) => ({
      transform: [{ calculate: str(c.name), as: 'series' }],
      mark: { type: 'bar' },
      encoding: { y, x: { field: `c_${c.key}`, type: 'quantitative', title: null, stack: null }, color, tooltip },
    })),
  };
}

/** "A", "A dan B", "A, B, dan C". */
function listText(names: readonly string[]): string {
  return names.length <= 2 ? names.join(' dan ') : `${names.slice(0, -1).join(', ')}, dan ${names.at(-1)!}`;
}

/**
 * The map (see the file comment): the embedded shapes are the data, each expanded into the BPS codes it stands for,
 * each code looked up in the Elasticsearch buckets (`head.data`, the panel's request), summed per shape.
 */
function choroplethSpec(head: { $schema: string; description: string; data: Record<string, unknown> }, column: TableColumn, shapes: ProvinceShapes): Record<string, unknown> {
  const members = shapeMembers(shapes);
  const merged = Object.fromEntries(Object.entries(members).filter(([, codes]) => codes.length > 1));
  const shapeName = (code: string) => shapes.features.find((f) => f.properties.code === code)!.properties.name;
  const names = Object.fromEntries(Object.entries(merged).map(([code, codes]) => [code, listText([shapeName(code), ...codes.slice(1).map((c) => PROVINCES[c]!)])]));
  const membersExpr = `({${Object.entries(merged).map(([code, codes]) => `${str(code)}: [${codes.map(str).join(', ')}]`).join(', ')}})`;
  const value = `c_${column.key}`;
  return {
    $schema: head.$schema,
    description: head.description,
    datasets: { [SHAPES_DATASET]: forVega(shapes) },
    data: { name: SHAPES_DATASET },
    transform: [
      { calculate: 'datum.properties.code', as: 'shape_code' },
      // The fallback folded: a shape stands for its own code and the codes without a shape inside it.
      { calculate: `${membersExpr}[datum.shape_code] || [datum.shape_code]`, as: 'member_code' },
      { flatten: ['member_code'] },
      { lookup: 'member_code', from: { data: head.data, key: 'key' }, as: 'bucket' },
      { calculate: `isValid(datum.bucket) ? ${pathExpression(column.path, 'datum.bucket')} : 0`, as: 'member_value' },
      { joinaggregate: [{ op: 'sum', field: 'member_value', as: value }], groupby: ['shape_code'] },
      { filter: 'datum.member_code === datum.shape_code' },
      { calculate: `${dict(names)}[datum.shape_code] || datum.properties.name`, as: 'row' },
    ],
    projection: { type: 'mercator' },
    mark: { type: 'geoshape', stroke: '#ffffff', strokeWidth: 0.5 },
    encoding: {
      color: {
        condition: { test: `datum[${str(value)}] === 0`, value: NO_DATA_COLOR },
        field: value,
        type: 'quantitative',
        scale: { scheme: 'orangered', domainMin: 0 },
        legend: { title: column.name, format: ',d', tickMinStep: 1 },
      },
      tooltip: [
        { field: 'row', type: 'nominal', title: 'Provinsi' },
        { field: value, type: 'quantitative', title: column.name, format: ',d' },
      ],
    },
  };
}
