/**
 * The HTTP push endpoint against real HTTP clients and the real Kafka sink: signatures, limits, load
 * shedding, and "a 2xx means the broker has it".
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { httpPushSourceSchema } from '../../src/sources/http-push/config.ts';
import { HttpPushSource } from '../../src/sources/http-push/http-push-source.ts';
import { signBody } from '../../src/sources/http-push/signature.ts';
import { createSource } from '../../src/sources/index.ts';
import { createKafkaPostSink } from '../../src/sources/kafka-post-sink.ts';
import type { PostSink, Source } from '../../src/sources/source.ts';
import { openSourceHarness, sleep, sourceErrorCount, type SourceHarness } from '../helpers/sources.ts';

/** A port that was free a moment ago (for a config that needs a fixed one). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const SECRET = 'rahasia-bersama-alat-social-listening-2026';

const post = (id: string, text: string, extra: Record<string, unknown> = {}) => ({
  id,
  platform: 'tiktok',
  author: '@warga_depok',
  text,
  url: `https://www.tiktok.example/@warga_depok/video/${id.replace(/\D/g, '')}`,
  created_at: '2026-11-20T19:05:00+07:00',
  region: '3276',
  engagement: { likes: 1200, shares: 310, views: 45000 },
  language: 'id',
  ...extra,
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

async function push(url: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const response = await fetch(url, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'application/json', 'x-pantau-signature': signBody(bytes, SECRET), ...headers },
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('HTTP push source → real Kafka', () => {
  let h: SourceHarness;
  const started: Source[] = [];
  const config = (name: string, extra: Record<string, unknown> = {}) => httpPushSourceSchema.parse({ type: 'http_push', name, port: 0, secret: SECRET, ...extra });
  const startPush = async (name: string, sink: PostSink = h.sink, extra: Record<string, unknown> = {}) => {
    const source = new HttpPushSource(config(name, extra), { logger: silentLogger });
    await source.start(sink);
    started.push(source);
    return source;
  };

  beforeAll(async () => {
    h = await openSourceHarness('src-push');
  });

  afterAll(async () => {
    for (const s of started) await s.stop();
    await h?.close();
  });

  it('takes a signed batch: valid posts published, invalid ones dead-lettered one by one, 202 with the counts', async () => {
    const source = await startPush('listening');
    const items = [
      post('tt-push-1', 'Katanya surat suara di TPS 12 sudah dicoblos duluan, cek faktanya'),
      post('tt-push-2', 'Antrean panjang di TPS 05, petugas minta warga sabar'),
      post('tt-push-3', 'tanpa tanggal', { created_at: 'kemarin' }),
      { id: 'tt-push-4' },
    ];
    const answer = await push(source.url(), JSON.stringify({ posts: items }));
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ accepted: 2, deadLettered: 2 });

    await h.settle();
    const posts = h.posts().filter((p) => p.id.startsWith('tt-push-'));
    expect(posts.map((p) => p.id).sort()).toEqual(['tt-push-1', 'tt-push-2']);
    expect(posts.find((p) => p.id === 'tt-push-1')).toMatchObject({ author: '@warga_depok', region: '3276', engagement: { likes: 1200, shares: 310, views: 45000 } });
    const letters = h.letters().filter((l) => l.headers['pantau-source'] === 'http_push:listening');
    expect(letters.map((l) => l.key).sort()).toEqual(['tt-push-3', 'tt-push-4']);
    for (const l of letters) expect(l.headers).toMatchObject({ 'pantau-reason': 'schema_mismatch', 'pantau-stage': 'receiving' });
    expect(letters.find((l) => l.key === 'tt-push-3')!.headers['pantau-detail']).toMatch(/^item 2: created_at/);
    expect(JSON.parse(letters.find((l) => l.key === 'tt-push-4')!.value.toString('utf8'))).toEqual({ id: 'tt-push-4' });

    const health = await fetch(source.url().replace('/ingest', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ name: 'listening', state: 'ok' });
  });

  it('refuses a wrong or missing signature with 401 and publishes nothing', async () => {
    const source = await startPush('signed');
    const body = JSON.stringify([post('tt-sig-1', 'Tautan ini berisi hasil hitung cepat palsu')]);
    const tampered = await push(source.url(), body, { 'x-pantau-signature': signBody(body.replace('palsu', 'asli'), SECRET) });
    const otherKey = await push(source.url(), body, { 'x-pantau-signature': signBody(body, 'kunci-lain-yang-juga-panjangnya-cukup!!') });
    const missing = await fetch(source.url(), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect([tampered.status, otherKey.status, missing.status]).toEqual([401, 401, 401]);
    expect(await sourceErrorCount('signed', 'unauthorized')).toBe(3);
    await h.settle();
    expect(h.posts().filter((p) => p.id.startsWith('tt-sig-'))).toHaveLength(0);
  });

  it('answers 400 to malformed JSON and dead-letters the whole body; 415 to another content type', async () => {
    const source = await startPush('malformed');
    const body = Buffer.from('[{"id": "tt-bad-1", "text": "sebarkan!!!"');
    const answer = await push(source.url(), body);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'malformed_json', accepted: 0, deadLettered: 1 });
    const notAList = await push(source.url(), '{"data": []}');
    expect(notAList.status).toBe(400);
    const xml = await push(source.url(), '<posts/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    await h.settle();
    const letters = h.letters().filter((l) => l.headers['pantau-source'] === 'http_push:malformed');
    expect(letters.map((l) => l.headers['pantau-reason']).sort()).toEqual(['malformed_json', 'schema_mismatch']);
    expect(letters.find((l) => l.headers['pantau-reason'] === 'malformed_json')!.value.equals(body)).toBe(true);
  });

  it('refuses an oversize body with 413 while it is arriving, without reading it all', async () => {
    const source = await startPush('limited', h.sink, { maxBodyBytes: 64 * 1024 });
    const declared = await push(source.url(), JSON.stringify([post('tt-big-1', 'x'.repeat(70 * 1024))]));
    expect(declared.status).toBe(413);

    // Chunked: no Content-Length, so the limit must be found while counting. The client would send 64 MiB.
    const { port } = source.address();
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const result = await new Promise<{ status: number; sentBeforeAnswer: number }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request({ host: '127.0.0.1', port, path: '/ingest', method: 'POST', headers: { 'content-type': 'application/json', 'x-pantau-signature': 'sha256=' + '0'.repeat(64) } });
      req.on('response', (res) => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, sentBeforeAnswer: sent });
        res.resume();
        req.destroy();
      });
      req.on('error', (error) => (answered ? undefined : reject(error)));
      const pump = () => {
        while (!answered && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    });
    expect(result.status).toBe(413);
    // Socket buffers absorb some megabytes at most; far from the 64 MiB the client meant to send.
    expect(result.sentBeforeAnswer).toBeLessThan(16 * 1024 * 1024);
    expect(await sourceErrorCount('limited', 'body_too_large')).toBe(2);
  });

  it('answers 429 with Retry-After while the bus is saturated', async () => {
    const saturated: PostSink = { ...h.sink, saturated: () => true };
    const source = await startPush('busy', saturated, { retryAfterSeconds: 7 });
    const answer = await push(source.url(), JSON.stringify([post('tt-busy-1', 'Pesan berantai soal penundaan pemilu')]));
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('7');
    await h.settle();
    expect(h.posts().filter((p) => p.id.startsWith('tt-busy-'))).toHaveLength(0);
  });

  it('answers 202 only once the broker acknowledged; 503 with Retry-After when the bus is unavailable', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let acknowledgedAt = 0;
    // The real Kafka sink, entered only when the test opens the gate.
    const slow: PostSink = {
      publish: async (posts) => {
        await gate;
        await h.sink.publish(posts);
        acknowledgedAt = Date.now();
      },
      deadLetter: (letters) => h.sink.deadLetter(letters),
      saturated: () => false,
    };
    const source = await startPush('durable', slow);
    let answeredAt = 0;
    const pending = push(source.url(), JSON.stringify([post('tt-ack-1', 'Hasil rekap di kelurahan kami berbeda dengan C1')])).then((a) => ((answeredAt = Date.now()), a));
    await sleep(500);
    expect(answeredAt).toBe(0);
    release();
    const answer = await pending;
    expect(answer.status).toBe(202);
    expect(acknowledgedAt).toBeGreaterThan(0);
    expect(answeredAt).toBeGreaterThanOrEqual(acknowledgedAt);

    // A producer that is not connected: the Kafka sink fails as it does while the cluster is away.
    const producer = h.ctx.kafka.producer();
    const down = createKafkaPostSink({ producer, topic: h.rawTopic, deadLetterTopic: h.dlqTopic });
    const unavailable = await startPush('unavailable', down, { retryAfterSeconds: 3 });
    const refused = await push(unavailable.url(), JSON.stringify([post('tt-down-1', 'Server KPU diretas, data suara diubah')]));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('3');
    expect(unavailable.health()).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
    expect((await fetch(unavailable.url().replace('/ingest', '/healthz'))).status).toBe(503);
  });

  it('pseudonymises authors when the deployment has a key (createSource)', async () => {
    const port = await freePort();
    const source = createSource(config('pseudonym', { port }), { stateDir: mkdtempSync(join(tmpdir(), 'pantau-push-')), logger: silentLogger, authorKey: 'kunci-pseudonim-uji' });
    await source.start(h.sink);
    started.push(source);
    const item = post('tt-anon-1', 'Akun ini menyebar fitnah soal calon bupati', { raw: { user: { unique_id: '@warga_depok' } } });
    const answer = await push(`http://127.0.0.1:${port}/ingest`, JSON.stringify([item]));
    expect(answer.status).toBe(202);
    await h.settle();
    const published = h.posts().find((p) => p.id === 'tt-anon-1');
    expect(published!.author).toMatch(/^anon:[0-9a-f]{20}$/);
    expect(published!.raw).toEqual({ user: { unique_id: published!.author } });
    // The link to the post is kept as it is: analysts must be able to open it (documented limit).
    expect(published!.url).toBe(item.url);
  });

  it('stops after finishing the requests in flight', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow: PostSink = { ...h.sink, publish: async (posts) => (await gate, h.sink.publish(posts)) };
    const source = await startPush('draining', slow);
    const pending = push(source.url(), JSON.stringify([post('tt-drain-1', 'Ada mobilisasi massa ke kantor KPU malam ini')]));
    await sleep(200);
    const stopped = source.stop();
    setTimeout(release, 300);
    const answer = await pending;
    await stopped;
    expect(answer.status).toBe(202);
    await h.settle();
    expect(h.posts().filter((p) => p.id === 'tt-drain-1')).toHaveLength(1);
  });
});
