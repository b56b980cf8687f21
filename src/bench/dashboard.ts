/**
 * npm run bench:dashboard — how fast the leadership dashboard answers on a realistic volume: indexes N synthetic
 * posts (default 1,000,000) over D days (default 90, ending at the clock's today in Asia/Jakarta) over 38
 * provinces, with desk cases, analysts' decisions and narrative names (synthetic-dashboard.ts), then times every
 * panel through the product's own runner (runPanel / runDashboard) and prints the figures. Asserts nothing.
 *
 * Cache states, labelled in the output (the runner asks for the shard request cache, so a repeated identical
 * query measures nothing unless the cache is out of the way):
 *   uncached — the request cache of the benchmark's indices is cleared before every run (what the target is judged
 *              on); Lucene's query cache, global ordinals and the page cache stay warm, as on a node in use;
 *   warm     — the same query again: answered from the request cache (what a second viewer of the same range sees
 *              until the next refresh of an index the range reads);
 *   live     — before every run a few new posts land in today's index and it is refreshed, as the pipeline does
 *              every second: the current month's shard has a new segment, its request cache is stale and its
 *              global ordinals (terms on keyword fields) are rebuilt by the first query that needs them.
 * Uses its own index prefix and templates; deletes them unless --keep.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { addDays } from '../api/dates.ts';
import { loadElectionStages } from '../config/election-stages.ts';
import { loadHumasUnits } from '../config/humas-units.ts';
import { DEFAULT_PIPELINE_FILE, loadPipelineFile } from '../config/pipeline.ts';
import { silentLogger } from '../core/log.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { DEFAULT_DASHBOARDS_DIR, loadDashboard } from '../dashboard/definition.ts';
import { runDashboard, runPanel, type DashboardDeps, type DashboardFilters } from '../dashboard/run-dashboard.ts';
import { createElasticsearchClient } from '../store/elasticsearch-client.ts';
import { auditIndex, deskCasesIndex, deskClustersIndex, monthSuffix, postsAlias, postsIndexFor } from '../store/index-names.ts';
import { ensureIndexTemplates, readTemplate } from '../store/index-templates.ts';
import { narrativesIndex } from '../store/narrative-documents.ts';
import { DashboardData, type PostDocument } from './synthetic-dashboard.ts';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    prefix: { type: 'string', default: 'bench-dash' },
    now: { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    'force-merge': { type: 'boolean', default: false },
    'eager-ordinals': { type: 'boolean', default: false },
    modes: { type: 'string', default: 'uncached,warm,live' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:dashboard -- [--posts 1000000] [--days 90] [--runs 50] [--warmup 3] [--prefix bench-dash]
                               [--now ISO] [--keep] [--reuse] [--force-merge] [--eager-ordinals]
                               [--modes uncached,warm,live] [--json FILE]
Indexes N synthetic posts over D days ending today (Asia/Jakarta) under <prefix>-*, with desk cases, decisions
and narrative names, then times every panel of dashboards/leadership.json R times (after W warm-up runs) for the
default 30 days, the whole D days and 30 days filtered to region=35 and label=hoax, and the whole dashboard
(panels concurrent). Target: p95 ≤ 300 ms per panel, whole dashboard ≤ 1 s, judged on the uncached figures.
--modes        cache states to measure (uncached: request cache cleared before each run; warm: the request
               cache answers; live: new posts and a refresh of today's index before each run).
--now ISO      the clock (default: the system clock); the data ends at it.
--reuse        skip indexing when <prefix>-posts already holds N posts (indexed with --keep by an earlier run;
               its clock is reused).
--keep         keep the indices and templates (for --reuse).
--force-merge  after measuring, force-merge the posts indices to one segment each and measure again.
--eager-ordinals  set eager_global_ordinals on the posts' keyword fields the panels aggregate on (put mapping on
               the benchmark's indices) before measuring: what the posts template would change.
--json FILE    also write every figure as JSON.`);
  process.exit(0);
}

const N = Number(values.posts);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const PREFIX = values.prefix;
const MODES = values.modes.split(',').map((m) => m.trim()) as Mode[];
for (const [name, v] of [['--posts', N], ['--days', DAYS], ['--runs', RUNS], ['--warmup', WARMUP]] as const) {
  if (!Number.isInteger(v) || v < (name === '--warmup' ? 0 : 1)) {
    console.error(`${name} must be a whole number${name === '--warmup' ? '' : ' ≥ 1'}`);
    process.exit(2);
  }
}
type Mode = 'uncached' | 'warm' | 'live';
if (MODES.some((m) => !['uncached', 'warm', 'live'].includes(m))) {
  console.error(`--modes takes uncached, warm and live, not "${values.modes}"`);
  process.exit(2);
}

const TARGET_PANEL_MS = 300;
const TARGET_DASHBOARD_MS = 1000;
const BULK_DOCS = 5_000;
const BULK_IN_FLIGHT = 2;
const LIVE_POSTS = 20;
/** Keyword fields of posts that the panels' terms and cardinality aggregations read. */
const AGG_KEYWORDS = ['narrative_id', 'author', 'flags', 'province', 'platform', 'source'];

const say = (s: string) => process.stdout.write(s + '\n');
const fmt = (n: number) => n.toLocaleString('en-US');
const es = createElasticsearchClient(process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200');
const pipeline = loadPipelineFile();
const dashboard = loadDashboard(resolve(DEFAULT_DASHBOARDS_DIR, 'leadership.json'));
const deps: DashboardDeps = { es, prefix: PREFIX, units: loadHumasUnits(resolve(PROJECT_ROOT, 'pipelines/humas-units.json')), stages: loadElectionStages() };
const META_INDEX = `${PREFIX}-bench-meta`;

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
function summary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { runs: s.length, min: r(s[0] ?? NaN), p50: r(quantile(s, 0.5)), p95: r(quantile(s, 0.95)), max: r(s[s.length - 1] ?? NaN) };
}

// ── Indexing ──────────────────────────────────────────────────────────────────────────────────────────────

async function installTemplates(): Promise<void> {
  await ensureIndexTemplates(es, { files: pipeline.elasticsearch.templates, baseDir: dirname(DEFAULT_PIPELINE_FILE), prefix: PREFIX, logger: silentLogger });
}

async function postsCount(): Promise<number> {
  try {
    return (await es.count({ index: postsAlias(PREFIX) })).count;
  } catch {
    return -1;
  }
}

async function bulkOrThrow(operations: unknown[]): Promise<void> {
  const response = await es.bulk({ operations, filter_path: ['errors', 'items.*.error', 'items.*.status'] }, { requestTimeout: 300_000 });
  if (response.errors) {
    const first = response.items.find((i) => Object.values(i)[0]?.error);
    throw new Error(`bulk errors, first: ${JSON.stringify(first)}`);
  }
}

async function indexEverything(data: DashboardData): Promise<{ seconds: number; rate: number; refreshSeconds: number }> {
  await deleteOwnIndices();
  await installTemplates();
  // The monthly indices made up front, so the load runs without refreshes; the template's settings come back after.
  const template = await readTemplate(resolve(dirname(DEFAULT_PIPELINE_FILE), 'elasticsearch/posts.template.json'), PREFIX);
  const templateRefresh = (template.body as { template: { settings: { refresh_interval?: string } } }).template.settings.refresh_interval ?? '1s';
  const months = new Set<string>();
  for (let t = data.start; t < data.now + 86_400_000; t += 86_400_000) months.add(monthSuffix(Math.min(t, data.now)));
  const indices = [...months].map((m) => `${PREFIX}-posts-${m}`);
  for (const index of indices) await es.indices.create({ index, settings: { refresh_interval: '-1', number_of_replicas: 0 } });
  say(`indexing ${fmt(N)} posts into ${indices.join(', ')} (refresh off, no replicas, ${BULK_DOCS} docs per bulk, ${BULK_IN_FLIGHT} in flight)`);

  const started = performance.now();
  let next = 0;
  let done = 0;
  let lastReport = started;
  const worker = async () => {
    while (next < N) {
      const from = next;
      const to = Math.min(N, from + BULK_DOCS);
      next = to;
      const ops: unknown[] = [];
      for (let i = from; i < to; i++) {
        const doc = data.post(i);
        ops.push({ index: { _index: postsIndexFor(PREFIX, doc.created_at), _id: doc.id } }, doc);
      }
      await bulkOrThrow(ops);
      done += to - from;
      const now = performance.now();
      if (now - lastReport > 5000 || done === N) {
        lastReport = now;
        const rate = done / ((now - started) / 1000);
        say(`  ${fmt(done).padStart(9)} / ${fmt(N)}  ${fmt(Math.round(rate))} posts/s  ETA ${Math.round((N - done) / rate)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: BULK_IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;

  // Desk, decisions, narrative names: small, plain bulks.
  const desk = data.desk(5_000);
  const decisions = data.decisions(3_000);
  const small: unknown[] = [];
  for (const c of desk.clusters) small.push({ index: { _index: deskClustersIndex(PREFIX), _id: c.cluster_id } }, c);
  for (const c of desk.cases) small.push({ index: { _index: deskCasesIndex(PREFIX), _id: c.case_id } }, c);
  for (const n of desk.narratives) small.push({ index: { _index: narrativesIndex(PREFIX), _id: n.id } }, n);
  for (const d of decisions) small.push({ create: { _index: auditIndex(PREFIX), _id: d.id } }, d);
  for (let at = 0; at < small.length; at += 4000) await bulkOrThrow(small.slice(at, at + 4000));
  say(`indexed ${fmt(desk.clusters.length)} desk clusters, ${fmt(desk.cases.length)} cases, ${fmt(desk.narratives.length)} narratives, ${fmt(decisions.length)} decisions`);

  const refreshStarted = performance.now();
  await es.indices.putSettings({ index: indices, settings: { refresh_interval: templateRefresh } });
  await es.indices.refresh({ index: `${PREFIX}-*` }, { requestTimeout: 300_000 });
  const refreshSeconds = (performance.now() - refreshStarted) / 1000;
  await es.index({ index: META_INDEX, id: 'meta', document: { posts: N, days: DAYS, now: data.now, seed: data.seed }, refresh: true });
  return { seconds, rate: N / seconds, refreshSeconds };
}

async function waitForMerges(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const stats = await es.indices.stats({ index: `${PREFIX}-posts-*`, metric: ['merge'] });
    if ((stats._all.total?.merges?.current ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function deleteOwnIndices(): Promise<void> {
  const indices = Object.keys(await es.indices.get({ index: `${PREFIX}-*`, allow_no_indices: true, ignore_unavailable: true, expand_wildcards: 'all' }));
  if (indices.length > 0) await es.indices.delete({ index: indices });
}

async function deleteOwnTemplates(): Promise<void> {
  for (const file of pipeline.elasticsearch.templates) {
    const template = await readTemplate(resolve(dirname(DEFAULT_PIPELINE_FILE), file), PREFIX);
    await es.indices.deleteIndexTemplate({ name: template.name }).catch(() => {});
  }
}

// ── State of the indices and the node ─────────────────────────────────────────────────────────────────────

interface IndexFigures {
  index: string;
  docs: number;
  store_mb: number;
  segments: number;
}

async function indexFigures(): Promise<IndexFigures[]> {
  const stats = await es.indices.stats({ index: `${PREFIX}-*`, metric: ['docs', 'store', 'segments'] });
  return Object.entries(stats.indices ?? {})
    .map(([index, s]) => ({ index, docs: s.primaries?.docs?.count ?? 0, store_mb: Math.round(((s.primaries?.store?.size_in_bytes ?? 0) / 1048576) * 10) / 10, segments: s.primaries?.segments?.count ?? 0 }))
    .sort((a, b) => a.index.localeCompare(b.index));
}

async function nodeFigures() {
  const stats = await es.nodes.stats({ metric: ['jvm', 'os', 'indices'], index_metric: ['fielddata', 'request_cache', 'query_cache', 'segments'] });
  const node = Object.values(stats.nodes)[0]!;
  const mb = (b: number | undefined) => Math.round((b ?? 0) / 1048576);
  const globalOrdinals = (node.indices as { fielddata?: { global_ordinals?: { build_time_in_millis?: number } } } | undefined)?.fielddata?.global_ordinals?.build_time_in_millis;
  return {
    es_heap_used_mb: mb(node.jvm?.mem?.heap_used_in_bytes),
    es_heap_max_mb: mb(node.jvm?.mem?.heap_max_in_bytes),
    es_fielddata_mb: mb(node.indices?.fielddata?.memory_size_in_bytes),
    es_global_ordinals_build_ms_total: globalOrdinals ?? null,
    es_cpu_percent: node.os?.cpu?.percent ?? null,
    es_load_1m: (node.os?.cpu?.load_average as Record<string, number> | undefined)?.['1m'] ?? null,
    node_rss_mb: mb(process.memoryUsage().rss),
    node_heap_used_mb: mb(process.memoryUsage().heapUsed),
  };
}

// ── Measuring ─────────────────────────────────────────────────────────────────────────────────────────────

interface Variant {
  id: string;
  filters: DashboardFilters;
}

interface PanelFigures {
  panel: string;
  variant: string;
  mode: Mode;
  wall: ReturnType<typeof summary>;
  es_took: ReturnType<typeof summary> | null;
  ok: boolean;
}

interface DashboardFigures {
  variant: string;
  mode: Mode;
  wall: ReturnType<typeof summary>;
  /** The slowest panel's ES took per run. */
  slowest_took: ReturnType<typeof summary>;
  ok: boolean;
}

/** Runs refused with 429 (the node's circuit breaker: its heap is shared with other work) and tried again. */
let retried = 0;

/** f(), tried again after a second when the node answers 429 (at most 5 times); counted in `retried`. */
async function again429<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (error) {
      const status = (error as { meta?: { statusCode?: number }; cause?: { meta?: { statusCode?: number } } }).meta?.statusCode ?? (error as { cause?: { meta?: { statusCode?: number } } }).cause?.meta?.statusCode;
      if (status !== 429 || attempt >= 5) throw error;
      retried++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

let liveCounter = 0;
const liveWritten: Array<{ index: string; id: string }> = [];
const liveRefreshMs: number[] = [];

async function prepare(mode: Mode, data: DashboardData): Promise<void> {
  if (mode === 'warm') return;
  if (mode === 'live') {
    const ops: unknown[] = [];
    for (let k = 0; k < LIVE_POSTS; k++) {
      const base = data.post(N + liveCounter++);
      const at = data.now - Math.floor(Math.random() * 3_600_000);
      const doc: PostDocument = { ...base, id: `live-${base.id}`, source: 'live', created_at: new Date(at).toISOString(), classified_at: new Date(at).toISOString(), indexed_at: new Date(data.now).toISOString() };
      const index = postsIndexFor(PREFIX, doc.created_at);
      liveWritten.push({ index, id: doc.id });
      ops.push({ index: { _index: index, _id: doc.id } }, doc);
    }
    await bulkOrThrow(ops);
    const t = performance.now();
    await es.indices.refresh({ index: postsAlias(PREFIX) });
    liveRefreshMs.push(performance.now() - t);
  }
  await es.indices.clearCache({ index: `${PREFIX}-*`, request: true });
}

async function measurePanel(panelId: string, variant: Variant, mode: Mode, data: DashboardData): Promise<PanelFigures> {
  const wall: number[] = [];
  const took: number[] = [];
  const isComputed = dashboard.panels.find((p) => p.id === panelId)!.result.kind === 'computed';
  for (let r = 0; r < WARMUP + RUNS; r++) {
    let ms = 0;
    const result = await again429(async () => {
      await prepare(mode, data);
      const t = performance.now();
      const out = await runPanel(deps, dashboard, panelId, variant.filters);
      ms = performance.now() - t;
      return out;
    });
    if (r < WARMUP) continue;
    wall.push(ms);
    took.push(result.took_ms);
  }
  const w = summary(wall);
  return { panel: panelId, variant: variant.id, mode, wall: w, es_took: isComputed ? null : summary(took), ok: w.p95 <= TARGET_PANEL_MS };
}

async function measureDashboard(variant: Variant, mode: Mode, data: DashboardData): Promise<DashboardFigures> {
  const wall: number[] = [];
  const slowest: number[] = [];
  for (let r = 0; r < WARMUP + RUNS; r++) {
    let ms = 0;
    const result = await again429(async () => {
      await prepare(mode, data);
      const t = performance.now();
      const out = await runDashboard(deps, dashboard, variant.filters);
      ms = performance.now() - t;
      return out;
    });
    if (r < WARMUP) continue;
    wall.push(ms);
    slowest.push(Math.max(...result.panels.map((p) => p.took_ms)));
  }
  const w = summary(wall);
  return { variant: variant.id, mode, wall: w, slowest_took: summary(slowest), ok: w.p95 <= TARGET_DASHBOARD_MS };
}

const MODE_NAMES: Record<Mode, string> = {
  uncached: 'uncached (request cache cleared before each run)',
  warm: 'warm (request cache answers)',
  live: `live (${LIVE_POSTS} new posts + refresh of today's index, request cache cleared, before each run)`,
};

function printPanels(rows: PanelFigures[]): void {
  const head = `${'panel'.padEnd(18)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)} ${'ES took p95'.padStart(12)}  target ${TARGET_PANEL_MS} ms`;
  let group = '';
  for (const r of rows) {
    const g = `${r.variant} — ${MODE_NAMES[r.mode]}`;
    if (g !== group) {
      group = g;
      say(`\n${g}, ${RUNS} runs (ms, wall time of runPanel)\n${head}`);
    }
    const n = (x: number) => x.toFixed(0).padStart(7);
    say(`${r.panel.padEnd(18)} ${n(r.wall.p50)} ${n(r.wall.p95)} ${n(r.wall.max)} ${(r.es_took ? r.es_took.p95.toFixed(0) : '—').padStart(12)}  ${r.ok ? 'OK' : 'over'}`);
  }
}

function printDashboards(rows: DashboardFigures[]): void {
  say(`\nwhole dashboard (runDashboard, ${dashboard.panels.length} panels concurrent), ${RUNS} runs (ms)`);
  // The slowest panel's took: ES's own time, except the precision panel's (computed in code: its wall time).
  say(`${'range — cache'.padEnd(40)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)} ${'slowest panel took p95'.padStart(23)}  target ${TARGET_DASHBOARD_MS} ms`);
  for (const r of rows) {
    const n = (x: number) => x.toFixed(0).padStart(7);
    say(`${`${r.variant} — ${r.mode}`.padEnd(40)} ${n(r.wall.p50)} ${n(r.wall.p95)} ${n(r.wall.max)} ${r.slowest_took.p95.toFixed(0).padStart(23)}  ${r.ok ? 'OK' : 'over'}`);
  }
}

async function measureAll(data: DashboardData, label: string) {
  const variants: Variant[] = [
    { id: `30 days (${addDays(data.lastDay, -29)} … ${data.lastDay})`, filters: { from: addDays(data.lastDay, -29), to: data.lastDay } },
    { id: `${DAYS} days (${data.firstDay} … ${data.lastDay})`, filters: { from: data.firstDay, to: data.lastDay } },
    { id: '30 days, region=35 label=hoax', filters: { from: addDays(data.lastDay, -29), to: data.lastDay, region: '35', label: 'hoax' } },
  ];
  say(`\n── ${label} ──`);
  const panels: PanelFigures[] = [];
  const dashboards: DashboardFigures[] = [];
  // Every variant uncached; the default range also warm and live.
  const plan: Array<[Variant, Mode]> = [];
  for (const mode of MODES) for (const v of mode === 'uncached' ? variants : variants.slice(0, 1)) plan.push([v, mode]);
  for (const [v, mode] of plan) {
    const group: PanelFigures[] = [];
    for (const p of dashboard.panels) group.push(await measurePanel(p.id, v, mode, data));
    printPanels(group);
    panels.push(...group);
  }
  for (const [v, mode] of plan) dashboards.push(await measureDashboard(v, mode, data));
  printDashboards(dashboards);
  if (retried > 0) say(`${retried} runs were refused with 429 (circuit breaker) and run again after a second; their times are the second try's`);
  if (liveRefreshMs.length > 0) {
    const s = summary(liveRefreshMs);
    say(`live mode: refresh of the posts after ${LIVE_POSTS} new posts took p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms`);
  }
  const node = await nodeFigures();
  say(`Elasticsearch heap ${fmt(node.es_heap_used_mb)} / ${fmt(node.es_heap_max_mb)} MB, fielddata (global ordinals) ${node.es_fielddata_mb} MB, global ordinals built in ${node.es_global_ordinals_build_ms_total ?? '?'} ms in all; this process RSS ${node.node_rss_mb} MB; Elasticsearch CPU ${node.es_cpu_percent ?? '?'} %, machine load (1 min) ${node.es_load_1m ?? '?'} on ${availableParallelism()} cores`);
  const retriedRuns = retried;
  retried = 0;
  return { label, panels, dashboards, retried_429: retriedRuns, live_refresh_ms: liveRefreshMs.length > 0 ? summary(liveRefreshMs.splice(0)) : null, node, indices: await indexFigures() };
}

async function removeLivePosts(): Promise<void> {
  if (liveWritten.length === 0) return;
  const ops = liveWritten.splice(0).map((w) => ({ delete: { _index: w.index, _id: w.id } }));
  await bulkOrThrow(ops);
  await es.indices.refresh({ index: postsAlias(PREFIX) });
}

async function setEagerOrdinals(on: boolean): Promise<void> {
  const properties = Object.fromEntries(AGG_KEYWORDS.map((f) => [f, { type: 'keyword' as const, eager_global_ordinals: on }]));
  await es.indices.putMapping({ index: `${PREFIX}-posts-*`, properties });
}

async function esVersion(): Promise<string> {
  const info = await es.nodes.info({ metric: ['jvm'], filter_path: ['nodes.*.version', 'nodes.*.jvm.mem.heap_max_in_bytes'] });
  const node = Object.values(info.nodes)[0];
  return `${node?.version ?? '?'}, one node, heap ${Math.round((node?.jvm?.mem?.heap_max_in_bytes ?? 0) / 1048576)} MB`;
}

// ── Main ──────────────────────────────────────────────────────────────────────────────────────────────────

const report: Record<string, unknown> = { started_at: new Date().toISOString(), posts: N, days: DAYS, runs: RUNS, warmup: WARMUP, prefix: PREFIX, targets: { panel_p95_ms: TARGET_PANEL_MS, dashboard_ms: TARGET_DASHBOARD_MS } };
try {
  let now = values.now !== undefined ? Date.parse(values.now) : Date.now();
  if (Number.isNaN(now)) throw new Error(`--now "${values.now}" is not a time`);
  let reused = false;
  if (values.reuse) {
    const meta = await es.get<{ posts: number; days: number; now: number }>({ index: META_INDEX, id: 'meta' }).catch(() => null);
    const count = await postsCount();
    if (meta?._source && meta._source.posts === N && meta._source.days === DAYS && count === N) {
      now = meta._source.now;
      reused = true;
      say(`reusing ${fmt(count)} posts under ${PREFIX} (indexed for ${new Date(now).toISOString()})`);
    } else say(`--reuse: ${PREFIX} holds ${count < 0 ? 'no' : fmt(count)} posts${meta?._source ? ` of a ${meta._source.posts}-post run` : ''}, not ${fmt(N)}: indexing`);
  }
  const data = new DashboardData({ now, days: DAYS });
  say(`clock ${new Date(now).toISOString()}, days ${data.firstDay} … ${data.lastDay} (Asia/Jakarta); Elasticsearch ${await esVersion()}`);
  if (!reused) {
    const loaded = await indexEverything(data);
    report.indexing = { seconds: Math.round(loaded.seconds), posts_per_s: Math.round(loaded.rate), refresh_seconds: Math.round(loaded.refreshSeconds * 10) / 10 };
    say(`indexed ${fmt(N)} posts in ${loaded.seconds.toFixed(0)} s (${fmt(Math.round(loaded.rate))} posts/s), final refresh ${loaded.refreshSeconds.toFixed(1)} s`);
  } else await installTemplates();
  await waitForMerges();
  await setEagerOrdinals(values['eager-ordinals']);
  const indices = await indexFigures();
  for (const i of indices) say(`  ${i.index.padEnd(36)} ${fmt(i.docs).padStart(10)} docs ${i.store_mb.toFixed(1).padStart(8)} MB ${String(i.segments).padStart(4)} segments`);
  report.clock = new Date(now).toISOString();
  report.eager_global_ordinals = values['eager-ordinals'];
  report.node_before = await nodeFigures();
  // A kept set merged by an earlier --force-merge run is not "as indexed": say so.
  const merged = indices.filter((i) => i.index.startsWith(`${PREFIX}-posts-`)).every((i) => i.segments <= 1);
  const sets = [await measureAll(data, `${merged ? 'one segment per posts index (merged by an earlier run)' : 'as indexed (no force-merge)'}${values['eager-ordinals'] ? ', eager global ordinals' : ''}`)];
  await removeLivePosts();
  if (values['force-merge']) {
    say('\nforce-merging the posts indices to one segment each…');
    const t = performance.now();
    await es.indices.forcemerge({ index: `${PREFIX}-posts-*`, max_num_segments: 1 }, { requestTimeout: 3_600_000 });
    const seconds = (performance.now() - t) / 1000;
    say(`force-merged in ${seconds.toFixed(0)} s`);
    report.force_merge_seconds = Math.round(seconds);
    sets.push(await measureAll(data, `force-merged to one segment per index${values['eager-ordinals'] ? ', eager global ordinals' : ''}`));
    await removeLivePosts();
  }
  report.sets = sets;
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
    say(`\nfigures written to ${values.json}`);
  }
} finally {
  await removeLivePosts().catch(() => {});
  if (!values.keep) {
    await again429(deleteOwnIndices);
    await again429(deleteOwnTemplates);
  } else say(`kept ${PREFIX}-* (re-run with --reuse; delete with: curl -XDELETE '127.0.0.1:9200/${PREFIX}-*')`);
  await es.close();
}
