/**
 * The RSS/Atom source against a real HTTP server on loopback and the real Kafka sink: what reaches
 * posts.raw and posts.dlq is read back from the topics.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { rssSourceSchema } from '../../src/sources/rss/config.ts';
import { RssSource } from '../../src/sources/rss/rss-source.ts';
import { waitFor } from '../helpers/cluster.ts';
import { openSourceHarness, postsWithPrefix, sleep, sourceErrorCount, startScriptedServer, type ScriptedServer, type SourceHarness } from '../helpers/sources.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sources/${name}`, import.meta.url), 'utf8');
const RSS = fixture('antara-politik.rss.xml');
const ATOM = fixture('komdigi-hoaks.atom.xml');

const NEW_ITEM = `<item>
      <title>KPU Jawa Timur mulai pleno rekapitulasi tingkat provinsi</title>
      <link>https://www.antaranews.example/berita/4100005/kpu-jatim-mulai-pleno</link>
      <guid isPermaLink="false">antara-4100005</guid>
      <pubDate>Sat, 21 Nov 2026 08:00:00 +0700</pubDate>
      <description>Rapat pleno terbuka dihadiri saksi pasangan calon dan Bawaslu.</description>
    </item>
  </channel>`;

/** Serves `body()` as XML with an ETag, answering 304 when the client already has it. */
function feedHandler(body: () => string, contentType = 'application/rss+xml; charset=utf-8'): ScriptedServer['handler'] {
  return (req, res) => {
    const xml = body();
    const etag = `"${Buffer.from(xml).length}-${xml.length % 997}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': contentType, etag }).end(xml);
  };
}

const config = (name: string, url: string, extra: Record<string, unknown> = {}) =>
  rssSourceSchema.parse({ type: 'rss', name, url, schedule: '* * * * * *', retryBaseMs: 20, retryMaxMs: 200, ...extra });

describe('RSS/Atom source → real Kafka', () => {
  let h: SourceHarness;
  const stateDir = mkdtempSync(join(tmpdir(), 'pantau-rss-state-'));
  const servers: ScriptedServer[] = [];
  const sources: RssSource[] = [];
  const serve = async (handler: ScriptedServer['handler']) => {
    const server = await startScriptedServer(handler);
    servers.push(server);
    return server;
  };
  const source = (c: ReturnType<typeof config>) => {
    const s = new RssSource(c, { stateDir, logger: silentLogger });
    sources.push(s);
    return s;
  };

  beforeAll(async () => {
    h = await openSourceHarness('src-rss');
  });

  afterAll(async () => {
    for (const s of sources) await s.stop();
    for (const s of servers) await s.close();
    await h?.close();
  });

  it('publishes each RSS item once, dead-letters the unusable one with its bytes, polls on schedule without republishing, and uses the ETag', async () => {
    const server = await serve(feedHandler(() => RSS));
    const rss = source(config('antara', `${server.base}/rss/politik.xml`));
    await rss.start(h.sink);
    await waitFor('first poll', async () => (rss.health().lastSuccessAt ? true : undefined), 20_000);
    // A few more ticks of the one-second schedule.
    await waitFor('three polls', async () => (server.requests.length >= 3 ? true : undefined), 20_000);
    await rss.pollNow();
    await h.settle();

    const posts = postsWithPrefix(h, 'rss-antara-');
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.id)).size).toBe(3);
    const bawaslu = posts.find((p) => p.text.startsWith('Bawaslu: video surat suara'));
    expect(bawaslu).toMatchObject({ platform: 'news', language: 'id', author: 'Dewi Lestari', created_at: '2026-11-20T03:30:00.000Z' });
    expect(bawaslu!.url).toBe('https://www.antaranews.example/berita/4100002/bawaslu-video-surat-suara-tercoblos-hoaks');
    expect(bawaslu!.raw).toMatchObject({ guid: { '#text': 'antara-4100002', '@_isPermaLink': 'false' } });
    expect(posts.find((p) => p.text.startsWith('Pemkab'))!.url).toBe('https://www.antaranews.example/berita/4100003/pemkab-ajak-warga-cek-dpt');

    const letters = h.letters().filter((l) => l.headers['pantau-source'] === 'rss:antara');
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers).toMatchObject({ 'pantau-reason': 'schema_mismatch', 'pantau-stage': 'receiving' });
    expect(letters[0]!.headers['pantau-detail']).toContain('item antara-4100004');
    expect(JSON.parse(letters[0]!.value.toString('utf8'))).toMatchObject({ guid: { '#text': 'antara-4100004' }, link: ['https://www.antaranews.example/berita/4100004'] });
    expect(letters[0]!.key).toMatch(/^rss-antara-[0-9a-f]{24}$/);

    // Later polls asked with the ETag and got 304.
    expect(server.requests.slice(1).some((r) => r.headers['if-none-match'])).toBe(true);
    expect(rss.health()).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
    await rss.stop();
  });

  it('after a restart (new instance, same state dir) publishes only what is new', async () => {
    let xml = RSS;
    const server = await serve(feedHandler(() => xml));
    const first = source(config('antara-restart', `${server.base}/feed`, { schedule: '0 0 * * *' }));
    await first.start(h.sink);
    await first.pollNow();
    await first.stop();
    await h.settle();
    expect(postsWithPrefix(h, 'rss-antara-restart-')).toHaveLength(3);

    xml = RSS.replace('</channel>', NEW_ITEM);
    const second = source(config('antara-restart', `${server.base}/feed`, { schedule: '0 0 * * *' }));
    await second.start(h.sink);
    await second.pollNow();
    await h.settle();
    const posts = postsWithPrefix(h, 'rss-antara-restart-');
    expect(posts).toHaveLength(4);
    expect(posts.filter((p) => p.text.startsWith('KPU Jawa Timur'))).toHaveLength(1);
    expect(h.letters().filter((l) => l.headers['pantau-source'] === 'rss:antara-restart')).toHaveLength(1);
    await second.stop();
  });

  it('maps an Atom feed', async () => {
    const server = await serve(feedHandler(() => ATOM, 'application/atom+xml'));
    const atom = source(config('komdigi', `${server.base}/hoaks.atom`, { platform: 'klarifikasi', schedule: '0 0 * * *' }));
    await atom.start(h.sink);
    await atom.pollNow();
    await h.settle();
    const posts = postsWithPrefix(h, 'rss-komdigi-');
    expect(posts.map((p) => p.text.split('\n')[0]).sort()).toEqual([
      '[DISINFORMASI] Kotak suara dibakar di Kabupaten Jayawijaya',
      '[HOAKS] Pemilih bisa mencoblos lewat aplikasi "e-Coblos"',
    ]);
    expect(posts.every((p) => p.platform === 'klarifikasi' && p.author === 'Tim AIS Komdigi')).toBe(true);
    await atom.stop();
  });

  it('retries 5xx and bad XML with backoff inside one poll, counting each failure', async () => {
    const server = await serve((req, res, n) => {
      if (n === 0) return void res.writeHead(503).end('sedang pemeliharaan');
      if (n === 1) return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS.slice(0, 700));
      feedHandler(() => RSS)(req, res, n);
    });
    const flaky = source(config('flaky', `${server.base}/feed`, { schedule: '0 0 * * *' }));
    await flaky.start(h.sink);
    await flaky.pollNow();
    expect(server.requests).toHaveLength(3);
    expect(flaky.health()).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
    expect(await sourceErrorCount('flaky', 'http_5xx')).toBe(1);
    expect(await sourceErrorCount('flaky', 'bad_xml')).toBe(1);
    await h.settle();
    expect(postsWithPrefix(h, 'rss-flaky-')).toHaveLength(3);
    await flaky.stop();
  });

  it('a feed that never answers times out, shows in health, and does not hold up another source; it recovers by itself', async () => {
    let silent = true;
    const hanging = await serve((req, res, n) => {
      if (silent) return; // never answers
      feedHandler(() => ATOM, 'application/atom+xml')(req, res, n);
    });
    const healthy = await serve(feedHandler(() => RSS));
    const stuck = source(config('stuck', `${hanging.base}/feed`, { timeoutMs: 300, maxAttempts: 2 }));
    const fine = source(config('fine', `${healthy.base}/feed`));
    await stuck.start(h.sink);
    await fine.start(h.sink);

    await waitFor('the stuck source to report failing', async () => (stuck.health().state === 'failing' ? true : undefined), 20_000);
    expect(stuck.health().lastError).toContain('did not answer within 300 ms');
    expect(await sourceErrorCount('stuck', 'fetch_timeout')).toBeGreaterThanOrEqual(2);
    await waitFor('the healthy source to publish', async () => (fine.health().state === 'ok' ? true : undefined), 20_000);

    silent = false;
    await waitFor('the stuck source to recover on a later tick', async () => (stuck.health().state === 'ok' ? true : undefined), 20_000);
    await h.settle();
    expect(postsWithPrefix(h, 'rss-stuck-')).toHaveLength(2);
    expect(postsWithPrefix(h, 'rss-fine-')).toHaveLength(3);
    await stuck.stop();
    await fine.stop();
  });

  it('never runs two polls of one source at once, even when a poll outlasts the schedule', async () => {
    const slow = await serve((req, res, n) => {
      setTimeout(() => feedHandler(() => RSS)(req, res, n), 1500);
    });
    const s = source(config('slow', `${slow.base}/feed`, { timeoutMs: 5000 }));
    await s.start(h.sink);
    await sleep(4000);
    await s.stop();
    expect(slow.requests.length).toBeGreaterThanOrEqual(2);
    expect(slow.maxConcurrent).toBe(1);
  });
});
