/**
 * Retention and the author export on the real Elasticsearch node: old and new posts in monthly indices, the
 * alerts ledger and the desk's stored examples; the once-per-day lock with two "processes"; and
 * `pantau retention --dry-run` / `pantau privacy export` as child processes. Every store has its own prefix.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/config.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/log.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { pseudonymiseAuthor } from '../../src/core/pseudonymise.ts';
import type { ExamplePost } from '../../src/desk/types.ts';
import type { PrivacyConfig } from '../../src/privacy/config.ts';
import { exportAuthor } from '../../src/privacy/export.ts';
import { retentionRunsIndex, runRetention } from '../../src/privacy/retention.ts';
import { startRetentionSchedule } from '../../src/privacy/retention-schedule.ts';
import { putCluster, type ClusterDoc } from '../../src/store/desk-store.ts';
import { createElasticsearchClient } from '../../src/store/elasticsearch-client.ts';
import { alertsIndex, deskClustersIndex, postsAlias, postsIndexFor } from '../../src/store/index-names.ts';
import { ensureIndexTemplates } from '../../src/store/index-templates.ts';
import { loadClassifier } from '../../src/classifier/index.ts';
import { startWorkers } from '../../src/pipeline/workers.ts';
import { cleanUp, ELASTICSEARCH_URL, isolatedConfig, KAFKA_BROKERS, openTestContext, waitFor } from '../helpers/cluster.ts';
import { writePipelineFile } from '../helpers/worker-process.ts';

const KEY = 'kunci-pseudonim-uji-0123456789';
const DAY = 86_400_000;

interface Store {
  config: AppConfig;
  prefix: string;
  es: Client;
}

const stores: Store[] = [];

/** An Elasticsearch-only store with its own prefix and templates (retention needs no Kafka). */
async function openStore(label: string): Promise<Store> {
  const config = isolatedConfig(label);
  const prefix = config.pipeline.elasticsearch.indexPrefix;
  const es = createElasticsearchClient(ELASTICSEARCH_URL);
  await ensureIndexTemplates(es, { files: config.pipeline.elasticsearch.templates, baseDir: config.pipelineDir, prefix, logger: silentLogger });
  const store = { config, prefix, es };
  stores.push(store);
  return store;
}

afterAll(async () => {
  for (const { es, prefix } of stores) {
    const indices = Object.keys(await es.indices.get({ index: `${prefix}-*`, allow_no_indices: true, ignore_unavailable: true }));
    if (indices.length > 0) await es.indices.delete({ index: indices });
    const templates = await es.indices.getIndexTemplate({ name: `${prefix}-*` }).catch(() => ({ index_templates: [] }));
    for (const t of templates.index_templates) await es.indices.deleteIndexTemplate({ name: t.name });
    await es.close();
  }
});

function post(id: string, createdAt: string, author: string | null, extra: Record<string, unknown> = {}) {
  return {
    id,
    schema_version: 1,
    platform: 'twitter',
    author,
    text: `teks ${id}`,
    url: null,
    created_at: createdAt,
    region: null,
    engagement: { likes: 1 },
    scores: { hoax: 0.1 },
    flags: [],
    flagged: false,
    review_flags: [],
    sentiment: null,
    model_version: 'uji',
    classified_at: createdAt,
    indexed_at: new Date(Date.parse(createdAt) + 60_000).toISOString(),
    language: 'id',
    raw: { user: author, note: 'payload' },
    relevance: null,
    narrative_id: null,
    claim: null,
    ...extra,
  };
}

type SeedPost = ReturnType<typeof post>;

async function seed(s: Store, posts: SeedPost[], options: { index?: (p: SeedPost) => string; alerts?: Array<{ post_id: string; raised_at: string }>; examples?: ExamplePost[]; counter?: ExamplePost[] } = {}) {
  const operations = posts.flatMap((p) => [{ index: { _index: options.index?.(p) ?? postsIndexFor(s.prefix, p.created_at), _id: p.id } }, p]);
  for (const a of options.alerts ?? []) operations.push({ index: { _index: alertsIndex(s.prefix), _id: a.post_id } }, { alert_id: `al-${a.post_id}`, post_id: a.post_id, flags: ['hoax'], status: 'not_sent', attempts: 0, raised_at: a.raised_at } as never);
  const r = await s.es.bulk({ operations, refresh: true });
  expect(r.errors).toBe(false);
  if (options.examples || options.counter) {
    const cluster: ClusterDoc = {
      cluster_id: 'cl-1',
      claim_id: null,
      narratives: ['nar-1'],
      representative: 'teks',
      summary: 'ringkasan',
      labels: ['hoax'],
      regions: [],
      institutions: [],
      topics: [],
      examples: options.examples ?? [],
      clarification: null,
      post_ids: [],
      known_engagement: 0,
      counter_post_ids: [],
      counter_examples: options.counter ?? [],
      first_counter_at: null,
      first_seen: '2025-12-01T00:00:00Z',
      last_seen: '2026-02-15T00:00:00Z',
      updated_at: '2026-02-15T00:00:00Z',
    };
    await putCluster(s.es, s.prefix, cluster);
    await s.es.indices.refresh({ index: deskClustersIndex(s.prefix) });
  }
}

const example = (p: SeedPost): ExamplePost => ({ id: p.id, text: p.text, url: null, platform: p.platform, author: p.author, created_at: p.created_at, reach: 1 });

async function postsById(s: Store): Promise<Map<string, { index: string; doc: SeedPost }>> {
  await s.es.indices.refresh({ index: postsAlias(s.prefix), ignore_unavailable: true, allow_no_indices: true });
  const r = await s.es.search<SeedPost>({ index: postsAlias(s.prefix), size: 100, ignore_unavailable: true, allow_no_indices: true });
  return new Map(r.hits.hits.map((h) => [h._id!, { index: h._index, doc: h._source! }]));
}

async function postIndices(s: Store): Promise<string[]> {
  return Object.keys(await s.es.indices.get({ index: `${s.prefix}-posts-*`, allow_no_indices: true, ignore_unavailable: true })).sort();
}

async function clusterExamples(s: Store): Promise<Pick<ClusterDoc, 'examples' | 'counter_examples'>> {
  return (await s.es.get<ClusterDoc>({ index: deskClustersIndex(s.prefix), id: 'cl-1' }))._source!;
}

// "Now" is half past midnight UTC on 1 March (07:30 in Jakarta); 30 days back is 30 January, 00:30 UTC.
const NOW = '2026-03-01T00:30:00.000Z';
const CUTOFF = '2026-01-30T00:30:00.000Z';
const privacy = (action: PrivacyConfig['action']): PrivacyConfig => ({ retentionDays: 30, action, schedule: '15 2 * * *', timezone: 'Asia/Jakarta' });

/** Posts around the cutoff, in three monthly indices (plus one that strayed into an old month's index). */
function fixturePosts() {
  return {
    dec1: post('dec-1', '2025-12-10T08:00:00Z', '@lama_satu'),
    dec2: post('dec-2', '2025-12-31T23:59:59.999Z', '@lama_dua'),
    janOld: post('jan-old', '2026-01-30T00:29:59.999Z', '@Budi'),
    janOffset: post('jan-offset', '2026-01-30T07:00:00+07:00', 'anon:00000000000000000000'),
    janNew: post('jan-new', CUTOFF, '@budi'),
    feb: post('feb-1', '2026-02-15T10:00:00Z', '@baru'),
    novOld: post('nov-old', '2025-11-03T00:00:00Z', '@nov'),
    stray: post('stray', '2026-02-20T00:00:00Z', '@nyasar'),
  };
}

async function seedFixture(s: Store) {
  const p = fixturePosts();
  await seed(s, Object.values(p), {
    // The stray post sits in November's index though it is from February: November must not be deleted whole.
    index: (x) => (x.id === 'stray' ? `${s.prefix}-posts-2025.11` : postsIndexFor(s.prefix, x.created_at)),
    alerts: [
      { post_id: 'jan-old', raised_at: '2026-01-30T00:29:00Z' },
      { post_id: 'feb-1', raised_at: '2026-02-15T10:05:00Z' },
    ],
    examples: [example(p.janOld), example(p.feb)],
    counter: [example(p.dec1)],
  });
  return p;
}

/** `pantau <args>` as a child process, without any author key setting of the environment it runs in. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.PANTAU_AUTHOR_KEY;
  delete base.PANTAU_AUTHOR_PSEUDONYMS;
  const child = spawn(process.execPath, [resolve(PROJECT_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...base, KAFKA_BROKERS: KAFKA_BROKERS.join(','), ELASTICSEARCH_URL, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((r) => child.once('exit', (code) => r({ code, out })));
}


describe('retention, action delete', () => {
  it('deletes exactly the posts older than the cutoff: whole months, then one by one; old ledger entries; old desk examples', async () => {
    const s = await openStore('privdel');
    await seedFixture(s);
    expect(await postIndices(s)).toEqual(['2025.11', '2025.12', '2026.01', '2026.02'].map((m) => `${s.prefix}-posts-${m}`));

    const clock = fixedClock(NOW);
    const dry = await runRetention({ es: s.es, prefix: s.prefix, config: privacy('delete'), authorKey: undefined, clock, logger: silentLogger, dryRun: true });
    expect(dry.cutoff).toBe(CUTOFF);
    expect(dry.posts).toMatchObject({ indicesDeleted: [`${s.prefix}-posts-2025.12`], postsInDeletedIndices: 2, postsDeleted: 3 });
    expect((await postsById(s)).size).toBe(8); // a dry run changes nothing

    const summary = await runRetention({ es: s.es, prefix: s.prefix, config: privacy('delete'), authorKey: undefined, clock, logger: silentLogger });
    expect(summary.posts).toMatchObject({ indicesDeleted: [`${s.prefix}-posts-2025.12`], postsInDeletedIndices: 2, postsDeleted: 3 });
    expect(summary.alerts.deleted).toBe(1);
    expect(summary.desk).toEqual({ clustersChanged: 1, examplesRemoved: 2, examplesPseudonymised: 0 });

    expect(await postIndices(s)).toEqual(['2025.11', '2026.01', '2026.02'].map((m) => `${s.prefix}-posts-${m}`));
    const left = await postsById(s);
    expect([...left.keys()].sort()).toEqual(['feb-1', 'jan-new', 'stray']);
    const ledger = await s.es.search<{ post_id: string }>({ index: alertsIndex(s.prefix), query: { match_all: {} } });
    expect(ledger.hits.hits.map((h) => h._source!.post_id)).toEqual(['feb-1']);
    const cluster = await clusterExamples(s);
    expect(cluster.examples.map((e) => e.id)).toEqual(['feb-1']);
    expect(cluster.counter_examples).toEqual([]);

    const runs = await s.es.search<{ status: string; kind: string }>({ index: retentionRunsIndex(s.prefix), query: { match_all: {} } });
    expect(runs.hits.hits.map((h) => h._source)).toMatchObject([{ status: 'done', kind: 'manual' }]);

    // A second run finds nothing left to do.
    const again = await runRetention({ es: s.es, prefix: s.prefix, config: privacy('delete'), authorKey: undefined, clock, logger: silentLogger });
    expect(again.posts).toMatchObject({ indicesDeleted: [], postsDeleted: 0 });
    expect(again.alerts.deleted + again.desk.examplesRemoved).toBe(0);
  });
});

describe('retention, action pseudonymise', () => {
  it('pseudonymises the authors of old posts and drops their raw, leaves new posts, and picks up late arrivals', async () => {
    const s = await openStore('privpse');
    await seedFixture(s);
    const clock = fixedClock(NOW);
    await expect(runRetention({ es: s.es, prefix: s.prefix, config: privacy('pseudonymise'), authorKey: undefined, clock, logger: silentLogger })).rejects.toThrow(/needs an author key/);

    const summary = await runRetention({ es: s.es, prefix: s.prefix, config: privacy('pseudonymise'), authorKey: KEY, clock, logger: silentLogger });
    // dec-1, dec-2, jan-old, nov-old had handles; jan-offset was pseudonymised at its source and only loses raw.
    expect(summary.posts.authorsPseudonymised).toBe(4);
    expect(summary.posts.rawDropped).toBe(1);
    expect(summary.alerts.deleted).toBe(0);
    expect(summary.desk).toEqual({ clustersChanged: 1, examplesRemoved: 0, examplesPseudonymised: 2 });

    const after = await postsById(s);
    expect(after.size).toBe(8);
    for (const [id, handle] of [['dec-1', '@lama_satu'], ['dec-2', '@lama_dua'], ['jan-old', '@Budi'], ['nov-old', '@nov']] as const) {
      expect(after.get(id)!.doc.author).toBe(pseudonymiseAuthor(handle, KEY));
      expect(after.get(id)!.doc).not.toHaveProperty('raw');
      expect(after.get(id)!.doc.text).toBe(`teks ${id}`);
    }
    expect(after.get('jan-offset')!.doc).not.toHaveProperty('raw');
    for (const [id, handle] of [['jan-new', '@budi'], ['feb-1', '@baru'], ['stray', '@nyasar']] as const) {
      expect(after.get(id)!.doc.author).toBe(handle);
      expect(after.get(id)!.doc.raw).toEqual({ user: handle, note: 'payload' });
    }
    const cluster = await clusterExamples(s);
    expect(cluster.examples.map((e) => e.author)).toEqual([pseudonymiseAuthor('@Budi', KEY), '@baru']);
    expect(cluster.counter_examples[0]!.author).toBe(pseudonymiseAuthor('@lama_satu', KEY));

    // Nothing left for a second run.
    const again = await runRetention({ es: s.es, prefix: s.prefix, config: privacy('pseudonymise'), authorKey: KEY, clock, logger: silentLogger });
    expect(again.posts).toMatchObject({ authorsPseudonymised: 0, rawDropped: 0 });

    // An old post backfilled after that run (already pseudonymised at its source, raw still there) is found next time.
    await seed(s, [post('backfill', '2025-12-05T00:00:00Z', pseudonymiseAuthor('@arsip', KEY), { indexed_at: '2026-03-01T01:00:00Z' })]);
    clock.advance(DAY);
    const late = await runRetention({ es: s.es, prefix: s.prefix, config: privacy('pseudonymise'), authorKey: KEY, clock, logger: silentLogger });
    // A day later the cutoff moved a day too: jan-new is old now.
    expect(late.posts).toMatchObject({ authorsPseudonymised: 1, rawDropped: 1 });
    const final = await postsById(s);
    expect(final.get('backfill')!.doc).not.toHaveProperty('raw');
    expect(final.get('jan-new')!.doc.author).toBe(pseudonymiseAuthor('@budi', KEY));
    expect(final.get('feb-1')!.doc.author).toBe('@baru');
  });
});

describe('retention schedule', () => {
  it('runs once per day (in Jakarta) however many work processes fire, and again the next day', async () => {
    const s = await openStore('privlock');
    await seed(s, [post('old-1', '2025-10-01T00:00:00Z', '@a'), post('new-1', '2026-02-28T00:00:00Z', '@b')]);
    // 23:59 UTC on 28 February is already 1 March in Jakarta.
    const clock = fixedClock('2026-02-28T23:59:00Z');
    const options = { es: s.es, prefix: s.prefix, config: privacy('delete'), authorKey: undefined, clock, logger: silentLogger };
    const a = startRetentionSchedule(options);
    const b = startRetentionSchedule(options);
    try {
      const [ra, rb] = await Promise.all([a.runNow(), b.runNow()]);
      expect([ra.skipped, rb.skipped].filter((x) => x === 'already_ran_today')).toHaveLength(1);
      expect(ra.posts.indicesDeleted.length + rb.posts.indicesDeleted.length).toBe(1);
      clock.advance(12 * 3_600_000); // 11:59 UTC on 1 March: still 1 March in Jakarta
      expect((await a.runNow()).skipped).toBe('already_ran_today');
      clock.advance(6 * 3_600_000); // 17:59 UTC: 2 March in Jakarta
      const next = await b.runNow();
      expect(next.skipped).toBeUndefined();
      const runs = await s.es.search<{ day: string; status: string }>({ index: retentionRunsIndex(s.prefix), sort: [{ started_at: 'asc' }], query: { match_all: {} } });
      expect(runs.hits.hits.map((h) => [h._id, h._source!.status])).toEqual([
        ['daily-2026-03-01', 'done'],
        ['daily-2026-03-02', 'done'],
      ]);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect([...(await postsById(s)).keys()]).toEqual(['new-1']);
  });
});

describe('author export', () => {
  it("finds an author's posts under the handle and under its pseudonym, with their alerts and desk examples", async () => {
    const s = await openStore('privexp');
    const before = post('siti-1', '2026-01-05T00:00:00Z', '@Siti_N'); // from before pseudonyms were on
    const bare = post('siti-2', '2026-01-06T00:00:00Z', 'siti_n'); // a source that writes no "@"
    const later = post('siti-3', '2026-02-01T00:00:00Z', pseudonymiseAuthor('@siti_n', KEY));
    const laterBare = post('siti-4', '2026-02-02T00:00:00Z', pseudonymiseAuthor('siti_n', KEY));
    const other = post('lain-1', '2026-02-03T00:00:00Z', '@bukan_siti');
    const otherAnon = post('lain-2', '2026-02-04T00:00:00Z', pseudonymiseAuthor('@bukan_siti', KEY));
    await seed(s, [before, bare, later, laterBare, other, otherAnon], {
      alerts: [
        { post_id: 'siti-3', raised_at: '2026-02-01T00:01:00Z' },
        { post_id: 'lain-1', raised_at: '2026-02-03T00:01:00Z' },
      ],
      examples: [example(later), example(other)],
      counter: [example(before)],
    });
    const data = await exportAuthor({ es: s.es, prefix: s.prefix, handle: '@Siti_N', authorKey: KEY, keyDescription: 'uji', clock: fixedClock(NOW) });
    expect(data.posts.map((p) => p.id)).toEqual(['siti-1', 'siti-2', 'siti-3', 'siti-4']);
    expect(data.counts).toMatchObject({ posts_by_handle: 2, posts_by_pseudonym: 2, alerts: 1, desk_clusters: 1, desk_examples: 2 });
    expect(data.alerts.map((a) => a.post_id)).toEqual(['siti-3']);
    expect(data.desk.clusters[0]!.examples.map((e) => e.id)).toEqual(['siti-3']);
    expect(data.desk.clusters[0]!.counter_examples.map((e) => e.id)).toEqual(['siti-1']);

    // Without the key only the handle can be looked up.
    const plain = await exportAuthor({ es: s.es, prefix: s.prefix, handle: 'siti_n', authorKey: undefined, keyDescription: 'off', clock: fixedClock(NOW) });
    expect(plain.posts.map((p) => p.id)).toEqual(['siti-1', 'siti-2']);
  });
});

describe('pantau retention and pantau privacy export (child processes)', () => {
  it('retention --dry-run prints what it would do and changes nothing; export writes one file or refuses without a key', async () => {
    const s = await openStore('privcli');
    // Relative to the real date (the CLI runs on the system clock): the month 400 days back is wholly past 180 days.
    const now = Date.now();
    const old = new Date(now - 400 * DAY);
    const inOldMonth = (day: number) => new Date(Date.UTC(old.getUTCFullYear(), old.getUTCMonth(), day)).toISOString();
    await seed(s, [post('tua-1', inOldMonth(2), '@tua'), post('tua-2', inOldMonth(3), '@tua'), post('kini-1', new Date(now - DAY).toISOString(), '@kini')]);
    const pipelineFile = writePipelineFile(s.config);
    const stateDir = mkdtempSync(join(tmpdir(), 'pantau-privacy-state-'));
    const env = { PANTAU_PIPELINE: pipelineFile, PANTAU_STATE_DIR: stateDir };

    const dry = await run(['retention', '--dry-run'], env);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toContain('retention (dry run) delete: posts created before');
    expect(dry.out).toMatch(/posts: would delete 1 monthly indices whole \(2 posts: test-privcli-[0-9a-f]+-posts-\d{4}\.\d{2}\) and 0 posts one by one/);
    expect(dry.out).toContain('alerts ledger: would delete 0 entries');
    expect((await postsById(s)).size).toBe(3);

    // No key anywhere on this "machine": the export refuses rather than look up a pseudonym under a new key.
    const refused = await run(['privacy', 'export', '--author', '@tua'], env);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/no author key here/);

    const out = join(stateDir, 'export.json');
    const exported = await run(['privacy', 'export', '--author', '@tua', '--out', out], { ...env, PANTAU_AUTHOR_KEY: KEY });
    expect(exported.code, exported.out).toBe(0);
    expect(exported.out).toContain(`export: 2 posts (2 under the handle, 0 under its pseudonym), 0 alerts, 0 desk examples in 0 clusters, 0 cases → ${out}`);
    expect(exported.out).not.toContain(KEY);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { posts: Array<{ id: string }> }).posts.map((p) => p.id)).toEqual(['tua-1', 'tua-2']);
  });
});

describe('every path that publishes posts pseudonymises by default', () => {
  it('`pantau ingest` generates the key once and uses it; the classify stage pseudonymises what a foreign producer wrote', async () => {
    const config = isolatedConfig('privpub');
    const ctx = await openTestContext(config);
    const classifier = await loadClassifier();
    try {
      const stateDir = mkdtempSync(join(tmpdir(), 'pantau-privacy-state-'));
      const file = join(stateDir, 'posts.jsonl');
      const line = (id: string, author: string | null) => JSON.stringify({ id, platform: 'twitter', author, text: `Kabar dari warga soal TPS ${id}`, created_at: '2026-02-01T00:00:00Z' });
      writeFileSync(file, [line('ing-1', '@Warga_Satu'), line('ing-2', null)].join('\n') + '\n');
      const ingest = await run(['ingest', '--file', file], { PANTAU_PIPELINE: writePipelineFile(config), PANTAU_STATE_DIR: stateDir });
      expect(ingest.code, ingest.out).toBe(0);
      expect(ingest.out).toContain(`author pseudonyms: on, key generated in ${join(stateDir, 'author-key')} (just created)`);
      const key = readFileSync(join(stateDir, 'author-key'), 'utf8').trim();
      expect(ingest.out).not.toContain(key);
      expect(statSync(join(stateDir, 'author-key')).mode & 0o777).toBe(0o600);

      // A producer outside pantau (kcat, another team's tool) writes a handle straight to posts.raw.
      await ctx.producer.send({ topic: config.pipeline.kafka.topics.raw.name, messages: [{ key: 'foreign-1', value: line('foreign-1', '@Warga_Satu') }] });
      config.authorKey = key; // what `pantau work` resolves on this machine
      const workers = await startWorkers(ctx, { stages: ['classify', 'index'], classifier });
      try {
        const prefix = config.pipeline.elasticsearch.indexPrefix;
        const docs = await waitFor('three posts indexed', async () => {
          await ctx.es.indices.refresh({ index: postsAlias(prefix), ignore_unavailable: true, allow_no_indices: true });
          const r = await ctx.es.search<{ id: string; author: string | null }>({ index: postsAlias(prefix), ignore_unavailable: true, allow_no_indices: true, size: 10 });
          return r.hits.hits.length >= 3 ? new Map(r.hits.hits.map((h) => [h._source!.id, h._source!.author])) : undefined;
        });
        const pseudonym = pseudonymiseAuthor('@Warga_Satu', key);
        expect(Object.fromEntries(docs)).toEqual({ 'ing-1': pseudonym, 'ing-2': null, 'foreign-1': pseudonym });
      } finally {
        await workers.stop();
      }
    } finally {
      classifier.dispose();
      await cleanUp(ctx);
      await ctx.close();
    }
  });
});
