/**
 * The leadership dashboard's panels, as defined in dashboards/leadership.json, run against the real Elasticsearch
 * on a data set whose answers were worked out by hand (test/helpers/dashboard-fixture.ts): every panel's
 * aggregation runs, days are counted in Asia/Jakarta, the filters change the numbers, nothing but aggregates
 * comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHumasUnits } from '../../src/config/humas-units.ts';
import { loadElectionStages } from '../../src/config/election-stages.ts';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { DEFAULT_DASHBOARDS_DIR, loadDashboard } from '../../src/dashboard/definition.ts';
import { runDashboard, type DashboardData, type DashboardDeps, type PanelData } from '../../src/dashboard/run-dashboard.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { DASHBOARD_EXPECTED as X, DASHBOARD_RANGE, DASHBOARD_SEEDS, seedDashboardData } from '../helpers/dashboard-fixture.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';

const dashboard = loadDashboard(resolve(DEFAULT_DASHBOARDS_DIR, 'leadership.json'));

function panel<K extends PanelData['kind']>(data: DashboardData, id: string, kind: K): Extract<PanelData, { kind: K }> {
  const p = data.panels.find((x) => x.id === id);
  if (!p || p.kind !== kind) throw new Error(`panel ${id} is missing or not ${kind}`);
  return p as Extract<PanelData, { kind: K }>;
}
const metric = (data: DashboardData, key: string) => panel(data, 'summary', 'metrics').values.find((v) => v.key === key)!.value;
const rowsOf = (data: DashboardData, id: string) => Object.fromEntries(panel(data, id, 'table').rows.map((r) => [r.key, r]));

describe('the leadership dashboard on the real Elasticsearch', () => {
  let ctx: PipelineContext;
  let deps: DashboardDeps;
  let all: DashboardData;

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('dashboard'));
    const prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
    await seedDashboardData(ctx.es, prefix);
    deps = { es: ctx.es, prefix, units: loadHumasUnits(resolve(PROJECT_ROOT, 'pipelines/humas-units.json')), stages: loadElectionStages() };
    all = await runDashboard(deps, dashboard, DASHBOARD_RANGE);
  }, 120_000);

  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('runs every panel of the definition and fills each with data', () => {
    expect(all.panels.map((p) => p.id)).toEqual(dashboard.panels.map((p) => p.id));
    for (const p of all.panels) {
      const filled = p.kind === 'metrics' ? p.values.some((v) => (v.value ?? 0) > 0) : p.kind === 'time_series' ? p.series.some((s) => s.total > 0) : p.rows.length > 0;
      expect(filled, `panel ${p.id} has data`).toBe(true);
    }
  });

  it('counts distinct posts and days in Asia/Jakarta, and says how much the labels overlap', () => {
    expect(metric(all, 'posts')).toBe(X.posts);
    expect(metric(all, 'flagged')).toBe(X.flagged);
    expect(metric(all, 'narratives')).toBe(X.narratives);
    const series = panel(all, 'flagged_over_time', 'time_series');
    expect(series.x).toEqual(Object.keys(X.flaggedPerDay));
    const byKey = Object.fromEntries(series.series.map((s) => [s.key, s]));
    expect(byKey.flagged!.values).toEqual(Object.values(X.flaggedPerDay));
    for (const [label, n] of Object.entries(X.perLabel)) expect(byKey[label]!.total, label).toBe(n);
    expect(byKey.multi!.total).toBe(X.multiLabel);
    expect(byKey.multi!.hidden).toBe(true);
    expect(series.note).toContain(`${X.multiLabel} dari ${X.flagged} unggahan`);
    expect(series.note).toContain(`(${X.labelSum})`);
  });

  it('ranks narratives by distinct accounts with the desk status, and shows no post id, author or link', () => {
    const top = panel(all, 'top_narratives', 'table');
    expect(top.rows[0]).toMatchObject({ key: X.topNarrative.id, status: X.topNarrative.status, values: { accounts: X.topNarrative.accounts, posts: X.topNarrative.posts, shares: X.topNarrative.shares } });
    expect(Object.fromEntries(top.rows.map((r) => [r.key, r.status]))).toEqual(X.narrativeStatus);
    expect(top.rows[0]!.name).toContain('Surat suara sudah dicoblos');
    expect(top.rows.find((r) => r.key === 'nar-c')!.name).toBe('Jangan pilih calon dari suku itu, mereka tidak bisa dipercaya');
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/@saksi_tps|https:\/\/t\.co|081234567890/);
    for (const s of DASHBOARD_SEEDS) {
      expect(text).not.toContain(`"${s.id}"`);
      expect(text).not.toContain(`example.com/${s.platform}/${s.id}`);
    }
    expect(text).not.toMatch(/"a[1-7]"/);
  });

  it('maps provinces by BPS code (a regency code counts for its province), platforms and sources', () => {
    const provinces = rowsOf(all, 'provinces');
    expect(Object.fromEntries(Object.entries(provinces).map(([k, r]) => [k, r.values.flagged]))).toEqual(X.provinces);
    expect(provinces['35']!.name).toBe('Jawa Timur');
    const platforms = rowsOf(all, 'platforms');
    for (const [p, v] of Object.entries(X.platforms)) expect(platforms[p]!.values, p).toEqual(v);
    const sources = rowsOf(all, 'sources');
    expect(Object.fromEntries(Object.entries(sources).map(([k, r]) => [k, r.values.posts]))).toEqual(X.sources);
  });

  it('gives response times and open alerts per humas unit, by name', () => {
    const times = rowsOf(all, 'response_times');
    expect(times['kpu-ri']).toMatchObject({ name: 'Humas KPU RI', values: { cases: 2, acknowledged: 1, ack_p50: 600, countered: 1, counter_p50: 3600 } });
    expect(times['bawaslu-ri']).toMatchObject({ values: { cases: 1, acknowledged: 1, ack_p50: 1200, countered: 0, counter_p50: null } });
    const open = rowsOf(all, 'open_alerts');
    for (const [unit, v] of Object.entries(X.openAlerts)) expect(open[unit]!.values, unit).toEqual(v);
  });

  it('estimates precision from the analysts decisions, with its interval', () => {
    const hoax = panel(all, 'precision', 'computed').rows.find((r) => r.key === 'hoax')!;
    expect(hoax).toMatchObject({ confirmed: X.precisionHoax.confirmed, dismissed: X.precisionHoax.dismissed, n: 3 });
    expect(hoax.precision).toBeCloseTo(2 / 3, 6);
    expect(hoax.low!).toBeLessThan(hoax.precision!);
    expect(hoax.high!).toBeGreaterThan(hoax.precision!);
  });

  it('marks the election stages that overlap the range', () => {
    expect(all.markers.map((m) => m.id)).toEqual(['campaign']);
  });

  it('applies the filters to every panel that has the field, and says which panels they do not apply to', async () => {
    const east = await runDashboard(deps, dashboard, { ...DASHBOARD_RANGE, region: '35' });
    expect(metric(east, 'flagged')).toBe(X.provinces['35']);
    expect(Object.keys(rowsOf(east, 'provinces'))).toEqual(['35']);
    // Cases carry the provinces their narratives were seen in: klaster-a (Jawa Timur) only.
    expect(panel(east, 'response_times', 'table').not_applied).toEqual([]);
    expect(rowsOf(east, 'response_times')['kpu-ri']!.values).toMatchObject({ cases: 1, countered: 1 });
    expect(rowsOf(east, 'open_alerts')['kpu-ri']).toBeUndefined();
    expect(rowsOf(east, 'open_alerts')['bawaslu-ri']!.values).toEqual({ new: 0, acknowledged: 1 });
    expect(panel(east, 'precision', 'computed').not_applied).toEqual(['region']);
    expect(panel(east, 'summary', 'metrics').not_applied).toEqual([]);
    const web = await runDashboard(deps, dashboard, { ...DASHBOARD_RANGE, platform: 'facebook' });
    expect(panel(web, 'open_alerts', 'table').not_applied).toEqual(['platform']);

    const facebook = await runDashboard(deps, dashboard, { ...DASHBOARD_RANGE, platform: 'facebook' });
    expect([metric(facebook, 'posts'), metric(facebook, 'flagged')]).toEqual([X.platforms.facebook.posts, X.platforms.facebook.flagged]);

    const hoax = await runDashboard(deps, dashboard, { ...DASHBOARD_RANGE, label: 'hoax' });
    expect(metric(hoax, 'flagged')).toBe(X.perLabel.hoax);
    expect(panel(hoax, 'precision', 'computed').rows.map((r) => r.key)).toEqual(['hoax']);

    const rss = await runDashboard(deps, dashboard, { ...DASHBOARD_RANGE, source: 'rss' });
    expect(metric(rss, 'posts')).toBe(X.sources.rss);

    // The post at 23:30 WIB on 30 November belongs to that day only.
    const before = await runDashboard(deps, dashboard, { from: '2026-11-30', to: '2026-11-30' });
    expect(metric(before, 'flagged')).toBe(1);
  });
});
