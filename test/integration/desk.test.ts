/**
 * The counter-narrative desk end to end, on the real Kafka and Elasticsearch, the real classifier and claim
 * matcher, a real SMTP server and a real webhook receiver:
 *
 *   a hoax in several rewordings → one claim cluster → the matched clarification → one alert to the
 *   responsible unit by e-mail and signed webhook → escalation when its reach doubles → acknowledged from the
 *   alert's link → countered through the API → its spread per hour before and after the counter.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, listen } from '../../src/api/server.ts';
import { AuthService } from '../../src/auth/auth-service.ts';
import { addToken } from '../../src/auth/accounts.ts';
import { loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import { DEMO_CLARIFICATIONS_FILE } from '../../src/cli/paths.ts';
import { loadHumasUnits } from '../../src/config/humas-units.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { PostInput } from '../../src/core/post.ts';
import { verifyDeskWebhook } from '../../src/desk/channels/webhook.ts';
import { importKnowledgeBase } from '../../src/kb/import.ts';
import { readKbFile } from '../../src/kb/readers.ts';
import { claimKey } from '../../src/kb/entry.ts';
import { loadClaimMatcher, type ClaimMatcher } from '../../src/match/matcher.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers, type Workers } from '../../src/pipeline/workers.ts';
import { getCases, refreshCases, searchCases, type CaseDoc } from '../../src/store/desk-store.ts';
import { deskClustersIndex, postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext, waitFor } from '../helpers/cluster.ts';

const LINK_SECRET = 'desk-test-link-secret-0123456789abcdef';
/** A humas API token of the unit whose case the test moves (made in beforeAll). */
let API_KEY = '';
/** An admin token, for /metrics. */
let ADMIN_KEY = '';
const WEBHOOK_SECRET = 'desk-test-webhook-signing-key';
/** Escalations wait this long after the first alert (an hour by default). */
const ESCALATION_WAIT_MS = 8_000;

interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

/** Rewordings of one claim, in the voices of a chain message, a tweet, a Facebook post and a TikTok caption. */
/** The demo knowledge base's claim the rewordings repeat (test/fixtures/demo-clarifications.jsonl). */
const REWORDINGS_CLAIM = 'Ditemukan 3 truk surat suara yang sudah dicoblos paslon 02 di gudang KPU Kabupaten Sidomulyo';

const REWORDINGS = [
  'SEBARKAN!!! Ditemukan 3 truk surat suara yg sudah dicoblos paslon 02 di gudang KPU Sidomulyo. Sumber orang dalam KPU, viralkan sblm dihapus',
  'Innalillahi, 3 TRUK surat suara sudah tercoblos untuk paslon 02 ketemu di gudang KPU Kab Sidomulyo. Pantes aja hasilnya begitu',
  'BREAKING: gudang KPU Sidomulyo simpan 3 truk surat suara yang udah dicoblos 02!! info orang dalam, share sebelum di-takedown',
  'Warga temukan tiga truk surat suara tercoblos paslon nomor 02 di gudang logistik KPU Sidomulyo, katanya sudah disetting pusat',
];

describe('counter-narrative desk end to end', () => {
  let ctx: PipelineContext;
  let classifier: Classifier;
  let matcher: ClaimMatcher;
  let workers: Workers;
  let api: Server;
  let apiBase: string;
  let hook: Server;
  let smtp: SMTPServer;
  let dir: string;
  let prefix: string;
  const hooks: Received[] = [];
  const mails: Array<{ to: string[]; raw: string }> = [];
  let seq = 0;
  let matchedTexts: string[] = [];

  const post = (text: string, over: Partial<PostInput> = {}): PostInput => ({
    id: `desk-${++seq}-${Math.random().toString(36).slice(2, 8)}`,
    platform: 'whatsapp',
    author: `+62 8${seq}-****-${1000 + seq}`,
    text,
    url: null,
    created_at: new Date(systemClock() - 60_000).toISOString(),
    region: '3501',
    engagement: { shares: 100 },
    ...over,
  });

  const produce = async (posts: PostInput[]) =>
    ctx.producer.send({ topic: ctx.config.pipeline.kafka.topics.raw.name, messages: posts.map((p) => ({ key: p.id, value: JSON.stringify(p) })) });

  const casesOf = async (unit: string): Promise<CaseDoc[]> => {
    await refreshCases(ctx.es, prefix);
    return (await searchCases(ctx.es, prefix, { unit })).cases.map((c) => c.doc);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pantau-desk-'));
    // A real SMTP server and a real webhook receiver on loopback.
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        res.writeHead(204).end();
      });
    });
    const hookAddress = await listen(hook, '127.0.0.1', 0);

    const unitsFile = join(dir, 'humas-units.json');
    writeFileSync(
      unitsFile,
      JSON.stringify({
        version: 1,
        timezone: 'Asia/Jakarta',
        units: [
          {
            id: 'kpu-sidomulyo',
            name: 'Humas KPU Kabupaten Sidomulyo',
            channels: [
              { type: 'webhook', url_env: 'DESK_TEST_WEBHOOK_URL', secret_env: 'DESK_TEST_WEBHOOK_SECRET' },
              { type: 'email', smtp_url: `smtp://127.0.0.1:${smtpPort}`, from: 'pantau@example.go.id', to: ['humas@kpu-sidomulyo.example.go.id'] },
            ],
            answers_for: { labels: ['hoax', 'sara', 'hate_speech'], institutions: ['KPU'], regions: [], topics: [], min_reach: 0 },
            escalate_when_reach_grows: 2,
          },
          { id: 'bawaslu', name: 'Humas Bawaslu', channels: [], answers_for: { labels: ['hoax'], institutions: ['Bawaslu'] } },
          { id: 'komdigi', name: 'Komdigi', fallback: true, channels: [], answers_for: { labels: ['hoax', 'sara', 'hate_speech', 'abusive'] } },
        ],
      }),
    );

    const config = isolatedConfig('desk');
    prefix = config.pipeline.elasticsearch.indexPrefix;
    config.pipeline.desk.unitsFile = unitsFile;
    config.pipeline.desk.maxAttempts = 3;
    config.pipeline.desk.escalationMinIntervalMs = ESCALATION_WAIT_MS;
    config.pipeline.match.kbRefreshMs = 1_000;
    config.deskLinkSecret = LINK_SECRET;
    ctx = await openTestContext(config);
    await importKnowledgeBase({ es: ctx.es, prefix, input: readKbFile(DEMO_CLARIFICATIONS_FILE), clock: systemClock });

    classifier = await loadClassifier();
    matcher = await loadClaimMatcher();
    workers = await startWorkers(ctx, {
      classifier,
      claimMatcher: matcher,
      env: { DESK_TEST_WEBHOOK_URL: `http://127.0.0.1:${hookAddress.port}/hooks/desk?token=rahasia-di-url`, DESK_TEST_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
    const units = loadHumasUnits(unitsFile);
    API_KEY = (await addToken(ctx.es, prefix, systemClock, { name: 'desk test', role: 'humas', unit: 'kpu-sidomulyo', createdBy: 'test' }, new Set(units.units.map((u) => u.id)))).token;
    ADMIN_KEY = (await addToken(ctx.es, prefix, systemClock, { name: 'desk test metrics', role: 'admin', createdBy: 'test' })).token;
    api = createApiServer({
      es: ctx.es,
      prefix,
      labels: config.pipeline.alerts.labels,
      logger: silentLogger,
      auth: new AuthService({ es: ctx.es, prefix, clock: systemClock, logger: silentLogger }),
      desk: { units, linkSecret: LINK_SECRET },
    });
    const a = await listen(api, '127.0.0.1', 0);
    apiBase = `http://127.0.0.1:${a.port}`;
  }, 180_000);

  afterAll(async () => {
    await workers?.stop();
    api?.close();
    hook?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    classifier?.dispose();
    matcher?.dispose();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('rewordings of one hoax become one claim cluster with the matched clarification, and the unit gets one alert by e-mail and webhook', async () => {
    const sent = REWORDINGS.map((text, i) => post(text, { created_at: new Date(systemClock() - (5 - i) * 3_600_000).toISOString() }));
    await produce(sent);
    const kpuCase = await waitFor('a case for the KPU unit', async () => (await casesOf('kpu-sidomulyo'))[0], 90_000);
    await waitFor('the e-mail and the webhook', async () => (mails.length >= 1 && hooks.length >= 1 ? true : undefined), 30_000);

    expect(kpuCase.cluster_id).toMatch(/^claim-/);
    expect(kpuCase.labels).toContain('hoax');
    // The posts came from regency 3501: the case is in Jawa Timur for the dashboard's region filter.
    expect(kpuCase.provinces).toEqual(['35']);
    // All rewordings, whatever their narrative, are in the one cluster.
    await ctx.es.indices.refresh({ index: deskClustersIndex(prefix) });
    const clusters = await ctx.es.search<{ cluster_id: string; post_ids: string[]; narratives: string[]; clarification: { url: string } | null }>({ index: deskClustersIndex(prefix), size: 50 });
    const hoaxClusters = clusters.hits.hits.map((h) => h._source!).filter((c) => c.cluster_id.startsWith('claim-'));
    expect(hoaxClusters).toHaveLength(1);
    // The rewordings flagged hoax are those whose narrative matched the clarification; the others (the matcher
    // not sure enough, or a hoax score under match.minHoaxScore) stay in the analysts' queue only.
    const indexed = await waitFor('every rewording indexed', async () => {
      await ctx.es.indices.refresh({ index: postsAlias(prefix) });
      const r = await ctx.es.search<{ id: string; text: string; flags: string[]; claim: { id: string } | null }>({ index: postsAlias(prefix), size: 50, query: { ids: { values: sent.map((p) => p.id) } } });
      return r.hits.hits.length === sent.length ? r.hits.hits.map((h) => h._source!) : undefined;
    });
    const flagged = indexed.filter((p) => p.flags.includes('hoax'));
    for (const p of flagged) expect(p.claim?.id).toBe(claimKey(REWORDINGS_CLAIM));
    matchedTexts = flagged.map((p) => p.text);
    // At least two rewordings, on narratives SimHash keeps apart, for this test to say anything.
    expect(matchedTexts.length).toBeGreaterThanOrEqual(2);
    const matchedIds = flagged.map((p) => p.id);
    await waitFor('every matched rewording in the cluster', async () => {
      await ctx.es.indices.refresh({ index: deskClustersIndex(prefix) });
      const r = await ctx.es.get<{ post_ids: string[] }>({ index: deskClustersIndex(prefix), id: hoaxClusters[0]!.cluster_id });
      return r._source!.post_ids.length === matchedIds.length ? true : undefined;
    });
    const cluster = (await ctx.es.get<{ post_ids: string[]; narratives: string[] }>({ index: deskClustersIndex(prefix), id: hoaxClusters[0]!.cluster_id }))._source!;
    expect([...cluster.post_ids].sort()).toEqual([...matchedIds].sort());
    expect(hoaxClusters[0]!.clarification?.url).toBe('https://kpu-sidomulyo.example.go.id/klarifikasi/surat-suara-gudang');
    // SimHash alone keeps them apart: the cluster holds more than one narrative.
    expect(cluster.narratives.length).toBeGreaterThan(1);

    // The fallback and the unit for another institution get nothing: the case went to the unit responsible.
    expect(await casesOf('komdigi')).toHaveLength(0);
    expect(await casesOf('bawaslu')).toHaveLength(0);

    // Give a duplicate time to show up: there must be exactly one of each.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(hooks).toHaveLength(1);
    expect(mails).toHaveLength(1);

    const webhook = hooks[0]!;
    expect(verifyDeskWebhook(webhook.body, webhook.headers, WEBHOOK_SECRET, systemClock())).toBe(true);
    expect(verifyDeskWebhook(webhook.body.replace('hoax', 'hoaks'), webhook.headers, WEBHOOK_SECRET, systemClock())).toBe(false);
    const payload = JSON.parse(webhook.body) as { kind: string; case_id: string; examples: unknown[]; clarification: { url: string }; suggested_counter: string; links: { acknowledge: string } };
    expect(payload.kind).toBe('new');
    expect(payload.case_id).toBe(kpuCase.case_id);
    // The alert goes out with the posts known when the first one arrived (later ones update the case).
    expect(payload.examples.length).toBeGreaterThanOrEqual(1);
    expect(payload.examples.length).toBeLessThanOrEqual(3);
    expect(payload.clarification.url).toContain('kpu-sidomulyo.example.go.id');
    expect(payload.suggested_counter).toMatch(/kpu-sidomulyo\.example\.go\.id/);

    const mail = mails[0]!;
    expect(mail.to).toEqual(['humas@kpu-sidomulyo.example.go.id']);
    expect(mail.raw).toMatch(/Subject: .*Hoaks/);
    expect(mail.raw).toContain('Klarifikasi');
    // The webhook URL's token never reaches the delivery log.
    const log = JSON.stringify((await (await fetch(`${apiBase}/api/cases/${encodeURIComponent(kpuCase.case_id)}`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as unknown);
    expect(log).toContain('delivered');
    expect(log).not.toContain('rahasia-di-url');
  }, 150_000);

  it('a trusted publisher quoting the hoax is the counter, never a hoax', async () => {
    await produce([
      post('Klarifikasi KPU Kabupaten Sidomulyo: kabar 3 truk surat suara tercoblos paslon 02 di gudang KPU Sidomulyo adalah HOAKS. Surat suara disegel dan dihitung bersama saksi.', {
        id: 'desk-trusted-1',
        platform: 'twitter',
        author: '@kpu_kab_sidomulyo',
      }),
    ]);
    const indexed = await waitFor('the trusted post indexed', async () => {
      await ctx.es.indices.refresh({ index: postsAlias(prefix) });
      const r = await ctx.es.search<{ flags: string[]; claim: { stance: string } | null }>({ index: postsAlias(prefix), query: { ids: { values: ['desk-trusted-1'] } } });
      return r.hits.hits[0]?._source;
    });
    expect(indexed.flags).not.toContain('hoax');
    expect(indexed.claim?.stance).toBe('counter');
    await waitFor('the counter post on the cluster', async () => {
      await ctx.es.indices.refresh({ index: deskClustersIndex(prefix) });
      const r = await ctx.es.search<{ counter_post_ids: string[] }>({ index: deskClustersIndex(prefix), query: { prefix: { cluster_id: 'claim-' } } });
      return r.hits.hits[0]?._source?.counter_post_ids.includes('desk-trusted-1') ? true : undefined;
    });
  }, 90_000);

  it('sends one escalation when the reach doubles', async () => {
    const before = hooks.length;
    const [opened] = await casesOf('kpu-sidomulyo');
    const wait = Date.parse(opened!.last_alerted_at!) + ESCALATION_WAIT_MS - systemClock();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 500));
    // The chain message goes viral: a repost of a matched rewording, shared 50,000 times.
    await produce([post(matchedTexts[0]!, { engagement: { shares: 50_000 } })]);
    await waitFor('the escalation webhook', async () => (hooks.length > before ? true : undefined), 60_000);
    const payload = JSON.parse(hooks.at(-1)!.body) as { kind: string };
    expect(payload.kind).toBe('escalation');
    await waitFor('the escalation e-mail', async () => (mails.length >= 2 ? true : undefined), 30_000);
    expect(mails.at(-1)!.raw).toContain('ESKALASI');
    const [c] = await casesOf('kpu-sidomulyo');
    expect(c!.escalations).toBe(1);
  }, 90_000);

  it('is acknowledged from the alert link (GET shows, POST acts), countered through the API, and shows the spread before and after', async () => {
    const payload = JSON.parse(hooks[0]!.body) as { case_id: string; links: { acknowledge: string } };
    const link = new URL(payload.links.acknowledge);
    const token = link.searchParams.get('t')!;
    const page = await fetch(`${apiBase}/kasus?t=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Tandai diterima');
    expect((await getCases(ctx.es, prefix, [payload.case_id])).get(payload.case_id)!.doc.status).toBe('new');

    const done = await fetch(`${apiBase}/kasus`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: token, note: 'sedang disiapkan' }) });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Tercatat: diterima');
    // A forged token does nothing.
    const forged = await fetch(`${apiBase}/kasus?t=${encodeURIComponent(token.slice(0, -3) + 'AAA')}`);
    expect(forged.status).toBe(400);

    // The write API needs a token of the case's unit (or an admin).
    const refused = await fetch(`${apiBase}/api/cases/${encodeURIComponent(payload.case_id)}/counter`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
    const noUrl = await fetch(`${apiBase}/api/cases/${encodeURIComponent(payload.case_id)}/counter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: '{}',
    });
    expect(noUrl.status).toBe(409);
    const countered = await fetch(`${apiBase}/api/cases/${encodeURIComponent(payload.case_id)}/counter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ counter_url: 'https://kpu-sidomulyo.example.go.id/siaran-pers/surat-suara-aman' }),
    });
    expect(countered.status).toBe(200);
    const body = (await countered.json()) as { case: CaseDoc & { spread_around_counter: { posts_per_hour_before: number; posts_per_hour_after: number } } };
    expect(body.case.status).toBe('countered');
    expect(body.case.seconds_to_acknowledge).toBeGreaterThanOrEqual(0);
    expect(body.case.seconds_to_counter).toBeGreaterThanOrEqual(body.case.seconds_to_acknowledge!);
    expect(body.case.history.map((h) => h.event)).toEqual(['opened', 'alerted', 'escalated', 'acknowledged', 'countered']);

    // One more rewording after the counter: the spread after counts it, the 24 h before count the others.
    await produce([post(matchedTexts[1]!, { created_at: new Date(systemClock() + 1_000).toISOString() })]);
    const spread = await waitFor('the spread after the counter', async () => {
      await ctx.es.indices.refresh({ index: postsAlias(prefix) });
      const r = (await (await fetch(`${apiBase}/api/cases?unit=kpu-sidomulyo`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as { cases: Array<{ spread_around_counter: { posts_per_hour_before: number; posts_per_hour_after: number } | null }> };
      const s = r.cases[0]?.spread_around_counter;
      return s && s.posts_per_hour_after > 0 ? s : undefined;
    }, 60_000);
    // The rewordings and the escalating post in the 24 hours before; counter posts are not the hoax's spread.
    expect(spread.posts_per_hour_before * 24).toBeGreaterThanOrEqual(matchedTexts.length + 1);
    expect(spread.posts_per_hour_after).toBe(1);

    const metrics = await (await fetch(`${apiBase}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
    expect(metrics).toMatch(/pantau_desk_time_to_acknowledge_seconds_count\{unit="kpu-sidomulyo"\} 1/);
    expect(metrics).toMatch(/pantau_desk_time_to_counter_seconds_count\{unit="kpu-sidomulyo"\} 1/);
  }, 120_000);

  it('keeps its documents free of secrets', async () => {
    const all = JSON.stringify(await ctx.es.search({ index: `${prefix}-desk-*`, size: 1000 }));
    expect(all).not.toContain('rahasia-di-url');
    expect(all).not.toContain(WEBHOOK_SECRET);
    expect(all).not.toContain(LINK_SECRET);
  });
});
