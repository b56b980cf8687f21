/**
 * The knowledge base on the real Elasticsearch node: the template's strict mapping, duplicates merged across
 * sources, re-imports that change nothing, and `pantau kb import` as an operator runs it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { claimKey, type ClarificationDoc } from '../../src/kb/entry.ts';
import { importKnowledgeBase } from '../../src/kb/import.ts';
import { parseKbJsonl } from '../../src/kb/readers.ts';
import { parseClaimReviews } from '../../src/kb/claim-review.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { clarificationsIndex } from '../../src/store/index-names.ts';
import { cleanUp, ELASTICSEARCH_URL, isolatedConfig, KAFKA_BROKERS, openTestContext } from '../helpers/cluster.ts';

const CLAIM = 'Surat suara Pemilu sudah dicoblos sebelum hari pemungutan';

describe('knowledge base of clarifications', () => {
  let ctx: PipelineContext;
  let prefix: string;
  const work = mkdtempSync(join(tmpdir(), 'pantau-kb-it-'));

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('kb'));
    prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
  });
  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('stores entries once per claim, merging sources, and a second import changes nothing', async () => {
    const input = parseKbJsonl(
      [
        JSON.stringify({ claim: CLAIM, verdict: 'hoaks', publisher: 'TurnBackHoax (Mafindo)', url: 'https://turnbackhoax.id/articles/1', topics: ['pemilu'], published_at: '2024-02-10' }),
        JSON.stringify({ claim: `[HOAKS] ${CLAIM.toUpperCase()}!`, verdict: 'hoaks', publisher: 'KPU', sources: ['https://kpu.go.id/berita/2'], topics: ['kpu'] }),
        JSON.stringify({ claim: 'Pemilih wajib membawa fotokopi KTP ke TPS', verdict: 'klarifikasi', explanation: 'Cukup KTP-el asli atau surat keterangan.', regions: ['31'] }),
        '{"claim": "rusak"',
      ].join('\n'),
      'kb.jsonl',
    );
    const clock = fixedClock('2026-12-02T03:00:00Z');
    const first = await importKnowledgeBase({ es: ctx.es, prefix, input, clock });
    expect(first).toMatchObject({ read: 3, merged: 1, created: 2, alreadyPresent: 0, index: clarificationsIndex(prefix) });
    expect(first.rejected).toEqual([{ origin: 'kb.jsonl', line: 4, reason: expect.stringContaining('not JSON') }]);

    const doc = await ctx.es.get<ClarificationDoc>({ index: clarificationsIndex(prefix), id: claimKey(CLAIM) });
    expect(doc._source).toMatchObject({ claim: CLAIM, verdict: 'hoaks', publisher: 'TurnBackHoax (Mafindo)', topics: ['pemilu', 'kpu'], sources: ['https://kpu.go.id/berita/2'], origins: ['kb.jsonl'], imported_at: '2026-12-02T03:00:00.000Z' });

    const again = await importKnowledgeBase({ es: ctx.es, prefix, input, clock });
    expect(again).toMatchObject({ created: 0, alreadyPresent: 2 });
    expect((await ctx.es.count({ index: clarificationsIndex(prefix) })).count).toBe(2);

    // Lexical retrieval works on the claim field (what claim matching will query).
    const hits = await ctx.es.search<ClarificationDoc>({ index: clarificationsIndex(prefix), query: { match: { claim: 'surat suara dicoblos duluan' } } });
    expect(hits.hits.hits[0]?._id).toBe(claimKey(CLAIM));
  });

  it('the index refuses fields the template does not name (strict mapping)', async () => {
    await expect(ctx.es.index({ index: clarificationsIndex(prefix), document: { claim: 'x', rating: 3 } })).rejects.toThrow(/strict_dynamic_mapping_exception|not allowed/);
  });

  it('pantau kb import --file: reports per line, imports the rest, exits 0; a wrong call says what to pass; kb export writes ClaimReview that reads back', async () => {
    const file = join(work, 'klarifikasi.csv');
    writeFileSync(file, 'claim,verdict,institutions,url\nBansos dihentikan bagi yang tidak memilih paslon tertentu,hoaks,Kemensos,https://kemensos.go.id/k/1\npendek,hoaks,,\n');
    const env = { ...process.env, KAFKA_BROKERS: KAFKA_BROKERS.join(','), ELASTICSEARCH_URL, PANTAU_INDEX_PREFIX: prefix, LOG_LEVEL: 'error' };
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((done) => {
        const child = spawn(process.execPath, [resolve(PROJECT_ROOT, 'src/cli/main.ts'), ...args], { env });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (code) => done({ code, out, err }));
      });
    const ok = await run(['kb', 'import', '--file', file]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('1 entri terbaca');
    expect(ok.out).toContain('1 baru');
    expect(ok.out).toMatch(/ditolak .*klarifikasi\.csv:3: claim/);
    expect((await ctx.es.count({ index: clarificationsIndex(prefix), query: { term: { institutions: 'Kemensos' } } })).count).toBe(1);

    const wrong = await run(['kb', 'import']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toContain('--file F or --shared');

    // Export for partners as ClaimReview, and it reads back as the same entries.
    const exported = join(work, 'ekspor.jsonld');
    const out = await run(['kb', 'export', '--out', exported]);
    expect(out.code, out.err).toBe(0);
    const total = (await ctx.es.count({ index: clarificationsIndex(prefix) })).count;
    expect(out.out).toContain(`${total} entri ditulis`);
    const back = parseClaimReviews(readFileSync(exported, 'utf8'), exported);
    expect(back.rejected).toEqual([]);
    expect(back.entries.map((e) => claimKey(e.entry.claim)).sort()).toEqual((await ctx.es.search({ index: clarificationsIndex(prefix), size: 100 })).hits.hits.map((h) => h._id).sort());
    expect(back.entries.find((e) => e.entry.institutions === undefined && e.entry.claim.startsWith('Bansos'))?.entry.verdict).toBe('hoaks');
  }, 60_000);
});
