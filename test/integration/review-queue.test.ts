/**
 * The analysts' review queue on the real Elasticsearch, with posts written by the real posts sink (so
 * `search_text` is what production stores): grouping into narratives, the priority order, every filter,
 * Indonesian search with stemming, the stable sample of uncertain items, claims under concurrency, decisions
 * with their audit entries, escalation reaching a humas unit through the desk, and the append-only audit log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewRoutes, queueQuerySchema } from '../../src/api/review-routes.ts';
import { HttpError, type Principal, type Reply } from '../../src/api/route.ts';
import { listen } from '../../src/api/server.ts';
import { parseHumasUnits } from '../../src/config/humas-units.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/log.ts';
import { scoredPostSchema, type ScoredPost } from '../../src/core/post.ts';
import { Desk } from '../../src/desk/desk.ts';
import { claimKey, type ClarificationDoc } from '../../src/kb/entry.ts';
import { storeClarifications } from '../../src/kb/store.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { buildUnitChannels } from '../../src/pipeline/stages/desk-stage.ts';
import * as auditLog from '../../src/review/audit-log.ts';
import type { AuditEntry } from '../../src/review/decision.ts';
import { ModelCatalog, readModelView } from '../../src/review/explain.ts';
import { inUncertainSample, PRIORITY_FORMULA } from '../../src/review/priority.ts';
import { listQueue, type QueueItem, type QueuePage, type QueueSource } from '../../src/review/queue.ts';
import { claimItem, getReview } from '../../src/review/review-store.ts';
import { indexPosts } from '../../src/sinks/elasticsearch-posts.ts';
import { refreshCases, searchCases } from '../../src/store/desk-store.ts';
import { auditIndex, clarificationsIndex, postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';

const NOW = '2026-12-02T10:00:00.000Z'; // 17:00 WIB
const LABELS = ['hate_speech', 'abusive', 'sara', 'hoax'];
const CLAIM = 'KPU mengirim surat suara yang sudah tercoblos ke TPS di Surabaya';

const alice: Principal = { username: 'alice', role: 'analyst', unit: null, via: 'session' };
const bob: Principal = { username: 'bob', role: 'analyst', unit: null, via: 'session' };

interface Seed {
  id: string;
  narrative: string | null;
  text: string;
  at: string;
  author: string;
  shares: number;
  platform: string;
  region: string;
  model?: string;
  scores: Record<string, number>;
  flags?: string[];
  review?: string[];
  claim?: boolean;
  terms?: string[];
}

function scored(s: Seed): ScoredPost {
  return scoredPostSchema.parse({
    id: s.id,
    platform: s.platform,
    author: s.author,
    text: s.text,
    url: `https://example.com/${s.platform}/${s.id}`,
    created_at: s.at,
    region: s.region,
    engagement: { shares: s.shares, likes: s.shares * 3 },
    language: 'id',
    scores: { hate_speech: 0.01, abusive: 0.01, sara: 0.01, hoax: 0.01, ...s.scores },
    flags: s.flags ?? [],
    flagged: (s.flags ?? []).length > 0,
    review_flags: s.review ?? [],
    sentiment: 'negative',
    model_version: s.model ?? 'pantau-id-v2',
    classified_at: s.at,
    relevance: { relevant: (s.terms ?? []).length > 0, terms: s.terms ?? [] },
    narrative_id: s.narrative,
    claim: s.claim ? { id: claimKey(CLAIM), probability: 0.91, verdict: 'hoaks', stance: 'supports' } : null,
  });
}

const N1 = 'nar-kpu-surat-suara';
const N2 = 'nar-sara-pendatang';
const N3 = 'nar-hina-caleg';
const P = 'post:tw-999';
const UNCERTAIN = Array.from({ length: 20 }, (_, i) => `nar-bansos-${String(i).padStart(2, '0')}`);

const SEEDS: Seed[] = [
  { id: 'tw-101', narrative: N1, at: '2026-12-02T08:00:00Z', author: '@warga1', shares: 120, platform: 'twitter', region: '3578', scores: { hoax: 0.93 }, flags: ['hoax'], claim: true, terms: ['kpu', 'surat suara'], text: 'KPU menyebarkan surat suara yang sudah tercoblos di Surabaya! Sebarkan sebelum dihapus' },
  { id: 'fb-102', narrative: N1, at: '2026-12-02T07:30:00Z', author: '@warga2', shares: 40, platform: 'facebook', region: '3578', scores: { hoax: 0.88 }, flags: ['hoax'], claim: true, text: 'Surat suara tercoblos disebarkan KPU ke TPS Surabaya, curang!' },
  { id: 'tw-103', narrative: N1, at: '2026-12-02T09:00:00Z', author: '@warga1', shares: 5, platform: 'twitter', region: '3578', scores: { hoax: 0.91 }, flags: ['hoax'], claim: true, text: 'RT KPU menyebarkan surat suara tercoblos' },
  // In the narrative but under every review point: part of the item, not what made it a candidate.
  { id: 'tw-104', narrative: N1, at: '2026-12-02T06:00:00Z', author: '@warga3', shares: 0, platform: 'twitter', region: '3578', scores: { hoax: 0.02 }, text: 'Ada yang tahu soal surat suara tercoblos di Surabaya?' },
  { id: 'tt-201', narrative: N2, at: '2026-12-01T04:00:00Z', author: '@akun_a', shares: 10, platform: 'tiktok', region: '31', model: 'pantau-id-v1', scores: { sara: 0.8, hate_speech: 0.6 }, flags: ['sara', 'hate_speech'], text: 'Usir pendatang dari kampung kita, mereka bukan suku asli! Jangan pilih calon pendatang' },
  { id: 'tt-202', narrative: N2, at: '2026-12-01T05:00:00Z', author: '@akun_b', shares: 3, platform: 'tiktok', region: '31', model: 'pantau-id-v1', scores: { sara: 0.75 }, flags: ['sara'], text: 'Usir pendatang dari kampung ini, bukan suku asli' },
  { id: 'ig-301', narrative: N3, at: '2026-12-02T05:00:00Z', author: '@ig_x', shares: 2, platform: 'instagram', region: '32', scores: { abusive: 0.95, hate_speech: 0.55 }, flags: ['abusive', 'hate_speech'], text: 'Dasar caleg bangsat, goblok semua anggota dewan pendukung Prabowo' },
  { id: 'ig-302', narrative: N3, at: '2026-12-02T04:00:00Z', author: '@ig_y', shares: 0, platform: 'instagram', region: '32', scores: { abusive: 0.9 }, flags: ['abusive'], text: 'Caleg bangsat semua, goblok' },
  // 00:30 WIB on 2 December, still 1 December in UTC: the day filters must count in Asia/Jakarta.
  { id: 'tw-999', narrative: null, at: '2026-12-01T17:30:00Z', author: '@troll', shares: 1, platform: 'twitter', region: '35', scores: { abusive: 0.85 }, flags: ['abusive'], text: 'Anjing lu semua pendukung paslon sebelah' },
  ...UNCERTAIN.map(
    (n, i): Seed => ({
      id: `rg-${400 + i}`,
      narrative: n,
      at: '2026-12-02T02:00:00Z',
      author: `@ragu${i}`,
      shares: i,
      platform: 'twitter',
      region: '33',
      scores: { hoax: 0.1 + i / 200 },
      review: ['hoax'],
      text: `Katanya bansos di desa nomor ${i} dipotong kalau warga tidak memilih paslon tertentu`,
    }),
  ),
];

/** The formula, computed here from the seeds without the code under test. */
function expectedPriority(itemPosts: Seed[], nowMs: number): number {
  const flags = [...new Set(itemPosts.flatMap((p) => p.flags ?? []))];
  const labels = flags.length > 0 ? flags : [...new Set(itemPosts.flatMap((p) => p.review ?? []))];
  const score = Math.max(...itemPosts.flatMap((p) => labels.map((l) => p.scores[l] ?? 0.01)));
  const accounts = new Set(itemPosts.map((p) => p.author)).size;
  const shares = itemPosts.reduce((s, p) => s + p.shares, 0);
  const newest = Math.max(...itemPosts.map((p) => Date.parse(p.at)));
  return score * Math.log2(2 + accounts + shares) * 0.5 ** ((nowMs - newest) / 3_600_000 / 72);
}

const seedsOf = (itemId: string) => SEEDS.filter((s) => (s.narrative ?? `post:${s.id}`) === itemId);

describe('review queue, decisions and audit log', () => {
  let ctx: PipelineContext;
  let prefix: string;
  let source: QueueSource;
  let routes: ReturnType<typeof reviewRoutes>;
  let hook: Server;
  let desk: Desk;
  const received: Array<{ kind: string; case_id: string }> = [];
  const clock = fixedClock(NOW);
  const units = parseHumasUnits({
    version: 1,
    timezone: 'Asia/Jakarta',
    units: [
      { id: 'komdigi', name: 'Komdigi', fallback: true, channels: [{ type: 'webhook', url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET' }], answers_for: { labels: ['hoax', 'sara'] } },
      { id: 'diskominfo-jatim', name: 'Diskominfo Jawa Timur', channels: [], answers_for: { labels: ['hoax'], regions: ['35'] } },
    ],
  });

  const routeOf = (method: string, path: string) => {
    const spec = routes.find((r) => r.method === method && r.path === path);
    if (!spec) throw new Error(`no route ${method} ${path}`);
    return spec;
  };
  /** Calls a handler as the router does: query and body through the route's schemas first. */
  async function call(method: string, path: string, options: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; principal?: Principal } = {}): Promise<Reply> {
    const spec = routeOf(method, path);
    const query: unknown = spec.query ? spec.query.parse(options.query ?? {}) : {};
    const body: unknown = spec.body ? spec.body.parse(options.body) : undefined;
    return spec.handler({ req: {} as IncomingMessage, res: {} as ServerResponse, params: options.params ?? {}, query, body, principal: options.principal ?? alice, clock, logger: silentLogger });
  }
  const json = <T>(reply: Reply): T => (reply as { json: T }).json;
  const queue = async (query: Record<string, string> = {}) => json<QueuePage>(await call('GET', '/api/queue', { query }));
  const ids = (page: QueuePage) => page.items.map((i) => i.item_id);
  const decide = (item: string, body: unknown, principal = alice) => call('POST', '/api/queue/:item/decision', { params: { item }, body, principal });
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, message: error.message };
      throw error;
    }
    throw new Error('expected a refusal');
  };

  beforeAll(async () => {
    const config = isolatedConfig('review-queue');
    prefix = config.pipeline.elasticsearch.indexPrefix;
    ctx = await openTestContext(config);
    const clarification: ClarificationDoc = { claim: CLAIM, claim_key: claimKey(CLAIM), verdict: 'hoaks', url: 'https://turnbackhoax.id/surat-suara-tercoblos', origins: ['test'], imported_at: NOW };
    await storeClarifications(ctx.es, clarificationsIndex(prefix), [clarification]);
    const rejected = await indexPosts(ctx.es, SEEDS.map(scored), { prefix, maxAttempts: 3, retryBaseMs: 50, clock });
    expect(rejected).toEqual([]);
    await ctx.es.indices.refresh({ index: postsAlias(prefix) });
    const active = readModelView(resolve('models/pantau-id-v2'), { alert: config.pipeline.classify.thresholds, review: config.pipeline.classify.reviewThresholds });
    source = { es: ctx.es, prefix, labels: LABELS, uncertainSampleRate: config.pipeline.review.uncertainSampleRate, clock };
    routes = reviewRoutes({ queue: source, catalog: new ModelCatalog(resolve('models'), active), units });

    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { kind?: string; case?: { case_id?: string }; case_id?: string };
        received.push({ kind: String(body.kind), case_id: String(body.case?.case_id ?? body.case_id) });
        res.writeHead(204).end();
      });
    });
    const address = await listen(hook, '127.0.0.1', 0);
    desk = new Desk({
      es: ctx.es,
      prefix,
      units,
      channels: buildUnitChannels(units, { HOOK_URL: `http://127.0.0.1:${address.port}/h`, HOOK_SECRET: 'review-test-secret' }, { timeoutMs: 2_000, clock, logger: silentLogger }),
      clock,
      logger: silentLogger,
      links: { baseUrl: 'http://127.0.0.1:8080', secret: 'review-test-link-secret-0123456789abcdef', ttlHours: 24 },
      delivery: { maxAttempts: 2, retryBaseMs: 10 },
      clusterWindowDays: 14,
      nearDuplicateJaccard: 0.7,
      escalationMinIntervalMs: 3_600_000,
    });
  }, 60_000);

  afterAll(async () => {
    hook?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('groups posts into narratives, with the uncertain sample marked, highest priority first by the formula', async () => {
    const page = await queue({ size: '100' });
    expect(page.priority_formula).toBe(PRIORITY_FORMULA);
    const sampled = UNCERTAIN.filter((n) => inUncertainSample(n, 0.2));
    expect(sampled.length).toBeGreaterThan(0);
    expect(sampled.length).toBeLessThan(UNCERTAIN.length);
    expect(new Set(ids(page))).toEqual(new Set([N1, N2, N3, P, ...sampled]));
    expect(page.total).toBe(4 + sampled.length);

    const n1 = page.items.find((i) => i.item_id === N1)!;
    expect(n1).toMatchObject({
      narrative_id: N1,
      reason: 'flagged',
      labels: ['hoax'],
      posts_count: 4, // tw-104 is under every review point but belongs to the narrative
      accounts: 3,
      shares: 165,
      first_seen: '2026-12-02T06:00:00.000Z',
      last_seen: '2026-12-02T09:00:00.000Z',
      platforms: expect.arrayContaining(['twitter', 'facebook']),
      regions: ['3578'],
      model_versions: ['pantau-id-v2'],
      status: 'open',
      assigned_to: null,
    });
    expect(n1.sample.post_id).toBe('tw-101'); // flagged, most shared
    expect(n1.claim).toEqual({ id: claimKey(CLAIM), claim: CLAIM, verdict: 'hoaks', probability: 0.91, url: 'https://turnbackhoax.id/surat-suara-tercoblos' });
    expect(page.items.find((i) => i.item_id === P)).toMatchObject({ narrative_id: null, posts_count: 1, labels: ['abusive'] });
    for (const n of sampled) expect(page.items.find((i) => i.item_id === n)).toMatchObject({ reason: 'uncertain', labels: [], review_labels: ['hoax'] });

    const nowMs = Date.parse(NOW);
    // Scores are stored as 32-bit floats: the maximum comes back to about 7 digits.
    for (const item of page.items) expect(item.priority).toBeCloseTo(expectedPriority(seedsOf(item.item_id), nowMs), 5);
    const expectedOrder = [...page.items].map((i) => ({ id: i.item_id, p: expectedPriority(seedsOf(i.item_id), nowMs) })).sort((a, b) => b.p - a.p || a.id.localeCompare(b.id));
    expect(ids(page)).toEqual(expectedOrder.map((e) => e.id));
    expect(n1.priority_parts.reach).toBeCloseTo(Math.log2(2 + 3 + 165), 9);

    // Paging is a window on the same order.
    const second = await queue({ size: '2', page: '2' });
    expect(ids(second)).toEqual(ids(page).slice(2, 4));
  });

  it('samples the uncertain items stably: the same set on every request, none at rate 0, all at rate 1', async () => {
    const uncertain = async (rate: number) => ids(await listQueue({ ...source, uncertainSampleRate: rate }, { reason: 'uncertain', size: 100 }));
    const first = await uncertain(0.2);
    expect(await uncertain(0.2)).toEqual(first);
    expect(await uncertain(0)).toEqual([]);
    expect(new Set(await uncertain(1))).toEqual(new Set(UNCERTAIN));
    expect(ids(await queue({ reason: 'flagged', size: '100' })).sort()).toEqual([N1, N2, N3, P].sort());
  });

  it('filters by label, region, platform, source, narrative, model and Jakarta calendar days', async () => {
    expect(ids(await queue({ label: 'sara' }))).toEqual([N2]);
    expect(ids(await queue({ label: 'hate_speech' })).sort()).toEqual([N2, N3].sort());
    expect(ids(await queue({ region: '3578' }))).toEqual([N1]);
    expect(ids(await queue({ platform: 'tiktok' }))).toEqual([N2]);
    expect(ids(await queue({ platform: 'facebook' }))).toEqual([N1]);
    expect(ids(await queue({ source: 'ig' }))).toEqual([N3]);
    expect(ids(await queue({ source: 'fb' }))).toEqual([N1]);
    expect(ids(await queue({ narrative: N3 }))).toEqual([N3]);
    expect(ids(await queue({ model: 'pantau-id-v1' }))).toEqual([N2]);
    // A filter chooses items, it does not shrink them: the facebook post brings the whole narrative.
    expect((await queue({ platform: 'facebook' })).items[0]!.posts_count).toBe(4);
    // tw-999 was posted at 00:30 WIB on 2 December (17:30 UTC on the 1st).
    expect(ids(await queue({ to: '2026-12-01', size: '100' }))).toEqual([N2]);
    expect(ids(await queue({ from: '2026-12-02', to: '2026-12-02', reason: 'flagged' })).sort()).toEqual([N1, N3, P].sort());
    expect(ids(await queue({ from: '2026-12-03' }))).toEqual([]);
  });

  it('searches Indonesian text with stemming: another form of a word finds the post', async () => {
    // "penyebaran" is in no post; "menyebarkan" and "disebarkan" are, and all stem to "sebar".
    expect(ids(await queue({ q: 'penyebaran surat suara' }))).toEqual([N1]);
    expect(ids(await queue({ q: 'kecurangan' }))).toEqual([N1]); // "curang!"
    expect(ids(await queue({ q: 'pengusiran pendatang' }))).toEqual([N2]); // "usir"
    expect(ids(await queue({ q: 'Anjing' }))).toEqual([P]);
    expect(ids(await queue({ q: 'gempa bumi' }))).toEqual([]);
  });

  it('refuses unknown and malformed query parameters', () => {
    for (const bad of [{ foo: '1' }, { status: 'closed' }, { size: '101' }, { page: '0' }, { from: '2026-02-30' }, { from: '2026-12-03', to: '2026-12-01' }, { reason: 'random' }]) {
      expect(queueQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('lets exactly one of two analysts claiming at once win, renews for the holder, frees after 5 minutes', async () => {
    const targets = [N1, N2, N3, P, UNCERTAIN[0]!];
    for (const item of targets) {
      const results = await Promise.allSettled([claimItem(ctx.es, prefix, item, 'alice', clock), claimItem(ctx.es, prefix, item, 'bob', clock)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won, item).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(HttpError);
      expect((lost[0]!.reason as HttpError).status).toBe(409);
      const winner = (won[0] as PromiseFulfilledResult<{ assigned_to: string }>).value.assigned_to;
      // 10:05 UTC is 17:05 WIB.
      expect((lost[0]!.reason as HttpError).message).toBe(`Sedang ditangani ${winner} sampai 17:05 WIB.`);
      expect((await getReview(ctx.es, prefix, item))!.doc.assigned_to).toBe(winner);
      await call('POST', '/api/queue/:item/release', { params: { item }, principal: winner === 'alice' ? alice : bob });
      expect((await getReview(ctx.es, prefix, item))!.doc.assigned_to).toBeNull();
    }

    const claim = (p: Principal) => call('POST', '/api/queue/:item/claim', { params: { item: N3 }, principal: p });
    expect(json(await claim(alice))).toEqual({ assigned_to: 'alice', assigned_until: '2026-12-02T10:05:00.000Z' });
    clock.advance(60_000);
    expect(json(await claim(alice))).toEqual({ assigned_to: 'alice', assigned_until: '2026-12-02T10:06:00.000Z' });
    expect(await refusal(claim(bob))).toEqual({ status: 409, message: 'Sedang ditangani alice sampai 17:06 WIB.' });
    expect(await refusal(call('POST', '/api/queue/:item/release', { params: { item: N3 }, principal: bob }))).toMatchObject({ status: 409 });
    expect((await queue({ narrative: N3 })).items[0]).toMatchObject({ assigned_to: 'alice', assigned_until: '2026-12-02T10:06:00.000Z' });
    // Decisions are refused while another analyst holds the item.
    expect(await refusal(decide(N3, { action: 'confirm' }, bob))).toEqual({ status: 409, message: 'Sedang ditangani alice sampai 17:06 WIB.' });
    clock.advance(5 * 60_000);
    expect((await queue({ narrative: N3 })).items[0]).toMatchObject({ assigned_to: null });
    expect(json(await claim(bob))).toMatchObject({ assigned_to: 'bob' });
    await call('POST', '/api/queue/:item/release', { params: { item: N3 }, principal: bob });
    expect(await refusal(call('POST', '/api/queue/:item/claim', { params: { item: 'nar-does-not-exist' } }))).toMatchObject({ status: 404 });
  });

  it('explains each post and suggests the matched clarification on the item page', async () => {
    const detail = json<{ item: QueueItem; posts: Array<{ id: string; explanation: { model_version: string; thresholds: Record<string, { alert: number; review: number }>; matched_terms: string[]; relevance_terms: string[]; claim: unknown } }>; suggestions: unknown[]; audit: AuditEntry[] }>(
      await call('GET', '/api/queue/:item', { params: { item: N1 } }),
    );
    expect(detail.posts.map((p) => p.id)).toEqual(['tw-104', 'fb-102', 'tw-101', 'tw-103']);
    expect(detail.suggestions).toEqual([{ clarification_id: claimKey(CLAIM), claim: CLAIM, verdict: 'hoaks', url: 'https://turnbackhoax.id/surat-suara-tercoblos', probability: 0.91 }]);
    const tw101 = detail.posts.find((p) => p.id === 'tw-101')!.explanation;
    expect(tw101.relevance_terms).toEqual(['kpu', 'surat suara']);
    expect(tw101.thresholds.hoax!.alert).toBeCloseTo(0.239191, 6);
    expect(tw101.thresholds.hoax!.review).toBeLessThan(tw101.thresholds.hoax!.alert);
    const n3 = json<{ posts: Array<{ id: string; explanation: { matched_terms: string[] } }> }>(await call('GET', '/api/queue/:item', { params: { item: N3 } }));
    expect(n3.posts.find((p) => p.id === 'ig-301')!.explanation.matched_terms).toEqual(expect.arrayContaining(['bangsat', 'goblok', 'prabowo']));
    // A post of the older model is explained with that model's points.
    const n2 = json<{ posts: Array<{ explanation: { model_version: string; thresholds: Record<string, { alert: number }> } }> }>(await call('GET', '/api/queue/:item', { params: { item: N2 } }));
    expect(n2.posts[0]!.explanation.model_version).toBe('pantau-id-v1');
    expect(Object.keys(n2.posts[0]!.explanation.thresholds).sort()).toEqual([...LABELS].sort());
    expect(await refusal(call('GET', '/api/queue/:item', { params: { item: 'post:nope-1' } }))).toMatchObject({ status: 404 });
  });

  it('records a decision in the audit log with who, when, what, why and the model view, and updates the status', async () => {
    clock.set('2026-12-02T11:00:00.000Z');
    await call('POST', '/api/queue/:item/claim', { params: { item: N3 } });
    const reply = json<{ item: QueueItem; audit: AuditEntry }>(await decide(N3, { action: 'confirm', reason: 'jelas menghina' }));
    expect(reply.item.status).toBe('confirmed');
    expect(reply.audit).toMatchObject({
      at: '2026-12-02T11:00:00.000Z',
      actor: { username: 'alice', role: 'analyst' },
      action: 'confirm',
      item_id: N3,
      narrative_id: N3,
      reason_in_queue: 'flagged',
      labels_before: ['abusive', 'hate_speech'],
      labels_after: ['abusive', 'hate_speech'],
      reason: 'jelas menghina',
      unit: null,
    });
    expect(reply.audit.posts.map((p) => p.post_id).sort()).toEqual(['ig-301', 'ig-302']);
    expect(reply.audit.posts.find((p) => p.post_id === 'ig-301')).toMatchObject({ model_version: 'pantau-id-v2', flags: ['abusive', 'hate_speech'], text: expect.stringContaining('bangsat') });
    expect(reply.audit.posts.find((p) => p.post_id === 'ig-301')!.scores.abusive).toBeCloseTo(0.95, 6);
    expect(reply.audit.thresholds.abusive!.alert).toBeCloseTo(0.384662, 6);

    expect(ids(await queue({ size: '100' }))).not.toContain(N3);
    expect(ids(await queue({ status: 'decided' }))).toEqual([N3]);
    expect(ids(await queue({ status: 'all', size: '100' }))).toContain(N3);
    const detail = json<{ audit: AuditEntry[] }>(await call('GET', '/api/queue/:item', { params: { item: N3 } }));
    expect(detail.audit.map((a) => a.id)).toEqual([reply.audit.id]);
  });

  it('decides the whole narrative when post_ids is absent, and only the named posts otherwise', async () => {
    const bulk = json<{ audit: AuditEntry }>(await decide(N1, { action: 'dismiss', reason: 'ini berita lama yang sudah diklarifikasi' }, bob)).audit;
    expect(bulk.posts.map((p) => p.post_id).sort()).toEqual(['fb-102', 'tw-101', 'tw-103', 'tw-104']);
    expect(bulk.labels_before).toEqual(['hoax']);
    expect(bulk.labels_after).toEqual([]);
    expect((await getReview(ctx.es, prefix, N1))!.doc).toMatchObject({ status: 'dismissed', label_decision: 'dismiss', decided_by: 'bob' });

    const subset = json<{ audit: AuditEntry }>(await decide(N2, { action: 'relabel', labels: ['hate_speech'], reason: 'bukan SARA, ujaran kebencian', post_ids: ['tt-202'] })).audit;
    expect(subset.posts.map((p) => p.post_id)).toEqual(['tt-202']);
    expect(subset).toMatchObject({ labels_before: ['sara'], labels_after: ['hate_speech'] });
    expect(subset.posts[0]!.model_version).toBe('pantau-id-v1');
  });

  it('validates what a decision names: labels, units, clarifications, posts', async () => {
    const before = (await auditLog.searchAudit(ctx.es, prefix, { page: 1, size: 100 })).total;
    expect(await refusal(decide(P, { action: 'relabel', labels: ['spam'], reason: 'x' }))).toMatchObject({ status: 400, message: expect.stringContaining('spam') });
    expect(await refusal(decide(P, { action: 'escalate', unit: 'kpu-mars' }))).toMatchObject({ status: 400, message: expect.stringContaining('kpu-mars') });
    expect(await refusal(decide(P, { action: 'link', clarification_id: 'tidak-ada' }))).toMatchObject({ status: 400, message: expect.stringContaining('tidak-ada') });
    expect(await refusal(decide(P, { action: 'confirm', post_ids: ['tw-101'] }))).toMatchObject({ status: 400, message: expect.stringContaining('tw-101') });
    expect(await refusal(decide(UNCERTAIN[0]!, { action: 'confirm' }))).toMatchObject({ status: 400 });
    expect(() => routeOf('POST', '/api/queue/:item/decision').body!.parse({ action: 'dismiss' })).toThrow(/reason/);
    expect(await refusal(decide('nar-nope', { action: 'confirm' }))).toMatchObject({ status: 404 });
    expect((await auditLog.searchAudit(ctx.es, prefix, { page: 1, size: 100 })).total).toBe(before);

    const relabel = json<{ item: QueueItem; audit: AuditEntry }>(await decide(P, { action: 'relabel', labels: [], reason: 'candaan antar teman, bukan kata kasar' }));
    expect(relabel.item.status).toBe('relabelled');
    expect(relabel.audit.labels_after).toEqual([]);
    const link = json<{ item: QueueItem; audit: AuditEntry }>(await decide(UNCERTAIN[1]!, { action: 'link', clarification_id: claimKey(CLAIM) }));
    expect(link.item.status).toBe('linked');
    expect(link.audit).toMatchObject({ clarification_id: claimKey(CLAIM), reason_in_queue: 'uncertain', labels_before: [] });
    // Linking says nothing about labels: the item stays open.
    expect((await getReview(ctx.es, prefix, UNCERTAIN[1]!))!.doc.label_decision).toBeNull();
  });

  it('escalates to a humas unit through the desk: the unit has the case and its channel gets the alert', async () => {
    const reply = json<{ item: QueueItem; audit: AuditEntry }>(await decide(N2, { action: 'escalate', unit: 'komdigi', reason: 'menyebar cepat di TikTok' }));
    expect(reply.item.status).toBe('escalated');
    expect(reply.audit).toMatchObject({ action: 'escalate', unit: 'komdigi' });
    const state = (await getReview(ctx.es, prefix, N2))!.doc;
    expect(state).toMatchObject({ status: 'escalated', unit: 'komdigi', case_id: `c-${N2}~komdigi`, label_decision: 'relabel' });

    await refreshCases(ctx.es, prefix);
    const { cases } = await searchCases(ctx.es, prefix, { unit: 'komdigi' });
    expect(cases.map((c) => c.doc.case_id)).toEqual([`c-${N2}~komdigi`]);
    expect(cases[0]!.doc).toMatchObject({ status: 'new', labels: ['hate_speech', 'sara'] });
    expect(cases[0]!.doc.history[0]).toMatchObject({ event: 'opened', via: 'api', note: 'eskalasi oleh analis alice: menyebar cepat di TikTok' });

    // The desk stage's release timer sends it through the unit's channels.
    expect(await desk.releaseHeld()).toBe(1);
    await desk.drain();
    expect(received).toEqual([{ kind: 'new', case_id: `c-${N2}~komdigi` }]);
    await refreshCases(ctx.es, prefix);
    expect((await searchCases(ctx.es, prefix, { unit: 'komdigi' })).cases[0]!.doc).toMatchObject({ alerts_sent: 1, held_until: null });
  });

  it('keeps an escalated item without a label decision in the open list, and adds to an existing case', async () => {
    const item = UNCERTAIN.find((n) => inUncertainSample(n, 0.2))!;
    await decide(item, { action: 'escalate', unit: 'diskominfo-jatim' });
    const open = await queue({ reason: 'uncertain', size: '100' });
    expect(open.items.find((i) => i.item_id === item)).toMatchObject({ status: 'escalated' });
    await decide(item, { action: 'escalate', unit: 'diskominfo-jatim', reason: 'masih menyebar' }, bob);
    await refreshCases(ctx.es, prefix);
    const { cases } = await searchCases(ctx.es, prefix, { unit: 'diskominfo-jatim' });
    expect(cases.map((c) => c.doc.case_id)).toEqual([`c-${item}~diskominfo-jatim`]);
    expect(cases[0]!.doc.labels).toEqual(['hoax']);
    expect(cases[0]!.doc.history.map((h) => [h.event, h.via])).toEqual([
      ['opened', 'api'],
      ['escalated', 'api'],
    ]);
  });

  it('keeps the audit log append-only and searchable by item, actor, action and day', async () => {
    const all = await auditLog.searchAudit(ctx.es, prefix, { page: 1, size: 100 });
    expect(all.total).toBe(8);
    const times = all.items.map((a) => a.at);
    expect(times).toEqual([...times].sort().reverse());
    expect((await auditLog.searchAudit(ctx.es, prefix, { actor: 'bob', action: 'dismiss', page: 1, size: 100 })).items.map((a) => a.item_id)).toEqual([N1]);
    expect((await auditLog.searchAudit(ctx.es, prefix, { action: 'escalate', item: N2, page: 1, size: 100 })).total).toBe(1);
    expect((await auditLog.searchAudit(ctx.es, prefix, { action: 'escalate', page: 1, size: 100 })).total).toBe(3);
    expect((await auditLog.searchAudit(ctx.es, prefix, { item: N2, page: 1, size: 100 })).total).toBe(2);
    expect((await auditLog.searchAudit(ctx.es, prefix, { from: '2026-12-02', to: '2026-12-02', page: 1, size: 100 })).total).toBe(8);
    expect((await auditLog.searchAudit(ctx.es, prefix, { from: '2026-12-03', page: 1, size: 100 })).total).toBe(0);
    const page = json<{ total: number; items: AuditEntry[] }>(await call('GET', '/api/audit', { query: { actor: 'alice', size: '2', page: '2' } }));
    expect(page.total).toBe(6);
    expect(page.items).toHaveLength(2);

    // No update or delete in the product: neither in the module nor among the routes.
    expect(Object.keys(auditLog).sort()).toEqual(['appendAudit', 'newAuditId', 'searchAudit']);
    expect(routes.filter((r) => r.path.startsWith('/api/audit')).map((r) => r.method)).toEqual(['GET']);
    // Writing an entry again under its id is refused, and the stored entry stays as it was.
    const original = all.items[0]!;
    await expect(auditLog.appendAudit(ctx.es, prefix, { ...original, reason: 'diubah' })).rejects.toMatchObject({ code: 'audit_exists' });
    const stored = await ctx.es.get<AuditEntry>({ index: auditIndex(prefix), id: original.id });
    expect(stored._source).toEqual(original);
    expect(stored._version).toBe(1);
  });

  it('lists the humas units for every role', async () => {
    expect(json(await call('GET', '/api/units', { principal: { username: 'h', role: 'humas', unit: 'komdigi', via: 'session' } }))).toEqual({
      units: [
        { id: 'komdigi', name: 'Komdigi' },
        { id: 'diskominfo-jatim', name: 'Diskominfo Jawa Timur' },
      ],
    });
    expect(routeOf('GET', '/api/units').access).toEqual(['analyst', 'humas', 'leadership', 'admin']);
    for (const r of routes.filter((x) => x.path !== '/api/units')) expect(r.access, r.path).toEqual(['analyst', 'admin']);
  });
});
