/**
 * A morning's work, end to end on the real Kafka and Elasticsearch, in real headless Chromium: the sample posts
 * go through the real stream (Kafka → classify with the shipped model and claim matcher → index, alerts, desk),
 * then an analyst signs in, confirms one narrative and escalates another to a humas unit, and that unit's humas
 * user signs in, acknowledges the case and reports the published counter. Every step is checked where it
 * lands: the audit log, the review state, the unit's case and its history. Screenshots go to
 * test/artifacts/screenshots/morning-*.png.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import { SAMPLE_POSTS_FILE, DEMO_CLARIFICATIONS_FILE } from '../../src/cli/paths.ts';
import { loadHumasUnits, type HumasUnitsConfig } from '../../src/config/humas-units.ts';
import { systemClock } from '../../src/core/clock.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { importKnowledgeBase } from '../../src/kb/import.ts';
import { readKbFile } from '../../src/kb/readers.ts';
import { loadClaimMatcher, type ClaimMatcher } from '../../src/match/matcher.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers, type Workers } from '../../src/pipeline/workers.ts';
import type { AuditEntry } from '../../src/review/decision.ts';
import { ingestJsonlFile } from '../../src/sources/jsonl-file.ts';
import { createKafkaPostSink } from '../../src/sources/kafka-post-sink.ts';
import { getCases, refreshCases, searchCases, type CaseDoc } from '../../src/store/desk-store.ts';
import { auditIndex, postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext, waitFor } from '../helpers/cluster.ts';
import { startWorkspace, TEST_USERS, type TestUser, type Workspace } from '../helpers/workspace.ts';

const SHOTS = resolve(PROJECT_ROOT, 'test', 'artifacts', 'screenshots');
const poll = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 30_000, interval: 150 });

describe("a morning's work on the real stream", () => {
  let ctx: PipelineContext;
  let classifier: Classifier;
  let matcher: ClaimMatcher;
  let workers: Workers;
  let ws: Workspace;
  let units: HumasUnitsConfig;
  let browser: Browser;
  let produced = 0;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const config = isolatedConfig('morning');
    ctx = await openTestContext(config);
    const prefix = config.pipeline.elasticsearch.indexPrefix;
    units = loadHumasUnits(resolve(config.pipelineDir, config.pipeline.desk.unitsFile));
    await importKnowledgeBase({ es: ctx.es, prefix, input: readKbFile(DEMO_CLARIFICATIONS_FILE), clock: systemClock });
    classifier = await loadClassifier();
    matcher = await loadClaimMatcher();
    // No channel secrets in this environment: the desk records failed deliveries and still opens the cases.
    workers = await startWorkers(ctx, { classifier, claimMatcher: matcher, env: {} });
    const { topics } = config.pipeline.kafka;
    const ingested = await ingestJsonlFile(SAMPLE_POSTS_FILE, { sink: createKafkaPostSink({ producer: ctx.producer, topic: topics.raw.name, deadLetterTopic: topics.deadLetter.name }) });
    produced = ingested.produced;
    await waitFor('every sample post indexed', async () => (workers.counters.indexed >= produced ? true : undefined), 180_000);
    await ctx.es.indices.refresh({ index: postsAlias(prefix) });
    ws = await startWorkspace({ name: 'morning', context: ctx, units });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await ws?.close();
    await workers?.stop();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    classifier?.dispose();
    matcher?.dispose();
  });

  async function signIn(user: TestUser): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.setDefaultTimeout(30_000);
    await page.goto(`${ws.base}/app`);
    await page.getByLabel('Nama pengguna').fill(ws.users[user].username);
    await page.getByLabel('Kata sandi').fill(ws.users[user].password);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await poll(() => page.locator('#who-name').textContent()).toBe(TEST_USERS[user].displayName);
    return { page, problems };
  }

  it('an analyst confirms one narrative and escalates another; the unit acknowledges and counters it', async () => {
    expect(produced).toBeGreaterThan(200);
    const unit = units.units[0]!; // the humas user's unit
    // The two flagged narratives on top of the queue, as the analyst's page will show them.
    const api = await ws.login('analyst');
    const queue = (await (await api.fetch('/api/queue?reason=flagged&size=10')).json()) as { items: Array<{ item_id: string; labels: string[]; posts_count: number }> };
    expect(queue.items.length).toBeGreaterThanOrEqual(2);
    const [confirmItem, escalateItem] = queue.items;

    const analyst = await signIn('analyst');
    const row = (item: string) => analyst.page.locator(`#queue-table .queue-row[data-item="${item}"]`);
    await poll(() => row(confirmItem!.item_id).count()).toBe(1);
    await analyst.page.screenshot({ path: resolve(SHOTS, 'morning-queue.png'), fullPage: true });
    // The sample's sources write handles with "@"; the page shows each once.
    expect(await analyst.page.locator('#queue-table').innerText()).toMatch(/(^|\s)@\w/);
    expect(await analyst.page.locator('#queue-table').innerText()).not.toContain('@@');

    await row(confirmItem!.item_id).locator('.open-link').click();
    await poll(() => analyst.page.locator('#item-claim').textContent()).toContain('Anda tangani');
    await poll(() => analyst.page.locator('.post').count()).toBe(Math.min(confirmItem!.posts_count, 50)); // drawn after the claim banner
    expect(await analyst.page.locator('details.why').first().textContent()).toContain(classifier.modelVersion);
    await analyst.page.getByRole('button', { name: 'Konfirmasi', exact: true }).click();
    await poll(() => analyst.page.locator('#decision-result').textContent()).toContain('Tersimpan: Konfirmasi');

    await analyst.page.getByRole('link', { name: 'Kembali ke antrean' }).first().click();
    await poll(() => row(escalateItem!.item_id).count()).toBe(1);
    await row(escalateItem!.item_id).locator('.open-link').click();
    await poll(() => analyst.page.locator('#item-claim').textContent()).toContain('Anda tangani');
    await analyst.page.getByLabel('Eskalasi ke unit humas').selectOption({ label: unit.name });
    await analyst.page.getByRole('button', { name: 'Eskalasi', exact: true }).click();
    await poll(() => analyst.page.locator('#decision-result').textContent()).toContain('Tersimpan: Eskalasi ke unit humas');
    await analyst.page.screenshot({ path: resolve(SHOTS, 'morning-escalated.png'), fullPage: true });
    expect(analyst.problems).toEqual([]);

    // Both decisions are in the audit log, with who, what and the model's view of each post.
    await ctx.es.indices.refresh({ index: auditIndex(ws.prefix) });
    const audit = (await ctx.es.search<AuditEntry>({ index: auditIndex(ws.prefix), size: 10, query: { match_all: {} } })).hits.hits.map((h) => h._source!);
    const confirmed = audit.find((a) => a.item_id === confirmItem!.item_id)!;
    expect(confirmed).toMatchObject({ action: 'confirm', actor: { username: 'analis', role: 'analyst' }, labels_after: confirmItem!.labels });
    expect(confirmed.posts.length).toBe(confirmItem!.posts_count);
    for (const p of confirmed.posts) expect(p.model_version).toBe(classifier.modelVersion);
    expect(audit.find((a) => a.item_id === escalateItem!.item_id)).toMatchObject({ action: 'escalate', unit: unit.id });

    // The unit's humas user finds the escalated case, acknowledges it and reports the published counter.
    await refreshCases(ctx.es, ws.prefix);
    const unitCases = await searchCases(ctx.es, ws.prefix, { unit: unit.id, size: 100 });
    const escalated = unitCases.cases.map((c) => c.doc).find((c) => c.history.some((h) => h.note?.startsWith(`eskalasi oleh analis ${TEST_USERS.analyst.username}`)));
    expect(escalated, 'a case of the unit for the escalated narrative').toBeDefined();

    const humas = await signIn('humas');
    const card = humas.page.locator('#case-list > li').filter({ hasText: escalated!.summary.slice(0, 40) });
    await poll(() => card.count()).toBeGreaterThanOrEqual(1);
    await humas.page.screenshot({ path: resolve(SHOTS, 'morning-humas-cases.png'), fullPage: true });
    await card.first().getByRole('button', { name: 'Tandai diterima' }).click();
    await poll(() => card.first().locator('.case-result').textContent()).toContain('Diterima');
    await card.first().getByLabel('Tautan kontra-narasi yang sudah terbit').fill(`https://${unit.id}.example.go.id/klarifikasi/pagi-ini`);
    await card.first().getByRole('button', { name: 'Laporkan kontra-narasi' }).click();
    await poll(() => card.first().locator('.case-result').textContent()).toContain('Sudah dikontra');
    expect(humas.problems).toEqual([]);

    const stored = (await getCases(ctx.es, ws.prefix, [escalated!.case_id])).get(escalated!.case_id)!.doc as CaseDoc;
    expect(stored.status).toBe('countered');
    expect(stored.counter_url).toBe(`https://${unit.id}.example.go.id/klarifikasi/pagi-ini`);
    expect(stored.history.filter((h) => h.event === 'acknowledged' || h.event === 'countered').map((h) => [h.event, h.via, h.by])).toEqual([
      ['acknowledged', 'api', TEST_USERS.humas.username],
      ['countered', 'api', TEST_USERS.humas.username],
    ]);
  }, 300_000);
});
