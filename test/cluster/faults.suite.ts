/**
 * Faults on the local secured cluster (3 Kafka brokers with TLS + SCRAM, 2 Elasticsearch data nodes and a
 * tiebreaker over HTTPS), each with 20,000 posts through the real pipeline: two `pantau work` processes
 * (classify, index, alerts) and a webhook receiver. The posts are produced over ~20 s with acks=-1, so the
 * fault lands mid-stream. Each scenario has its own topics (3 partitions, replication factor 3 from the broker
 * default, min.insync.replicas 2), groups, index prefix and receiver, and ends with exactly 20,000 documents
 * and every alert delivered exactly once (test/helpers/fault-stream.ts says what that means precisely).
 * Figures are printed, never asserted.
 *
 * Run with PANTAU_CLUSTER_PORT_OFFSET set when another cluster runs on the same machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import type { AppConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import {
  clusterConnection,
  connectionEnv,
  killBroker,
  killElasticsearchNode,
  restartBroker,
  startBroker,
  startElasticsearchNode,
  stopBroker,
  waitForElasticsearchGreen,
  type BrokerId,
  type ClusterConnection,
  type ElasticsearchNodeName,
} from '../../src/local-services/cluster/index.ts';
import { openContext, type PipelineContext } from '../../src/pipeline/context.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, waitFor } from '../helpers/cluster.ts';
import { startDelayProxy, type DelayProxy } from '../helpers/delay-proxy.ts';
import { clusterIsolatedConfig, expectExactlyOnce, IndexSampler, producePaced, type ProduceFigures } from '../helpers/fault-stream.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { generatePosts, spawnWorker, writePipelineFile, type WorkerProcess } from '../helpers/worker-process.ts';

const N = 20_000;
const ARTIFACTS = join(PROJECT_ROOT, 'test/artifacts/faults');
const STREAM_MS = 20_000;
const BROKERS: BrokerId[] = [1, 2, 3];
const DATA_NODES: ElasticsearchNodeName[] = ['es-1', 'es-2'];

const log = (line: string) => process.stdout.write(`  ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The worker's log lines that are not routine. */
const problems = (output: string) =>
  output
    .split('\n')
    .filter((l) => /warn|error|crash|fatal/i.test(l) && !/Heartbeat|re-joining|ECONNREFUSED|seed broker/.test(l))
    .slice(-40)
    .join('\n');

interface Scenario {
  tag: string;
  config: AppConfig;
  ctx: PipelineContext;
  receiver: WebhookReceiver;
  workers: WorkerProcess[];
  admin: Admin;
  sampler: IndexSampler;
}

describe('faults on the local cluster, 20,000 posts each', () => {
  let connection: ClusterConnection;
  /** The env of a pantau process on this cluster, given both data nodes. */
  let env: Record<string, string>;
  const scenarios: Scenario[] = [];
  let current: Scenario | undefined;
  const fileStarted = Date.now();

  beforeAll(async () => {
    // Every scenario starts from the whole cluster, even when a suite before this one left a node down.
    for (const id of BROKERS) await startBroker(id, { log });
    for (const name of DATA_NODES) await startElasticsearchNode(name, { log });
    connection = await clusterConnection();
    env = { ...connectionEnv(connection), ELASTICSEARCH_URL: connection.elasticsearchUrls.join(',') };
  });

  afterEach(async () => {
    const s = current;
    current = undefined;
    if (!s) return;
    s.sampler.stop();
    for (const w of s.workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await s.receiver.close();
    await s.admin.disconnect().catch(() => {});
    // A failed scenario must not leave the next one a broken cluster.
    for (const id of BROKERS) await startBroker(id, { log });
    for (const name of DATA_NODES) await startElasticsearchNode(name, { log });
  });

  afterAll(async () => {
    for (const s of scenarios) {
      await cleanUp(s.ctx).catch(() => {});
      await s.ctx.close().catch(() => {});
    }
    log(`fault tests took ${secs(Date.now() - fileStarted)} in all`);
  });

  /** Isolated topics, groups, index prefix and receiver; two workers (classify, index, alerts) in the groups. */
  async function setUp(label: string): Promise<Scenario> {
    const config = clusterIsolatedConfig(label, env);
    config.pipeline.kafka.sessionTimeoutMs = 10_000;
    const ctx = await openContext(config, { kafkaBrokers: connection.kafkaBrokers, elasticsearchUrl: env.ELASTICSEARCH_URL! }, silentLogger);
    const receiver = await startWebhookReceiver();
    const admin = ctx.kafka.admin();
    await admin.connect();
    const s: Scenario = { tag: label, config, ctx, receiver, workers: [], admin, sampler: new IndexSampler(ctx.es, postsAlias(config.pipeline.elasticsearch.indexPrefix)) };
    scenarios.push(s);
    current = s;

    const raw = config.pipeline.kafka.topics.raw.name;
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [raw] })).topics;
    expect(metadata!.partitions).toHaveLength(3);
    for (const p of metadata!.partitions) expect(p.replicas).toHaveLength(3);
    const [described] = (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: raw, configNames: ['min.insync.replicas'] }] })).resources;
    expect(described!.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue).toBe('2');

    const pipelineFile = writePipelineFile(config);
    const started = Date.now();
    for (let i = 0; i < 2; i++) s.workers.push(spawnWorker(pipelineFile, 'classify,index,alerts', { ...env, PANTAU_WEBHOOK_URL: receiver.url }));
    await Promise.all(s.workers.map((w) => w.ready));
    await waitFor('both workers in every stage group', async () => {
      const { groups } = config.pipeline.kafka;
      const described = await admin.describeGroups([groups.classify, groups.index, groups.alerts]);
      return described.groups.every((g) => g.state === 'Stable' && g.members.length === 2) ? true : undefined;
    });
    log(`[${label}] two workers ready in ${secs(Date.now() - started)}`);
    return s;
  }

  /** The broker leading the most partitions of the scenario's topics. */
  async function busiestLeader(s: Scenario): Promise<BrokerId> {
    const topics = Object.values(s.config.pipeline.kafka.topics).map((t) => t.name);
    const { topics: metadata } = await s.admin.fetchTopicMetadata({ topics });
    const led = new Map<number, number>();
    for (const t of metadata) for (const p of t.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
    const [id] = [...led].sort((a, b) => b[1] - a[1])[0]!;
    return id as BrokerId;
  }

  /** Per stage group: committed offset and end offset of each partition, and who holds it. */
  async function describeLag(s: Scenario): Promise<string> {
    const { topics, groups } = s.config.pipeline.kafka;
    const lines: string[] = [];
    for (const [group, topic] of [
      [groups.classify, topics.raw.name],
      [groups.index, topics.scored.name],
      [groups.alerts, topics.alerts.name],
    ] as const) {
      const ends = await s.admin.fetchTopicOffsets(topic);
      const [committed] = await s.admin.fetchOffsets({ groupId: group, topics: [topic] });
      const { groups: described } = await s.admin.describeGroups([group]);
      const parts = ends
        .sort((a, b) => a.partition - b.partition)
        .map((e) => `p${e.partition} ${committed!.partitions.find((c) => c.partition === e.partition)?.offset ?? '?'}/${e.high}`);
      lines.push(`  ${group}: ${described[0]?.state} ${described[0]?.members.length} members; committed/end ${parts.join(', ')}`);
    }
    return lines.join('\n');
  }

  /** Every partition of the scenario's topics has its three replicas in sync. */
  async function waitForFullIsr(s: Scenario, timeoutMs = 120_000): Promise<void> {
    const topics = Object.values(s.config.pipeline.kafka.topics).map((t) => t.name);
    await waitFor(
      'every replica back in sync',
      async () => {
        const { topics: metadata } = await s.admin.fetchTopicMetadata({ topics });
        return metadata.every((t) => t.partitions.every((p) => p.isr.length === 3)) ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** Streams the scenario's posts; `fault` runs once `faultAt` posts were sent and is awaited with the stream. */
  async function stream(s: Scenario, fault: { at: number; run: () => Promise<void> }, durationMs = STREAM_MS): Promise<{ produced: ProduceFigures; faultAt: number; started: number }> {
    const posts = generatePosts(N, s.tag);
    s.sampler.start();
    const started = Date.now();
    let faultAt = 0;
    let faultRun: Promise<void> | undefined;
    const produced = await producePaced(s.ctx.producer, s.admin, s.config.pipeline.kafka.topics.raw.name, posts, {
      durationMs,
      log,
      onProgress: (sent) => {
        if (faultRun === undefined && sent >= fault.at) {
          faultAt = Date.now();
          log(`[${s.tag}] fault at ${secs(faultAt - started)}: ${sent} sent, ${s.sampler.last()} indexed`);
          faultRun = fault.run();
          faultRun.catch(() => {}); // awaited below
        }
      },
    });
    log(`[${s.tag}] produced ${produced.sent} in ${secs(produced.ms)} (${Math.round(produced.sent / (produced.ms / 1000))} posts/s), longest send ${secs(produced.longestSendMs)}, ${produced.resends} resends`);
    await faultRun;
    return { produced, faultAt, started };
  }

  async function finish(s: Scenario, run: { produced: ProduceFigures; faultAt: number; started: number }, extra: string[]): Promise<void> {
    const outcome = await expectExactlyOnce(s.ctx, s.receiver, s.tag, N, log).catch(async (error: unknown) => {
      log(`[${s.tag}] FAILED; consumer groups:\n${await describeLag(s).catch((e: unknown) => String(e))}`);
      mkdirSync(ARTIFACTS, { recursive: true });
      s.workers.forEach((w, i) => {
        const file = join(ARTIFACTS, `${s.tag}-worker-${i}.log`);
        writeFileSync(file, w.output());
        log(`[${s.tag}] worker ${i}: log in ${file}; its last warnings and errors:\n${problems(w.output())}`);
      });
      throw error;
    });
    s.sampler.stop();
    const done = s.sampler.reached(N) ?? Date.now();
    for (const w of s.workers) expect(w.child.exitCode, w.output().slice(-2000)).toBeNull(); // both kept going
    log(
      [
        `[${s.tag}] figures:`,
        `end to end ${Math.round(N / ((done - run.started) / 1000))} posts/s (all ${N} searchable ${secs(done - run.started)} after the first send)`,
        `longest indexing stall after the fault ${secs(s.sampler.longestStallMs(N, run.faultAt))}`,
        `all indexed ${secs(done - run.faultAt)} after the fault`,
        ...extra,
        `${outcome.alerts} alerts delivered, ${outcome.duplicates} of them POSTed twice after a failed attempt`,
      ].join('; '),
    );
  }

  it('kill -9 of a broker that leads partitions mid-stream, back 10 s later', async () => {
    const s = await setUp('brokerkill');
    const victim = await busiestLeader(s);
    let downAt = 0;
    let backMs = 0;
    const run = await stream(s, {
      at: N * 0.3,
      run: async () => {
        await killBroker(victim);
        downAt = Date.now();
        log(`[${s.tag}] killed broker ${victim} (SIGKILL)`);
        await sleep(10_000);
        const t = Date.now();
        await startBroker(victim, { log });
        backMs = Date.now() - t;
        log(`[${s.tag}] broker ${victim} back in the cluster after ${secs(Date.now() - downAt)} down (start took ${secs(backMs)})`);
      },
    });
    await finish(s, run, [`broker ${victim} killed at ${secs(downAt - run.started)}, restart took ${secs(backMs)}`]);
    const t = Date.now();
    await waitForFullIsr(s);
    log(`[${s.tag}] every replica in sync again ${secs(Date.now() - t)} after the check`);
  }, 300_000);

  it('kill -9 of an Elasticsearch data node mid-stream (the pipeline knows both), back 10 s later; green at the end', async () => {
    const s = await setUp('eskill');
    // The node with the posts index's primary, once it exists (the first chunks create it).
    let victim: ElasticsearchNodeName = 'es-1';
    let downAt = 0;
    let backMs = 0;
    const run = await stream(s, {
      at: N * 0.3,
      run: async () => {
        const shards = await s.ctx.es.cat.shards({ index: `${s.config.pipeline.elasticsearch.indexPrefix}-posts-*`, format: 'json' });
        const primary = shards.find((sh) => sh.prirep === 'p' || sh.prirep === 'primary')?.node;
        if (primary && (DATA_NODES as string[]).includes(primary)) victim = primary as ElasticsearchNodeName;
        await killElasticsearchNode(victim);
        downAt = Date.now();
        log(`[${s.tag}] killed ${victim} (SIGKILL), the posts primary's node`);
        await sleep(10_000);
        const t = Date.now();
        await startElasticsearchNode(victim, { log });
        backMs = Date.now() - t;
        log(`[${s.tag}] ${victim} back in the cluster after ${secs(Date.now() - downAt)} down (start took ${secs(backMs)})`);
      },
    });
    await finish(s, run, [`${victim} killed at ${secs(downAt - run.started)}, restart took ${secs(backMs)}`]);
    const t = Date.now();
    await waitForElasticsearchGreen({ timeoutMs: 120_000 });
    log(`[${s.tag}] green ${secs(Date.now() - t)} after the check`);
  }, 300_000);

  it('a slow broker: its client traffic through a 200 ms (+0–50 ms) delay proxy for the whole stream', async () => {
    // The broker is restarted behind the proxy before the scenario's topics exist, so it leads a third of them.
    const slow: BrokerId = 2;
    const realPort = Number(connection.kafkaBrokers[slow - 1]!.split(':').pop());
    let proxy: DelayProxy | undefined;
    const t0 = Date.now();
    try {
      proxy = await startDelayProxy({ targetPort: realPort, latencyMs: 200, jitterMs: 50 });
      await stopBroker(slow, { log });
      await startBroker(slow, { advertisedClientPort: proxy.port, log });
      log(`[slowbroker] broker ${slow} advertises ${proxy.port} (the proxy, +200–250 ms per chunk each way) in front of ${realPort}; took ${secs(Date.now() - t0)}`);
      const s = await setUp('slowbroker');
      const { topics: metadata } = await s.admin.fetchTopicMetadata({ topics: [s.config.pipeline.kafka.topics.raw.name] });
      const ledBySlow = metadata[0]!.partitions.filter((p) => p.leader === slow).length;
      log(`[${s.tag}] broker ${slow} leads ${ledBySlow} of 3 partitions of posts.raw`);
      const run = await stream(s, { at: 0, run: async () => {} });
      await finish(s, run, [`${proxy.connections()} connections, ${(proxy.bytes() / 1e6).toFixed(1)} MB through the proxy`]);
    } finally {
      const t = Date.now();
      await restartBroker(slow, { log }); // without the proxy: it advertises its own port again
      await proxy?.close();
      log(`[slowbroker] broker ${slow} restored (restart without the proxy, replicas in sync) in ${secs(Date.now() - t)}`);
    }
  }, 360_000);

  it('a rolling restart of the three brokers, one at a time, while the stream runs', async () => {
    const s = await setUp('rolling');
    const durations: string[] = [];
    // Restarts take 15–60 s each here, the stream 25 s: the first restart begins at once, so the stream runs
    // through the first broker's controlled shutdown and return; the others meet the pipeline catching up or idle.
    const run = await stream(s, {
      at: N * 0.05,
      run: async () => {
        for (const id of BROKERS) {
          const t = Date.now();
          await restartBroker(id, { log });
          durations.push(`broker ${id} ${secs(Date.now() - t)}`);
          log(`[${s.tag}] broker ${id} restarted and every partition in sync after ${secs(Date.now() - t)}; ${s.sampler.last()} indexed`);
        }
      },
    }, 25_000);
    await finish(s, run, [`restarts (stop, start, in sync): ${durations.join(', ')}`]);
    await waitForFullIsr(s);
  }, 420_000);
});
