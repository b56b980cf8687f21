/**
 * The JSON API poller against a real HTTP server on loopback and the real Kafka sink: paging with cursor
 * and since_id, what survives a restart, a stop in the middle of a run, 429 with Retry-After, 5xx.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PantauError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import { jsonApiSourceSchema } from '../../src/sources/json-api/config.ts';
import { JsonApiSource } from '../../src/sources/json-api/json-api-source.ts';
import type { PostSink } from '../../src/sources/source.ts';
import { waitFor } from '../helpers/cluster.ts';
import { openSourceHarness, postsWithPrefix, sourceErrorCount, startScriptedServer, type ScriptedServer, type SourceHarness } from '../helpers/sources.ts';

/** A citizen-report platform ("lapor"), newest first, 3 per page. */
interface Report {
  id: number;
  isi: string;
  pelapor: string | null;
  dibuat: string;
  suka: number;
}

const report = (id: number, isi: string): Report => ({
  id,
  isi,
  pelapor: `warga${id}`,
  dibuat: `2026-11-20T${String(8 + (id % 10)).padStart(2, '0')}:00:00+07:00`,
  suka: id * 2,
});

const REPORTS = [
  report(1, 'Ada pembagian sembako atas nama caleg di RT 04'),
  report(2, 'Surat undangan memilih belum diterima warga satu gang'),
  report(3, 'Spanduk kampanye dipasang di pagar sekolah'),
  report(4, 'Beredar video TPS dicoblos petugas, benarkah?'),
  { ...report(5, ''), isi: '' }, // no text: becomes a dead letter
  report(6, 'Kotak suara tiba di kecamatan tanpa segel'),
];

/**
 * Serves `/laporan?since_id=&cursor=`: items newer than since_id, oldest first, three per page; the
 * cursor is the id to continue after.
 */
function lapor(reports: () => Report[]): ScriptedServer['handler'] {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const since = Number(url.searchParams.get('since_id') || 0);
    const after = Number(url.searchParams.get('cursor') || since);
    const newer = reports().filter((r) => r.id > after);
    const page = newer.slice(0, 3);
    const next = newer.length > 3 ? String(page.at(-1)!.id) : null;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: page, meta: { next_cursor: next } }));
  };
}

const config = (name: string, base: string, extra: Record<string, unknown> = {}) =>
  jsonApiSourceSchema.parse({
    type: 'json_api',
    name,
    url: `${base}/laporan?since_id={since_id}&cursor={cursor}`,
    schedule: '0 0 * * *',
    itemsPointer: '/data',
    nextCursorPointer: '/meta/next_cursor',
    fields: { id: '/id', text: '/isi', author: '/pelapor', createdAt: '/dibuat', likes: '/suka' },
    platform: 'lapor',
    language: 'id',
    region: '32',
    retryBaseMs: 20,
    retryMaxMs: 2000,
    ...extra,
  });

const query = (r: { url: string }) => Object.fromEntries(new URL(r.url, 'http://x').searchParams);

describe('JSON API source → real Kafka', () => {
  let h: SourceHarness;
  const stateDir = mkdtempSync(join(tmpdir(), 'pantau-api-state-'));
  const servers: ScriptedServer[] = [];
  const sources: JsonApiSource[] = [];
  const serve = async (handler: ScriptedServer['handler']) => {
    const server = await startScriptedServer(handler);
    servers.push(server);
    return server;
  };
  const source = (c: ReturnType<typeof config>, sink?: PostSink) => {
    const s = new JsonApiSource(c, { stateDir, logger: silentLogger });
    sources.push(s);
    return { s, start: () => s.start(sink ?? h.sink) };
  };

  beforeAll(async () => {
    h = await openSourceHarness('src-api');
  });

  afterAll(async () => {
    for (const s of sources) await s.stop();
    for (const s of servers) await s.close();
    await h?.close();
  });

  it('follows pages to the end, publishes the items, dead-letters the bad one, then asks only for newer ones', async () => {
    let reports = REPORTS;
    const server = await serve(lapor(() => reports));
    const { s, start } = source(config('lapor', server.base));
    await start();
    await waitFor('the first run', async () => (s.health().lastSuccessAt ? true : undefined), 20_000);
    expect(server.requests.map(query)).toEqual([
      { since_id: '', cursor: '' },
      { since_id: '', cursor: '3' },
    ]);
    expect(s.position()).toEqual({ cursor: null, sinceId: '6', pendingSinceId: null });
    await h.settle();
    const posts = postsWithPrefix(h, 'lapor-');
    expect(posts.map((p) => p.id).sort()).toEqual(['lapor-1', 'lapor-2', 'lapor-3', 'lapor-4', 'lapor-6']);
    expect(posts.find((p) => p.id === 'lapor-4')).toMatchObject({
      platform: 'lapor',
      author: 'warga4',
      text: 'Beredar video TPS dicoblos petugas, benarkah?',
      created_at: '2026-11-20T05:00:00.000Z',
      region: '32',
      language: 'id',
      engagement: { likes: 8 },
      raw: REPORTS[3],
    });
    const letters = h.letters().filter((l) => l.headers['pantau-source'] === 'json_api:lapor');
    expect(letters).toHaveLength(1);
    expect(letters[0]!.key).toBe('lapor-5');
    expect(letters[0]!.headers['pantau-reason']).toBe('schema_mismatch');
    expect(JSON.parse(letters[0]!.value.toString('utf8'))).toEqual(REPORTS[4]);

    reports = [...REPORTS, report(7, 'Daftar pemilih tetap memuat nama warga yang sudah meninggal'), report(8, 'Relawan membagikan amplop di pasar')];
    await s.pollNow();
    expect(query(server.requests.at(-1)!)).toEqual({ since_id: '6', cursor: '' });
    await h.settle();
    expect(postsWithPrefix(h, 'lapor-').map((p) => p.id).sort()).toEqual(['lapor-1', 'lapor-2', 'lapor-3', 'lapor-4', 'lapor-6', 'lapor-7', 'lapor-8']);
    expect(s.position().sinceId).toBe('8');
    await s.stop();

    // A new instance on the same state dir goes on from there: nothing republished.
    const again = source(config('lapor', server.base));
    await again.start();
    await again.s.pollNow();
    expect(query(server.requests.at(-1)!)).toEqual({ since_id: '8', cursor: '' });
    await h.settle();
    expect(postsWithPrefix(h, 'lapor-')).toHaveLength(7);
  });

  it('moves the cursor only after the sink took the page: a run the bus refuses is read again, from the same page', async () => {
    const server = await serve(lapor(() => REPORTS));
    let refuse = true;
    let publishCalls = 0;
    // The real Kafka sink, behind a switch that makes it behave as while the brokers are unreachable.
    const flaky: PostSink = {
      publish: async (posts) => {
        publishCalls++;
        if (publishCalls === 2 && refuse) throw new PantauError('Kafka produce failed: Connection error', { stage: 'receiving', code: 'kafka_produce', retriable: true });
        await h.sink.publish(posts);
      },
      deadLetter: (letters) => h.sink.deadLetter(letters),
      saturated: () => false,
    };
    const { s, start } = source(config('lapor-outage', server.base, { maxAttempts: 1, runOnStart: false }), flaky);
    await start();
    await s.pollNow();
    expect(s.health()).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
    expect(s.health().lastError).toContain('kafka_produce');
    expect(s.position()).toEqual({ cursor: '3', sinceId: null, pendingSinceId: '3' });
    expect(JSON.parse(readFileSync(join(stateDir, 'json_api-lapor-outage.json'), 'utf8'))).toMatchObject({ cursor: '3', sinceId: null });
    await s.stop();

    refuse = false;
    const again = source(config('lapor-outage', server.base, { runOnStart: false }));
    await again.start();
    await again.s.pollNow();
    expect(query(server.requests.at(-1)!)).toEqual({ since_id: '', cursor: '3' });
    expect(again.s.position()).toEqual({ cursor: null, sinceId: '6', pendingSinceId: null });
    await h.settle();
    expect(postsWithPrefix(h, 'lapor-outage-').map((p) => p.id).sort()).toEqual(['lapor-outage-1', 'lapor-outage-2', 'lapor-outage-3', 'lapor-outage-4', 'lapor-outage-6']);
  });

  it('a stop in the middle of a run keeps the position of the last delivered page', async () => {
    const serveLapor = lapor(() => REPORTS);
    const server = await serve((req, res, n) => {
      if (query({ url: req.url ?? '' }).cursor === '3' && n === 1) return; // the second page hangs until the source gives up
      serveLapor(req, res, n);
    });
    const { s, start } = source(config('lapor-stop', server.base, { timeoutMs: 10_000, runOnStart: false }));
    await start();
    const run = s.pollNow();
    await waitFor('the second page requested', async () => (server.requests.length === 2 ? true : undefined), 10_000);
    await s.stop();
    await run;
    expect(s.position()).toEqual({ cursor: '3', sinceId: null, pendingSinceId: '3' });

    const again = source(config('lapor-stop', server.base, { runOnStart: false }));
    await again.start();
    await again.s.pollNow();
    expect(query(server.requests.at(-1)!)).toEqual({ since_id: '', cursor: '3' });
    await h.settle();
    expect(postsWithPrefix(h, 'lapor-stop-')).toHaveLength(5);
  });

  it('honours Retry-After of a 429 and retries 5xx, counting both', async () => {
    const serveLapor = lapor(() => REPORTS.slice(0, 2));
    const server = await serve((req, res, n) => {
      if (n === 0) return void res.writeHead(429, { 'retry-after': '1' }).end('{"error":"rate limited"}');
      if (n === 1) return void res.writeHead(502).end('bad gateway');
      serveLapor(req, res, n);
    });
    const { s, start } = source(config('lapor-rude', server.base, { runOnStart: false }));
    await start();
    await s.pollNow();
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(server.requests[2]!.at - server.requests[1]!.at).toBeLessThan(900); // plain backoff after the 502
    expect(s.health().state).toBe('ok');
    expect(await sourceErrorCount('lapor-rude', 'http_429')).toBe(1);
    expect(await sourceErrorCount('lapor-rude', 'http_5xx')).toBe(1);
    await h.settle();
    expect(postsWithPrefix(h, 'lapor-rude-')).toHaveLength(2);
  });

  it('a Retry-After longer than one run may wait pauses the polls instead of hammering', async () => {
    const server = await serve((_req, res) => void res.writeHead(429, { 'retry-after': '3600' }).end());
    const { s, start } = source(config('lapor-paused', server.base, { runOnStart: false, retryMaxMs: 500 }));
    await start();
    await s.pollNow();
    await s.pollNow();
    await s.pollNow();
    expect(server.requests).toHaveLength(1);
    expect(s.health()).toMatchObject({ state: 'failing' });
  });
});
