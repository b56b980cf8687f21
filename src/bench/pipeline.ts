/**
 * npm run bench:pipeline — how fast posts go from posts.raw to searchable in Elasticsearch, with all
 * services local on this machine, where the time goes, and how that compares with what Elasticsearch
 * takes alone. Prints figures; asserts nothing.
 *
 *   1. sustained: N posts waiting on posts.raw, the classify + index stages started, time until all are
 *      searchable (counted every 100 ms, no forced refresh), and the steady-state rate from 10 % to 90 %;
 *   2. Elasticsearch alone: the documents the index stage got (read back from posts.scored) bulk-indexed
 *      straight into fresh indices made from the same template, in bulk requests of the size the index stage
 *      sent, as many in flight as the index stage can have, through the same sink code and client;
 *   3. latency: posts produced at a steady rate; each post's produce time vs. the first time a search sees
 *      it (polled every 100 ms, so figures include up to one refresh interval, 1 s by default).
 *
 * Uses its own topics, index prefix and templates and deletes them afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadClassifier } from '../classifier/index.ts';
import { existsSync } from 'node:fs';
import { DEMO_CLARIFICATIONS_FILE, SHARED_DATA_DIR } from '../cli/paths.ts';
import { systemClock } from '../core/clock.ts';
import { importKnowledgeBase } from '../kb/import.ts';
import { readKbFile, readSharedDebunks } from '../kb/readers.ts';
import { loadClaimMatcher } from '../match/matcher.ts';
import { loadConfig, type AppConfig } from '../config/config.ts';
import { localServicesStatus } from '../local-services/index.ts';
import { procStatFields } from '../local-services/process.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { createLogger } from '../core/log.ts';
import { registry } from '../core/metrics.ts';
import { scoredPostSchema, type ScoredPost } from '../core/post.ts';
import { openContext, type Endpoints, type PipelineContext } from '../pipeline/context.ts';
import { resolveEndpoints } from '../pipeline/endpoints.ts';
import { clusterEnv, clusterStatus, upCluster } from '../local-services/cluster/index.ts';
import { startWorkers } from '../pipeline/workers.ts';
import { indexPosts } from '../sinks/elasticsearch-posts.ts';
import { postsAlias } from '../store/index-names.ts';
import { ensureIndexTemplates } from '../store/index-templates.ts';
import { generatePosts, TextRepeats, type TextStats } from './synthetic-posts.ts';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '50000' },
    texts: { type: 'string', default: 'unique' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    partitions: { type: 'string', default: '6' },
    processes: { type: 'string', default: '1' },
    match: { type: 'string', default: 'on' },
    cluster: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:pipeline -- [--posts 50000] [--texts unique|repost] [--rate 1000] [--seconds 30] [--partitions 6] [--processes 1] [--match on|off] [--cluster]
--texts unique: every post a new message (distinct content words, the worst case); repost: near-duplicates of 240 messages.
--processes 1: the classify and index stages run in this process (figures per stage);
            N > 1: N worker processes (\`pantau work --stages classify,index\`) share the partitions.
--match on: claim matching in the classify stage against the public debunks of ../shared/data (else the demo's
            clarifications), as the pipeline runs; off: without it (run both to see what matching costs).
--cluster: on the local secured cluster (npm run services -- up --cluster: three brokers with replication 3 and
            acks from all in-sync replicas, two Elasticsearch nodes with a replica, TLS and SASL), started if needed.
Sustained posts/s from posts.raw to searchable, the same documents bulk-indexed into Elasticsearch alone
(the limit), then ingest-to-searchable latency at a steady rate.`);
  process.exit(0);
}
const N = Number(values.posts);
const PROCESSES = Number(values.processes);
if (!Number.isInteger(PROCESSES) || PROCESSES < 1) {
  console.error(`--processes must be a whole number ≥ 1, not "${values.processes}"`);
  process.exit(2);
}
if (values.match !== 'on' && values.match !== 'off') {
  console.error(`--match takes on or off, not "${values.match}"`);
  process.exit(2);
}
const MATCH = values.match === 'on';
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const CORES = availableParallelism();
/** Bulk size of the Elasticsearch-alone run when the index stage's cannot be read (no metrics). */
const DEFAULT_ALONE_BULK = 1000;
const say = (s: string) => process.stdout.write(s + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (part: number, whole: number, digits = 0) => `${((part / whole) * 100).toFixed(digits)} %`;

// ── Metrics, from this process's registry or the worker processes' /metrics ────────────────────────────

/** Sum and count of a Prometheus histogram or summary in exposition text, over the series matching `labels`. */
function promSum(text: string, name: string, labels: Record<string, string> = {}): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? ([^ ]+)/.exec(line);
    if (!m || (m[1] !== `${name}_sum` && m[1] !== `${name}_count`)) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (!Object.entries(labels).every(([k, want]) => have.get(k) === want)) continue;
    if (m[1] === `${name}_sum`) sum += Number(m[3]);
    else count += Number(m[3]);
  }
  return { sum, count };
}

/** Metrics URLs of the worker processes (from their "stages running" log line). */
const childMetricsUrls: string[] = [];

async function metricsText(): Promise<string> {
  if (childMetricsUrls.length === 0) return registry.metrics();
  const texts = await Promise.all(childMetricsUrls.map(async (url) => (await fetch(url)).text()));
  return texts.join('\n');
}

// ── CPU: processes, the machine, Elasticsearch's own accounts ───────────────────────────────────────────

/** CPU seconds used so far by a process and its descendants (Linux /proc; undefined elsewhere). */
function treeCpuSeconds(rootPid: number): number | undefined {
  const ticks = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; cpu: number }>();
  let names: string[];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const rest = procStatFields(readFileSync(`/proc/${name}/stat`, 'utf8'));
      stats.set(Number(name), { ppid: Number(rest[1]), cpu: (Number(rest[11]) + Number(rest[12])) / ticks });
    } catch {
      // The process ended meanwhile.
    }
  }
  if (!stats.has(rootPid)) return undefined;
  let total = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    total += stats.get(pid)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) queue.push(child);
  }
  return total;
}

/** The machine's CPU time by state (Linux /proc/stat, in ticks), or undefined elsewhere. */
function machineCpu(): Record<string, number> | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    return { user: user + nice, system: system + irq + softirq, idle, iowait, steal };
  } catch {
    return undefined;
  }
}

/** The worker processes of `--processes N`, for their CPU figures. */
const children: ChildProcess[] = [];
const CLI = join(PROJECT_ROOT, 'src/cli/main.ts');

interface CpuSample {
  processes: Record<string, number | undefined>;
  machine: Record<string, number> | undefined;
}

/** CPU seconds of the stage workers and of the local Kafka and Elasticsearch, when they run here. */
async function cpuNow(): Promise<CpuSample> {
  const result: Record<string, number | undefined> = {};
  if (children.length === 0) {
    const usage = process.cpuUsage();
    result['this Node process (stages + bench)'] = (usage.user + usage.system) / 1e6;
  }
  children.forEach((child, i) => (result[`worker process ${i + 1} (both stages)`] = child.pid === undefined ? undefined : treeCpuSeconds(child.pid)));
  const services = values.cluster ? await clusterStatus() : await localServicesStatus();
  for (const service of services) result[service.name] = service.pid === undefined ? undefined : treeCpuSeconds(service.pid);
  return { processes: result, machine: machineCpu() };
}

function printCpu(before: CpuSample, after: CpuSample, wallS: number): void {
  for (const [name, b] of Object.entries(before.processes)) {
    const a = after.processes[name];
    if (b === undefined || a === undefined) say(`  ${name.padEnd(34)} not measured (not a local process)`);
    else say(`  ${name.padEnd(34)} ${(a - b).toFixed(1).padStart(7)} CPU-s  ${(((a - b) / wallS) * 100).toFixed(0).padStart(4)}% of one core`);
  }
  if (before.machine && after.machine) {
    const diff = Object.fromEntries(Object.entries(after.machine).map(([k, v]) => [k, v - before.machine![k]!]));
    const total = Object.values(diff).reduce((s, v) => s + v, 0);
    say(`  the whole machine (${CORES} cores): ${Object.entries(diff).map(([k, v]) => `${k} ${pct(v, total)}`).join(', ')} (steal: taken by other virtual machines on the host)`);
    // What the machine was busy with besides the processes above: other users of this shared machine.
    const busyCores = ((diff.user! + diff.system!) / total) * CORES;
    const ours = Object.keys(before.processes).reduce((sum, name) => sum + ((after.processes[name] ?? 0) - (before.processes[name] ?? 0)), 0) / wallS;
    say(`  other processes on this machine: ${Math.max(0, (busyCores - ours) * 100).toFixed(0)}% of one core`);
  }
}

/** CPU milliseconds per item (post or document) of the workers, Elasticsearch and Kafka between two samples. */
function cpuPerItem(before: CpuSample, after: CpuSample, items: number): { workers: number; elasticsearch: number; kafka: number; total: number } {
  const used = (match: (name: string) => boolean) =>
    Object.keys(before.processes)
      .filter(match)
      .reduce((s, name) => s + ((after.processes[name] ?? 0) - (before.processes[name] ?? 0)), 0);
  const ms = (cpuS: number) => (cpuS * 1000) / items;
  // Single node: "kafka", "elasticsearch"; cluster: kafka-1…3, es-1, es-2, es-tiebreaker.
  const isKafka = (n: string) => n === 'kafka' || n.startsWith('kafka-');
  const isElasticsearch = (n: string) => n === 'elasticsearch' || n.startsWith('es-');
  const workers = ms(used((n) => !isKafka(n) && !isElasticsearch(n)));
  const elasticsearch = ms(used(isElasticsearch));
  const kafka = ms(used(isKafka));
  return { workers, elasticsearch, kafka, total: workers + elasticsearch + kafka };
}

interface EsWork {
  indexMs: number;
  docs: number;
  refreshMs: number;
  refreshes: number;
  mergeMs: number;
  queryMs: number;
  queries: number;
  fetchMs: number;
}

interface EsSnapshot {
  /** Elasticsearch's process CPU and GC time (the whole node: other users of it included). */
  cpuMs: number;
  gcMs: number;
  node: EsWork;
  /** This run's indices, by kind (posts, narrative-log, narratives, ...). */
  byKind: Map<string, EsWork>;
}

interface IndexStatsTotals {
  indexing?: { index_total?: number; index_time_in_millis?: number };
  refresh?: { total?: number; total_time_in_millis?: number };
  merges?: { total_time_in_millis?: number };
  search?: { query_total?: number; query_time_in_millis?: number; fetch_time_in_millis?: number };
}

const workOf = (t: IndexStatsTotals | undefined): EsWork => ({
  indexMs: t?.indexing?.index_time_in_millis ?? 0,
  docs: t?.indexing?.index_total ?? 0,
  refreshMs: t?.refresh?.total_time_in_millis ?? 0,
  refreshes: t?.refresh?.total ?? 0,
  mergeMs: t?.merges?.total_time_in_millis ?? 0,
  queryMs: t?.search?.query_time_in_millis ?? 0,
  queries: t?.search?.query_total ?? 0,
  fetchMs: t?.search?.fetch_time_in_millis ?? 0,
});

const addWork = (a: EsWork, b: EsWork, sign = 1): EsWork =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + sign * b[k as keyof EsWork]])) as unknown as EsWork;

/** Elasticsearch's own accounts: node stats, and the stats of the indices under `prefix`. */
async function esSnapshot(ctx: PipelineContext, prefix: string): Promise<EsSnapshot> {
  // Every node (one locally, three on the cluster), summed: with replicas each document is indexed twice.
  const nodes = Object.values((await ctx.es.nodes.stats({ metric: ['process', 'jvm', 'indices'] })).nodes);
  const gc = nodes.reduce((sum, node) => sum + Object.values(node.jvm?.gc?.collectors ?? {}).reduce((s, c) => s + (c.collection_time_in_millis ?? 0), 0), 0);
  const byKind = new Map<string, EsWork>();
  const stats = await ctx.es.indices.stats({ index: `${prefix}-*`, metric: ['indexing', 'refresh', 'merge', 'search'], expand_wildcards: 'open' });
  for (const [name, s] of Object.entries(stats.indices ?? {})) {
    const kind = name.slice(prefix.length + 1).replace(/-\d{4}\.\d{2}$/, '');
    byKind.set(kind, addWork(byKind.get(kind) ?? workOf(undefined), workOf(s.total as IndexStatsTotals)));
  }
  const cpuMs = nodes.reduce((sum, node) => sum + (node.process?.cpu?.total_in_millis ?? 0), 0);
  const work = nodes.reduce((sum, node) => addWork(sum, workOf(node.indices as IndexStatsTotals)), workOf(undefined));
  return { cpuMs, gcMs: gc, node: work, byKind };
}

function printEsWork(before: EsSnapshot, after: EsSnapshot, wallS: number): void {
  const line = (name: string, w: EsWork) =>
    say(
      `  ${name.padEnd(22)} indexing ${(w.indexMs / 1000).toFixed(1).padStart(5)} s (${w.docs} docs, ${w.docs > 0 ? ((w.indexMs / w.docs) * 1000).toFixed(0) : '-'} ms per 1,000)` +
        `, refresh ${(w.refreshMs / 1000).toFixed(1)} s (${w.refreshes}), merges ${(w.mergeMs / 1000).toFixed(1)} s, search ${((w.queryMs + w.fetchMs) / 1000).toFixed(1)} s (${w.queries} queries)`,
    );
  const kinds = new Set([...before.byKind.keys(), ...after.byKind.keys()]);
  let ours = workOf(undefined);
  for (const kind of [...kinds].sort()) {
    const w = addWork(after.byKind.get(kind) ?? workOf(undefined), before.byKind.get(kind) ?? workOf(undefined), -1);
    ours = addWork(ours, w);
    line(`${kind} indices`, w);
  }
  line('rest of the node', addWork(addWork(after.node, before.node, -1), ours, -1));
  say(`  Elasticsearch (all nodes) CPU ${((after.cpuMs - before.cpuMs) / 1000).toFixed(1)} s (${pct((after.cpuMs - before.cpuMs) / 1000, wallS)} of one core), GC ${((after.gcMs - before.gcMs) / 1000).toFixed(1)} s`);
}

/** Waits (up to `maxMs`) until the node runs no merge, so one phase's merging does not land in the next. */
async function mergesSettled(ctx: PipelineContext, maxMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < maxMs) {
    const nodes = (await ctx.es.nodes.stats({ metric: ['indices'], index_metric: ['merge'] })).nodes;
    if (Object.values(nodes).every((node) => (node.indices?.merges?.current ?? 0) === 0)) break;
    await sleep(250);
  }
  return (performance.now() - start) / 1000;
}

// ── The stages ─────────────────────────────────────────────────────────────────────────────────────────

/** Posts searchable now. No forced refresh: "searchable" means after the index's own 1 s refresh. */
async function count(ctx: PipelineContext): Promise<number> {
  const index = postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix);
  return (await ctx.es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
}

/**
 * Starts N `pantau work` processes on the bench's topics and indices (a pipeline file written next to the
 * real one, so its relative paths still resolve); resolves once each logged that its stages run.
 */
async function startWorkerProcesses(n: number, config: AppConfig, endpoints: Endpoints): Promise<{ stop: () => Promise<void> }> {
  const file = join(config.pipelineDir, `.bench-${config.pipeline.elasticsearch.indexPrefix}.pipeline.json`);
  writeFileSync(file, JSON.stringify({ ...config.pipeline, metrics: { host: '127.0.0.1', port: 0 } }, null, 2));
  const env = { ...process.env, PANTAU_PIPELINE: file, KAFKA_BROKERS: endpoints.kafkaBrokers.join(','), ELASTICSEARCH_URL: endpoints.elasticsearchUrl, LOG_LEVEL: 'info' };
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, [...process.execArgv, CLI, 'work', '--stages', 'classify,index'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    running.push(
      new Promise((resolveStarted, reject) => {
        // The log (JSON lines on stderr) is kept for an error message, not shown: rebalances are expected here.
        let out = '';
        let started = false;
        const read = (chunk: Buffer) => {
          out = (out + chunk.toString('utf8')).slice(-20_000);
          if (!started && out.includes('"stages running"')) {
            started = true;
            const url = /"metrics":"(http:[^"]+)"/.exec(out.slice(out.indexOf('"stages running"') - 2000))?.[1];
            if (url) childMetricsUrls.push(url);
            resolveStarted();
          }
        };
        child.stdout!.on('data', read);
        child.stderr!.on('data', read);
        child.once('exit', (code) => reject(new Error(`worker process ${i + 1} exited with ${code} before its stages ran:\n${out.slice(-2000)}`)));
      }),
    );
  }
  await Promise.all(running);
  return {
    stop: async () => {
      await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise<void>((r) => (c.once('exit', () => r()), c.kill('SIGTERM'))))));
      rmSync(file, { force: true });
    },
  };
}

interface StageTimes {
  indexBulks: number;
  bulkWallS: number;
  bulkTookS: number;
}

/** Where the stage time went (from the stages' metrics: this process's, or the worker processes'). */
async function printStageTimes(sustainedS: number, steadyS: number): Promise<StageTimes> {
  const text = await metricsText();
  const classifyBatch = promSum(text, 'pantau_stage_batch_duration_seconds', { stage: 'classify' });
  const indexBatch = promSum(text, 'pantau_stage_batch_duration_seconds', { stage: 'index' });
  const model = promSum(text, 'pantau_model_duration_seconds');
  const bulk = promSum(text, 'pantau_sink_request_duration_seconds', { sink: 'elasticsearch' });
  const took = promSum(text, 'pantau_elasticsearch_bulk_took_seconds');
  const relevance = promSum(text, 'pantau_transform_duration_seconds', { transform: 'relevance' });
  const narratives = promSum(text, 'pantau_transform_duration_seconds', { transform: 'narratives' });
  const match = promSum(text, 'pantau_transform_duration_seconds', { transform: 'match' });
  const row = (name: string, s: number, note: string) => say(`  ${name.padEnd(34)} ${s.toFixed(1).padStart(7)} s  ${((s / sustainedS) * 100).toFixed(0).padStart(4)}% of wall  ${note}`);
  say(`where the time goes over the whole ${sustainedS.toFixed(1)} s (stage time overlaps: ${PROCESSES} process${PROCESSES > 1 ? 'es' : ''}, up to 3 partitions at once each, on ${CORES} cores shared with Kafka and Elasticsearch; ${steadyS.toFixed(1)} s of it steady):`);
  row('classify stage, batches', classifyBatch.sum, `${classifyBatch.count} batches`);
  row('  of which the model', model.sum, `${Math.round(N / model.sum)} posts/s while in the model`);
  row('  of which election relevance', relevance.sum, '');
  row('  of which narratives (registry)', narratives.sum, 'in memory, plus one log document per batch');
  row('  of which claim matching', match.sum, MATCH ? 'narratives not seen before, candidates only' : 'off');
  row('  of which decode + produce scored', classifyBatch.sum - model.sum - relevance.sum - narratives.sum - match.sum, '');
  row('index stage, batches', indexBatch.sum, `${indexBatch.count} batches`);
  row('  of which Elasticsearch bulk', bulk.sum, `${bulk.count} bulk requests, ${Math.round(N / Math.max(1, bulk.count))} docs each, ${((bulk.sum / Math.max(1, bulk.count)) * 1000).toFixed(0)} ms each`);
  row('    of which Elasticsearch (took)', took.sum, `${((took.sum / Math.max(1, took.count)) * 1000).toFixed(0)} ms per request in Elasticsearch; the rest: network, JSON, waiting for the event loop`);
  row('  of which decode + commit', indexBatch.sum - bulk.sum, '');
  return { indexBulks: bulk.count, bulkWallS: bulk.sum, bulkTookS: took.sum };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function describeRepeats(s: TextStats): string {
  return (
    `${s.repeatedTexts} repeat an earlier text (${pct(s.repeatedTexts, s.posts, 2)}), ${s.repeatedSimhashes} an earlier SimHash ` +
    `(${pct(s.repeatedSimhashes, s.posts, 2)}: the narrative cache answers them), ${s.nearDuplicates} are near-duplicates of an earlier post ` +
    `(${pct(s.nearDuplicates, s.posts, 2)}: they join its narrative), ${s.withoutSimhash} too short for a narrative`
  );
}

/** The scored posts of the sustained phase, as the index stage got them (all of posts.scored so far). */
async function captureScored(ctx: PipelineContext, groupId: string, n: number): Promise<ScoredPost[]> {
  const consumer = ctx.kafka.consumer({ groupId, maxBytes: 64 * 1024 * 1024 });
  const posts: ScoredPost[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: ctx.config.pipeline.kafka.topics.scored.name, fromBeginning: true });
    await new Promise<void>((resolveAll, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) posts.push(scoredPostSchema.parse(JSON.parse(m.value!.toString('utf8'))));
            if (posts.length >= n) resolveAll();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  // A rebalance can deliver a message twice: each post once, as the index stage would have overwritten it.
  return [...new Map(posts.map((p) => [p.id, p])).values()];
}

/**
 * Elasticsearch alone: `posts` bulk-indexed with the index stage's sink (same client, same requests) into
 * fresh indices of the posts template under `prefix`, `bulkSize` documents per request, `inFlight` requests
 * at once. Resolves with the seconds until every request was acknowledged.
 */
async function indexAlone(ctx: PipelineContext, posts: ScoredPost[], prefix: string, bulkSize: number, inFlight: number): Promise<number> {
  const { pipeline } = ctx.config;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < posts.length) {
        const slice = posts.slice(next, next + bulkSize);
        next += bulkSize;
        const rejected = await indexPosts(ctx.es, slice, { prefix, maxAttempts: pipeline.index.maxAttempts, retryBaseMs: pipeline.index.retryBaseMs, clock: ctx.clock });
        if (rejected.length > 0) throw new Error(`Elasticsearch alone: ${rejected.length} documents rejected, e.g. ${rejected[0]!.reason}`);
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

/** Deletes the indices matching `pattern` (deletes by wildcard are refused: they are named here). */
async function deleteIndices(ctx: PipelineContext, pattern: string): Promise<void> {
  const indices = Object.keys(await ctx.es.indices.get({ index: pattern, allow_no_indices: true, ignore_unavailable: true }));
  if (indices.length > 0) await ctx.es.indices.delete({ index: indices });
}

async function main() {
  // The cluster's addresses and credentials go into the environment, so the worker processes get them too.
  if (values.cluster) {
    await upCluster({ log: say });
    Object.assign(process.env, await clusterEnv());
  }
  const config = loadConfig();
  const run = `bench-${Date.now().toString(36)}`;
  for (const t of Object.values(config.pipeline.kafka.topics)) {
    t.name = `${run}.${t.name}`;
    t.partitions = Number(values.partitions);
  }
  const groups = config.pipeline.kafka.groups;
  groups.classify = `${run}-classify`;
  groups.index = `${run}-index`;
  groups.alerts = `${run}-alerts`;
  config.pipeline.elasticsearch.indexPrefix = run;
  const alonePrefix = `${run}-alone`;
  const logger = createLogger({ app: 'bench' }, { level: 'warn' });
  const endpoints = await resolveEndpoints(config, say);
  config.pipeline.match.enabled = MATCH;
  const ctx = await openContext(config, endpoints, logger);
  const classifier = await loadClassifier();
  const claimMatcher = MATCH ? await loadClaimMatcher() : undefined;
  if (MATCH) {
    const input = existsSync(SHARED_DATA_DIR) ? { entries: readSharedDebunks(SHARED_DATA_DIR).entries, rejected: [] } : readKbFile(DEMO_CLARIFICATIONS_FILE);
    const kb = await importKnowledgeBase({ es: ctx.es, prefix: run, input, clock: systemClock });
    say(`claim matching on: ${kb.created + kb.alreadyPresent} knowledge-base claims (${existsSync(SHARED_DATA_DIR) ? 'public debunks' : 'demo clarifications'})`);
  } else say('claim matching off');
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  say(`pantau bench:pipeline — ${N} posts, ${config.pipeline.kafka.topics.raw.partitions} partitions, ${PROCESSES} worker process${PROCESSES > 1 ? 'es' : ''}, model ${classifier.modelVersion} on ${classifier.backend}, Node ${process.version}`);
  say(`machine: ${CORES} cores, load average ${load} (1, 5, 15 min) before the run`);
  const raw = config.pipeline.kafka.topics.raw.name;

  try {
    const texts = values.texts === 'repost' ? 'repost' : 'unique';
    const posts = generatePosts(N, run, texts);
    const paced = generatePosts(RATE * SECONDS, `${run}-steady`, texts);
    const repeats = new TextRepeats();
    for (const p of posts) repeats.add(p.text);
    const sustainedRepeats = repeats.stats();
    for (const p of paced) repeats.add(p.text);
    const all = repeats.stats();
    const latencyRepeats: TextStats = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v - sustainedRepeats[k as keyof TextStats]])) as unknown as TextStats;
    say(`texts: ${texts}, ${Math.round(posts.reduce((s, p) => s + p.text.length, 0) / N)} characters on average`);
    say(`  of the ${N} posts: ${describeRepeats(sustainedRepeats)}`);
    say(`  of the ${paced.length} posts of the latency run (after those): ${describeRepeats(latencyRepeats)}`);

    // 1. Sustained throughput.
    let t = performance.now();
    for (let i = 0; i < N; i += 2000) {
      await ctx.producer.send({ topic: raw, acks: -1, messages: posts.slice(i, i + 2000).map((p) => ({ key: p.id, value: JSON.stringify(p) })) });
    }
    const produceS = (performance.now() - t) / 1000;
    say(`produce to posts.raw: ${N} posts in ${produceS.toFixed(1)} s = ${Math.round(N / produceS)} posts/s`);

    const loop = monitorEventLoopDelay({ resolution: 10 });
    t = performance.now();
    const workers =
      PROCESSES === 1 ? await startWorkers(ctx, { classifier, ...(claimMatcher ? { claimMatcher } : {}), stages: ['classify', 'index'] }) : await startWorkerProcesses(PROCESSES, config, endpoints);
    let lastReport = 0;
    // Steady state: from 10 % to 90 % searchable, leaving out the consumer group joins and the last batches.
    type Mark = { ms: number; count: number; cpu: CpuSample; es: EsSnapshot };
    let at10: Mark | undefined;
    let at90: Mark | undefined;
    let firstMs: number | undefined;
    for (;;) {
      const c = await count(ctx);
      const now = performance.now();
      if (firstMs === undefined && c > 0) firstMs = now;
      if (!at10 && c >= N * 0.1) {
        at10 = { ms: now, count: c, cpu: await cpuNow(), es: await esSnapshot(ctx, run) };
        loop.enable();
      }
      if (!at90 && c >= N * 0.9) {
        loop.disable();
        at90 = { ms: now, count: c, cpu: await cpuNow(), es: await esSnapshot(ctx, run) };
      }
      if (c >= N) break;
      if (now - lastReport > 5000) {
        lastReport = now;
        say(`  … ${c} searchable after ${((now - t) / 1000).toFixed(0)} s`);
      }
      await sleep(100);
    }
    const sustainedS = (performance.now() - t) / 1000;
    const steadyS = at10 && at90 ? (at90.ms - at10.ms) / 1000 : NaN;
    const steady = at10 && at90 && at90.ms > at10.ms ? (at90.count - at10.count) / steadyS : NaN;
    say(`sustained: ${N} posts from posts.raw to searchable in ${sustainedS.toFixed(1)} s = ${Math.round(N / sustainedS)} posts/s including start-up${PROCESSES > 1 ? ' (worker processes, model loads, ' : ' ('}consumer group joins);`);
    say(`           steady state (10 % → 90 % searchable): ${Math.round(steady)} posts/s; first post searchable after ${(((firstMs ?? NaN) - t) / 1000).toFixed(1)} s (group joins, first fetch, first refresh)`);

    const stages = await printStageTimes(sustainedS, steadyS);
    if (PROCESSES === 1) {
      say(`  event loop delay of this process in the steady state: mean ${(loop.mean / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms`);
    }
    say(`CPU used in the steady state (${steadyS.toFixed(1)} s × ${CORES} cores = ${(CORES * steadyS).toFixed(1)} CPU-s available):`);
    let perPost: ReturnType<typeof cpuPerItem> | undefined;
    if (at10 && at90) {
      printCpu(at10.cpu, at90.cpu, steadyS);
      perPost = cpuPerItem(at10.cpu, at90.cpu, at90.count - at10.count);
      say(
        `  per post: workers ${perPost.workers.toFixed(3)} ms, Elasticsearch ${perPost.elasticsearch.toFixed(3)} ms, Kafka ${perPost.kafka.toFixed(3)} ms = ${perPost.total.toFixed(3)} CPU-ms: ` +
          `at that cost ${CORES} cores carry at most ${Math.round((CORES * 1000) / perPost.total)} posts/s`,
      );
    }
    say(`Elasticsearch's own accounts in the steady state (node stats; "rest of the node": other users of this Elasticsearch, the bench's counting):`);
    if (at10 && at90) printEsWork(at10.es, at90.es, steadyS);

    // 2. Elasticsearch alone, on the same documents.
    const scored = await captureScored(ctx, `${run}-capture`, N);
    const bulkSize = stages.indexBulks > 0 ? Math.round(N / stages.indexBulks) : DEFAULT_ALONE_BULK;
    const inFlight = config.pipeline.kafka.partitionsConsumedConcurrently * PROCESSES;
    await ensureIndexTemplates(ctx.es, { files: config.pipeline.elasticsearch.templates.filter((f) => f.includes('posts.template')), baseDir: config.pipelineDir, prefix: alonePrefix, logger });
    const settledS = await mergesSettled(ctx, 60_000);
    const beforeAlone = { cpu: await cpuNow(), es: await esSnapshot(ctx, alonePrefix), metrics: await registry.metrics() };
    const aloneS = await indexAlone(ctx, scored, alonePrefix, bulkSize, inFlight);
    const afterAlone = { cpu: await cpuNow(), es: await esSnapshot(ctx, alonePrefix), metrics: await registry.metrics() };
    const aloneRate = scored.length / aloneS;
    const diff = (name: string) => {
      const [a, b] = [promSum(afterAlone.metrics, name), promSum(beforeAlone.metrics, name)];
      return { sum: a.sum - b.sum, count: a.count - b.count };
    };
    const [aloneBulk, aloneTook] = [diff('pantau_sink_request_duration_seconds'), diff('pantau_elasticsearch_bulk_took_seconds')];
    say(
      `Elasticsearch alone: the same ${scored.length} documents (read back from posts.scored) into fresh indices of the same template, ` +
        `${bulkSize} per bulk request (the index stage's mean), ${inFlight} requests in flight (the index stage's most), same sink and client (merges of the pipeline's index settled in ${settledS.toFixed(1)} s first):`,
    );
    say(`  ${scored.length} documents in ${aloneS.toFixed(1)} s = ${Math.round(aloneRate)} docs/s; ${aloneBulk.count} bulk requests, ${((aloneBulk.sum / Math.max(1, aloneBulk.count)) * 1000).toFixed(0)} ms each, of which ${((aloneTook.sum / Math.max(1, aloneTook.count)) * 1000).toFixed(0)} ms in Elasticsearch (took)`);
    say(
      `  the pipeline's steady state is ${pct(steady, aloneRate)} of that; its bulk requests took ${((stages.bulkWallS / Math.max(1, stages.indexBulks)) * 1000).toFixed(0)} ms each, ` +
        `${((stages.bulkTookS / Math.max(1, stages.indexBulks)) * 1000).toFixed(0)} ms in Elasticsearch`,
    );
    say(`  CPU while Elasticsearch indexed alone (${aloneS.toFixed(1)} s × ${CORES} cores = ${(CORES * aloneS).toFixed(1)} CPU-s available):`);
    printCpu(beforeAlone.cpu, afterAlone.cpu, aloneS);
    say(`  Elasticsearch's own accounts:`);
    printEsWork(beforeAlone.es, afterAlone.es, aloneS);
    // Indexing alone for a few seconds leaves its merges for later; the pipeline's steady state pays its own.
    const mergedS = await mergesSettled(ctx, 60_000);
    const merged = { cpu: await cpuNow(), es: await esSnapshot(ctx, alonePrefix) };
    const esAlone = cpuPerItem(beforeAlone.cpu, merged.cpu, scored.length).elasticsearch;
    const mergeMs = [...merged.es.byKind.values()].reduce((sum, w) => sum + w.mergeMs, 0) - [...afterAlone.es.byKind.values()].reduce((sum, w) => sum + w.mergeMs, 0);
    say(
      `  then merges for ${mergedS.toFixed(1)} s (${(mergeMs / 1000).toFixed(1)} s of merge time); Elasticsearch CPU per document alone, merges included: ${esAlone.toFixed(3)} ms` +
        (perPost ? ` (in the pipeline: ${perPost.elasticsearch.toFixed(3)} ms per post)` : ''),
    );
    await deleteIndices(ctx, `${alonePrefix}-*`);

    // 3. Latency at a steady rate.
    const sentAt = new Map<string, number>();
    const seenAt = new Map<string, number>();
    const index = postsAlias(config.pipeline.elasticsearch.indexPrefix);
    let polling = true;
    let stoppedAt = 0;
    const poller = (async () => {
      while (polling || seenAt.size < sentAt.size) {
        // Only what was indexed lately: at 1,000 posts/s a wider window would pass the 10,000-hit page.
        const r = await ctx.es.search<{ id: string }>({
          index,
          size: 10_000,
          _source: ['id'],
          query: { bool: { filter: [{ prefix: { id: `gen-${run}-steady-` } }, { range: { indexed_at: { gte: 'now-5s' } } }] } },
        });
        const now = performance.now();
        for (const h of r.hits.hits) if (!seenAt.has(h._source!.id)) seenAt.set(h._source!.id, now);
        if (!polling && performance.now() - stoppedAt > 30_000) break;
        await sleep(100);
      }
    })();
    const start = performance.now();
    const perTick = RATE / 10;
    for (let tick = 0; tick < SECONDS * 10; tick++) {
      const due = start + tick * 100;
      if (due > performance.now()) await sleep(due - performance.now());
      const batch = paced.slice(tick * perTick, (tick + 1) * perTick);
      const now = performance.now();
      for (const p of batch) sentAt.set(p.id, now);
      await ctx.producer.send({ topic: raw, acks: -1, messages: batch.map((p) => ({ key: p.id, value: JSON.stringify(p) })) });
    }
    polling = false;
    stoppedAt = performance.now();
    await poller;
    const lat = [...sentAt].filter(([id]) => seenAt.has(id)).map(([id, s]) => seenAt.get(id)! - s).sort((a, b) => a - b);
    say(`latency at ${RATE} posts/s for ${SECONDS} s (produce → searchable, 100 ms polling, 1 s refresh interval):`);
    say(`  seen ${lat.length} of ${sentAt.size}; p50 ${percentile(lat, 50).toFixed(0)} ms, p90 ${percentile(lat, 90).toFixed(0)} ms, p99 ${percentile(lat, 99).toFixed(0)} ms, max ${lat.at(-1)?.toFixed(0)} ms`);
    await workers.stop();
    say(`machine load average after the run: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await deleteIndices(ctx, `${run}-*`);
    const templates = (await ctx.es.indices.getIndexTemplate({ name: `${run}-*` }).catch(() => ({ index_templates: [] }))).index_templates.map((t) => t.name);
    if (templates.length > 0) await ctx.es.indices.deleteIndexTemplate({ name: templates.join(',') });
    const admin = ctx.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(config.pipeline.kafka.topics).map((t) => t.name) }).catch(() => {});
    await admin.deleteGroups([`${run}-capture`]).catch(() => {});
    await admin.disconnect();
    await ctx.close();
    classifier.dispose();
    claimMatcher?.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
