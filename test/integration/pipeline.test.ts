import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, listen } from '../../src/api/server.ts';
import { AuthService } from '../../src/auth/auth-service.ts';
import { addToken } from '../../src/auth/accounts.ts';
import { systemClock } from '../../src/core/clock.ts';
import { FLAG_LABELS, loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { ScoredPost } from '../../src/core/post.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers, type Workers } from '../../src/pipeline/workers.ts';
import { createKafkaPostSink } from '../../src/sources/kafka-post-sink.ts';
import { ingestJsonlFile } from '../../src/sources/jsonl-file.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import { narrativesIndex, type NarrativeDoc } from '../../src/store/narrative-documents.ts';
import { SAMPLE_POSTS_FILE } from '../../src/cli/paths.ts';
import { loadTrustedPublishers } from '../../src/config/trusted-publishers.ts';
import { createTrustedPublisherMatcher } from '../../src/transforms/trusted-publisher.ts';
import { cleanUp, isolatedConfig, openTestContext, waitFor } from '../helpers/cluster.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const samples = readFileSync(SAMPLE_POSTS_FILE, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { id: string; text: string; created_at: string });
const sampleIds = samples.map((s) => s.id).sort();

describe('end to end: JSONL → posts.raw → classify → posts.scored → index → Elasticsearch, alerts → webhook', () => {
  let ctx: PipelineContext;
  let classifier: Classifier;
  let workers: Workers;
  let receiver: WebhookReceiver;
  let prefix: string;

  const ingest = () =>
    ingestJsonlFile(SAMPLE_POSTS_FILE, {
      sink: createKafkaPostSink({ producer: ctx.producer, topic: ctx.config.pipeline.kafka.topics.raw.name, deadLetterTopic: ctx.config.pipeline.kafka.topics.deadLetter.name }),
    });

  const allDocs = async (): Promise<ScoredPost[]> => {
    await ctx.es.indices.refresh({ index: postsAlias(prefix) });
    const r = await ctx.es.search<ScoredPost>({ index: postsAlias(prefix), size: 10_000, query: { match_all: {} } });
    return r.hits.hits.map((h) => h._source!);
  };

  const count = async () => {
    await ctx.es.indices.refresh({ index: postsAlias(prefix), ignore_unavailable: true, allow_no_indices: true });
    return (await ctx.es.count({ index: postsAlias(prefix), ignore_unavailable: true, allow_no_indices: true })).count;
  };

  beforeAll(async () => {
    const config = isolatedConfig('e2e');
    prefix = config.pipeline.elasticsearch.indexPrefix;
    ctx = await openTestContext(config);
    classifier = await loadClassifier();
    receiver = await startWebhookReceiver();
    workers = await startWorkers(ctx, { classifier, webhookUrl: receiver.url });
  });

  afterAll(async () => {
    await workers?.stop();
    await receiver?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    classifier?.dispose();
  });

  it('indexes every sample post exactly once, with the model’s scores', async () => {
    const result = await ingest();
    expect(result.deadLettered).toBe(0);
    expect(result.produced).toBe(samples.length);
    await waitFor('all sample posts indexed', async () => ((await count()) >= samples.length ? true : undefined), 120_000);

    const docs = await allDocs();
    expect(docs.map((d) => d.id).sort()).toEqual(sampleIds);
    // The indexed scores are the model's scores for that text, not something else.
    const direct = await classifier.classify(docs.map((d) => d.text));
    const trusted = createTrustedPublisherMatcher(loadTrustedPublishers(resolve(ctx.config.pipelineDir, ctx.config.pipeline.trustedPublishers.file)));
    docs.forEach((doc, i) => {
      for (const label of FLAG_LABELS) {
        expect(doc.scores[label]).toBeCloseTo(direct[i]!.scores[label], 5);
        if (label === 'hoax') {
          // The hoax score alone never flags: at or above the review point it queues the post for analysts,
          // unless a trusted publisher wrote it.
          expect(doc.flags).not.toContain('hoax');
          expect(doc.review_flags.includes('hoax')).toBe(direct[i]!.scores.hoax >= classifier.operatingPoints.hoax.review && trusted(doc) === null);
        } else {
          expect(doc.flags.includes(label)).toBe(direct[i]!.scores[label] >= classifier.thresholds[label]);
        }
      }
      expect(doc.model_version).toBe(classifier.modelVersion);
    });
    // The sample holds posts whose hoax score is above the alert point: end to end, they reach the analysts'
    // queue and no humas alert.
    const hoaxLike = docs.filter((_, i) => direct[i]!.scores.hoax >= classifier.thresholds.hoax);
    expect(hoaxLike.length).toBeGreaterThan(0);
    for (const d of hoaxLike) expect(d.review_flags.includes('hoax') || trusted(d) !== null).toBe(true);
    expect(docs.some((d) => d.flagged)).toBe(true);
    expect(docs.some((d) => !d.flagged)).toBe(true);
  });

  it('running the same file again leaves the same documents', async () => {
    const indexedBefore = workers.counters.indexed;
    await ingest();
    await waitFor('the second run indexed', async () => (workers.counters.indexed >= indexedBefore + samples.length ? true : undefined), 120_000);
    expect(await count()).toBe(samples.length);
  });

  it('groups reposts into narratives; those that spread get a document with their reach, singletons none', async () => {
    // Three sample messages forwarded twice each, by other accounts, with a link added.
    const reposts = samples.slice(0, 3).flatMap((s, i) =>
      [1, 2].map((k) => ({ ...s, id: `repost-${i}-${k}`, author: `@penerus_${i}_${k}`, text: `${s.text} https://t.co/fwd${k}`, created_at: new Date(Date.parse(s.created_at) + k * 60_000).toISOString() })),
    );
    const dir = mkdtempSync(join(tmpdir(), 'pantau-reposts-'));
    const file = join(dir, 'reposts.jsonl');
    writeFileSync(file, reposts.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const sink = createKafkaPostSink({ producer: ctx.producer, topic: ctx.config.pipeline.kafka.topics.raw.name, deadLetterTopic: ctx.config.pipeline.kafka.topics.deadLetter.name });
    expect((await ingestJsonlFile(file, { sink })).produced).toBe(reposts.length);
    rmSync(dir, { recursive: true });
    await waitFor('the reposts indexed', async () => ((await count()) >= samples.length + reposts.length ? true : undefined), 120_000);

    const docs = await allDocs();
    const byNarrative = new Map<string, ScoredPost[]>();
    for (const d of docs) if (d.narrative_id) byNarrative.set(d.narrative_id, [...(byNarrative.get(d.narrative_id) ?? []), d]);
    const spread = [...byNarrative].filter(([, posts]) => posts.length >= 2);
    const single = [...byNarrative].filter(([, posts]) => posts.length === 1).map(([id]) => id);
    expect(spread.length).toBeGreaterThanOrEqual(3);
    expect(single.length).toBeGreaterThan(0);
    const index = narrativesIndex(prefix);
    const stored = await waitFor('a narrative document for every narrative that spread', async () => {
      await ctx.es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
      const r = await ctx.es.search<NarrativeDoc>({ index, size: 1_000, ignore_unavailable: true, allow_no_indices: true, query: { match_all: {} } });
      const found = new Map(r.hits.hits.map((h) => [h._id!, h._source!]));
      return spread.every(([id, posts]) => found.get(id)?.reach.posts === posts.length) ? found : undefined;
    }, 60_000);
    for (const [id, posts] of spread) {
      const earliest = [...posts].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1))[0]!;
      expect(stored.get(id)).toMatchObject({ first_post_id: earliest.id, sample_text: earliest.text });
      expect(stored.get(id)!.reach.accounts).toBe(new Set(posts.map((p) => p.author).filter(Boolean)).size);
    }
    for (const id of single) expect(stored.has(id)).toBe(false);
  });

  it('each flagged post about the election yields exactly one webhook call, across both runs; flagged posts about something else none', async () => {
    const docs = await allDocs();
    const alertLabels = ctx.config.pipeline.alerts.labels;
    const flagged = docs.filter((d) => d.flags.some((f) => alertLabels.includes(f)));
    const expected = flagged.filter((d) => d.relevance?.relevant === true).map((d) => d.id).sort();
    expect(expected.length).toBeGreaterThan(0);
    // The sample holds flagged posts that are not about the election (everyday insults): they stay in the review list only.
    expect(flagged.length).toBeGreaterThan(expected.length);
    await waitFor('a webhook call per flagged post', async () => (receiver.calls.length >= expected.length ? true : undefined), 60_000);
    // Give a duplicate (if the ledger failed) time to arrive before judging.
    await new Promise((r) => setTimeout(r, 2000));
    const called = receiver.calls.map((c) => c.alert.post_id).sort();
    expect(called).toEqual(expected);
    for (const call of receiver.calls) {
      expect(call.idempotencyKey).toBe(call.alert.alert_id);
      expect(call.alert.flags.length).toBeGreaterThan(0);
      expect(call.alert.text.length).toBeGreaterThan(0);
    }
  });

  describe('HTTP API', () => {
    let server: Server;
    let base: string;
    let token: string;
    const fetch = (url: string, init: RequestInit = {}) => globalThis.fetch(url, { ...init, headers: { authorization: `Bearer ${token}` } });
    beforeAll(async () => {
      token = (await addToken(ctx.es, prefix, systemClock, { name: 'pipeline test', role: 'analyst', createdBy: 'test' })).token;
      server = createApiServer({ es: ctx.es, prefix, labels: ctx.config.pipeline.alerts.labels, logger: silentLogger, auth: new AuthService({ es: ctx.es, prefix, clock: systemClock, logger: silentLogger }) });
      const address: AddressInfo = await listen(server, '127.0.0.1', 0);
      base = `http://127.0.0.1:${address.port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('lists exactly the flagged posts, newest first, page by page', async () => {
      const flagged = (await allDocs()).filter((d) => d.flagged);
      const seen: string[] = [];
      let total: number | undefined;
      for (let page = 1; ; page++) {
        const res = await fetch(`${base}/api/flagged?page=${page}&size=7`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { total: number; items: ScoredPost[] };
        total = body.total;
        if (body.items.length === 0) break;
        seen.push(...body.items.map((i) => i.id));
        const times = body.items.map((i) => Date.parse(i.created_at));
        expect(times).toEqual([...times].sort((a, b) => b - a));
        expect(body.items.every((i) => i.flagged)).toBe(true);
      }
      expect(total).toBe(flagged.length);
      expect(seen.length).toBe(flagged.length);
      expect([...seen].sort()).toEqual(flagged.map((d) => d.id).sort());
      const all = await (await fetch(`${base}/api/flagged?page=1&size=200`)).json() as { items: ScoredPost[] };
      const times = all.items.map((i) => Date.parse(i.created_at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('filters by label', async () => {
      const docs = await allDocs();
      for (const label of ctx.config.pipeline.alerts.labels) {
        const body = (await (await fetch(`${base}/api/flagged?label=${label}&size=200`)).json()) as { total: number };
        expect(body.total).toBe(docs.filter((d) => d.flags.includes(label)).length);
      }
    });

    it('the dashboard endpoint counts per label per day what Elasticsearch holds', async () => {
      const docs = await allDocs();
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit' });
      const days = docs.map((d) => day.format(new Date(d.created_at))).sort();
      const from = days[0]!;
      const to = days[days.length - 1]!;
      const res = await fetch(`${base}/api/dashboard/daily?from=${from}&to=${to}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { days: Array<{ date: string; total: number; flagged: number; labels: Record<string, number> }> };
      expect(body.days[0]!.date).toBe(from);
      expect(body.days[body.days.length - 1]!.date).toBe(to);
      for (const bucket of body.days) {
        const onDay = docs.filter((d) => day.format(new Date(d.created_at)) === bucket.date);
        expect(bucket.total).toBe(onDay.length);
        expect(bucket.flagged).toBe(onDay.filter((d) => d.flagged).length);
        for (const label of ctx.config.pipeline.alerts.labels) {
          expect(bucket.labels[label]).toBe(onDay.filter((d) => d.flags.includes(label)).length);
        }
      }
      expect(body.days.reduce((s, d) => s + d.total, 0)).toBe(docs.length);
    });

    it('serves the dashboard page and refuses bad parameters clearly', async () => {
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      // The leadership dashboard's shell; its script draws the panels from /api/dashboards/leadership.
      expect(await page.text()).toContain('<script type="module" src="/dashboard.js"></script>');
      const bad = await fetch(`${base}/api/flagged?size=0`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toContain('size');
      expect((await fetch(`${base}/api/flagged?label=gosip`)).status).toBe(400);
      expect((await fetch(`${base}/api/dashboard/daily?from=2026-13-01`)).status).toBe(400);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    });
  });
});
