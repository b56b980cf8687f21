/**
 * The HTTP push endpoint against real HTTP clients and the real Kafka sink: signatures and their timestamp
 * window, limits, load shedding, source-scoped ids, per-post answers, dead letters byte for byte, and "a 2xx
 * means the broker has it".
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
import { fixedClock } from '../../src/core/clock.ts';
import { signBody, signedPayload, signRequest } from '../../src/sources/http-push/signature.ts';
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

/** POSTs `body` signed now (by the system clock, as a sender would); `headers` override. */
async function push(url: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const response = await fetch(url, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'application/json', ...signRequest(bytes, SECRET), ...headers },
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('HTTP push source → real Kafka', () => {
  let h: SourceHarness;
  const started: Source[] = [];
  const config = (name: string, extra: Record<string, unknown> = {}) => httpPushSourceSchema.parse({ type: 'http_push', name, port: 0, secret: SECRET, ...extra });
  const startPush = async (name: string, sink: PostSink = h.sink, extra: Record<string, unknown> = {}, clock?: ReturnType<typeof fixedClock>) => {
    const source = new HttpPushSource(config(name, extra), { logger: silentLogger, ...(clock ? { clock } : {}) });
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

  it('takes a signed batch: valid posts published under source-scoped ids, invalid ones dead-lettered one by one, 202 with the counts, ids and reasons', async () => {
    const source = await startPush('listening');
    const items = [
      post('tt-push-1', 'Katanya surat suara di TPS 12 sudah dicoblos duluan, cek faktanya'),
      post('tt-push-2', 'Antrean panjang di TPS 05, petugas minta warga sabar'),
      post('tt-push-3', 'tanpa tanggal', { created_at: 'kemarin' }),
      { id: 'tt-push-4' },
    ];
    const answer = await push(source.url(), JSON.stringify({ posts: items }));
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ accepted: 2, deadLettered: 2, ids: ['listening-tt-push-1', 'listening-tt-push-2'] });
    expect(answer.json.rejected).toEqual([
      { index: 2, id: 'tt-push-3', reason: 'schema_mismatch', detail: expect.stringMatching(/^created_at: /) },
      { index: 3, id: 'tt-push-4', reason: 'schema_mismatch', detail: expect.stringMatching(/platform/) },
    ]);

    await h.settle();
    const posts = h.posts().filter((p) => p.id.startsWith('listening-tt-push-'));
    expect(posts.map((p) => p.id).sort()).toEqual(['listening-tt-push-1', 'listening-tt-push-2']);
    expect(posts.find((p) => p.id === 'listening-tt-push-1')).toMatchObject({ author: '@warga_depok', region: '3276', engagement: { likes: 1200, shares: 310, views: 45000 } });
    const letters = h.letters().filter((l) => l.headers['pantau-source'] === 'http_push:listening');
    expect(letters.map((l) => l.key).sort()).toEqual(['listening-tt-push-3', 'listening-tt-push-4']);
    for (const l of letters) expect(l.headers).toMatchObject({ 'pantau-reason': 'schema_mismatch', 'pantau-stage': 'receiving' });
    expect(letters.find((l) => l.key === 'listening-tt-push-3')!.headers['pantau-detail']).toMatch(/^item 2: created_at/);
    expect(JSON.parse(letters.find((l) => l.key === 'listening-tt-push-4')!.value.toString('utf8'))).toEqual({ id: 'tt-push-4' });

    const health = await fetch(source.url().replace('/ingest', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ name: 'listening', state: 'ok' });
  });

  it('answers 422 with the reason of each post when not one post is valid, after dead-lettering them all', async () => {
    const source = await startPush('all-bad');
    const items = [post('tt-422-1', 'tanpa tanggal', { created_at: 'kemarin' }), { id: 'tt-422-2', text: 'hanya teks' }, 'bukan objek', post('tt-422-4', 'skrip', { url: 'javascript:alert(1)' })];
    const answer = await push(source.url(), JSON.stringify(items));
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ error: 'no_valid_posts', accepted: 0, deadLettered: 4, ids: [] });
    expect(answer.json.rejected).toEqual([
      { index: 0, id: 'tt-422-1', reason: 'schema_mismatch', detail: expect.stringMatching(/^created_at: /) },
      { index: 1, id: 'tt-422-2', reason: 'schema_mismatch', detail: expect.stringMatching(/platform/) },
      { index: 2, id: null, reason: 'schema_mismatch', detail: expect.stringMatching(/^\(root\): /) },
      { index: 3, id: 'tt-422-4', reason: 'schema_mismatch', detail: 'url: url must be an http(s) URL' },
    ]);
    // The 422 went out only after the broker had every dead letter: nothing is lost.
    await h.settle();
    const letters = h.letters().filter((l) => l.headers['pantau-source'] === 'http_push:all-bad');
    expect(letters).toHaveLength(4);
    expect(letters.map((l) => l.key).sort()).toEqual(['all-bad-tt-422-1', 'all-bad-tt-422-2', 'all-bad-tt-422-4', null].sort());
    expect(h.posts().filter((p) => p.id.startsWith('all-bad-'))).toHaveLength(0);
    expect(await sourceErrorCount('all-bad', 'no_valid_posts')).toBe(1);
  });

  it('dead-letters each invalid post with exactly the bytes that were sent', async () => {
    const source = await startPush('bytes');
    // Whitespace, key order, \u escapes and number forms that JSON.stringify would all rewrite.
    const odd1 = '{ "id" : "tt-bytes-1",\n\t"text":"Hoaks \\u0022TPS\\u0022 \\/ [kurung] {kurawal}",  "created_at" : "kemarin", "likes": 1.50E+2 }';
    const odd2 = '{"id":"tt-bytes-2","platform":"x","text":"Émoji 🇮🇩 \\ud83d\\ude00 \\"kutip\\" \\\\","created_at":"2026-11-20T19:05:00+07:00","url":"data:text/html,<b>x</b>"}';
    const valid = JSON.stringify(post('tt-bytes-3', 'Antrean panjang di TPS 05'));
    const body = Buffer.from(`{"sender": {"posts": ["not these"]},\r\n "posts" :[ ${odd1} ,\n${valid},${odd2}  ] , "sent_at": "2026-11-20"}`, 'utf8');
    const answer = await push(source.url(), body);
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ accepted: 1, deadLettered: 2, ids: ['bytes-tt-bytes-3'] });
    await h.settle();
    const letters = h.letters().filter((l) => l.headers['pantau-source'] === 'http_push:bytes');
    expect(letters).toHaveLength(2);
    const byKey = new Map(letters.map((l) => [l.key, l.value]));
    expect(byKey.get('bytes-tt-bytes-1')!.equals(Buffer.from(odd1, 'utf8'))).toBe(true);
    expect(byKey.get('bytes-tt-bytes-2')!.equals(Buffer.from(odd2, 'utf8'))).toBe(true);
    // Re-serialising would not have kept them.
    expect(JSON.stringify(JSON.parse(odd1))).not.toBe(odd1);
    expect(JSON.stringify(JSON.parse(odd2))).not.toBe(odd2);
  });

  it('scopes ids by source: a sender cannot overwrite another source\'s posts; ids the schema refuses reject that post', async () => {
    const alpha = await startPush('alpha');
    const beta = await startPush('beta');
    const same = post('tt-scope-1', 'Kotak suara dibawa pulang petugas');
    expect((await push(alpha.url(), JSON.stringify([same]))).json).toMatchObject({ accepted: 1, ids: ['alpha-tt-scope-1'] });
    expect((await push(beta.url(), JSON.stringify([same]))).json).toMatchObject({ accepted: 1, ids: ['beta-tt-scope-1'] });
    // Claiming an id of another source only makes a post of one's own.
    const claim = await push(alpha.url(), JSON.stringify([post('rss-antara-politik-0123456789abcdef01234567', 'Timpa berita resmi')]));
    expect(claim.json).toMatchObject({ accepted: 1, ids: ['alpha-rss-antara-politik-0123456789abcdef01234567'] });

    const tooLong = post('x'.repeat(200), 'id terlalu panjang');
    const badChars = post('tt/../1', 'id dengan garis miring');
    const answer = await push(alpha.url(), JSON.stringify([tooLong, badChars, post('tt-scope-2', 'Sah')]));
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ accepted: 1, deadLettered: 2, ids: ['alpha-tt-scope-2'] });
    expect(answer.json.rejected).toEqual([
      { index: 0, id: 'x'.repeat(200), reason: 'schema_mismatch', detail: expect.stringMatching(/^id: .*more than 200; this source takes ids of at most 194/) },
      { index: 1, id: 'tt/../1', reason: 'schema_mismatch', detail: expect.stringMatching(/^id: .*letters, digits/) },
    ]);
    await h.settle();
    expect(h.posts().map((p) => p.id).filter((id) => id.includes('tt-scope-1')).sort()).toEqual(['alpha-tt-scope-1', 'beta-tt-scope-1']);
    expect(h.posts().some((p) => p.id === 'rss-antara-politik-0123456789abcdef01234567')).toBe(false);
  });

  it('refuses requests without a timestamp, or whose timestamp is outside the window, with 401', async () => {
    const clock = fixedClock('2026-11-20T03:00:00Z');
    const now = Math.floor(clock() / 1000);
    const source = await startPush('replay', h.sink, { maxClockSkewSeconds: 60 }, clock);
    const body = JSON.stringify([post('tt-replay-1', 'Pesan lama dikirim ulang')]);

    const signedAt = (seconds: number) => signRequest(body, SECRET, { timestampSeconds: seconds });
    const fresh = await push(source.url(), body, signedAt(now - 59));
    expect(fresh.status).toBe(202);
    expect(fresh.json).toMatchObject({ ids: ['replay-tt-replay-1'] });

    // The same request, replayed once the window has passed.
    const captured = signedAt(now);
    clock.advance(61_000);
    const replayed = await push(source.url(), body, captured);
    expect(replayed.status).toBe(401);
    expect(replayed.json).toMatchObject({ error: 'stale_timestamp', detail: expect.stringMatching(/61 s away .* at most 60 s/) });
    const future = await push(source.url(), body, signedAt(now + 61 + 61));
    expect(future.json).toMatchObject({ error: 'stale_timestamp' });

    const { 'x-pantau-signature': signature } = signedAt(now);
    const missing = await fetch(source.url(), { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-pantau-signature': signature } });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'missing_timestamp' });
    const malformed = await push(source.url(), body, { 'x-pantau-timestamp': '2026-11-20T03:00:00Z', 'x-pantau-signature': signature });
    expect(malformed.status).toBe(401);
    expect(malformed.json).toMatchObject({ error: 'missing_timestamp' });

    expect(await sourceErrorCount('replay', 'stale_timestamp')).toBe(2);
    expect(await sourceErrorCount('replay', 'missing_timestamp')).toBe(2);
  });

  it('refuses a wrong or missing signature with 401 and publishes nothing', async () => {
    const source = await startPush('signed');
    const body = JSON.stringify([post('tt-sig-1', 'Tautan ini berisi hasil hitung cepat palsu')]);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const tampered = await push(source.url(), body, { 'x-pantau-timestamp': timestamp, 'x-pantau-signature': signBody(signedPayload(timestamp, body.replace('palsu', 'asli')), SECRET) });
    const otherKey = await push(source.url(), body, signRequest(body, 'kunci-lain-yang-juga-panjangnya-cukup!!'));
    // The body alone signed (the old scheme): the timestamp is not covered, so it is refused.
    const bodyOnly = await push(source.url(), body, { 'x-pantau-timestamp': timestamp, 'x-pantau-signature': signBody(body, SECRET) });
    // A valid signature moved to another timestamp.
    const moved = await push(source.url(), body, { 'x-pantau-timestamp': String(Number(timestamp) - 1), 'x-pantau-signature': signRequest(body, SECRET, { timestampSeconds: Number(timestamp) })['x-pantau-signature'] });
    const missing = await fetch(source.url(), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect([tampered.status, otherKey.status, bodyOnly.status, moved.status, missing.status]).toEqual([401, 401, 401, 401, 401]);
    for (const a of [tampered, otherKey, bodyOnly, moved]) expect(a.json).toEqual({ error: 'unauthorized' });
    expect(await sourceErrorCount('signed', 'unauthorized')).toBe(5);
    await h.settle();
    expect(h.posts().filter((p) => p.id.startsWith('signed-'))).toHaveLength(0);
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
      const req = request({ host: '127.0.0.1', port, path: '/ingest', method: 'POST', headers: { 'content-type': 'application/json', 'x-pantau-timestamp': String(Math.floor(Date.now() / 1000)), 'x-pantau-signature': 'sha256=' + '0'.repeat(64) } });
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
    expect(h.posts().filter((p) => p.id.startsWith('busy-'))).toHaveLength(0);
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
    const published = h.posts().find((p) => p.id === 'pseudonym-tt-anon-1');
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
    expect(h.posts().filter((p) => p.id === 'draining-tt-drain-1')).toHaveLength(1);
  });
});
