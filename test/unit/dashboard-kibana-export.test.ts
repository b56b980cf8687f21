/**
 * The Kibana export of dashboards/leadership.json against Kibana 8.x's saved-object format. The schemas below are
 * written from Kibana's own definitions (elastic/kibana):
 *   - visualization: src/plugins/visualizations/server/saved_objects/visualization.ts, `schemas['8.8.0']`
 *   - dashboard:     src/plugins/dashboard/server/dashboard_saved_object/schema/v1/v1.ts (unknowns: 'forbid'),
 *                    panels as dashboard_container_references.ts createExtract writes them (panelRefName
 *                    `panel_<panelIndex>`, reference name `<panelIndex>:panel_<panelIndex>`)
 *   - index-pattern: src/plugins/data_views/common/content_management/v1 (dataViewAttributesSchema, unknowns: 'forbid')
 *   - the object:    the 8.8+ sample data (src/platform/plugins/shared/home/server/services/sample_data/data_sets/
 *                    logs/saved_objects.ts): coreMigrationVersion, typeMigrationVersion, managed; Kibana's export
 *                    ends with the summary line {exportedCount, missingRefCount, …}.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadDashboard } from '../../src/dashboard/definition.ts';
import { exportKibana, NO_DATA_COLOR, pathExpression, SEARCH_SOURCE_INDEX_REF, SHAPES_DATASET, specText, toNdjson, VEGA_LITE_SCHEMA, type KibanaSavedObject } from '../../src/dashboard/kibana-export.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { DEFAULT_GEO_DIR, GEO_DECIMALS, loadProvinceShapes } from '../../src/dashboard/province-shapes.ts';
import { PROVINCES } from '../../src/dashboard/provinces.ts';
import { choroplethTotals, esDataObjects } from '../helpers/kibana-vega.ts';

const dashboard = loadDashboard(resolve(PROJECT_ROOT, 'dashboards/leadership.json'));
const semver = z.string().regex(/^8\.\d+\.\d+$/);
const reference = z.object({ id: z.string().min(1), name: z.string().min(1), type: z.string().min(1) }).strict();
const jsonString = (inner: z.ZodType = z.unknown()) => z.string().transform((s, ctx) => {
  try {
    return inner.parse(JSON.parse(s));
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not the expected JSON: ${String(error)}` });
    return z.NEVER;
  }
});

const searchSource = z.object({ query: z.object({ query: z.string(), language: z.enum(['kuery', 'lucene']) }).strict(), filter: z.array(z.unknown()), indexRefName: z.string().optional() }).strict();

const visualizationAttributes = z
  .object({
    title: z.string().min(1),
    description: z.string().optional(),
    version: z.number().optional(),
    kibanaSavedObjectMeta: z.object({ searchSourceJSON: jsonString(searchSource) }).strict().optional(),
    uiStateJSON: jsonString().optional(),
    visState: z.string().optional(),
    savedSearchRefName: z.string().optional(),
  })
  .strict();

const dashboardAttributes = z
  .object({
    title: z.string().min(1),
    description: z.string(),
    kibanaSavedObjectMeta: z.object({ searchSourceJSON: jsonString(searchSource).optional() }).strict(),
    timeRestore: z.boolean().optional(),
    timeFrom: z.string().optional(),
    timeTo: z.string().optional(),
    refreshInterval: z.object({ pause: z.boolean(), value: z.number(), display: z.string().optional(), section: z.number().optional() }).strict().optional(),
    controlGroupInput: z.unknown().optional(),
    panelsJSON: z.string(),
    optionsJSON: jsonString(z.object({ useMargins: z.boolean(), syncColors: z.boolean(), syncCursor: z.boolean(), syncTooltips: z.boolean(), hidePanelTitles: z.boolean() }).strict()),
    hits: z.number().optional(),
    version: z.number().optional(),
  })
  .strict();

const dashboardPanel = z
  .object({
    version: semver,
    type: z.string().min(1),
    gridData: z.object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1), h: z.number().int().min(1), i: z.string() }).strict(),
    panelIndex: z.string().min(1),
    embeddableConfig: z.record(z.string(), z.unknown()),
    panelRefName: z.string(),
  })
  .strict();

const indexPatternAttributes = z
  .object({
    title: z.string().min(1),
    name: z.string().min(1),
    timeFieldName: z.string().optional(),
    fields: jsonString(z.array(z.unknown())).optional(),
    fieldAttrs: jsonString().optional(),
    sourceFilters: jsonString().optional(),
    fieldFormatMap: jsonString().optional(),
    type: z.string().optional(),
    typeMeta: jsonString().optional(),
    allowNoIndex: z.boolean().optional(),
    runtimeFieldMap: jsonString().optional(),
  })
  .strict();

const savedObject = z
  .object({
    id: z.string().min(1),
    type: z.enum(['index-pattern', 'visualization', 'dashboard']),
    attributes: z.record(z.string(), z.unknown()),
    references: z.array(reference),
    coreMigrationVersion: semver,
    typeMigrationVersion: semver.optional(),
    migrationVersion: z.record(z.string(), semver).optional(),
    managed: z.boolean().optional(),
  })
  .strict()
  .refine((o) => (o.typeMigrationVersion === undefined) !== (o.migrationVersion === undefined), 'exactly one of typeMigrationVersion and migrationVersion');

const vegaVisState = z.object({ title: z.string(), type: z.literal('vega'), aggs: z.array(z.never()), params: z.object({ spec: z.string() }).strict() }).strict();
const markdownVisState = z.object({ title: z.string(), type: z.literal('markdown'), aggs: z.array(z.never()), params: z.object({ markdown: z.string().min(1), fontSize: z.number(), openLinksInNewTab: z.boolean() }).strict() }).strict();
const vegaSpec = z.object({ $schema: z.literal(VEGA_LITE_SCHEMA) }).passthrough();
/** The Elasticsearch request of a spec, wherever Kibana finds it (top level for charts, the lookup's data for the map). */
const esData = z.object({ url: z.object({ index: z.string(), body: z.object({ size: z.literal(0), aggs: z.record(z.string(), z.unknown()) }).passthrough() }).passthrough(), format: z.object({ property: z.string().regex(/^aggregations\./) }).strict() }).strict();

/** Every structural rule of an export; returns the problems (empty when Kibana's format is met). */
function problems(ndjson: string): string[] {
  const out: string[] = [];
  const lines = ndjson.split('\n');
  if (lines.at(-1) !== '') out.push('the file does not end with a newline');
  const parsed = lines.slice(0, -1).map((l, i) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      out.push(`line ${i + 1} is not JSON`);
      return {};
    }
  });
  const summary = parsed.pop();
  const objects = parsed as unknown as KibanaSavedObject[];
  const summaryOk = z.object({ excludedObjects: z.array(z.never()), excludedObjectsCount: z.literal(0), exportedCount: z.literal(objects.length), missingRefCount: z.literal(0), missingReferences: z.array(z.never()) }).strict().safeParse(summary);
  if (!summaryOk.success) out.push(`summary line: ${summaryOk.error.message}`);
  const keys = new Set<string>();
  for (const [i, o] of objects.entries()) {
    const where = `${o.type}/${o.id}`;
    const base = savedObject.safeParse(o);
    if (!base.success) out.push(`${where}: ${base.error.message}`);
    const key = `${o.type}:${o.id}`;
    if (keys.has(key)) out.push(`${where}: id used twice`);
    keys.add(key);
    for (const r of o.references) {
      const target = objects.findIndex((x) => x.id === r.id && x.type === r.type);
      if (target < 0) out.push(`${where}: reference ${r.name} → ${r.type}/${r.id} is not in the file`);
      else if (target > i) out.push(`${where}: reference ${r.name} points at an object written after it`);
    }
    const attrs = { 'index-pattern': indexPatternAttributes, visualization: visualizationAttributes, dashboard: dashboardAttributes }[o.type].safeParse(o.attributes);
    if (!attrs.success) out.push(`${where} attributes: ${attrs.error.message}`);
    if (o.type === 'visualization') {
      const vis = JSON.parse(String(o.attributes.visState)) as { type: string; params: { spec: string } };
      const state = (vis.type === 'vega' ? vegaVisState : markdownVisState).safeParse(vis);
      if (!state.success) out.push(`${where} visState: ${state.error.message}`);
      if (vis.type === 'vega') {
        const parsed = JSON.parse(vis.params.spec) as unknown;
        const spec = vegaSpec.safeParse(parsed);
        if (!spec.success) out.push(`${where} spec: ${spec.error.message}`);
        const requests = esDataObjects(parsed);
        if (requests.length !== 1) out.push(`${where} spec: ${requests.length} Elasticsearch requests, not one`);
        for (const r of requests) {
          const ok = esData.safeParse(r);
          if (!ok.success) out.push(`${where} spec request: ${ok.error.message}`);
        }
      }
      const source = JSON.parse(String((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON)) as { indexRefName?: string };
      if (source.indexRefName !== undefined && !o.references.some((r) => r.name === source.indexRefName && r.type === 'index-pattern')) out.push(`${where}: indexRefName ${source.indexRefName} has no reference`);
    }
    if (o.type === 'dashboard') {
      const panels = z.array(dashboardPanel).safeParse(JSON.parse(String(o.attributes.panelsJSON)));
      if (!panels.success) {
        out.push(`${where} panelsJSON: ${panels.error.message}`);
        continue;
      }
      for (const p of panels.data) {
        if (p.gridData.i !== p.panelIndex) out.push(`${where}: panel ${p.panelIndex} has gridData.i ${p.gridData.i}`);
        if (p.gridData.x + p.gridData.w > 48) out.push(`${where}: panel ${p.panelIndex} is wider than the 48-column grid`);
        const ref = o.references.find((r) => r.name === `${p.panelIndex}:${p.panelRefName}`);
        if (!ref || ref.type !== p.type) out.push(`${where}: panel ${p.panelIndex} (${p.panelRefName}) has no ${p.type} reference`);
      }
      if (new Set(panels.data.map((p) => p.panelIndex)).size !== panels.data.length) out.push(`${where}: a panelIndex is used twice`);
    }
  }
  return out;
}

describe('pantau dashboards export --kibana', () => {
  const objects = exportKibana(dashboard, { prefix: 'pantau', unitNames: { 'kpu-ri': 'Humas KPU RI' } });
  const ndjson = toNdjson(objects);

  it('writes Kibana 8.x saved objects: every line JSON, ids unique, references resolved, panels referenced, summary counts right', () => {
    expect(problems(ndjson)).toEqual([]);
    expect(objects.map((o) => o.type)).toEqual(['index-pattern', 'index-pattern', ...dashboard.panels.map(() => 'visualization'), 'dashboard']);
    for (const o of objects) expect(o).toMatchObject({ coreMigrationVersion: '8.8.0', managed: false });
  });

  it('catches what Kibana would refuse (the check itself can fail)', () => {
    const broken = structuredClone(objects);
    broken.at(-1)!.references[0]!.id = 'nothing';
    (broken[0]!.attributes as Record<string, unknown>).unknownAttribute = 1;
    const found = problems(toNdjson(broken));
    expect(found.some((p) => p.includes('is not in the file'))).toBe(true);
    expect(found.some((p) => p.includes('index-pattern/') && p.includes('attributes'))).toBe(true);
    expect(problems(toNdjson(objects).replace('"exportedCount":12', '"exportedCount":11'))).toHaveLength(1);
  });

  it('is deterministic: a second export is byte-identical, and ids depend on the prefix only', () => {
    expect(toNdjson(exportKibana(dashboard, { prefix: 'pantau', unitNames: { 'kpu-ri': 'Humas KPU RI' } }))).toBe(ndjson);
    const other = exportKibana(dashboard, { prefix: 'lain' });
    expect(other.map((o) => o.id).filter((id) => objects.some((x) => x.id === id))).toEqual([]);
  });

  it('has one visualization per panel, with its Indonesian title, reading the panel index and its aggregation', () => {
    const dataViews = objects.filter((o) => o.type === 'index-pattern');
    expect(dataViews.map((d) => [d.attributes.title, d.attributes.timeFieldName])).toEqual([['pantau-posts*', 'created_at'], ['pantau-desk-cases*', 'opened_at']]);
    for (const panel of dashboard.panels) {
      const vis = objects.find((o) => o.type === 'visualization' && o.attributes.title === panel.title)!;
      const state = JSON.parse(String(vis.attributes.visState)) as { type: string; params: { spec?: string; markdown?: string } };
      if (panel.aggs === undefined) {
        expect(state.type).toBe('markdown');
        expect(state.params.markdown).toContain('dihitung oleh pantau');
        continue;
      }
      expect(state.type).toBe('vega');
      const spec = JSON.parse(state.params.spec!) as unknown;
      const url = esDataObjects(spec)[0]!.url as Record<string, unknown> & { body: { aggs: Record<string, unknown>; query?: unknown } };
      expect(url.index).toBe(`pantau-${panel.index}`);
      expect(JSON.stringify(spec)).not.toContain('{{');
      // Kibana refuses %context% / %timefield% next to body.query (es_query_parser.ts parseUrl).
      if (panel.query === undefined) expect(url).toMatchObject({ '%context%': true, '%timefield%': panel.time_field });
      else {
        expect(url['%context%']).toBeUndefined();
        expect(JSON.stringify(url.body.query)).toContain(JSON.stringify(panel.query));
        expect(JSON.stringify(url.body.query)).toContain('%dashboard_context-filter_clause%');
      }
      const aggs = panel.result.kind === 'metrics' ? (url.body.aggs.pantau as { aggs: unknown }).aggs : url.body.aggs;
      expect(Object.keys(aggs as object)).toEqual(Object.keys(panel.aggs));
    }
    const line = objects.find((o) => o.attributes.title === dashboard.panels[1]!.title)!;
    const histogram = (esDataObjects(JSON.parse(JSON.parse(String(line.attributes.visState)).params.spec))[0]!.url as { body: { aggs: { time: { date_histogram: Record<string, unknown> } } } }).body.aggs.time.date_histogram;
    expect(histogram).toMatchObject({ calendar_interval: 'day', time_zone: 'Asia/Jakarta', extended_bounds: { min: { '%timefilter%': 'min' }, max: { '%timefilter%': 'max' } } });
  });

  describe('the provinces panel is a map', () => {
    const panel = dashboard.panels.find((p) => p.chart === 'choropleth')!;
    const vis = objects.find((o) => o.id.endsWith(`-${panel.id}`))!;
    const text = JSON.parse(String(vis.attributes.visState)).params.spec as string;
    interface MapSpec { datasets: Record<string, { type: string; properties: { code: string; name: string }; geometry: { type: string; coordinates: [number, number][][][] } }[]>; data: { name: string }; transform: Record<string, unknown>[]; mark: { type: string }; projection: { type: string }; encoding: Record<string, Record<string, unknown>> & { tooltip: { field: string; title: string }[] } }
    const spec = JSON.parse(text) as MapSpec;
    const file = JSON.parse(readFileSync(resolve(DEFAULT_GEO_DIR, 'indonesia-provinces.geojson'), 'utf8')) as { features: { properties: { code: string; name: string } }[] };
    const features = spec.datasets[SHAPES_DATASET]!;

    it('draws geoshapes of the 33 embedded province features, mercator fitted to them', () => {
      expect(panel.id).toBe('provinces');
      expect(spec.mark.type).toBe('geoshape');
      expect(spec.projection).toEqual({ type: 'mercator' });
      expect(spec.data).toEqual({ name: SHAPES_DATASET });
      expect(features).toHaveLength(33);
      expect(features.map((f) => f.properties)).toEqual(file.features.map((f) => ({ code: f.properties.code, name: f.properties.name })));
      for (const f of features) {
        expect(f.type).toBe('Feature');
        expect(f.geometry.type).toBe('MultiPolygon');
        expect(f.geometry.coordinates.length).toBeGreaterThan(0);
      }
    });

    it('rounds coordinates to 2 decimals and winds rings as d3-geo wants them (outer clockwise)', () => {
      expect(GEO_DECIMALS).toBe(2);
      const area = (r: [number, number][]) => r.slice(1).reduce((a, p, i) => a + r[i]![0] * p[1] - p[0] * r[i]![1], 0);
      const bad: string[] = [];
      for (const f of features) {
        for (const polygon of f.geometry.coordinates) {
          polygon.forEach((ring, i) => {
            const where = `${f.properties.code} ring ${i}`;
            if (ring.length < 4 || ring[0]![0] !== ring.at(-1)![0] || ring[0]![1] !== ring.at(-1)![1]) bad.push(`${where}: not closed`);
            if (Math.sign(area(ring)) !== (i === 0 ? -1 : 1)) bad.push(`${where}: wound the wrong way`);
            if (ring.some(([x, y]) => Math.round(x * 100) / 100 !== x || Math.round(y * 100) / 100 !== y)) bad.push(`${where}: more than 2 decimals`);
          });
        }
      }
      expect(bad).toEqual([]);
      // Kibana's editor shows the spec: indented, one feature per line.
      expect(text).toBe(specText(spec as unknown as Record<string, unknown>));
      expect(text.split('\n').filter((l) => l.trimStart().startsWith('{"type":"Feature"'))).toHaveLength(33);
    });

    it('looks the shapes up in the panel\'s buckets, with the codes without a shape folded into their parent', () => {
      const [request] = esDataObjects(spec);
      expect(request!.format).toEqual({ property: `aggregations.${panel.result.kind === 'table' ? panel.result.rows : ''}.buckets` });
      expect(request!.url.body).toMatchObject({ aggs: panel.aggs });
      expect(spec.transform.find((t) => t.lookup === 'member_code')).toMatchObject({ from: { key: 'key' }, as: 'bucket' });
      // The fallback of dashboards/geo/bps-code-fallback.json, declared in the spec.
      const fallback = loadProvinceShapes().fallback;
      expect(fallback).toEqual({ '65': '64', '92': '91', '95': '94', '96': '94', '97': '94' });
      const fold = String(spec.transform.find((t) => t.as === 'member_code')!.calculate);
      expect(fold).toBe("({'64': ['64', '65'], '91': ['91', '92'], '94': ['94', '95', '96', '97']})[datum.shape_code] || [datum.shape_code]");
      const rows = [{ key: '64', doc_count: 2 }, { key: '65', doc_count: 1 }, { key: '95', doc_count: 1 }, { key: '96', doc_count: 2 }, { key: '97', doc_count: 1 }, { key: '35', doc_count: 5 }, { key: '99', doc_count: 7 }];
      const totals = choroplethTotals(spec, rows);
      expect(Object.keys(totals)).toHaveLength(33);
      expect(Object.entries(totals).filter(([, n]) => n > 0)).toEqual([['35', 5], ['64', 3], ['94', 4]]);
      // Every BPS code reaches a shape: its own or its parent's.
      const shapes = new Set(features.map((f) => f.properties.code));
      expect(Object.keys(PROVINCES).filter((c) => !shapes.has(c) && !shapes.has(fallback[c] ?? ''))).toEqual([]);
    });

    it('colours by the count on a sequential scale, grey without posts, legend and tooltip in Indonesian', () => {
      expect(spec.encoding.color).toMatchObject({ field: 'c_flagged', type: 'quantitative', condition: { test: "datum['c_flagged'] === 0", value: NO_DATA_COLOR }, scale: { scheme: 'orangered' }, legend: { title: 'Unggahan ditandai' } });
      expect(spec.encoding.tooltip.map((t) => [t.field, t.title])).toEqual([['row', 'Provinsi'], ['c_flagged', 'Unggahan ditandai']]);
      const names = String(spec.transform.find((t) => t.as === 'row')!.calculate);
      expect(names).toContain("'94': 'Papua, Papua Selatan, Papua Tengah, dan Papua Pegunungan'");
      expect(names).toContain("'64': 'Kalimantan Timur dan Kalimantan Utara'");
    });

    it('says when the shapes are missing', () => {
      expect(() => exportKibana(dashboard, { prefix: 'pantau', geoDir: '/nonexistent/geo' })).toThrow(/province shapes/);
    });
  });

  it('restores the dashboard time range and refresh from the definition', () => {
    const board = objects.at(-1)!;
    expect(board.attributes).toMatchObject({ timeRestore: true, timeFrom: 'now-30d', timeTo: 'now', refreshInterval: { pause: false, value: 300_000 } });
    const vis = objects.filter((o) => o.type === 'visualization');
    expect(vis.every((v) => v.references.every((r) => r.name === SEARCH_SOURCE_INDEX_REF))).toBe(true);
  });

  it('writes the older migrationVersion form for Kibana 8.0–8.7 and refuses other majors', () => {
    const legacy = exportKibana(dashboard, { prefix: 'pantau', kibanaVersion: '8.5.2' });
    expect(problems(toNdjson(legacy))).toEqual([]);
    for (const o of legacy) {
      expect(o.coreMigrationVersion).toBe('8.0.0');
      expect(o.migrationVersion).toEqual({ [o.type]: '8.0.0' });
      expect(o.typeMigrationVersion).toBeUndefined();
      expect(o.managed).toBeUndefined();
    }
    expect(() => exportKibana(dashboard, { prefix: 'pantau', kibanaVersion: '7.17.0' })).toThrow(/8\.x/);
    expect(() => exportKibana(dashboard, { prefix: 'pantau', kibanaVersion: 'latest' })).toThrow(/not of the form/);
  });

  it('reads percentile keys ("50.0") as one key in result paths', () => {
    expect(pathExpression('to_counter.values.50.0')).toBe("datum['to_counter']['values']['50.0']");
    expect(pathExpression('flagged.narratives.value')).toBe("datum['flagged']['narratives']['value']");
    expect(pathExpression('doc_count')).toBe("datum['doc_count']");
  });
});
