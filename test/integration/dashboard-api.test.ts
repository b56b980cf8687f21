/**
 * The dashboards' HTTP API on a real workspace server over the real Elasticsearch: what the page draws from, the
 * data with the range defaulting to the server clock's days in Asia/Jakarta, CSV per panel, and clear 400/404s.
 * Leadership, who sees aggregates only, is the caller throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import type { DashboardData } from '../../src/dashboard/run-dashboard.ts';
import { DASHBOARD_EXPECTED as X, DASHBOARD_NOW, DASHBOARD_SEEDS, seedDashboardData } from '../helpers/dashboard-fixture.ts';
import { startWorkspace, type SignedIn, type Workspace } from '../helpers/workspace.ts';

describe('dashboards API', () => {
  let ws: Workspace;
  let leader: SignedIn;

  beforeAll(async () => {
    ws = await startWorkspace({ name: 'dash-api', clock: fixedClock(DASHBOARD_NOW) });
    await seedDashboardData(ws.ctx.es, ws.prefix);
    leader = await ws.login('leadership');
  }, 180_000);

  afterAll(async () => {
    await ws?.close();
  });

  it('describes the dashboard: panels, filter options seen in the data, stages, today in Jakarta', async () => {
    const r = await leader.fetch('/api/dashboards/leadership');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { today: string; default_range: { from: string; to: string }; filters: Array<{ id: string; options: Array<{ value: string; name: string }> }>; panels: Array<{ id: string }>; stages: unknown[] };
    expect(body.today).toBe('2026-12-02');
    expect(body.default_range).toEqual({ from: '2026-11-03', to: '2026-12-02' });
    const options = Object.fromEntries(body.filters.map((f) => [f.id, f.options.map((o) => o.value)]));
    expect(options.platform!.sort()).toEqual(['facebook', 'instagram', 'news', 'twitter']);
    expect(options.source!.sort()).toEqual(['fb', 'ig', 'rss', 'tw']);
    expect(options.region).toHaveLength(38);
    expect(body.filters.find((f) => f.id === 'label')!.options).toContainEqual({ value: 'hoax', name: 'Hoaks' });
    expect(body.panels).toHaveLength(9);
    expect(body.stages).toHaveLength(4);
  });

  it('serves the data for the default range (the 30 days up to today in Jakarta) and for a chosen one', async () => {
    const byDefault = (await (await leader.fetch('/api/dashboards/leadership/data')).json()) as DashboardData;
    expect(byDefault.filters).toMatchObject({ from: '2026-11-03', to: '2026-12-02' });
    const summary = byDefault.panels.find((p) => p.id === 'summary');
    // The default range also holds the post of 30 November (23:30 WIB).
    expect(summary?.kind === 'metrics' && summary.values.map((v) => v.value)).toEqual([X.posts + 1, X.flagged + 1, X.narratives]);

    const chosen = await leader.fetch('/api/dashboards/leadership/data?from=2026-12-01&to=2026-12-02&region=35');
    expect(chosen.status).toBe(200);
    const text = await chosen.text();
    const data = JSON.parse(text) as DashboardData;
    const s = data.panels.find((p) => p.id === 'summary');
    expect(s?.kind === 'metrics' && s.values[1]!.value).toBe(X.provinces['35']);
    for (const seed of DASHBOARD_SEEDS) expect(text).not.toContain(`"${seed.id}"`);
  });

  it('gives one panel as a CSV file with the names the page shows', async () => {
    const r = await leader.fetch('/api/dashboards/leadership/panels/top_narratives/csv?from=2026-12-01&to=2026-12-02');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="leadership-top_narratives-2026-12-01_2026-12-02.csv"');
    const lines = (await r.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Kode,Nama,Akun berbeda,Unggahan,Dibagikan,Dilihat,Terakhir terlihat,Kategori,Status');
    expect(lines[1]).toMatch(/^nar-a,"Surat suara sudah dicoblos[^"]*",3,3,16,300,2026-12-02T02:00:00.000Z,"Hoaks; Provokasi SARA",Sudah dilawan$/);
    expect(lines).toHaveLength(1 + X.narratives);
  });

  it('refuses what it cannot answer, saying why', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/dashboards/leadership/data?from=2026-12-03&to=2026-12-01', 400, /"from" must not be after "to"/],
      ['/api/dashboards/leadership/data?from=2026-02-30', 400, /calendar date/],
      ['/api/dashboards/leadership/data?from=2025-01-01&to=2026-12-01', 400, /at most 366 days/],
      ['/api/dashboards/leadership/data?label=fitnah', 400, /unknown label "fitnah"/],
      ['/api/dashboards/leadership/data?region=Jatim', 400, /BPS province code/],
      ['/api/dashboards/leadership/data?author=a1', 400, /author/],
      ['/api/dashboards/leadership/data?platform=x%20y', 400, /letters, digits/],
      ['/api/dashboards/rahasia/data', 404, /no dashboard "rahasia"/],
      ['/api/dashboards/leadership/panels/posts/csv', 404, /no panel "posts"/],
    ];
    for (const [path, status, message] of cases) {
      const r = await leader.fetch(path);
      expect(r.status, path).toBe(status);
      expect(((await r.json()) as { error: string }).error, path).toMatch(message);
    }
  });
});
