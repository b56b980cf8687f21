/**
 * Every Vega panel of the Kibana export runs against the real Elasticsearch: the request each spec holds is turned
 * into the one Kibana would send (test/helpers/kibana-vega.ts mirrors Kibana's EsQueryParser), sent to indices made
 * from pantau's own templates, and the rows at the spec's `format.property` hold the expected counts, read through
 * the same paths (pathExpression) the spec's transforms read. The map's spec looks its shapes up in those rows: the
 * counts per shape, after the fold of the codes without a shape, are checked with the spec's own expressions.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { silentLogger } from '../../src/core/log.ts';
import { loadDashboard, type PanelDefinition } from '../../src/dashboard/definition.ts';
import { exportKibana, pathExpression } from '../../src/dashboard/kibana-export.ts';
import { createElasticsearchClient } from '../../src/store/elasticsearch-client.ts';
import { ensureIndexTemplates } from '../../src/store/index-templates.ts';
import { deskCasesIndex, postsIndexFor } from '../../src/store/index-names.ts';
import { derivedPostFields } from '../../src/store/post-derived-fields.ts';
import { atProperty, choroplethTotals, esDataObjects, kibanaSearchRequest, type KibanaContext } from '../helpers/kibana-vega.ts';
import { ELASTICSEARCH_URL } from '../helpers/cluster.ts';

const DAY = 86_400_000;
const now = Date.now();
const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
const dashboard = loadDashboard(resolve(PROJECT_ROOT, 'dashboards/leadership.json'));

interface PostSeed { id: string; platform: string; author: string; flags: string[]; region: string | null; narrative: string; daysAgo: number; shares?: number }
const POSTS: PostSeed[] = [
  { id: 'rss-1', platform: 'x', author: 'a1', flags: ['hoax'], region: '3578', narrative: 'n1', daysAgo: 2, shares: 10 },
  { id: 'rss-2', platform: 'x', author: 'a2', flags: ['hoax', 'sara'], region: '35', narrative: 'n1', daysAgo: 2 },
  { id: 'api-3', platform: 'facebook', author: 'a3', flags: ['hate_speech'], region: '31', narrative: 'n2', daysAgo: 1 },
  { id: 'api-4', platform: 'facebook', author: 'a1', flags: [], region: '31', narrative: 'n3', daysAgo: 1 },
  { id: 'rss-5', platform: 'x', author: 'a4', flags: [], region: null, narrative: 'n4', daysAgo: 1 },
  // Outside the dashboard's 30 days: no panel may count it.
  { id: 'rss-6', platform: 'x', author: 'a5', flags: ['hoax'], region: '35', narrative: 'n1', daysAgo: 60 },
];

const CASES = [
  { case_id: 'k1~kpu-ri', unit_id: 'kpu-ri', status: 'acknowledged', labels: ['hoax'], daysAgo: 2, seconds_to_acknowledge: 600 },
  { case_id: 'k2~kpu-ri', unit_id: 'kpu-ri', status: 'countered', labels: ['hoax'], daysAgo: 1, seconds_to_acknowledge: 1200, seconds_to_counter: 7200 },
  { case_id: 'k3~komdigi', unit_id: 'komdigi', status: 'new', labels: ['sara'], daysAgo: 1 },
  { case_id: 'k4~komdigi', unit_id: 'komdigi', status: 'new', labels: ['hoax'], daysAgo: 60 },
];

describe('Kibana export: every panel aggregation on the real index', () => {
  let es: Client;
  const prefix = `test-kibana-${randomBytes(4).toString('hex')}`;
  const ctx: KibanaContext = { min: now - 30 * DAY, max: now + 60_000 };
  const objects = exportKibana(dashboard, { prefix });

  beforeAll(async () => {
    es = createElasticsearchClient(ELASTICSEARCH_URL);
    await ensureIndexTemplates(es, { files: ['elasticsearch/posts.template.json', 'elasticsearch/desk-cases.template.json'], baseDir: resolve(PROJECT_ROOT, 'pipelines'), prefix, logger: silentLogger });
    const operations = [
      ...POSTS.flatMap((p) => {
        const text = `unggahan ${p.id}`;
        const doc = { id: p.id, schema_version: 1, platform: p.platform, author: p.author, text, created_at: at(p.daysAgo), region: p.region, ...derivedPostFields({ id: p.id, text, region: p.region }), engagement: { shares: p.shares ?? 0, views: 100 }, scores: { hoax: 0.5 }, flags: p.flags, flagged: p.flags.length > 0, model_version: 'uji', classified_at: at(p.daysAgo), narrative_id: p.narrative };
        return [{ index: { _index: postsIndexFor(prefix, doc.created_at), _id: p.id } }, doc];
      }),
      ...CASES.flatMap(({ daysAgo, ...c }) => [{ index: { _index: deskCasesIndex(prefix), _id: c.case_id } }, { ...c, cluster_id: c.case_id.split('~')[0], opened_at: at(daysAgo) }]),
    ];
    const bulk = await es.bulk({ operations, refresh: true });
    expect(bulk.errors, JSON.stringify(bulk.items.find((i) => i.index?.error))).toBe(false);
  }, 120_000);

  afterAll(async () => {
    if (!es) return;
    const indices = Object.keys(await es.indices.get({ index: `${prefix}-*`, allow_no_indices: true, ignore_unavailable: true }));
    if (indices.length > 0) await es.indices.delete({ index: indices });
    await es.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => {});
    await es.close();
  });

  /** The rows the panel's Vega spec draws, as Kibana would fetch them. */
  const specOf = (panel: PanelDefinition) => JSON.parse(JSON.parse(String(objects.find((o) => o.type === 'visualization' && o.attributes.title === panel.title)!.attributes.visState)).params.spec) as Record<string, unknown>;

  async function rowsOf(panel: PanelDefinition, context: KibanaContext = ctx): Promise<Record<string, unknown>[]> {
    // Where Kibana finds the request: top level for charts, the lookup's data for the map.
    const found = esDataObjects(specOf(panel));
    expect(found, `${panel.id}: one Elasticsearch request`).toHaveLength(1);
    const data = found[0]! as { url: Record<string, unknown>; format: { property: string } };
    const request = kibanaSearchRequest(data.url, context);
    expect(JSON.stringify(request)).not.toMatch(/%(context|timefield|timefilter|dashboard_context)/);
    const response = await es.transport.request({ method: 'POST', path: `/${encodeURIComponent(request.index)}/_search`, body: request.body });
    const rows = atProperty(response, data.format.property);
    expect(rows, `${panel.id}: nothing at ${data.format.property}`).toBeDefined();
    return (Array.isArray(rows) ? rows : [rows]) as Record<string, unknown>[];
  }

  /** A result path read as the spec's transforms read it. */
  const read = (row: Record<string, unknown>, path: string): unknown => new Function('datum', `return ${pathExpression(path)};`)(row);
  const panel = (id: string) => dashboard.panels.find((p) => p.id === id)!;
  const byKey = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [String(r.key), r]));

  it('summary: posts monitored, distinct flagged posts and flagged narratives in range', async () => {
    const [row] = await rowsOf(panel('summary'));
    const p = panel('summary');
    if (p.result.kind !== 'metrics') throw new Error('metrics expected');
    expect(p.result.values.map((v) => read(row!, v.path))).toEqual([5, 3, 2]);
  });

  it('summary under a dashboard filter (platform x from the filter bar) counts only those posts', async () => {
    const [row] = await rowsOf(panel('summary'), { ...ctx, filters: { filter: [{ match_phrase: { platform: 'x' } }] } });
    expect([read(row!, 'doc_count'), read(row!, 'flagged.doc_count')]).toEqual([3, 2]);
  });

  it('flagged over time: one bucket per day over the whole range, flagged posts and per-label counts', async () => {
    const rows = await rowsOf(panel('flagged_over_time'));
    expect(rows.length).toBeGreaterThanOrEqual(30);
    const sum = (f: (r: Record<string, unknown>) => number) => rows.reduce((n, r) => n + f(r), 0);
    expect(sum((r) => read(r, 'doc_count') as number)).toBe(3);
    expect(sum((r) => read(r, 'multi.doc_count') as number)).toBe(1);
    const perLabel: Record<string, number> = {};
    for (const r of rows) for (const b of (read(r, 'labels') as { buckets: { key: string; doc_count: number }[] }).buckets) perLabel[b.key] = (perLabel[b.key] ?? 0) + b.doc_count;
    expect(perLabel).toEqual({ hoax: 2, sara: 1, hate_speech: 1 });
    expect(Math.max(...rows.map((r) => read(r, 'doc_count') as number))).toBe(2);
  });

  it('top narratives: ranked by distinct accounts, with shares and labels', async () => {
    const rows = await rowsOf(panel('top_narratives'));
    expect(rows.map((r) => r.key)).toEqual(['n1', 'n2']);
    expect([read(rows[0]!, 'accounts.value'), read(rows[0]!, 'doc_count'), read(rows[0]!, 'shares.value')]).toEqual([2, 2, 10]);
    expect((read(rows[0]!, 'labels') as { buckets: { key: string }[] }).buckets.map((b) => b.key).sort()).toEqual(['hoax', 'sara']);
  });

  it('provinces, platforms and sources', async () => {
    const provinceRows = await rowsOf(panel('provinces'));
    const provinces = byKey(provinceRows);
    expect([...provinces].map(([k, r]) => [k, read(r, 'doc_count')])).toEqual([['35', 2], ['31', 1]]);
    // The map: every one of the 33 shapes gets a count, 0 where no flagged post is.
    const totals = choroplethTotals(specOf(panel('provinces')) as unknown as Parameters<typeof choroplethTotals>[0], provinceRows);
    expect(Object.keys(totals)).toHaveLength(33);
    expect(Object.entries(totals).filter(([, n]) => n > 0)).toEqual([['31', 1], ['35', 2]]);
    const platforms = byKey(await rowsOf(panel('platforms')));
    expect([...platforms].map(([k, r]) => [k, read(r, 'doc_count'), read(r, 'flagged.doc_count')])).toEqual([['x', 3, 2], ['facebook', 2, 1]]);
    const sources = byKey(await rowsOf(panel('sources')));
    expect([...sources].map(([k, r]) => [k, read(r, 'doc_count'), read(r, 'flagged.doc_count')])).toEqual([['rss', 3, 2], ['api', 2, 1]]);
  });

  it('response times per humas unit, with percentiles read by their "50.0" keys', async () => {
    const rows = byKey(await rowsOf(panel('response_times')));
    const kpu = rows.get('kpu-ri')!;
    expect([read(kpu, 'doc_count'), read(kpu, 'acknowledged.value'), read(kpu, 'countered.value')]).toEqual([2, 2, 1]);
    expect(read(kpu, 'to_acknowledge.values.50.0')).toBeCloseTo(900, 0);
    expect(read(kpu, 'to_counter.values.90.0')).toBeCloseTo(7200, 0);
    expect([read(rows.get('komdigi')!, 'doc_count'), read(rows.get('komdigi')!, 'to_counter.values.50.0')]).toEqual([1, null]);
  });

  it('open alerts per unit by status', async () => {
    const rows = byKey(await rowsOf(panel('open_alerts')));
    expect([...rows].map(([k, r]) => [k, read(r, 'new.doc_count'), read(r, 'acknowledged.doc_count')]).sort()).toEqual([['komdigi', 1, 0], ['kpu-ri', 0, 1]]);
  });

  it('covers every panel with an aggregation', () => {
    const tested = ['summary', 'flagged_over_time', 'top_narratives', 'provinces', 'platforms', 'sources', 'response_times', 'open_alerts'];
    expect(dashboard.panels.filter((p) => p.aggs !== undefined).map((p) => p.id).sort()).toEqual(tested.sort());
  });
});
