/**
 * Posts indexed before `search_text` existed get it from `pantau backfill-search`, on the real Elasticsearch:
 * page by page, without touching posts that have it, idempotent, and then the queue's Indonesian search finds
 * them by another word form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { backfillSearchText, type BackfillProgress } from '../../src/review/search-text-backfill.ts';
import { searchText } from '../../src/review/search-text.ts';
import { listQueue } from '../../src/review/queue.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { postsAlias, postsIndexFor } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';

const TEXTS = [
  'Surat suara sudah dicoblos sebelum hari pemungutan, sebarkan',
  'Petugas KPPS menyebarkan kabar bohong soal kotak suara',
  'Kotak suara dibuka malam hari di gudang kecamatan',
];

describe('backfill of search_text for older posts', () => {
  let ctx: PipelineContext;
  let prefix: string;

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('backfill'));
    prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
    const at = new Date(systemClock() - 3_600_000).toISOString();
    // As the posts sink wrote them before template v5: no search_text.
    for (const [i, text] of TEXTS.entries()) {
      await ctx.es.index({ index: postsIndexFor(prefix, at), id: `lama-${i}`, document: { id: `lama-${i}`, schema_version: 1, platform: 'x', author: `akun${i}`, text, created_at: at, scores: { hoax: 0.9 }, flags: ['hoax'], flagged: true, review_flags: [], model_version: 'pantau-id-v2', classified_at: at, narrative_id: `nar-lama${i}` } });
    }
    // As written between v5 and v6: search_text, but no province or source.
    await ctx.es.index({ index: postsIndexFor(prefix, at), id: 'v5-0', document: { id: 'v5-0', schema_version: 1, platform: 'x', text: 'Pencoblosan diundur', created_at: at, region: '3578', scores: { hoax: 0.1 }, flags: [], flagged: false, model_version: 'pantau-id-v2', classified_at: at, search_text: 'coblos undur' } });
    // A newer post already has them all; the backfill must leave it alone.
    await ctx.es.index({ index: postsIndexFor(prefix, at), id: 'baru-0', refresh: true, document: { id: 'baru-0', schema_version: 1, platform: 'x', text: 'Tulisan baru', created_at: at, scores: { hoax: 0.1 }, flags: [], flagged: false, model_version: 'pantau-id-v2', classified_at: at, search_text: 'penanda', province: null, source: 'penanda' } });
  }, 120_000);

  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('counts without writing on a dry run, then fills every older post page by page, and a second run has nothing to do', async () => {
    expect(await backfillSearchText(ctx.es, prefix, { dryRun: true })).toEqual({ updated: 0, failed: 0, total: 4 });
    const seen: BackfillProgress[] = [];
    const done = await backfillSearchText(ctx.es, prefix, { pageSize: 2, onProgress: (p) => seen.push(p) });
    expect(done).toEqual({ updated: 4, failed: 0, total: 4 });
    expect(seen.map((p) => p.updated)).toEqual([2, 4]);
    await ctx.es.indices.refresh({ index: postsAlias(prefix) });
    const docs = (await ctx.es.search<{ id: string; text: string; search_text: string; province: string | null; source: string }>({ index: postsAlias(prefix), size: 10, query: { match_all: {} } })).hits.hits.map((h) => h._source!);
    for (const d of docs.filter((x) => x.id.startsWith('lama-'))) expect(d).toMatchObject({ search_text: searchText(d.text), source: 'lama', province: null });
    expect(docs.find((d) => d.id === 'v5-0')).toMatchObject({ search_text: searchText('Pencoblosan diundur'), province: '35', source: 'v5' });
    expect(docs.find((d) => d.id === 'baru-0')).toMatchObject({ search_text: 'penanda', source: 'penanda' });
    expect(await backfillSearchText(ctx.es, prefix)).toEqual({ updated: 0, failed: 0, total: 0 });
  });

  it('lets the queue find an older post by another word form', async () => {
    const page = await listQueue({ es: ctx.es, prefix, labels: ['hoax'], uncertainSampleRate: 0.2, clock: systemClock }, { q: 'pencoblosan' });
    expect(page.items.map((i) => i.item_id)).toEqual(['nar-lama0']);
    const spread = await listQueue({ es: ctx.es, prefix, labels: ['hoax'], uncertainSampleRate: 0.2, clock: systemClock }, { q: 'penyebaran' });
    expect(spread.items.map((i) => i.item_id).sort()).toEqual(['nar-lama0', 'nar-lama1']);
  });
});
