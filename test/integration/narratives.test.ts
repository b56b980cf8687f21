import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetriable, PantauError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { ensureIndexTemplates } from '../../src/store/index-templates.ts';
import { assignNarratives, NarrativeCache, NarrativeRegistryView, narrativesIndex, refreshNarrativeReach, type NarrativeDoc } from '../../src/store/narratives.ts';
import { generatePosts } from '../../src/bench/synthetic-posts.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';

const CHAIN =
  'SEBARKAN‼️ Ditemukan 3 truk surat suara yg SUDAH DICOBLOS paslon 02 di gudang KPU Sidomulyo!!! Sumber terpercaya dr orang dalam KPU. Viralkan sblm dihapus!!!';
const post = (id: string, text: string, createdAt = '2026-11-15T08:00:00+07:00') => ({ id, text, created_at: createdAt });

describe('the narrative registry against the real Elasticsearch', () => {
  let ctx: PipelineContext;
  let prefix: string;

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('narratives'));
    prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
    // The context installs only the templates the pipeline file lists; this one is installed here.
    await ensureIndexTemplates(ctx.es, { files: ['elasticsearch/narratives.template.json'], baseDir: ctx.config.pipelineDir, prefix, logger: silentLogger });
  });

  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.es.indices.deleteIndexTemplate({ name: narrativesIndex(prefix) }).catch(() => {});
      await ctx.close();
    }
  });

  it('registers a new narrative with a deterministic id and gives a replay the same id', async () => {
    const first = await assignNarratives(ctx.es, prefix, [post('wa-1', CHAIN)]);
    const id = first.get('wa-1')!;
    expect(id).toMatch(/^nar-[0-9a-f]{16}$/);
    const doc = (await ctx.es.get<NarrativeDoc>({ index: narrativesIndex(prefix), id }))._source!;
    expect(doc).toMatchObject({ id, simhash: id.slice(4), first_post_id: 'wa-1', sample_text: CHAIN, batch_rank: 0 });
    expect(doc.bands).toHaveLength(4);

    const again = await assignNarratives(ctx.es, prefix, [post('wa-1', CHAIN)]);
    expect(again.get('wa-1')).toBe(id);
  });

  it('puts forwarded variants in the same narrative and an unrelated post in another', async () => {
    const variants = [
      post('wa-2', `${CHAIN} https://bit.ly/3xYz`),
      post('tw-3', `@kawal_suara ${CHAIN.toUpperCase()} 🙏🙏`),
      post('fb-4', CHAIN.replace('yg', 'yang').replace('dr', 'dari')),
    ];
    const unrelated = post('tw-5', 'Jadwal resmi dari KPU: masa kampanye sampai 14 Nov, masa tenang 15 sampai 17 Nov, coblosan Rabu 18 Nov.');
    const ids = await assignNarratives(ctx.es, prefix, [...variants, unrelated]);
    const chainId = (await assignNarratives(ctx.es, prefix, [post('wa-1', CHAIN)])).get('wa-1');
    for (const v of variants) expect(ids.get(v.id)).toBe(chainId);
    expect(ids.get('tw-5')).not.toBe(chainId);
  });

  it('clusters variants within one batch when none is registered yet', async () => {
    const text = 'PENGUMUMAN PENTING!!! TPS di seluruh Kec. Bekasi Timur DIPINDAH ke GOR Kota dan pencoblosan DIUNDUR ke hari Kamis';
    const ids = await assignNarratives(ctx.es, prefix, [post('wa-10', text), post('wa-11', `${text} 19 Nov. Sebarkan!!`), post('wa-12', `Fwd: ${text}`)]);
    expect(new Set(ids.values()).size).toBe(1);
  });

  it('leaves posts too short to be a message without a narrative', async () => {
    const ids = await assignNarratives(ctx.es, prefix, [post('tw-20', '😭😭😭'), post('tw-21', 'wkwk')]);
    expect(ids.size).toBe(0);
  });

  it('ends two workers racing on the same new text with one id', async () => {
    const text = 'AWAS!!! Undangan memilih digital dari KPU undangan-tps.apk install untuk cek lokasi TPS anda, wajib bagi semua pemilih';
    const [a, b] = await Promise.all([
      assignNarratives(ctx.es, prefix, [post('wa-30', text)]),
      assignNarratives(ctx.es, prefix, [post('wa-31', text)]),
    ]);
    expect(a.get('wa-30')).toBe(b.get('wa-31'));
    const count = await ctx.es.count({ index: narrativesIndex(prefix), query: { term: { simhash: a.get('wa-30')!.slice(4) } } });
    expect(count.count).toBe(1);
  });

  it('ends two workers racing on different variants of one new message with one id', async () => {
    const text = 'Tinta pemilu MENGANDUNG minyak BABI dan zat kimia bikin mandul, sudah dibuktikan di video. Tolak celup jari';
    const [a, b] = await Promise.all([
      assignNarratives(ctx.es, prefix, [post('wa-40', text)]),
      assignNarratives(ctx.es, prefix, [post('wa-41', `${text}, SEBARKAN!!!`)]),
    ]);
    expect(a.get('wa-40')).toBe(b.get('wa-41'));
    // And the loser's replay agrees with what it was told.
    expect((await assignNarratives(ctx.es, prefix, [post('wa-41', `${text}, SEBARKAN!!!`)])).get('wa-41')).toBe(b.get('wa-41'));
  });

  it('recomputes reach from the posts, and a replayed bulk does not double it', async () => {
    const texts = ['Server KPU sdh DIRETAS hacker luar negeri, 12 JUTA suara 01 dipindahkan ke 02. Quick count PALSU semua'];
    const chain = (await assignNarratives(ctx.es, prefix, [post('wa-50', texts[0]!)])).get('wa-50')!;
    const other = (await assignNarratives(ctx.es, prefix, [post('wa-60', CHAIN)])).get('wa-60')!;
    const docs = [
      { id: 'wa-50', author: 'a1', created_at: '2026-11-20T01:00:00Z', engagement: { likes: 1, shares: 10, replies: 0, views: 100 }, flags: ['hoax'], narrative_id: chain },
      { id: 'wa-51', author: 'a2', created_at: '2026-11-20T03:00:00Z', engagement: { likes: 2, shares: 20, views: 200 }, flags: ['hoax'], narrative_id: chain },
      { id: 'wa-52', author: 'a2', created_at: '2026-11-21T05:00:00Z', engagement: { shares: 5 }, flags: ['hoax', 'sara'], narrative_id: chain },
      { id: 'wa-53', author: null, created_at: '2026-11-22T05:00:00Z', engagement: {}, flags: [], narrative_id: chain },
      { id: 'wa-60', author: 'a9', created_at: '2026-11-20T02:00:00Z', engagement: { shares: 7 }, flags: ['hoax'], narrative_id: other },
    ];
    const index = async () => {
      const response = await ctx.es.bulk({
        refresh: 'wait_for',
        operations: docs.flatMap((d) => [{ index: { _index: `${prefix}-posts-2026.11`, _id: d.id } }, { ...d, text: 'x', platform: 'whatsapp' }]),
      });
      expect(response.errors).toBe(false);
    };
    const reachOf = async (id: string) => (await ctx.es.get<NarrativeDoc>({ index: narrativesIndex(prefix), id }))._source!.reach!;

    await index();
    expect(await refreshNarrativeReach(ctx.es, prefix, [chain, other, chain])).toEqual({ updated: 2, missing: [] });
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
    expect(await reachOf(chain)).toMatchObject(expected);
    expect((await reachOf(chain)).flags.sort()).toEqual(['hoax', 'sara']);
    expect(await reachOf(other)).toMatchObject({ posts: 1, accounts: 1, shares: 7 });

    await index();
    await refreshNarrativeReach(ctx.es, prefix, [chain]);
    expect(await reachOf(chain)).toMatchObject(expected);
  });

  it('reports narratives that have no document and zeroes those without posts', async () => {
    const lonely = (await assignNarratives(ctx.es, prefix, [post('wa-70', 'Kertas suara di TPS ini udah ada lubangnya dari pabrik auto sah buat nomor satu')])).get('wa-70')!;
    const result = await refreshNarrativeReach(ctx.es, prefix, [lonely, 'nar-0000000000000000']);
    expect(result).toEqual({ updated: 1, missing: ['nar-0000000000000000'] });
    const reach = (await ctx.es.get<NarrativeDoc>({ index: narrativesIndex(prefix), id: lonely }))._source!.reach!;
    expect(reach).toMatchObject({ posts: 0, accounts: 0, first_seen: null, flags: [] });
  });

  it('answers from the worker cache exactly what the registry answers, and replays without Elasticsearch', async () => {
    const posts = generatePosts(600, 'cache');
    const cache = new NarrativeCache();
    const cached = await assignNarratives(ctx.es, prefix, posts, { cache });
    const direct = await assignNarratives(ctx.es, prefix, posts);
    expect(cached.size).toBeGreaterThan(500);
    expect(cached).toEqual(direct);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(posts.length); // reposts share one hash entry
    // A replay is answered from the cache alone: even an unreachable cluster does not matter.
    const offline = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 500 });
    try {
      expect(await assignNarratives(offline, prefix, posts, { cache })).toEqual(cached);
    } finally {
      await offline.close();
    }
  });

  it('with registry views, workers find each other’s narratives in memory and agree with the registry', async () => {
    const posts = generatePosts(720, 'views', 'unique');
    const a = new NarrativeRegistryView(ctx.es, prefix, { syncIntervalMs: 0 });
    const b = new NarrativeRegistryView(ctx.es, prefix, { syncIntervalMs: 0 });
    const first = await assignNarratives(ctx.es, prefix, posts.slice(0, 360), { view: a });
    expect(first.size).toBeGreaterThan(300);
    await ctx.es.indices.refresh({ index: narrativesIndex(prefix) });
    // Worker B sees A's narratives after a sync: reposts of A's posts (same text, other ids) get A's ids.
    const reposts = posts.slice(0, 360).map((p) => ({ ...p, id: `${p.id}-repost` }));
    const second = await assignNarratives(ctx.es, prefix, reposts, { view: b });
    for (const p of posts.slice(0, 360)) if (first.has(p.id)) expect(second.get(`${p.id}-repost`)).toBe(first.get(p.id));
    // What the views answered is what the registry itself answers.
    expect(await assignNarratives(ctx.es, prefix, posts.slice(0, 360))).toEqual(first);
    // B registers the rest; A, synced, agrees with B.
    const rest = await assignNarratives(ctx.es, prefix, posts.slice(360), { view: b });
    await ctx.es.indices.refresh({ index: narrativesIndex(prefix) });
    expect(await assignNarratives(ctx.es, prefix, posts.slice(360), { view: a })).toEqual(rest);
    expect(a.size).toBeGreaterThanOrEqual(new Set([...first.values(), ...rest.values()]).size);
    // A view does not read back what it registered itself.
    const own = await ctx.es.count({ index: narrativesIndex(prefix), query: { term: { registered_by: a.instanceId } } });
    expect(own.count).toBeGreaterThan(300);
    expect(own.count).toBeLessThanOrEqual(new Set(first.values()).size);
  });

  it('throws a retriable indexing error when Elasticsearch is unreachable', async () => {
    const down = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 1000 });
    for (const call of [() => assignNarratives(down, prefix, [post('wa-80', CHAIN)]), () => refreshNarrativeReach(down, prefix, ['nar-0000000000000001'])]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PantauError);
      expect((error as PantauError).stage).toBe('indexing');
      expect(isRetriable(error)).toBe(true);
    }
    await down.close();
  });
});
