/**
 * npm run bench:pipeline — how fast posts go from posts.raw to searchable in Elasticsearch, with all
 * services local on this machine, and where the time goes. Prints figures; asserts nothing.
 *
 *   1. sustained: N posts waiting on posts.raw, the classify + index stages started, time until all are
 *      searchable (counted every 100 ms, no forced refresh), and the steady-state rate from 10 % to 90 %;
 *   2. latency: posts produced at a steady rate; each post's produce time vs. the first time a search sees
 *      it (polled every 100 ms, so figures include up to one refresh interval, 1 s by default).
 *
 * Uses its own topics and index prefix and deletes the indices afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadClassifier } from '../classifier/index.ts';
import { loadConfig, type AppConfig } from '../config/config.ts';
import { localServicesStatus } from '../local-services/index.ts';
import { procStatFields } from '../local-services/process.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { createLogger } from '../core/log.ts';
import { registry } from '../core/metrics.ts';
import { openContext, type Endpoints, type PipelineContext } from '../pipeline/context.ts';
import { resolveEndpoints } from '../pipeline/endpoints.ts';
import { startWorkers } from '../pipeline/workers.ts';
import { postsAlias } from '../store/index-names.ts';
import { generatePosts } from './synthetic-posts.ts';

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '50000' },
    texts: { type: 'string', default: 'unique' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    partitions: { type: 'string', default: '6' },
    processes: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:pipeline -- [--posts 50000] [--texts unique|repost] [--rate 1000] [--seconds 30] [--partitions 6] [--processes 1]
--texts unique: nearly every post its own narrative (worst case); repost: near-duplicates of 240 messages.
--processes 1: the classify and index stages run in this process (figures per stage);
            N > 1: N worker processes (\`pantau work --stages classify,index\`) share the partitions.
Sustained posts/s from posts.raw to searchable, then ingest-to-searchable latency at a steady rate.`);
  process.exit(0);
}
const N = Number(values.posts);
const PROCESSES = Number(values.processes);
if (!Number.isInteger(PROCESSES) || PROCESSES < 1) {
  console.error(`--processes must be a whole number ≥ 1, not "${values.processes}"`);
  process.exit(2);
}
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const say = (s: string) => process.stdout.write(s + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metricSum(name: string, labels: Record<string, string> = {}): Promise<{ sum: number; count: number }> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  let sum = 0;
  let count = 0;
  for (const v of (metric?.values ?? []) as Array<{ metricName?: string; value: number; labels: Record<string, string | number> }>) {
    if (!Object.entries(labels).every(([k, want]) => v.labels[k] === want)) continue;
    if (v.metricName === `${name}_sum`) sum += v.value;
    if (v.metricName === `${name}_count`) count += v.value;
  }
  return { sum, count };
}

/** Posts searchable now. No forced refresh: "searchable" means after the index's own 1 s refresh. */
async function count(ctx: PipelineContext): Promise<number> {
  const index = postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix);
  return (await ctx.es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
}

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

/** The worker processes of `--processes N`, for their CPU figures. */
const children: ChildProcess[] = [];
const CLI = join(PROJECT_ROOT, 'src/cli/main.ts');

/** CPU seconds of the stage workers and of the local Kafka and Elasticsearch, when they run here. */
async function cpuNow(): Promise<Record<string, number | undefined>> {
  const result: Record<string, number | undefined> = {};
  if (children.length === 0) {
    const usage = process.cpuUsage();
    result['this Node process (both stages)'] = (usage.user + usage.system) / 1e6;
  }
  children.forEach((child, i) => (result[`worker process ${i + 1} (both stages)`] = child.pid === undefined ? undefined : treeCpuSeconds(child.pid)));
  for (const service of await localServicesStatus()) result[service.name] = service.pid === undefined ? undefined : treeCpuSeconds(service.pid);
  return result;
}

function printCpu(before: Record<string, number | undefined>, after: Record<string, number | undefined>, wallS: number): void {
  for (const [name, b] of Object.entries(before)) {
    const a = after[name];
    if (b === undefined || a === undefined) say(`  ${name.padEnd(34)} not measured (not a local process)`);
    else say(`  ${name.padEnd(34)} ${(a - b).toFixed(1).padStart(7)} CPU-s  ${(((a - b) / wallS) * 100).toFixed(0).padStart(4)}% of one core`);
  }
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
        const read = (chunk: Buffer) => {
          out = (out + chunk.toString('utf8')).slice(-20_000);
          if (out.includes('"stages running"')) resolveStarted();
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

/** Where the stage time went (in-process workers only: the figures come from this process's metrics). */
async function printStageTimes(sustainedS: number): Promise<void> {
  const classifyBatch = await metricSum('pantau_stage_batch_duration_seconds', { stage: 'classify' });
  const indexBatch = await metricSum('pantau_stage_batch_duration_seconds', { stage: 'index' });
  const model = await metricSum('pantau_model_duration_seconds');
  const bulk = await metricSum('pantau_sink_request_duration_seconds', { sink: 'elasticsearch' });
  const relevance = await metricSum('pantau_transform_duration_seconds', { transform: 'relevance' });
  const narratives = await metricSum('pantau_transform_duration_seconds', { transform: 'narratives' });
  const row = (name: string, s: number, note: string) => say(`  ${name.padEnd(34)} ${s.toFixed(1).padStart(7)} s  ${((s / sustainedS) * 100).toFixed(0).padStart(4)}% of wall  ${note}`);
  say('where the time goes (stage time overlaps: the stages run concurrently on 2 cores, with Kafka and Elasticsearch):');
  row('classify stage, batches', classifyBatch.sum, `${classifyBatch.count} batches`);
  row('  of which the model', model.sum, `${Math.round(N / model.sum)} posts/s while in the model`);
  row('  of which election relevance', relevance.sum, '');
  row('  of which narratives (registry)', narratives.sum, 'in memory, plus one log document per batch');
  row('  of which decode + produce scored', classifyBatch.sum - model.sum - relevance.sum - narratives.sum, '');
  row('index stage, batches', indexBatch.sum, `${indexBatch.count} batches`);
  row('  of which Elasticsearch bulk', bulk.sum, `${bulk.count} bulk requests, ${Math.round(N / bulk.count)} docs each`);
  row('  of which decode + commit', indexBatch.sum - bulk.sum, '');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main() {
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
  const logger = createLogger({ app: 'bench' }, { level: 'warn' });
  const endpoints = await resolveEndpoints(config, say);
  const ctx = await openContext(config, endpoints, logger);
  const classifier = await loadClassifier();
  say(`pantau bench:pipeline — ${N} posts, ${config.pipeline.kafka.topics.raw.partitions} partitions, model ${classifier.modelVersion} on ${classifier.backend}, Node ${process.version}`);
  const raw = config.pipeline.kafka.topics.raw.name;

  try {
    // 1. Sustained throughput.
    const texts = values.texts === 'repost' ? 'repost' : 'unique';
    const posts = generatePosts(N, run, texts);
    let t = performance.now();
    for (let i = 0; i < N; i += 2000) {
      await ctx.producer.send({ topic: raw, acks: -1, messages: posts.slice(i, i + 2000).map((p) => ({ key: p.id, value: JSON.stringify(p) })) });
    }
    const produceS = (performance.now() - t) / 1000;
    say(`texts: ${texts}`);
    say(`produce to posts.raw: ${N} posts in ${produceS.toFixed(1)} s = ${Math.round(N / produceS)} posts/s`);

    t = performance.now();
    const workers = PROCESSES === 1 ? await startWorkers(ctx, { classifier, stages: ['classify', 'index'] }) : await startWorkerProcesses(PROCESSES, config, endpoints);
    let lastReport = 0;
    // Steady state: from 10 % to 90 % searchable, leaving out the consumer group joins and the last batches.
    let at10: { ms: number; count: number; cpu: Record<string, number | undefined> } | undefined;
    let at90: { ms: number; count: number; cpu: Record<string, number | undefined> } | undefined;
    let firstMs: number | undefined;
    for (;;) {
      const c = await count(ctx);
      const now = performance.now();
      if (firstMs === undefined && c > 0) firstMs = now;
      if (!at10 && c >= N * 0.1) at10 = { ms: now, count: c, cpu: await cpuNow() };
      if (!at90 && c >= N * 0.9) at90 = { ms: now, count: c, cpu: await cpuNow() };
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

    if (PROCESSES === 1) await printStageTimes(sustainedS);
    say(`CPU used in the steady state (${steadyS.toFixed(1)} s × 2 cores = ${(2 * steadyS).toFixed(1)} CPU-s available):`);
    if (at10 && at90) printCpu(at10.cpu, at90.cpu, steadyS);

    // 2. Latency at a steady rate.
    const paced = generatePosts(RATE * SECONDS, `${run}-steady`, texts);
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
  } finally {
    const indices = Object.keys(await ctx.es.indices.get({ index: `${run}-*`, allow_no_indices: true, ignore_unavailable: true }));
    if (indices.length > 0) await ctx.es.indices.delete({ index: indices });
    const admin = ctx.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(config.pipeline.kafka.topics).map((t) => t.name) }).catch(() => {});
    await admin.disconnect();
    await ctx.close();
    classifier.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
