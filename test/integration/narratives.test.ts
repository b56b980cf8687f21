import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePosts } from '../../src/bench/synthetic-posts.ts';
import { clockFrom, fixedClock } from '../../src/core/clock.ts';
import { isRetriable, PantauError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { ensureIndexTemplates } from '../../src/store/index-templates.ts';
import { narrativesIndex, refreshNarrativeReach, type NarrativeDoc } from '../../src/store/narrative-documents.ts';
import { assignNarratives, NarrativeCache, narrativeLogIndex, NarrativeRegistryView, type NarrativeLogDoc } from '../../src/store/narrative-registry.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';

const CHAIN =
  'SEBARKAN‼️ Ditemukan 3 truk surat suara yg SUDAH DICOBLOS paslon 02 di gudang KPU Sidomulyo!!! Sumber terpercaya dr orang dalam KPU. Viralkan sblm dihapus!!!';
const post = (id: string, text: string, createdAt = '2026-11-15T08:00:00+07:00') => ({ id, text, created_at: createdAt });

const DAY = 86_400_000;

/**
 * Every test here reads "now" from the clock it is given, never from the machine: the suite runs at today's
 * time and at fixed instants where calendar arithmetic breaks (the 2nd of a month, when "2 days ago" is last
 * month; a new year's first minute; the last seconds of a leap day), so it passes on any date.
 */
const CLOCKS: Array<[string, number]> = [
  ['today', Date.now()],
  ['the 2nd of a month', Date.parse('2026-12-02T10:00:00Z')],
  ["a new year's first minute", Date.parse('2027-01-01T00:00:30Z')],
  ['the end of a leap day', Date.parse('2028-02-29T23:59:50Z')],
];

describe.each(CLOCKS)('the narrative registry against the real Elasticsearch, at %s', (_when, startMs) => {
  let ctx: PipelineContext;
  let prefix: string;
  // Runs from the chosen instant at the machine's pace (the last case crosses into March while it runs).
  const clock = clockFrom(startMs);
  const at = (ms: number) => fixedClock(ms);
  /** A view that syncs on every call: another worker, as up to date as the log allows. */
  const worker = (c = clock) => new NarrativeRegistryView(ctx.es, prefix, { syncIntervalMs: 0, clock: c });
  const logs = () => `${prefix}-narrative-log-*`;
  const refreshLog = () => ctx.es.indices.refresh({ index: logs() });
  const logIndices = async () => Object.keys(await ctx.es.indices.get({ index: logs(), allow_no_indices: true, ignore_unavailable: true })).sort();

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('narratives'));
    prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
  });

  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('installs the log and narratives templates from the pipeline file', async () => {
    const templates = await ctx.es.indices.getIndexTemplate({ name: `${prefix}-narrative*` });
    expect(templates.index_templates.map((t) => t.name).sort()).toEqual([`${prefix}-narrative-log`, `${prefix}-narratives`]);
    // Installing again is a no-op (same versions).
    expect(await ensureIndexTemplates(ctx.es, { files: ['elasticsearch/narrative-log.template.json'], baseDir: ctx.config.pipelineDir, prefix, logger: silentLogger })).toEqual([]);
  });

  it('upgrades a narratives index made by template version 2 in place, and the refresher writes to it', async () => {
    const old = `${prefix}-upgrade`;
    const fixtureDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
    const current = ctx.config.pipeline.elasticsearch.templates.find((f) => f.includes('narratives.template'))!;
    // Under its own prefix, so the other tests keep the current template.
    await ensureIndexTemplates(ctx.es, { files: ['narratives.template.v2.json'], baseDir: fixtureDir, prefix: old, logger: silentLogger });
    await ctx.es.index({ index: narrativesIndex(old), id: 'nar-0000000000000001', document: { id: 'nar-0000000000000001', simhash: '0000000000000001', bands: ['0:0000'], first_seen: '2026-11-01T00:00:00Z', first_post_id: 'x', sample_text: 'lama', created_at: '2026-11-01T00:00:00Z', batch_rank: 0 } });
    try {
      expect(await ensureIndexTemplates(ctx.es, { files: [current], baseDir: ctx.config.pipelineDir, prefix: old, logger: silentLogger })).toEqual([narrativesIndex(old)]);
      await ensureIndexTemplates(ctx.es, { files: ['elasticsearch/posts.template.json'], baseDir: ctx.config.pipelineDir, prefix: old, logger: silentLogger });
      // Two posts of one narrative in the posts index of that prefix: the refresher's document lands in the old index.
      const nar = 'nar-00000000000000aa';
      await ctx.es.bulk({
        refresh: 'wait_for',
        operations: ['p1', 'p2'].flatMap((id, i) => [
          { index: { _index: `${old}-posts-2026.11`, _id: id } },
          { id, text: `teks ${id}`, platform: 'twitter', author: `a${i}`, created_at: `2026-11-0${i + 1}T00:00:00Z`, narrative_id: nar },
        ]),
      });
      expect(await refreshNarrativeReach(ctx.es, old, [nar])).toEqual({ updated: 1, single: 0 });
      expect((await ctx.es.get<NarrativeDoc>({ index: narrativesIndex(old), id: nar }))._source).toMatchObject({ first_post_id: 'p1', reach: { posts: 2, accounts: 2 } });
    } finally {
      await ctx.es.indices.delete({ index: [narrativesIndex(old), `${old}-posts-2026.11`], ignore_unavailable: true });
      for (const name of [narrativesIndex(old), `${old}-posts`]) await ctx.es.indices.deleteIndexTemplate({ name }).catch(() => {});
    }
  });

  it('registers a new narrative in the log with a deterministic id; the same worker and another one agree', async () => {
    const view = worker();
    const first = await assignNarratives(view, [post('wa-1', CHAIN)]);
    const id = first.get('wa-1')!;
    expect(id).toMatch(/^nar-[0-9a-f]{16}$/);
    await refreshLog();
    const logged = await ctx.es.search<NarrativeLogDoc>({ index: logs(), query: { term: { registered_by: view.instanceId } } });
    expect(logged.hits.hits.map((h) => h._source!.simhashes)).toEqual([[id.slice(4)]]);
    expect(logged.hits.hits[0]!._source).toMatchObject({ count: 1, registered_by: view.instanceId });

    expect((await assignNarratives(view, [post('wa-1', CHAIN)])).get('wa-1')).toBe(id);
    expect((await assignNarratives(worker(), [post('wa-1b', CHAIN)])).get('wa-1b')).toBe(id);
  });

  it('puts forwarded variants in the same narrative and an unrelated post in another', async () => {
    await refreshLog();
    const view = worker();
    const variants = [
      post('wa-2', `${CHAIN} https://bit.ly/3xYz`),
      post('tw-3', `@kawal_suara ${CHAIN.toUpperCase()} 🙏🙏`),
      post('fb-4', CHAIN.replace('yg', 'yang').replace('dr', 'dari')),
    ];
    const unrelated = post('tw-5', 'Jadwal resmi dari KPU: masa kampanye sampai 14 Nov, masa tenang 15 sampai 17 Nov, coblosan Rabu 18 Nov.');
    const ids = await assignNarratives(view, [...variants, unrelated]);
    const chainId = (await assignNarratives(view, [post('wa-1', CHAIN)])).get('wa-1');
    for (const v of variants) expect(ids.get(v.id)).toBe(chainId);
    expect(ids.get('tw-5')).not.toBe(chainId);
  });

  it('clusters variants within one batch when none is registered yet, logging one narrative', async () => {
    const view = worker();
    const text = 'PENGUMUMAN PENTING!!! TPS di seluruh Kec. Bekasi Timur DIPINDAH ke GOR Kota dan pencoblosan DIUNDUR ke hari Kamis';
    const ids = await assignNarratives(view, [post('wa-10', text), post('wa-11', `${text} 19 Nov. Sebarkan!!`), post('wa-12', `Fwd: ${text}`)]);
    expect(new Set(ids.values()).size).toBe(1);
    await refreshLog();
    const logged = await ctx.es.search<NarrativeLogDoc>({ index: logs(), query: { term: { registered_by: view.instanceId } } });
    expect(logged.hits.hits.map((h) => h._source!.simhashes.length)).toEqual([1]);
  });

  it('tells which posts started a new narrative, and a replay started none', async () => {
    const view = worker();
    const text = 'Bawaslu: 40 ribu TPS rawan banjir, logistik pemilu dipindah ke balai desa mulai besok pagi';
    const batch = [post('wa-90', text), post('wa-91', `${text} https://t.co/abc`), post('wa-92', 'Relawan paslon bagi sembako di depan TPS 07 pas masa tenang, sudah dilaporkan')];
    const started = new Set<string>();
    const ids = await assignNarratives(view, batch, { started });
    expect([...started].sort()).toEqual(['wa-90', 'wa-92']);
    expect(ids.get('wa-91')).toBe(ids.get('wa-90'));
    const again = new Set<string>();
    expect(await assignNarratives(view, batch, { started: again })).toEqual(ids);
    expect(again.size).toBe(0);
  });

  it('forgets narratives registered before its window', async () => {
    const moving = fixedClock(clock() - 2 * DAY);
    const view = new NarrativeRegistryView(ctx.es, prefix, { windowMs: DAY, syncIntervalMs: 0, clock: moving });
    const text = 'Video lama kerusuhan 2019 diedarkan lagi seolah-olah terjadi di kantor KPU kabupaten tadi malam';
    const id = (await assignNarratives(view, [post('wa-95', text)])).get('wa-95')!;
    expect(view.get(id)).toBeDefined();
    moving.set(clock());
    view.prune();
    expect(view.get(id)).toBeUndefined();
    // A worker started now does not read the old registration either.
    await refreshLog();
    const fresh = new NarrativeRegistryView(ctx.es, prefix, { windowMs: DAY, clock });
    await fresh.sync();
    expect(fresh.get(id)).toBeUndefined();
    expect(fresh.size).toBeGreaterThan(0);
    // Past the window, a copy starts the narrative again.
    const started = new Set<string>();
    await assignNarratives(view, [post('wa-96', text)], { started });
    expect(started.has('wa-96')).toBe(true);
  });

  it('keeps one log index per month and deletes the months that ended before the window', async () => {
    const longAgo = clock() - 60 * DAY;
    // A worker that ran 60 days ago, and one running now.
    const then = new NarrativeRegistryView(ctx.es, prefix, { windowMs: DAY, syncIntervalMs: 0, clock: at(longAgo) });
    await assignNarratives(then, [post('wa-97', 'Pesan berantai lama: kotak suara kardus mudah dibobol, pemilu pasti curang, tolak hasilnya')]);
    const view = new NarrativeRegistryView(ctx.es, prefix, { windowMs: DAY, syncIntervalMs: 0, clock });
    await assignNarratives(view, [post('wa-98', 'Pesan berantai baru: formulir C1 difoto petugas lalu diunggah ke Sirekap supaya bisa dicek warga')]);
    const old = narrativeLogIndex(prefix, longAgo);
    const current = narrativeLogIndex(prefix, clock());
    expect(old).not.toBe(current);
    const before = await logIndices();
    expect(before).toEqual(expect.arrayContaining([old, current]));

    const deleted = (await view.deleteOldLogs()).sort();
    // The month of the window's start and every later one stay; every earlier one goes. (Earlier tests
    // registered up to two days before now: at the start of a month, that month ended before the window too.)
    const windowStartMonth = narrativeLogIndex(prefix, clock() - DAY);
    expect(deleted).toContain(old);
    expect(deleted).toEqual(before.filter((name) => name < windowStartMonth));
    const after = await logIndices();
    expect(after).toContain(current);
    expect(after.every((name) => name >= windowStartMonth)).toBe(true);
    expect(await view.deleteOldLogs()).toEqual([]);
  });

  it('leaves posts too short to be a message without a narrative', async () => {
    const ids = await assignNarratives(worker(), [post('tw-20', '😭😭😭'), post('tw-21', 'wkwk')]);
    expect(ids.size).toBe(0);
  });

  it('gives two workers racing on the same new text one id, and both keep the older registration', async () => {
    const text = 'AWAS!!! Undangan memilih digital dari KPU undangan-tps.apk install untuk cek lokasi TPS anda, wajib bagi semua pemilih';
    const t = clock();
    const [a, b] = [worker(at(t)), worker(at(t - 5_000))];
    const [ra, rb] = await Promise.all([assignNarratives(a, [post('wa-30', text)]), assignNarratives(b, [post('wa-31', text)])]);
    const id = ra.get('wa-30')!;
    expect(rb.get('wa-31')).toBe(id);
    await refreshLog();
    // Each learns of the other's registration; both now hold B's, the older one.
    for (const view of [a, b]) {
      await view.sync();
      expect(view.get(id)?.createdMs).toBe(t - 5_000);
    }
  });

  it('converges workers that registered different variants of one message at the same moment on the older', async () => {
    const text = 'Tinta pemilu MENGANDUNG minyak BABI dan zat kimia bikin mandul, sudah dibuktikan di video. Tolak celup jari';
    const t = clock();
    const [a, b] = [worker(at(t - 1_000)), worker(at(t))];
    const [ra, rb] = await Promise.all([assignNarratives(a, [post('wa-40', text)]), assignNarratives(b, [post('wa-41', `${text}, SEBARKAN!!!`)])]);
    // Neither could see the other's registration: two narratives for now (the documented eventual case).
    expect(ra.get('wa-40')).not.toBe(rb.get('wa-41'));
    await refreshLog();
    // Once synced, every worker puts the next copy of B's variant into the older narrative, A's (within
    // reach: 4 bits apart), not into the nearer one, B's.
    for (const view of [a, b, worker()]) {
      expect((await assignNarratives(view, [post('wa-42', `${text}, SEBARKAN!!! https://t.co/x1`)])).get('wa-42')).toBe(ra.get('wa-40'));
    }
  });

  it('recomputes reach from the posts for narratives that spread, without double counting a replay', async () => {
    const view = worker();
    const texts = ['Server KPU sdh DIRETAS hacker luar negeri, 12 JUTA suara 01 dipindahkan ke 02. Quick count PALSU semua'];
    const chain = (await assignNarratives(view, [post('wa-50', texts[0]!)])).get('wa-50')!;
    const single = (await assignNarratives(view, [post('wa-60', 'Kertas suara di TPS ini udah ada lubangnya dari pabrik auto sah buat nomor satu')])).get('wa-60')!;
    const docs = [
      { id: 'wa-51', author: 'a2', created_at: '2026-11-20T03:00:00Z', engagement: { likes: 2, shares: 20, views: 200 }, flags: ['hoax'], narrative_id: chain, text: 'kedua' },
      { id: 'wa-50', author: 'a1', created_at: '2026-11-20T01:00:00Z', engagement: { likes: 1, shares: 10, replies: 0, views: 100 }, flags: ['hoax'], narrative_id: chain, text: texts[0] },
      { id: 'wa-52', author: 'a2', created_at: '2026-11-21T05:00:00Z', engagement: { shares: 5 }, flags: ['hoax', 'sara'], narrative_id: chain, text: 'ketiga' },
      { id: 'wa-53', author: null, created_at: '2026-11-22T05:00:00Z', engagement: {}, flags: [], narrative_id: chain, text: 'keempat' },
      { id: 'wa-60', author: 'a9', created_at: '2026-11-20T02:00:00Z', engagement: { shares: 7 }, flags: ['hoax'], narrative_id: single, text: 'satu' },
    ];
    const index = async () => {
      const response = await ctx.es.bulk({
        refresh: 'wait_for',
        operations: docs.flatMap((d) => [{ index: { _index: `${prefix}-posts-2026.11`, _id: d.id } }, { ...d, platform: 'whatsapp' }]),
      });
      expect(response.errors).toBe(false);
    };
    const docOf = async (id: string) => (await ctx.es.get<NarrativeDoc>({ index: narrativesIndex(prefix), id }))._source!;

    await index();
    expect(await refreshNarrativeReach(ctx.es, prefix, [chain, single, chain, 'nar-0000000000000000'])).toEqual({ updated: 1, single: 2 });
    const expected = {
      posts: 4,
      accounts: 2,
      likes: 3,
      shares: 35,
      replies: 0,
      views: 300,
      first_seen: '2026-11-20T01:00:00.000Z',
      last_seen: '2026-11-22T05:00:00.000Z',
    };
    const doc = await docOf(chain);
    expect(doc).toMatchObject({ id: chain, simhash: chain.slice(4), first_post_id: 'wa-50', first_seen: '2026-11-20T01:00:00.000Z', sample_text: texts[0] });
    expect(doc.reach).toMatchObject(expected);
    expect(doc.reach.flags.sort()).toEqual(['hoax', 'sara']);
    // A narrative of one post has no document.
    expect((await ctx.es.exists({ index: narrativesIndex(prefix), id: single })) as unknown).toBe(false);

    await index();
    await refreshNarrativeReach(ctx.es, prefix, [chain]);
    expect((await docOf(chain)).reach).toMatchObject(expected);
  });

  it('answers from the worker cache exactly what the registry answers, and replays without Elasticsearch', async () => {
    const posts = generatePosts(600, 'cache');
    const cache = new NarrativeCache();
    const view = worker();
    const cached = await assignNarratives(view, posts, { cache });
    await refreshLog();
    const direct = await assignNarratives(worker(), posts);
    expect(cached.size).toBeGreaterThan(500);
    expect(cached).toEqual(direct);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(posts.length); // reposts share one hash entry
    // A replay is answered from the cache alone: even an unreachable cluster does not matter.
    const offline = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 500 });
    try {
      expect(await assignNarratives(new NarrativeRegistryView(offline, prefix), posts, { cache })).toEqual(cached);
    } finally {
      await offline.close();
    }
  });

  it('lets workers find each other’s narratives after a sync, reading only what others logged', async () => {
    const posts = generatePosts(720, 'views', 'unique');
    const [a, b] = [worker(), worker()];
    const first = await assignNarratives(a, posts.slice(0, 360));
    expect(first.size).toBeGreaterThan(300);
    await refreshLog();
    // Worker B sees A's narratives: reposts of A's posts (same text, other ids) get A's ids.
    const reposts = posts.slice(0, 360).map((p) => ({ ...p, id: `${p.id}-repost` }));
    const second = await assignNarratives(b, reposts);
    for (const p of posts.slice(0, 360)) if (first.has(p.id)) expect(second.get(`${p.id}-repost`)).toBe(first.get(p.id));
    // B registers the rest; A, synced, agrees with B.
    const rest = await assignNarratives(b, posts.slice(360));
    await refreshLog();
    expect(await assignNarratives(a, posts.slice(360))).toEqual(rest);
    expect(a.size).toBeGreaterThanOrEqual(new Set([...first.values(), ...rest.values()]).size);
    // A's registrations are one log document, not one per narrative.
    const own = await ctx.es.search<NarrativeLogDoc>({ index: logs(), query: { term: { registered_by: a.instanceId } } });
    expect(own.hits.hits).toHaveLength(1);
    // (Some of these posts are variants of narratives earlier tests registered: those are not new.)
    expect(own.hits.hits[0]!._source!.count).toBeGreaterThan(300);
    expect(own.hits.hits[0]!._source!.count).toBeLessThanOrEqual(new Set(first.values()).size);
  });

  it('tries a failed registry read again on the next batch, and shares one read between concurrent batches', async () => {
    const down = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 1000 });
    const offline = new NarrativeRegistryView(down, prefix);
    // Had the failed read counted as a sync, the second call (within the 1 s interval) would skip it and
    // assign narratives from an empty registry.
    for (let i = 0; i < 2; i++) await expect(offline.syncIfDue()).rejects.toBeInstanceOf(PantauError);
    await down.close();
    const view = worker();
    const [a, b] = [view.sync(), view.sync()];
    expect(a).toBe(b);
    await a;
    expect(view.size).toBeGreaterThan(0);
  });

  it('throws a retriable indexing error when Elasticsearch is unreachable', async () => {
    const down = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 1000 });
    const calls = [() => assignNarratives(new NarrativeRegistryView(down, prefix), [post('wa-80', CHAIN)]), () => refreshNarrativeReach(down, prefix, ['nar-0000000000000001'])];
    for (const call of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PantauError);
      expect((error as PantauError).stage).toBe('indexing');
      expect(isRetriable(error)).toBe(true);
    }
    await down.close();
  });
});
