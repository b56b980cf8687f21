/**
 * The model registry on the real Elasticsearch, and the classify workers following it on the real Kafka: a
 * promotion mid-stream swaps the model between batches without losing or repeating a post, a rollback returns
 * to the old model, a model that does not load keeps the running one.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../src/api/admin-routes.ts';
import type { Principal, RouteContext } from '../../src/api/route.ts';
import { DEFAULT_MODEL_DIR, loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import { ModelRegistry, readModelVersion } from '../../src/classifier/registry.ts';
import { ActiveModel } from '../../src/classifier/active-model.ts';
import { fixedClock, systemClock } from '../../src/core/clock.ts';
import { PantauError } from '../../src/core/errors.ts';
import { createLogger, silentLogger } from '../../src/core/log.ts';
import type { ScoredPost } from '../../src/core/post.ts';
import { openContext, type PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers, type Workers } from '../../src/pipeline/workers.ts';
import { auditIndex, postsAlias } from '../../src/store/index-names.ts';
import { auditEntry, decidedPost } from '../helpers/audit-entries.ts';
import { cleanUp, ELASTICSEARCH_URL, isolatedConfig, KAFKA_BROKERS, waitFor } from '../helpers/cluster.ts';

const REFRESH_MS = 500;
const SHIPPED = readModelVersion(DEFAULT_MODEL_DIR);

describe('model registry and hot swap in the classify workers', () => {
  let ctx: PipelineContext;
  let prefix: string;
  let work: string;
  let classifier: Classifier;
  let workers: Workers | undefined;
  const logLines: string[] = [];
  const copies: Record<string, string> = {};

  /** A copy of the shipped model under another version name (same weights: what differs is the version). */
  const copyModel = (version: string, breakWeights = false): string => {
    const dir = join(work, version);
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelVersion: string };
    json.modelVersion = version;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    if (breakWeights) writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(100));
    copies[version] = dir;
    return dir;
  };
  const registry = () => new ModelRegistry(ctx.es, prefix, { clock: systemClock, shippedDir: DEFAULT_MODEL_DIR });

  beforeAll(async () => {
    const config = isolatedConfig('models');
    config.pipeline.classify.modelRefreshMs = REFRESH_MS;
    // One partition: the order in which posts were produced is the order they were classified in.
    config.pipeline.kafka.topics.raw.partitions = 1;
    prefix = config.pipeline.elasticsearch.indexPrefix;
    const logger = createLogger({}, { level: 'info', json: true, write: (line) => logLines.push(line) });
    ctx = await openContext(config, { kafkaBrokers: KAFKA_BROKERS, elasticsearchUrl: ELASTICSEARCH_URL }, logger);
    work = mkdtempSync(join(tmpdir(), 'pantau-models-'));
    for (const v of ['swap-b', 'race-1', 'race-2', 'race-3', 'race-4']) copyModel(v);
    copyModel('broken', true);
    classifier = await loadClassifier({ backend: 'wasm' });
  });

  afterAll(async () => {
    await workers?.stop();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    classifier?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('starts with the shipped model active, refuses unknown versions and rollbacks without history', async () => {
    const r = registry();
    expect(await r.active()).toEqual({ active: { version: SHIPPED, path: DEFAULT_MODEL_DIR }, previous: null, registered: false });
    const listed = await r.list();
    expect(listed.versions.map((v) => [v.version, v.status])).toEqual([[SHIPPED, 'active']]);
    await expect(r.promote('nope', 'admin1')).rejects.toMatchObject({ code: 'model_unknown' });
    await expect(r.promote(SHIPPED, 'admin1')).rejects.toMatchObject({ code: 'model_already_active' });
    await expect(r.rollback('admin1')).rejects.toMatchObject({ code: 'registry_no_previous' });
    // A registered version whose folder holds another model is not promoted.
    await r.register({ version: 'mislabelled', path: copies['swap-b']! }, null);
    await expect(r.promote('mislabelled', 'admin1')).rejects.toMatchObject({ code: 'model_invalid' });
  });

  it('lets exactly one of concurrent promotions win each change of the pointer (no lost update)', async () => {
    const base = registry();
    for (const v of ['race-1', 'race-2', 'race-3', 'race-4']) await base.register({ version: v, path: copies[v]! }, null);
    const results = await Promise.allSettled(['race-1', 'race-2', 'race-3', 'race-4'].map((v) => registry().promote(v, `admin-${v}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const l of lost) expect((l.reason as PantauError).code).toBe('registry_conflict');
    // Every success pushed the version it replaced: a lost update would leave the history shorter.
    let depth = 0;
    for (let p = await base.active(); p.previous !== null; depth++) p = await base.rollback('admin1');
    expect(depth).toBe(won.length);
    expect((await base.active()).active.version).toBe(SHIPPED);
  });

  it('keeps a model leased by a batch in flight alive until that batch releases it', async () => {
    const r = registry();
    await r.register({ version: 'swap-b', path: copies['swap-b']! }, null);
    const model = new ActiveModel({
      initial: classifier,
      initialDir: DEFAULT_MODEL_DIR,
      registry: r,
      load: (dir) => loadClassifier({ modelDir: dir, backend: 'wasm' }),
      refreshMs: 60_000,
      clock: systemClock,
      logger: silentLogger,
    });
    // The first check is always due; the pointer names the running model, so nothing changes.
    expect(await model.refresh()).toBe(false);
    const before = model.lease();
    await r.promote('swap-b', 'admin1');
    // Not due yet: nothing is read before refreshMs has passed.
    expect(await model.refresh()).toBe(false);
    expect(await model.refresh(true)).toBe(true);
    const during = model.lease();
    expect(during.classifier.modelVersion).toBe('swap-b');
    // The batch that started before the swap finishes on its model.
    expect(before.classifier.modelVersion).toBe(SHIPPED);
    expect((await before.classifier.classify(['dasar kadal gurun']))).toHaveLength(1);
    before.release();
    await r.rollback('admin1');
    expect(await model.refresh(true)).toBe(true);
    // swap-b was loaded by the model holder: disposed once its last lease is released, not before.
    expect((await during.classifier.classify(['masih jalan']))).toHaveLength(1);
    during.release();
    await expect(during.classifier.classify(['sudah dibuang'])).rejects.toMatchObject({ code: 'classifier_disposed' });
    // The worker's own starting model is its owner's to dispose.
    model.close();
    expect(model.current.modelVersion).toBe(SHIPPED);
    expect((await classifier.classify(['tetap hidup']))).toHaveLength(1);
  });

  it('swaps the workers to a promoted model between batches: every post indexed once, then rollback returns', async () => {
    const r = registry();
    await r.register({ version: 'swap-b', path: copies['swap-b']! }, null);
    workers = await startWorkers(ctx, { stages: ['classify', 'index'], classifier });
    const topic = ctx.config.pipeline.kafka.topics.raw.name;
    const createdBase = Date.parse('2026-12-01T00:00:00Z');
    const id = (i: number) => `tw-swap${String(i).padStart(5, '0')}`;
    const texts = ['Pemilu damai, ayo ke TPS', 'dasar kadal gurun goblok', 'Cek DPT online sebelum coblosan', 'KPU umumkan jadwal kampanye'];
    // A steady stream (about 400 posts/s) until stopped: the swap and the rollback happen while posts flow.
    let produced = 0;
    let stop = false;
    const producing = (async () => {
      while (!stop) {
        const batch = Array.from({ length: 10 }, (_, k) => produced + k);
        await ctx.producer.send({
          topic,
          messages: batch.map((i) => ({
            key: id(i),
            value: JSON.stringify({ id: id(i), platform: 'twitter', author: '@uji', text: `${texts[i % texts.length]} #${i}`, created_at: new Date(createdBase + i * 1000).toISOString() }),
          })),
        });
        produced += batch.length;
        await new Promise((res) => setTimeout(res, 25));
      }
    })();
    const indexed = async (): Promise<Map<string, ScoredPost>> => {
      await ctx.es.indices.refresh({ index: postsAlias(prefix), ignore_unavailable: true, allow_no_indices: true });
      const res = await ctx.es.search<ScoredPost>({ index: postsAlias(prefix), size: 10_000, ignore_unavailable: true, allow_no_indices: true, query: { match_all: {} } });
      return new Map(res.hits.hits.map((h) => [h._source!.id, h._source!]));
    };
    const modelLog = () => logLines.filter((l) => l.includes('model')).slice(-5).join('\n');
    const firstOn = (version: string, after: number) =>
      waitFor(`a post after #${after} classified by ${version}; log:\n${modelLog()}`, async () => {
        const docs = [...(await indexed()).values()].filter((d) => d.model_version === version && Number(d.id.slice(7)) >= after);
        return docs.length > 0 ? Math.min(...docs.map((d) => Date.parse(d.classified_at))) : undefined;
      }, 60_000);
    let promotedAtSeq = 0;
    let rolledBackAtSeq = 0;
    let pickupMs: number;
    let rollbackPickupMs: number;
    try {
      // Old model first: the workers are running and keeping up.
      await firstOn(SHIPPED, 0);
      promotedAtSeq = produced;
      const promotedAt = Date.now();
      expect((await r.promote('swap-b', 'admin1')).active.version).toBe('swap-b');
      pickupMs = (await firstOn('swap-b', 0)) - promotedAt;
      await waitFor('more posts on the new model', async () => (produced >= promotedAtSeq + 300 ? true : undefined));
      rolledBackAtSeq = produced;
      const rolledBackAt = Date.now();
      expect((await r.rollback('admin1')).active.version).toBe(SHIPPED);
      rollbackPickupMs = (await firstOn(SHIPPED, rolledBackAtSeq)) - rolledBackAt;
      await waitFor('more posts after the rollback', async () => (produced >= rolledBackAtSeq + 300 ? true : undefined));
    } finally {
      // Also when a step failed: no producer may outlive the test.
      stop = true;
      await producing.catch(() => undefined);
    }
    const total = produced;
    const docs = await waitFor('every post indexed', async () => {
      const m = await indexed();
      return m.size >= total ? m : undefined;
    }, 120_000);

    // Exactly once: the count of documents is the number of posts, each id once.
    const count = await ctx.es.count({ index: postsAlias(prefix) });
    expect(count.count).toBe(total);
    expect(workers.counters.indexed).toBeGreaterThanOrEqual(total);
    const versions = Array.from({ length: total }, (_, i) => docs.get(id(i))?.model_version);
    expect(versions.every((v) => v !== undefined)).toBe(true);
    // In produce order the versions run old → new → old: one swap each way, never back and forth.
    const runs: { version: string; from: number; to: number }[] = [];
    versions.forEach((v, i) => {
      const last = runs[runs.length - 1];
      if (last !== undefined && last.version === v) last.to = i;
      else runs.push({ version: v!, from: i, to: i });
    });
    expect(runs.map((x) => x.version)).toEqual([SHIPPED, 'swap-b', SHIPPED]);
    // Posts produced well after the promotion carry the new version, and scores of the swapped model are real.
    expect(runs[1]!.from).toBeGreaterThanOrEqual(promotedAtSeq - 10);
    expect(runs[2]!.from).toBeGreaterThanOrEqual(rolledBackAtSeq - 10);
    expect(pickupMs).toBeLessThan(REFRESH_MS + 5_000);
    expect(rollbackPickupMs).toBeLessThan(REFRESH_MS + 5_000);
    const sample = docs.get(id(runs[1]!.from))!;
    const [direct] = await classifier.classify([sample.text]);
    expect(sample.scores.hate_speech).toBeCloseTo(direct!.scores.hate_speech, 5);
    expect(logLines.some((l) => l.includes('active model swapped') && l.includes('swap-b'))).toBe(true);
    // Figures for the report: posts produced during the swap and how long the pickup took.
    console.info(`hot swap: promoted after post ${promotedAtSeq}, first post on swap-b #${runs[1]!.from} (${runs[1]!.from - promotedAtSeq} posts later), pickup ${pickupMs} ms; rollback after post ${rolledBackAtSeq}, first post back on ${SHIPPED} #${runs[2]!.from} (pickup ${rollbackPickupMs} ms); ${total} posts in all`);
  }, 180_000);

  it('keeps the running model when the promoted one does not load', async () => {
    const r = registry();
    await r.register({ version: 'broken', path: copies.broken! }, null);
    await r.promote('broken', 'admin1');
    await new Promise((res) => setTimeout(res, 3 * REFRESH_MS));
    const topic = ctx.config.pipeline.kafka.topics.raw.name;
    const ids = Array.from({ length: 30 }, (_, i) => `tw-afterbroken${i}`);
    await ctx.producer.send({ topic, messages: ids.map((pid) => ({ key: pid, value: JSON.stringify({ id: pid, platform: 'twitter', author: '@uji', text: `Ayo nyoblos ${pid}`, created_at: '2026-12-31T16:59:59Z' }) })) });
    const docs = await waitFor('posts after the broken promotion indexed', async () => {
      await ctx.es.indices.refresh({ index: postsAlias(prefix) });
      const res = await ctx.es.search<ScoredPost>({ index: postsAlias(prefix), size: 100, query: { ids: { values: ids } } });
      return res.hits.hits.length === ids.length ? res.hits.hits.map((h) => h._source!) : undefined;
    }, 60_000);
    expect(new Set(docs.map((d) => d.model_version))).toEqual(new Set([SHIPPED]));
    expect(logLines.some((l) => l.includes('active model did not load') && l.includes('broken'))).toBe(true);
    await r.rollback('admin1');
  }, 90_000);

  it('serves the registry and the precision estimate through the admin routes', async () => {
    const routes = adminRoutes({ es: ctx.es, prefix, shippedModelDir: DEFAULT_MODEL_DIR });
    const admin: Principal = { username: 'admin1', role: 'admin', unit: null, via: 'session' };
    const call = <Q, B>(spec: { handler(c: RouteContext<Q, B>): Promise<unknown> }, over: Partial<RouteContext<Q, B>>) =>
      spec.handler({ req: undefined as never, res: undefined as never, params: {}, query: {} as Q, body: undefined as B, principal: admin, clock: systemClock, logger: silentLogger, ...over }) as Promise<{ status: number; json: Record<string, unknown> }>;

    const listed = await call(routes.listModels, {});
    expect(listed.status).toBe(200);
    expect((listed.json.active as { version: string }).version).toBe(SHIPPED);
    expect((listed.json.versions as { version: string; status: string }[]).find((v) => v.version === 'swap-b')?.status).toBe('retired');
    expect(routes.all.map((r) => r.access)).toEqual([['admin'], ['admin'], ['admin'], ['admin']]);

    const promoted = await call(routes.promote, { params: { version: 'swap-b' } });
    expect(promoted).toMatchObject({ status: 200, json: { active: { version: 'swap-b' }, previous: { version: SHIPPED } } });
    await expect(call(routes.promote, { params: { version: 'swap-b' } })).rejects.toMatchObject({ status: 409 });
    await expect(call(routes.promote, { params: { version: 'missing' } })).rejects.toMatchObject({ status: 404 });
    const back = await call(routes.rollback, {});
    expect(back).toMatchObject({ status: 200, json: { active: { version: SHIPPED } } });

    // Precision: decisions written to the audit log as the queue writes them (op_type create).
    // A fixed "now" (Wednesday 17:00 in Jakarta), so the test cannot straddle a week boundary.
    const at = '2026-12-02T09:00:00.000Z';
    const entries = [
      ...Array.from({ length: 6 }, (_, i) => auditEntry({ action: 'confirm', at, posts: [decidedPost(`hs-${i}`, `teks ${i}`, ['hate_speech'])] })),
      ...Array.from({ length: 2 }, (_, i) => auditEntry({ action: 'dismiss', at, posts: [decidedPost(`hs-d-${i}`, `teks d ${i}`, ['hate_speech'])] })),
      auditEntry({ action: 'escalate', at, posts: [decidedPost('esc', 'teks esc', ['hate_speech'])], unit: 'kominfo' }),
      auditEntry({ action: 'dismiss', at, reason_in_queue: 'uncertain', posts: [decidedPost('unc', 'teks unc', [], { review_flags: ['hoax'] })], labels_before: ['hoax'] }),
    ];
    for (const e of entries) await ctx.es.index({ index: auditIndex(prefix), id: e.id, op_type: 'create', document: e });
    await ctx.es.indices.refresh({ index: auditIndex(prefix) });
    const precision = await call(routes.precision, { query: { weeks: 2 } as never, clock: fixedClock('2026-12-02T10:00:00Z') });
    const weeks = precision.json.weeks as { week: string; labels: Record<string, { confirmed: number; dismissed: number; precision: number | null }>; uncertain: Record<string, { dismissed: number }> }[];
    expect(weeks.map((w) => w.week)).toEqual(['2026-W48', '2026-W49']);
    const latest = weeks[1]!;
    expect(latest.labels.hate_speech).toMatchObject({ confirmed: 6, dismissed: 2, precision: 0.75 });
    expect(latest.labels.hoax).toMatchObject({ confirmed: 0, dismissed: 0, precision: null });
    expect(latest.uncertain.hoax).toMatchObject({ dismissed: 1 });
    expect(precision.json.warnings).toEqual([]);
  });
});
