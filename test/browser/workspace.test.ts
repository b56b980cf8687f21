/**
 * The analyst workspace page (/app, src/web/) in real headless Chromium against the real server on the real
 * Elasticsearch: an analyst works the queue (confirm one narrative, dismiss another with a reason) and sees the
 * audit entries; the queue can be worked with the keyboard alone; a post whose text is HTML renders as text;
 * a humas user sees only its unit's cases; leadership sees aggregates and never a handle or a post text; a
 * 390 px phone has no horizontal overflow. Screenshots at 1280×800 and 390×844 go to test/artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_MODEL_DIR } from '../../src/classifier/index.ts';
import { ModelRegistry } from '../../src/classifier/registry.ts';
import { systemClock } from '../../src/core/clock.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { newCase } from '../../src/desk/lifecycle.ts';
import { createCase, refreshCases, type CaseDoc } from '../../src/store/desk-store.ts';
import { clarificationsIndex, postsAlias } from '../../src/store/index-names.ts';
import { claimKey, type ClarificationDoc } from '../../src/kb/entry.ts';
import { storeClarifications } from '../../src/kb/store.ts';
import { indexPosts } from '../../src/sinks/elasticsearch-posts.ts';
import { scoredPostSchema, type ScoredPost } from '../../src/core/post.ts';
import { startWorkspace, TEST_USERS, type TestUser, type Workspace } from '../helpers/workspace.ts';

// The page's globals, as far as the callbacks given to page.evaluate use them (the tsconfig has no DOM lib).
interface PageElement { id: string; className: string; textContent: string | null }
declare const document: { activeElement: PageElement | null; documentElement: { scrollWidth: number }; body: { innerText: string } };
declare const location: { hash: string };
declare function getComputedStyle(el: unknown): { outlineStyle: string; display: string };

/** Waits for the page: logins hash passwords and Elasticsearch refreshes, so allow seconds, not the default one. */
const poll = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 20_000, interval: 100 });

const SHOTS = resolve(PROJECT_ROOT, 'test', 'artifacts', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const XSS = '<img src=x onerror=alert(1)>';

/** Narratives of scored posts; every author handle must stay out of leadership's page. */
const HOUR = 3_600_000;
const NARRATIVES = [
  { id: 'narasi-surat-suara', label: 'hoax', score: 0.97, texts: ['Surat suara di TPS 12 sudah dicoblos sebelum hari pemungutan, sebarkan!', 'Katanya surat suara TPS 12 sudah tercoblos duluan', 'Bukti surat suara dicoblos sebelum pemilu'], authors: ['kabar_tps12', 'warga_kritis88', 'info_pemilu_x'] },
  { id: 'narasi-bansos', label: 'hate_speech', score: 0.9, texts: ['Bansos hanya untuk golongan mereka, usir saja', 'Bansos dibagi hanya ke kelompok itu'], authors: ['suara_rakyat_77', 'akun_bansos'] },
  { id: 'narasi-kotak-suara', label: 'hoax', score: 0.93, texts: ['Kotak suara di gudang KPU dibuka malam-malam', 'Video kotak suara dibuka diam-diam'], authors: ['pantau_kotak', 'relawan_jujur'] },
  { id: 'narasi-xss', label: 'hoax', score: 0.95, texts: [XSS], authors: ['penguji_html'] },
  { id: 'narasi-eskalasi', label: 'hoax', score: 0.92, texts: ['TPS di balai desa dipindah mendadak tanpa pemberitahuan, jangan datang besok', 'Kabarnya TPS balai desa dipindah, warga bingung'], authors: ['warga_desa_9', 'kabar_balai'] },
  { id: 'narasi-klaim', label: 'hoax', score: 0.94, claim: true, texts: ['KPU mengirim surat suara yang sudah tercoblos ke TPS di Surabaya, awas!', 'Surat suara tercoblos dikirim KPU ke TPS Surabaya'], authors: ['berita_tps_sby', 'warga_sby_21'] },
  { id: 'narasi-dikunci', label: 'sara', score: 0.88, texts: ['Provokasi antarsuku menjelang pilkada di kota ini'], authors: ['provokator_01'] },
];
const HANDLES = NARRATIVES.flatMap((n) => n.authors);
/** A knowledge-base clarification the posts of 'narasi-klaim' match. */
const CLAIM = 'KPU mengirim surat suara yang sudah tercoblos ke TPS di Surabaya';
const TEXTS = NARRATIVES.flatMap((n) => n.texts);

/** Writes the narratives' posts through the real posts sink (what production stores, search text included). */
async function seedPosts(ws: Workspace): Promise<void> {
  const now = Date.now();
  const posts: ScoredPost[] = NARRATIVES.flatMap((n, ni) =>
    n.texts.map((text, pi) => {
      const createdAt = new Date(now - (ni * 3 + pi + 1) * HOUR).toISOString();
      return scoredPostSchema.parse({
        id: `uji-${n.id}-${pi}`, platform: 'x', author: n.authors[pi], text, url: `https://x.example/uji-${n.id}-${pi}`, created_at: createdAt, region: '3578',
        engagement: { likes: 40 - pi, shares: 12, replies: 3, views: 900 }, language: 'id',
        scores: { hoax: 0.05, hate_speech: 0.04, abusive: 0.03, sara: 0.06, [n.label]: n.score - pi * 0.01 },
        flags: [n.label], flagged: true, review_flags: [], sentiment: 'negative', model_version: 'pantau-id-v2', classified_at: createdAt,
        relevance: { relevant: true, terms: ['pemilu'] }, narrative_id: n.id,
        claim: 'claim' in n ? { id: claimKey(CLAIM), probability: 0.9 - pi * 0.05, verdict: 'hoaks', stance: 'supports' } : null,
      });
    }),
  );
  const rejected = await indexPosts(ws.ctx.es, posts, { prefix: ws.prefix, maxAttempts: 3, retryBaseMs: 50 });
  if (rejected.length > 0) throw new Error(`seeding posts failed: ${JSON.stringify(rejected[0])}`);
  await ws.ctx.es.indices.refresh({ index: postsAlias(ws.prefix) });
}

function caseDoc(unit: string, cluster: string, summary: string): CaseDoc {
  const opened = new Date(Date.now() - 2 * HOUR).toISOString();
  // Opened and alerted by the desk two hours ago.
  return { ...newCase({ caseId: `${cluster}~${unit}`, clusterId: cluster, unitId: unit, labels: ['hoax'], summary, at: opened, engagement: 0, via: 'desk' }), last_alerted_at: opened, alerts_sent: 1 };
}
const KOMDIGI_CASE = 'Narasi surat suara sudah dicoblos beredar di grup percakapan';
const BAWASLU_CASE = 'Narasi pengawas pemilu disuap beredar di media sosial';

describe('analyst workspace in the browser', () => {
  let ws: Workspace;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ws = await startWorkspace({ name: 'browser' });
    const clarification: ClarificationDoc = { claim: CLAIM, claim_key: claimKey(CLAIM), verdict: 'hoaks', url: 'https://turnbackhoax.example.id/surat-suara-tercoblos', origins: ['test'], imported_at: new Date().toISOString() };
    await storeClarifications(ws.ctx.es, clarificationsIndex(ws.prefix), [clarification]);
    await seedPosts(ws);
    await createCase(ws.ctx.es, ws.prefix, caseDoc('komdigi', 'klaster-komdigi', KOMDIGI_CASE));
    await createCase(ws.ctx.es, ws.prefix, caseDoc('bawaslu', 'klaster-bawaslu', BAWASLU_CASE));
    await refreshCases(ws.ctx.es, ws.prefix);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await ws?.close();
  });

  /** A fresh browser profile (no cookies) with a page; script errors and dialogs are recorded. */
  async function open(viewport = DESKTOP) {
    const context = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    page.setDefaultTimeout(20_000);
    return { page, context, problems, dialogs, requests };
  }

  async function login(page: Page, user: TestUser): Promise<void> {
    await page.goto(`${ws.base}/app`);
    await page.getByLabel('Nama pengguna').fill(ws.users[user].username);
    await page.getByLabel('Kata sandi').fill(ws.users[user].password);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await poll(() => page.locator('#who-name').textContent()).toBe(TEST_USERS[user].displayName);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
  const queueRows = (page: Page) => page.locator('#queue-table .queue-row');
  const rowOf = (page: Page, text: string) => queueRows(page).filter({ hasText: text });
  /** A narrative's row by its item id (the sample shown may be any of its posts). */
  const itemRow = (page: Page, narrative: string) => page.locator(`#queue-table .queue-row[data-item="${narrative}"]`);

  it('refuses a wrong password with a message in Indonesian, then signs in and out', async () => {
    const { page, problems } = await open();
    await page.goto(`${ws.base}/app`);
    await poll(() => page.locator('#view-login').isVisible()).toBe(true);
    await shot(page, 'desktop-login');
    await page.getByLabel('Nama pengguna').fill(ws.users.analyst.username);
    await page.getByLabel('Kata sandi').fill('salah-sekali');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await poll(() => page.locator('#login-error').textContent()).toBe('Nama pengguna atau kata sandi salah.');
    await login(page, 'analyst');
    expect(await page.locator('#who-role').textContent()).toBe('Analis');
    expect(await page.locator('#nav a:not([hidden])').allTextContents()).toEqual(['Antrean', 'Audit', 'Ringkasan']);
    // An address the role may not open lands on its home view.
    await page.goto(`${ws.base}/app#/admin`);
    await poll(() => page.locator('#view-queue').isVisible()).toBe(true);
    expect(await page.evaluate(() => location.hash)).toBe('#/antrean');
    // A reload keeps the session (GET /api/session) and the view.
    await page.reload();
    await poll(() => page.locator('#who-name').textContent()).toBe('Analis Satu');
    await page.getByRole('button', { name: 'Keluar' }).click();
    await poll(() => page.locator('#view-login').isVisible()).toBe(true);
    expect(await page.locator('#login-error').textContent()).toBe('Anda sudah keluar.');
    expect(problems).toEqual([]);
  });

  it('returns to the login form when the session ends under the page (401)', async () => {
    const { page, context } = await open();
    await login(page, 'analyst');
    await context.clearCookies();
    await page.getByRole('link', { name: 'Ringkasan', exact: true }).click();
    await poll(() => page.locator('#view-login').isVisible()).toBe(true);
    expect(await page.locator('#login-error').textContent()).toBe('Sesi Anda berakhir. Silakan masuk lagi.');
    // Signing in again lands on the view that was asked for.
    await page.getByLabel('Nama pengguna').fill(ws.users.analyst.username);
    await page.getByLabel('Kata sandi').fill(ws.users.analyst.password);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await poll(() => page.locator('#view-summary').isVisible()).toBe(true);
  });

  it('says what failed, in Indonesian, when the API answers with an error', async () => {
    const { page, problems } = await open();
    await login(page, 'analyst');
    // Elasticsearch down for the queue, the server failing for the audit log.
    await page.route('**/api/queue?*', (r) => r.fulfill({ status: 502, contentType: 'application/json', body: JSON.stringify({ error: 'could not read from Elasticsearch; try again shortly' }) }));
    await page.route('**/api/audit?*', (r) => r.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal error' }) }));
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await poll(() => page.locator('#audit-list').textContent()).toBe('Gagal memuat jejak audit: Terjadi galat di server. Coba lagi; bila berulang, hubungi admin.');
    await page.getByRole('link', { name: 'Antrean', exact: true }).click();
    await poll(() => page.locator('#queue-list').textContent()).toBe('Gagal memuat antrean: Basis data (Elasticsearch) sedang tidak dapat dihubungi. Coba lagi sebentar lagi.');
    expect(await page.locator('#queue-list [role="alert"]').count()).toBe(1);
    await page.unrouteAll();
    // A search that matches nothing: the empty state.
    await page.getByLabel('Cari teks (/)').fill('zzqxv tidak ada');
    await page.getByLabel('Cari teks (/)').press('Enter');
    await poll(() => page.locator('#queue-list').textContent()).toContain('Antrean kosong');
    expect(problems).toEqual([]);
  });

  it('an analyst opens items, confirms one narrative, dismisses another with a reason and sees the audit entries', async () => {
    const { page, problems, dialogs } = await open();
    await login(page, 'analyst');
    await poll(() => queueRows(page).count()).toBeGreaterThanOrEqual(4);
    const first = itemRow(page, 'narasi-surat-suara');
    expect(await first.textContent()).toContain('3 unggahan');
    expect(await first.textContent()).toContain('3 akun');
    expect(await first.textContent()).toContain('Hoaks 0,97');
    await shot(page, 'desktop-queue');

    // Confirm the whole narrative.
    await first.locator('.open-link').click();
    await poll(() => page.locator('#item-claim').textContent()).toContain('Anda tangani');
    await poll(() => page.locator('.post').count()).toBe(3); // the item is drawn after the claim banner (they load side by side)
    expect(await page.locator('details.why').first().textContent()).toContain('Mengapa ditandai');
    expect(await page.locator('details.why').first().textContent()).toContain('pantau-id-v2');
    expect(await page.locator('details.why').first().textContent()).toContain('di atas ambang peringatan');
    await shot(page, 'desktop-item');
    await page.getByRole('button', { name: 'Konfirmasi', exact: true }).click();
    await poll(() => page.locator('#decision-result').textContent()).toContain('Tersimpan: Konfirmasi');
    expect(await page.locator('#audit-trail li').first().textContent()).toContain('Konfirmasi oleh analis');

    // Dismiss another; without a reason the page asks for one and sends nothing.
    await page.getByRole('link', { name: 'Kembali ke antrean' }).first().click();
    await poll(() => itemRow(page, 'narasi-bansos').count()).toBe(1);
    await itemRow(page, 'narasi-bansos').locator('.open-link').click();
    await poll(() => page.locator('#item-claim').textContent()).toContain('Anda tangani');
    await page.getByRole('button', { name: 'Tolak', exact: true }).click();
    expect(await page.locator('#decision-error').textContent()).toContain('alasan');
    await page.getByLabel('Alasan penolakan (wajib)').fill('Kritik kebijakan bansos, bukan ujaran kebencian.');
    await page.getByRole('button', { name: 'Tolak', exact: true }).click();
    await poll(() => page.locator('#decision-result').textContent()).toContain('Tersimpan: Tolak');
    expect(await page.locator('#decision-result').textContent()).toContain('Kritik kebijakan bansos');
    await shot(page, 'desktop-item-decided');

    // The audit view lists both decisions, newest first.
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await poll(() => page.locator('#audit-table tbody tr').count()).toBeGreaterThanOrEqual(2);
    const rows = await page.locator('#audit-table tbody tr').allTextContents();
    expect(rows[0]).toContain('Tolak');
    expect(rows[0]).toContain('Kritik kebijakan bansos');
    expect(rows.some((r) => r.includes('Konfirmasi'))).toBe(true);
    await shot(page, 'desktop-audit');

    // Decided items leave the open queue.
    await page.getByRole('link', { name: 'Antrean', exact: true }).click();
    await poll(() => page.locator('#queue-count').textContent()).toContain('item');
    expect(await itemRow(page, 'narasi-surat-suara').count()).toBe(0);
    expect(await itemRow(page, 'narasi-bansos').count()).toBe(0);
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('shows who holds an item claimed by another analyst and keeps its decision buttons off', async () => {
    const other = await ws.login('analyst2');
    const list = (await (await other.fetch('/api/queue?q=Provokasi')).json()) as { items: Array<{ item_id: string }> };
    expect(list.items.length).toBeGreaterThan(0);
    expect((await other.fetch(`/api/queue/${encodeURIComponent(list.items[0]!.item_id)}/claim`, { method: 'POST' })).status).toBe(200);
    const { page } = await open();
    await login(page, 'analyst');
    await poll(() => rowOf(page, 'Provokasi antarsuku').count()).toBe(1);
    expect(await rowOf(page, 'Provokasi antarsuku').textContent()).toContain('sedang ditangani analis2');
    await rowOf(page, 'Provokasi antarsuku').locator('.open-link').click();
    await poll(() => page.locator('#item-claim').textContent()).toContain('analis2');
    expect(await page.getByRole('button', { name: 'Konfirmasi', exact: true }).isDisabled()).toBe(true);
  });

  it('renders a post whose text is HTML as text, and no script or dialog runs', async () => {
    const { page, problems, dialogs } = await open();
    await login(page, 'analyst');
    await poll(() => rowOf(page, XSS).count()).toBe(1);
    expect(await page.locator('#queue-list img').count()).toBe(0);
    await rowOf(page, XSS).locator('.open-link').click();
    await poll(() => page.locator('.post-text').first().textContent()).toBe(XSS);
    expect(await page.locator('#item-body img, #item-title img').count()).toBe(0);
    expect(await page.locator('#item-title').textContent()).toContain(XSS);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('works the queue with the keyboard alone', async () => {
    const { page, problems } = await open();
    await page.goto(`${ws.base}/app`);
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('login-username');
    await page.keyboard.type(ws.users.analyst.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ws.users.analyst.password);
    await page.keyboard.press('Enter');
    await poll(() => queueRows(page).count()).toBeGreaterThanOrEqual(2);

    // The help panel lists the shortcuts; Escape closes it.
    await page.keyboard.press('?');
    await poll(() => page.locator('#help').isVisible()).toBe(true);
    expect(await page.locator('#help').textContent()).toContain('Item berikutnya di antrean');
    await shot(page, 'desktop-help');
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#help').isVisible()).toBe(false);

    // j / k move the selection (and the focus, visibly); Enter opens.
    const current = () => page.locator('#queue-table .queue-row.current').getAttribute('data-index');
    expect(await current()).toBe('0');
    await page.keyboard.press('j');
    expect(await current()).toBe('1');
    await page.keyboard.press('k');
    expect(await current()).toBe('0');
    const focused = await page.evaluate(() => {
      const el = document.activeElement!;
      return { cls: el.className, outline: getComputedStyle(el).outlineStyle };
    });
    expect(focused.cls).toContain('open-link');
    expect(focused.outline).not.toBe('none');
    const target = Number(await itemRow(page, 'narasi-kotak-suara').getAttribute('data-index'));
    for (let i = 0; i < target; i++) await page.keyboard.press('j');
    expect(await current()).toBe(String(target));
    const chosen = await page.locator('#queue-table .queue-row.current').getAttribute('data-item');
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe(`#/item/${chosen}`);
    await poll(() => page.locator('#item-claim').textContent()).toContain('Anda tangani');
    expect(await page.locator('.post-text').first().textContent()).toContain('otak suara');

    // t jumps to the dismiss reason; the next Tab is the Tolak button; Enter decides.
    await page.keyboard.press('t');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dismiss-reason');
    await page.keyboard.type('Bukan hoaks: kutipan berita resmi.');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Tolak');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#decision-result').textContent()).toContain('Tersimpan: Tolak');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('decision-result-title');

    // Escape goes back to the queue with the focus on the queue.
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#view-queue').isVisible()).toBe(true);
    await poll(() => page.evaluate(() => document.activeElement?.className ?? '')).toContain('open-link');
    expect(problems).toEqual([]);
  });

  it('relabels one selected post, then escalates the whole narrative to a humas unit', async () => {
    const { page, problems } = await open();
    await login(page, 'analyst');
    await poll(() => itemRow(page, 'narasi-eskalasi').count()).toBe(1);
    await itemRow(page, 'narasi-eskalasi').locator('.open-link').click();
    await poll(() => page.locator('#item-claim').textContent()).toContain('Anda tangani');
    // Selecting a post switches the decision to the selected posts.
    await page.getByLabel('Pilih unggahan 1').check();
    expect(await page.getByLabel(/Hanya unggahan terpilih/).isChecked()).toBe(true);
    expect(await page.locator('#scope-selected-count').textContent()).toBe('Hanya unggahan terpilih (1 dipilih)');
    await page.getByRole('checkbox', { name: 'Hoaks', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'Provokasi SARA', exact: true }).check();
    await page.getByLabel('Alasan perubahan (wajib)').fill('Bukan hoaks pemilu: ajakan yang memecah warga.');
    await page.getByRole('button', { name: 'Simpan label' }).click();
    await poll(() => page.locator('#decision-result').textContent()).toContain('Tersimpan: Ubah label');
    expect(await page.locator('#decision-result').textContent()).toContain('Hoaks → Provokasi SARA · 1 unggahan');
    // Back to the whole narrative for the escalation.
    await page.getByLabel(/Seluruh narasi/).check();
    await page.getByLabel('Eskalasi ke unit humas').selectOption({ label: 'Humas Komdigi' });
    await page.getByRole('button', { name: 'Eskalasi', exact: true }).click();
    await poll(() => page.locator('#decision-result').textContent()).toContain('Tersimpan: Eskalasi ke unit humas');
    expect(await page.locator('#decision-result').textContent()).toContain('Unit: komdigi');
    await poll(() => page.locator('#audit-trail > li').count()).toBe(2);
    await shot(page, 'desktop-item-escalated');
    expect(problems).toEqual([]);
  });

  it('shows the matched claim and links the suggested clarification', async () => {
    const { page, problems } = await open();
    await login(page, 'analyst');
    await poll(() => itemRow(page, 'narasi-klaim').count()).toBe(1);
    expect(await itemRow(page, 'narasi-klaim').textContent()).toContain(CLAIM);
    await itemRow(page, 'narasi-klaim').locator('.open-link').click();
    await poll(() => page.locator('#item-claim').textContent()).toContain('Anda tangani');
    // The claim and the item load side by side: the banner can say "Anda tangani" before the item (with its
    // suggestions) is drawn.
    const suggestion = page.locator('.suggestion').filter({ hasText: CLAIM });
    await poll(() => suggestion.count()).toBe(1);
    await suggestion.getByRole('button', { name: 'Pilih untuk ditautkan' }).click();
    expect(await page.getByLabel('Tautkan klarifikasi').inputValue()).toBe(claimKey(CLAIM));
    await page.getByRole('button', { name: 'Tautkan', exact: true }).click();
    await poll(() => page.locator('#decision-result').textContent()).toContain('Tersimpan: Tautkan klarifikasi');
    expect(await page.locator('#decision-result').textContent()).toContain(claimKey(CLAIM));
    expect(problems).toEqual([]);
  });

  it('a humas user sees only the cases of its unit (the escalated one too), acknowledges and counters one', async () => {
    const { page, problems, requests } = await open();
    await login(page, 'humas');
    // The seeded case and the one the analyst escalated; never the other unit's.
    await poll(() => page.locator('#case-list > li').count()).toBe(2);
    const text = (await page.locator('#cases-list').textContent())!;
    expect(text).toContain(KOMDIGI_CASE);
    expect(text).toContain('balai desa dipindah');
    expect(text).not.toContain(BAWASLU_CASE);
    expect(await page.locator('#cases-scope').textContent()).toBe('Kasus untuk unit Anda: Humas Komdigi.');
    expect(await page.locator('#nav a:not([hidden])').allTextContents()).toEqual(['Kasus', 'Ringkasan']);
    await shot(page, 'desktop-humas-cases');
    const card = page.locator('#case-list > li').filter({ hasText: KOMDIGI_CASE });
    await card.getByRole('button', { name: 'Tandai diterima' }).click();
    await poll(() => card.locator('.case-result').textContent()).toContain('Diterima');
    // Countering needs the link of the published counter-narrative.
    await card.getByRole('button', { name: 'Laporkan kontra-narasi' }).click();
    expect(await card.locator('[role="alert"]').textContent()).toContain('Isi tautan kontra-narasi');
    await card.getByLabel('Tautan kontra-narasi yang sudah terbit').fill('https://komdigi.example.go.id/klarifikasi/surat-suara');
    await card.getByRole('button', { name: 'Laporkan kontra-narasi' }).click();
    await poll(() => card.locator('.case-result').textContent()).toContain('Sudah dikontra');
    expect(await card.textContent()).toContain('tautan kontra-narasi');
    // The escalated case's details: the narrative's posts and its history.
    const escalated = page.locator('#case-list > li').filter({ hasText: 'balai desa dipindah' });
    await escalated.getByRole('button', { name: 'Rincian kasus' }).click();
    await poll(() => escalated.locator('.case-details').getAttribute('aria-busy')).toBe('false');
    expect(await escalated.locator('.case-details').textContent()).toContain('Contoh unggahan');
    expect(await escalated.locator('.case-details .examples li').count()).toBeGreaterThan(0);
    expect(await escalated.getByRole('button', { name: 'Sembunyikan rincian' }).getAttribute('aria-expanded')).toBe('true');
    expect(requests.some((p) => p.startsWith('/api/queue'))).toBe(false);
    expect(problems).toEqual([]);
  });

  it('leadership sees aggregates only: no handle and no post text on the page, no queue request', async () => {
    for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
      const { page, problems, requests } = await open(viewport);
      await login(page, 'leadership');
      await poll(() => page.locator('#summary-table tbody tr').count()).toBeGreaterThan(0);
      const text = (await page.evaluate(() => document.body.innerText)) + (await page.content());
      for (const handle of HANDLES) expect(text).not.toContain(handle);
      for (const t of TEXTS) expect(text).not.toContain(t);
      expect(await page.locator('#nav a:not([hidden])').allTextContents()).toEqual(['Ringkasan']);
      expect(requests.filter((p) => p.startsWith('/api/') && p !== '/api/session' && p !== '/api/dashboard/daily')).toEqual([]);
      // Asking for the queue by address lands on the aggregates.
      await page.goto(`${ws.base}/app#/antrean`);
      await poll(() => page.locator('#view-summary').isVisible()).toBe(true);
      await poll(() => page.locator('#summary-body').getAttribute('aria-busy')).toBe('false');
      await poll(() => page.locator('#summary-table tbody tr').count()).toBeGreaterThan(0);
      expect(requests.some((p) => p.startsWith('/api/queue'))).toBe(false);
      if (name === 'phone') expect(await overflow(page)).toBeLessThanOrEqual(390);
      await shot(page, `${name}-leadership-summary`);
      expect(problems).toEqual([]);
    }
  });

  it('fits a 390 px phone: the queue becomes cards and nothing overflows sideways', async () => {
    const { page, problems } = await open(PHONE);
    await login(page, 'analyst');
    await poll(() => queueRows(page).count()).toBeGreaterThan(0);
    expect(await page.locator('#queue-table thead').evaluate((el) => el.getBoundingClientRect().height)).toBeLessThanOrEqual(1);
    expect(await queueRows(page).first().evaluate((el) => getComputedStyle(el).display)).toBe('block');
    expect(await overflow(page)).toBeLessThanOrEqual(390);
    await shot(page, 'phone-queue');
    await queueRows(page).first().locator('.open-link').click();
    await poll(() => page.locator('.post').count()).toBeGreaterThan(0);
    expect(await overflow(page)).toBeLessThanOrEqual(390);
    await shot(page, 'phone-item');
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await poll(() => page.locator('#audit-list').getAttribute('aria-busy')).toBe('false');
    expect(await overflow(page)).toBeLessThanOrEqual(390);
    await shot(page, 'phone-audit');
    const humas = await open(PHONE);
    await login(humas.page, 'humas');
    await poll(() => humas.page.locator('#case-list > li').count()).toBe(2);
    expect(await overflow(humas.page)).toBeLessThanOrEqual(390);
    await shot(humas.page, 'phone-humas-cases');
    expect(problems).toEqual([]);
  });

  it('an admin sees the precision per label per week, promotes a candidate model and rolls back', async () => {
    const cell = (active: number, candidate: number) => ({ active: { precision: active, recall: 0.7, f1: active }, candidate: { precision: candidate, recall: 0.7, f1: candidate }, f1Delta: candidate - active });
    await new ModelRegistry(ws.ctx.es, ws.prefix, { clock: systemClock, shippedDir: DEFAULT_MODEL_DIR }).register(
      { version: 'pantau-id-v1', path: resolve(PROJECT_ROOT, 'models', 'pantau-id-v1') },
      { against: 'pantau-id-v2', sets: { 'uji-umpan-balik': { rows: 120, labels: { hoax: cell(0.81, 0.78), sara: cell(0.6, 0.66) } } } },
    );
    const { page, problems } = await open();
    await login(page, 'admin');
    expect(await page.locator('#nav a:not([hidden])').allTextContents()).toEqual(['Antrean', 'Audit', 'Kasus', 'Ringkasan', 'Admin']);
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    // The analysts' decisions of the tests above: hoax confirmed and dismissed, hate speech dismissed.
    await poll(() => page.locator('#precision-table tbody tr').count()).toBeGreaterThan(0);
    const precision = (await page.locator('#precision-table').textContent())!;
    expect(precision).toMatch(/\d+% \(\d+ benar \/ \d+ salah/);
    expect(precision).toContain('Hoaks');
    await poll(() => page.locator('#models-table tbody tr').count()).toBe(2);
    const candidate = page.locator('#models-table tbody tr[data-version="pantau-id-v1"]');
    expect(await candidate.textContent()).toContain('kandidat');
    expect(await candidate.textContent()).toContain('Hoaks: 0,81 → 0,78 (-0,03)');
    await shot(page, 'desktop-admin');

    // Promote: the first press asks, the second does it.
    await candidate.getByRole('button', { name: 'Promosikan' }).click();
    await candidate.getByRole('button', { name: 'Ya, promosikan pantau-id-v1' }).click();
    await poll(() => page.locator('#models-result').textContent()).toBe('Model pantau-id-v1 kini aktif.');
    expect(await page.locator('#models-body').textContent()).toContain('Aktif: pantau-id-v1 · Sebelumnya: pantau-id-v2');
    await page.getByRole('button', { name: 'Kembalikan ke pantau-id-v2' }).click();
    await page.getByRole('button', { name: 'Ya, kembalikan ke pantau-id-v2' }).click();
    await poll(() => page.locator('#models-result').textContent()).toBe('Model dikembalikan. Aktif: pantau-id-v2.');
    expect(await page.locator('#models-table tbody tr[data-version="pantau-id-v1"]').textContent()).toContain('pensiun');

    await page.setViewportSize(PHONE);
    expect(await overflow(page)).toBeLessThanOrEqual(390);
    await shot(page, 'phone-admin');
    expect(problems).toEqual([]);
  });
});
