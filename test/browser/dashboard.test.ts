/**
 * The leadership dashboard page (/, dashboards/leadership.html + dashboard.js + ECharts from the project) in real
 * headless Chromium against the real server on the real Elasticsearch, with the hand-worked data set of
 * test/helpers/dashboard-fixture.ts: leadership signs in on the page itself, every panel shows the expected
 * figures, filters and the range change them and the address, CSV and PNG downloads work, nothing breaks the
 * Content-Security-Policy, no post id or author reaches the page, and a 390 px phone does not scroll sideways.
 * The browser runs in Los Angeles time on purpose: days and times must still be Jakarta's.
 * Screenshots at 1440×900 and 390×844 go to test/artifacts/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { fixedClock } from '../../src/core/clock.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { loadHumasUnits } from '../../src/config/humas-units.ts';
import { DASHBOARD_EXPECTED as X, DASHBOARD_NOW, DASHBOARD_RANGE, DASHBOARD_SEEDS, seedDashboardData } from '../helpers/dashboard-fixture.ts';
import { startWorkspace, type TestUser, type Workspace } from '../helpers/workspace.ts';

// The page's globals, as far as the callbacks given to page.evaluate use them (the tsconfig has no DOM lib).
interface PageCanvas { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null }
declare const document: {
  documentElement: { scrollWidth: number };
  body: { innerText: string };
  querySelector(selector: string): PageCanvas | null;
  addEventListener(type: string, listener: (e: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare const window: { __csp: string[] };

/** The sign-in check before signing in is answered 401, which the browser reports on its console: not a fault. */
const faults = (problems: string[]) => problems.filter((p) => !p.includes('status of 401'));
const poll = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 20_000, interval: 100 });

const SHOTS = resolve(PROJECT_ROOT, 'test', 'artifacts', 'screenshots');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const RANGE_QUERY = `from=${DASHBOARD_RANGE.from}&to=${DASHBOARD_RANGE.to}`;

describe('leadership dashboard page in the browser', () => {
  let ws: Workspace;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ws = await startWorkspace({ name: 'dashpage', clock: fixedClock(DASHBOARD_NOW), units: loadHumasUnits(resolve(PROJECT_ROOT, 'pipelines', 'humas-units.json')) });
    await seedDashboardData(ws.ctx.es, ws.prefix);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await ws?.close();
  });

  /** A fresh profile (no cookies); script errors, console errors and CSP violations are recorded. */
  async function open(viewport = DESKTOP) {
    const context = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'America/Los_Angeles', acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    await page.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page.setDefaultTimeout(20_000);
    return { page, context, problems };
  }

  async function signIn(page: Page, user: TestUser, query = RANGE_QUERY, { loads = true } = {}): Promise<void> {
    await page.goto(`${ws.base}/#${query}`);
    await poll(() => page.locator('#view-login').isVisible()).toBe(true);
    await page.getByLabel('Nama pengguna').fill(ws.users[user].username);
    await page.getByLabel('Kata sandi').fill(ws.users[user].password);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await poll(() => page.locator('#who').isVisible()).toBe(true);
    if (loads) await poll(() => page.locator('#updated').textContent()).toMatch(/^Diperbarui \d{2}:\d{2} WIB$/);
  }

  const tile = (page: Page, key: string) => page.locator(`.tile-${key} .tile-value`).textContent();
  const panel = (page: Page, id: string) => page.locator(`#panel-${id}`);
  const csp = (page: Page) => page.evaluate(() => window.__csp);
  const shot = (page: Page, name: string) => page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });

  it('shows every panel with the hand-worked figures to leadership, in WIB, with nothing but aggregates', async () => {
    const { page, problems } = await open();
    await signIn(page, 'leadership');
    expect(await page.locator('#who-role').textContent()).toBe('Pimpinan');
    expect(await page.locator('#title').textContent()).toContain('Dasbor pimpinan');
    expect(await page.locator('#controls').textContent()).toContain('Waktu: WIB (Asia/Jakarta)');
    // Auto-refresh is on by default, every refresh_seconds (300 s); switching it off is kept in the address.
    expect(await page.getByLabel('Perbarui otomatis tiap 5 menit').isChecked()).toBe(true);
    // The range comes from the address; its days are Jakarta days (tw-8 at 00:30 WIB counts, tw-9 at 23:30 does not).
    expect(await page.locator('#from').inputValue()).toBe(DASHBOARD_RANGE.from);
    expect(await page.locator('#to').inputValue()).toBe(DASHBOARD_RANGE.to);
    expect(await page.locator('#range-text').textContent()).toContain('1 Des 2026 – 2 Des 2026');

    // Every panel of the definition is drawn, none with an empty state or a failure.
    const ids = await page.locator('.panel').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { panel: string } }).dataset.panel));
    expect(ids).toEqual(['summary', 'flagged_over_time', 'top_narratives', 'provinces', 'platforms', 'sources', 'response_times', 'open_alerts', 'precision']);
    expect(await page.locator('.panel .empty').count()).toBe(0);
    expect(await page.locator('.panel .error').count()).toBe(0);
    for (const id of ids) {
      expect(await panel(page, id).getByRole('button', { name: /PNG/ }).count(), id).toBe(1);
      expect(await panel(page, id).getByRole('link', { name: /CSV/ }).count(), id).toBe(1);
    }

    // Summary: distinct posts, and what the categories add up to, said next to it.
    expect(await tile(page, 'posts')).toBe(String(X.posts));
    expect(await tile(page, 'flagged')).toBe(String(X.flagged));
    expect(await tile(page, 'narratives')).toBe(String(X.narratives));
    expect(await panel(page, 'summary').textContent()).toContain(`Jumlah per kategori (${X.labelSum}) lebih besar dari ${X.flagged} unggahan ditandai`);

    // Over time: the overlap note, the stage band named, a line chart drawn.
    const note = await panel(page, 'flagged_over_time').locator('.note').textContent();
    expect(note).toContain(`${X.multiLabel} dari ${X.flagged} unggahan ditandai`);
    expect(note).toContain(`(${X.labelSum})`);
    expect(await panel(page, 'flagged_over_time').locator('.stages').textContent()).toContain('Masa kampanye');
    expect(await panel(page, 'flagged_over_time').locator('canvas').count()).toBe(1);

    // Top narratives: by reach, with the desk status as a badge; the sample text has no handle or link.
    const top = panel(page, 'top_narratives').locator('tbody tr').first();
    expect(await top.textContent()).toContain('Surat suara sudah dicoblos');
    expect(await top.locator('.status-col').textContent()).toBe('Sudah dilawan');
    expect(await top.locator('.status-col').getAttribute('class')).toContain('status-countered');
    expect(await top.locator('td.num').first().textContent()).toBe(String(X.topNarrative.accounts));
    expect(await panel(page, 'top_narratives').locator('.status-new.status-col').count()).toBe(1);

    // Provinces: the table beside the map, and a map actually painted.
    const east = panel(page, 'provinces').locator('tbody tr', { hasText: 'Jawa Timur' });
    expect(await east.locator('td.num').textContent()).toBe(String(X.provinces['35']));
    expect(await panel(page, 'provinces').locator('tbody tr').count()).toBe(Object.keys(X.provinces).length);
    expect(await panel(page, 'provinces').locator('.note').textContent()).toContain('Kalimantan Utara dihitung dalam bentuk Kalimantan Timur');
    const painted = await page.evaluate(() => {
      const canvas = document.querySelector('#panel-provinces .chart canvas');
      const data = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!canvas || !data) return 0;
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) coloured++;
      return coloured;
    });
    expect(painted).toBeGreaterThan(5_000);

    // Units by name, durations as people say them; precision with its decisions.
    const kpu = panel(page, 'response_times').locator('tbody tr', { hasText: 'Humas KPU RI' });
    expect(await kpu.textContent()).toContain('10 m');
    expect(await kpu.textContent()).toContain('1 j');
    expect(await panel(page, 'open_alerts').locator('canvas').count()).toBe(1);
    expect(await panel(page, 'open_alerts').locator('tbody').textContent()).toContain('Humas KPU RI');
    expect(await panel(page, 'precision').textContent()).toContain('67%');
    expect(await panel(page, 'precision').textContent()).toContain(`3 keputusan`);
    expect(await panel(page, 'precision').textContent()).toContain('belum ada keputusan');

    // Aggregates only: no post id, author, link or handle anywhere on the page.
    const text = await page.evaluate(() => document.body.innerText);
    const html = await page.content();
    for (const s of DASHBOARD_SEEDS) {
      expect(html, s.id).not.toContain(s.id);
      expect(text, s.author).not.toMatch(new RegExp(`\\b${s.author}\\b`));
    }
    expect(html).not.toMatch(/@saksi_tps|t\.co\/abc|081234567890|example\.com/);

    // Tooltips are drawn on the canvas, not as HTML with style attributes the policy would refuse.
    for (const id of ['flagged_over_time', 'provinces', 'platforms']) {
      const box = (await panel(page, id).locator('.chart').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
      await page.waitForTimeout(200);
    }
    await page.mouse.move(0, 0);

    await shot(page, 'dashboard-desktop');
    await page.getByLabel('Perbarui otomatis tiap 5 menit').uncheck();
    expect(page.url()).toContain('auto=0');
    expect(faults(problems)).toEqual([]);
    expect(await csp(page)).toEqual([]);
  });

  it('applies a filter to every panel it can, says where it cannot, and keeps it in the address', async () => {
    const { page, problems } = await open();
    await signIn(page, 'leadership');
    await page.getByRole('combobox', { name: 'Provinsi' }).selectOption('35');
    await poll(() => tile(page, 'flagged')).toBe(String(X.provinces['35']));
    expect(page.url()).toContain('region=35');
    expect(await panel(page, 'provinces').locator('tbody tr').count()).toBe(1);
    // Cases carry their narratives' provinces; the analysts' decisions do not.
    expect(await panel(page, 'precision').locator('.notice').textContent()).toBe('Filter Provinsi tidak berlaku untuk panel ini.');
    expect(await panel(page, 'response_times').locator('.notice').isVisible()).toBe(false);
    expect(await panel(page, 'summary').locator('.notice').isVisible()).toBe(false);
    expect(await page.locator('#range-text').textContent()).toContain('Provinsi: Jawa Timur');

    // A link with the filters opens the same figures in another browser.
    const forwarded = page.url();
    await page.getByRole('combobox', { name: 'Provinsi' }).selectOption('');
    await page.getByRole('combobox', { name: 'Platform' }).selectOption('facebook');
    await poll(() => tile(page, 'posts')).toBe(String(X.platforms.facebook.posts));
    expect(await tile(page, 'flagged')).toBe(String(X.platforms.facebook.flagged));
    expect(page.url()).toContain('platform=facebook');
    expect(page.url()).not.toContain('region=');

    const other = await open();
    await signIn(other.page, 'leadership', new URL(forwarded).hash.slice(1));
    expect(await other.page.getByRole('combobox', { name: 'Provinsi' }).inputValue()).toBe('35');
    expect(await tile(other.page, 'flagged')).toBe(String(X.provinces['35']));
    expect(faults(other.problems)).toEqual([]);

    // The range: a preset, then dates typed in.
    await page.getByRole('combobox', { name: 'Platform' }).selectOption('');
    await page.getByRole('button', { name: 'Hari ini' }).click();
    await poll(() => page.locator('#from').inputValue()).toBe('2026-12-02');
    await poll(() => tile(page, 'posts')).toBe('2');
    expect(await tile(page, 'flagged')).toBe(String(X.flaggedPerDay['2026-12-02']));
    expect(await page.getByRole('button', { name: 'Hari ini' }).getAttribute('aria-pressed')).toBe('true');
    expect(page.url()).toContain('from=2026-12-02&to=2026-12-02');
    await page.locator('#from').fill('2026-11-30');
    await page.locator('#from').dispatchEvent('change');
    // 30 November (WIB) adds tw-9, flagged, at 23:30 WIB.
    await poll(() => tile(page, 'posts')).toBe(String(X.posts + 1));
    expect(await tile(page, 'flagged')).toBe(String(X.flagged + 1));
    expect(page.url()).toContain('from=2026-11-30');
    expect(faults(problems)).toEqual([]);
    expect(await csp(page)).toEqual([]);
  });

  it('downloads a panel as CSV and as PNG', async () => {
    const { page, problems } = await open();
    await signIn(page, 'leadership');
    const [csv] = await Promise.all([page.waitForEvent('download'), panel(page, 'provinces').getByRole('link', { name: /CSV/ }).click()]);
    expect(csv.suggestedFilename()).toBe(`leadership-provinces-${DASHBOARD_RANGE.from}_${DASHBOARD_RANGE.to}.csv`);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csvText.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('Kode,Nama,Unggahan ditandai,Kategori');
    expect(csvText).toContain('35,Jawa Timur,3,');

    for (const id of ['flagged_over_time', 'top_narratives', 'summary', 'provinces']) {
      const [png] = await Promise.all([page.waitForEvent('download'), panel(page, id).getByRole('button', { name: /PNG/ }).click()]);
      expect(png.suggestedFilename(), id).toBe(`leadership-${id}-${DASHBOARD_RANGE.from}_${DASHBOARD_RANGE.to}.png`);
      const bytes = readFileSync((await png.path())!);
      expect([...bytes.subarray(0, 8)], id).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(bytes.length, id).toBeGreaterThan(5_000);
    }
    expect(faults(problems)).toEqual([]);
    expect(await csp(page)).toEqual([]);
  });

  it('says in Indonesian what is wrong with a range, and asks a signed-out visitor to sign in', async () => {
    const { page, problems } = await open();
    await page.goto(`${ws.base}/`);
    await poll(() => page.locator('#view-login').isVisible()).toBe(true);
    expect(await page.locator('#controls').isVisible()).toBe(false);
    await signIn(page, 'leadership', 'from=2026-12-05&to=2026-12-01', { loads: false });
    // The page waits for "Diperbarui" only on success; here the error banner speaks.
    await poll(() => page.locator('#error-text').textContent()).toContain('Isian tidak valid');
    expect(await page.locator('#error-text').textContent()).toContain('"from" must not be after "to"');
    // The browser reports the 400 answer itself; nothing else may go wrong.
    expect(faults(problems).filter((p) => !p.includes('status of 400'))).toEqual([]);
  });

  it('fits a 390 px phone: panels stack, charts fit, nothing scrolls sideways', async () => {
    const { page, problems } = await open(PHONE);
    await signIn(page, 'leadership');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const widths = await page.locator('.panel').evaluateAll((els) => els.map((e) => (e as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width));
    for (const w of widths) expect(w).toBeLessThanOrEqual(PHONE.width);
    const chartWidth = await panel(page, 'flagged_over_time').locator('canvas').evaluate((c) => (c as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width);
    expect(chartWidth).toBeLessThanOrEqual(PHONE.width);
    expect(chartWidth).toBeGreaterThan(300);
    await shot(page, 'dashboard-phone');
    expect(faults(problems)).toEqual([]);
    expect(await csp(page)).toEqual([]);
  });
});
