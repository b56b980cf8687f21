/**
 * Clarification feeds into the knowledge base on the real Elasticsearch node: a feed served by a local HTTP
 * server, imported by `pantau kb import --feed` as an operator runs it, stored once per claim, and imported
 * again without duplicates. A token in the feed URL's query string never reaches the output or errors.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { claimKey, type ClarificationDoc } from '../../src/kb/entry.ts';
import { feedImportInput, readClarificationFeed } from '../../src/kb/feed.ts';
import { importKnowledgeBase } from '../../src/kb/import.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { clarificationsIndex } from '../../src/store/index-names.ts';
import { cleanUp, ELASTICSEARCH_URL, isolatedConfig, KAFKA_BROKERS, openTestContext } from '../helpers/cluster.ts';

const TOKEN = 'tok3nRahasiaFeed9876';
const RSS = readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/feeds/kemkominfo-klarifikasi.rss.xml'), 'utf8');
const ATOM = readFileSync(resolve(PROJECT_ROOT, 'test/fixtures/feeds/turnbackhoax-style.atom.xml'), 'utf8');
/** The same claim as the RSS fixture's first item, as another publisher writes it. */
const ECHO = `<?xml version="1.0"?><rss version="2.0"><channel><title>Humas Kab. Sidomulyo</title>
<item><title>HOAKS: surat suara pilkada sidomulyo sudah dicoblos sebelum hari pemungutan!</title><link>/k/9</link><category>Pilkada</category></item>
</channel></rss>`;

describe('knowledge base from clarification feeds', () => {
  let ctx: PipelineContext;
  let prefix: string;
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('kbfeed'));
    prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = path === '/klarifikasi.xml' ? RSS : path === '/cekfakta.atom' ? ATOM : path === '/echo.xml' ? ECHO : path === '/rusak.xml' ? '<rss><channel><item>' : null;
      if (body === null) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server?.close(done));
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  const env = () => ({ ...process.env, KAFKA_BROKERS: KAFKA_BROKERS.join(','), ELASTICSEARCH_URL, PANTAU_INDEX_PREFIX: prefix, LOG_LEVEL: 'error' });
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((done) => {
      const child = spawn(process.execPath, [resolve(PROJECT_ROOT, 'src/cli/main.ts'), ...args], { env: env() });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => done({ code, out, err }));
    });

  it('pantau kb import --feed URL: stores the items, lists refused ones by position, never prints the token; again: nothing new', async () => {
    const url = `${base}/klarifikasi.xml?token=${TOKEN}`;
    const first = await run(['kb', 'import', '--feed', url]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('4 entri terbaca');
    expect(first.out).toContain('4 baru');
    expect(first.out).toContain('3 baris ditolak');
    expect(first.out).toMatch(/ditolak http:\/\/127\.0\.0\.1:\d+\/klarifikasi\.xml\?token=\*\*\*:5: claim: the item has no title/);
    expect(first.out + first.err).not.toContain(TOKEN);
    expect(requests.some((r) => r.includes(TOKEN))).toBe(true);

    const index = clarificationsIndex(prefix);
    const doc = await ctx.es.get<ClarificationDoc>({ index, id: claimKey('Surat Suara Pilkada Sidomulyo Sudah Dicoblos Sebelum Hari Pemungutan') });
    expect(doc._source).toMatchObject({
      claim: 'Surat Suara Pilkada Sidomulyo Sudah Dicoblos Sebelum Hari Pemungutan',
      verdict: 'hoaks',
      publisher: 'Kementerian Sidomulyo Digital – Klarifikasi Hoaks',
      url: 'https://klarifikasi.sidomulyo.go.id/berita/surat-suara-sudah-dicoblos',
      published_at: '2026-11-10T01:30:00.000Z',
      topics: ['Pemilu', 'KPU'],
    });
    expect(doc._source!.explanation).toContain('masih disegel & disimpan');
    expect(doc._source!.explanation).not.toMatch(/<|alert/);
    expect(JSON.stringify(doc._source!.origins)).not.toContain(TOKEN);
    // The relative link resolves against the feed URL's origin and path, without the token.
    const bansos = await ctx.es.get<ClarificationDoc>({ index, id: claimKey('Bansos dihentikan bagi warga yang tidak memilih paslon tertentu') });
    expect(bansos._source?.url).toBe(`${base}/berita/bansos-dihentikan`);
    expect(bansos._source?.verdict).toBe('hoaks');
    expect((await ctx.es.count({ index })).count).toBe(4);

    const again = await run(['kb', 'import', '--feed', url]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('0 baru');
    expect(again.out).toContain('4 sudah ada');
    expect((await ctx.es.count({ index })).count).toBe(4);
  }, 60_000);

  it('the same claim from another feed is not a second entry; an Atom feed imports with --publisher through the same function the CLI uses', async () => {
    const index = clarificationsIndex(prefix);
    const before = (await ctx.es.count({ index })).count;
    const clock = fixedClock('2026-12-02T03:00:00Z');
    const echo = await importKnowledgeBase({ es: ctx.es, prefix, input: feedImportInput(await readClarificationFeed(`${base}/echo.xml`)), clock });
    expect(echo).toMatchObject({ read: 1, created: 0, alreadyPresent: 1 });

    const atom = await importKnowledgeBase({ es: ctx.es, prefix, input: feedImportInput(await readClarificationFeed(`${base}/cekfakta.atom`, { publisher: 'Cek Fakta Mitra' })), clock });
    expect(atom).toMatchObject({ read: 2, created: 2, rejected: [] });
    const doc = await ctx.es.get<ClarificationDoc>({ index, id: claimKey('Foto antrean TPS di Sidomulyo adalah foto tahun 2019') });
    expect(doc._source).toMatchObject({ verdict: 'misinformasi', publisher: 'Cek Fakta Mitra', url: `${base}/artikel/foto-antrean-tps`, origins: [`${base}/cekfakta.atom`] });
    expect((await ctx.es.count({ index })).count).toBe(before + 2);
  });

  it('errors name the feed without its token: a 404, a broken feed; and --feed with --file is refused', async () => {
    const missing = await run(['kb', 'import', '--feed', `${base}/tidak-ada.xml?token=${TOKEN}`]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/404/);
    expect(missing.out + missing.err).not.toContain(TOKEN);

    const broken = await run(['kb', 'import', '--feed', `${base}/rusak.xml?access_token=${TOKEN}`, '--publisher', 'Humas']);
    expect(broken.code).not.toBe(0);
    expect(broken.err).toMatch(/rusak\.xml.*not well-formed XML/);
    expect(broken.out + broken.err).not.toContain(TOKEN);

    const both = await run(['kb', 'import', '--feed', `${base}/klarifikasi.xml`, '--file', 'x.jsonl']);
    expect(both.code).not.toBe(0);
    expect(both.err).toContain('one of --file, --shared and --feed, not --file and --feed');

    const verdict = await run(['kb', 'import', '--feed', `${base}/klarifikasi.xml`, '--verdict', 'palsu']);
    expect(verdict.code).not.toBe(0);
    expect(verdict.err).toContain('--verdict takes hoaks');
  }, 60_000);
});
