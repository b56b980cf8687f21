/**
 * A local three-broker Kafka and three-node Elasticsearch cluster with TLS and passwords, for fault tests and
 * benchmarks (`npm run services -- up --cluster`). Everything lives in .services/cluster/; nodes start
 * detached and are stopped by pid, like the single-node services, which this leaves alone. `upCluster` is
 * idempotent and serialised by its own lock; the fault-injection helpers at the end are for tests.
 */
import { readFile } from 'node:fs/promises';
import { PantauError } from '../../core/errors.ts';
import { fetchDistributions, type FetchPlan } from '../fetch-distributions.ts';
import { findJava, type JavaRuntime } from '../java.ts';
import { withLock } from '../lock.ts';
import { isPortOpen, portOwner } from '../ports.ts';
import { seconds, sleep, terminate } from '../process.ts';
import { STOP_GRACE_MS } from '../settings.ts';
import type { ServiceState } from '../state-files.ts';
import { ELASTICSEARCH_VERSION, KAFKA_VERSION } from '../versions.ts';
import { loadApiKeyRoles, templateIndices } from '../../access/api-key-roles.ts';
import { fileRealmRoleName, rolesYml } from '../../access/file-realm.ts';
import { loadConfig } from '../../config/config.ts';
import { ensureCredentials, missingCredentialsError, readCredentials, requireCredentials, type ClusterCredentials } from './credentials.ts';
import {
  clusterElasticsearchInstalled,
  clusterElasticsearchTarget,
  elasticsearchClusterView,
  elasticsearchUrl,
  esNodeLogTail,
  httpsJson,
  launchEsNode,
  prepareEsInstall,
  prepareEsNode,
  type ComponentRealm,
  type ClusterElasticsearchTarget,
} from './elasticsearch-nodes.ts';
import {
  brokerFormatted,
  brokerLogTail,
  brokerPaths,
  brokerServes,
  brokersInCluster,
  clusterBrokers,
  ensureKafkaClusterId,
  kafkaLibsDir,
  kafkaLibsPresent,
  launchBroker,
  prepareBroker,
  underReplicatedPartitions,
  type BrokerLaunch,
} from './kafka-nodes.ts';
import { allNodes, elasticsearchNode, kafkaNode, nodeMarkers, type ClusterNode } from './nodes.ts';
import {
  BROKER_IDS,
  clusterRunDir,
  clusterStartTimeoutMs,
  ELASTICSEARCH_DATA_NODES,
  ELASTICSEARCH_NODES,
  type BrokerId,
  type ElasticsearchNodeName,
} from './settings.ts';
import { nodePids, readNodeState, removeNodeState, writeNodeState } from './state.ts';
import { certificateFingerprint, ensureTls, tlsFiles, type TlsFiles } from './tls.ts';

export type { BrokerId, ElasticsearchNodeName } from './settings.ts';

type Log = (line: string) => void;
const quiet: Log = () => {};

export interface ClusterConnection {
  kafkaBrokers: string[];
  kafkaSasl: { mechanism: 'scram-sha-512'; username: string; password: string };
  kafkaCaFile: string;
  /** The two data nodes. */
  elasticsearchUrls: string[];
  elasticsearchCaFile: string;
  /** SHA-256 of the CA certificate, AB:12:… (what @elastic/elasticsearch's caFingerprint takes). */
  elasticsearchCaFingerprint: string;
  elasticsearchUsername: string;
  elasticsearchPassword: string;
}

export interface ClusterNodeStatus {
  /** kafka-1…kafka-3, es-1, es-2, es-tiebreaker. */
  name: string;
  kind: 'kafka' | 'elasticsearch';
  version: string;
  running: boolean;
  /** Running and a member of its cluster (Elasticsearch: a cluster that is green or yellow). */
  healthy: boolean;
  pid?: number;
  endpoint: string;
}

export interface ClusterUpResult {
  /** Keys of the nodes this call started ([] when all were running). */
  started: string[];
  connection: ClusterConnection;
}

function servicesError(message: string, code: string, retriable = false): PantauError {
  return new PantauError(message, { stage: 'services', code, retriable });
}

// ---------------------------------------------------------------------------------------------------------
// Connection details

async function readCa(tls: TlsFiles = tlsFiles()): Promise<string> {
  return readFile(tls.caCert, 'utf8').catch(() => {
    throw servicesError(`${tls.caCert} is missing: start the cluster first with "npm run services -- up --cluster"`, 'cluster_not_set_up');
  });
}

/** Where and how to connect; needs a cluster that was brought up at least once (for its credentials and CA). */
export async function clusterConnection(): Promise<ClusterConnection> {
  const credentials = await requireCredentials();
  const tls = tlsFiles();
  const ca = await readCa(tls);
  return {
    kafkaBrokers: clusterBrokers(),
    kafkaSasl: { mechanism: 'scram-sha-512', username: credentials.kafkaApp.username, password: credentials.kafkaApp.password },
    kafkaCaFile: tls.caCert,
    elasticsearchUrls: ELASTICSEARCH_DATA_NODES.map((name) => elasticsearchUrl(name)),
    elasticsearchCaFile: tls.caCert,
    elasticsearchCaFingerprint: certificateFingerprint(ca),
    elasticsearchUsername: credentials.elasticsearch.username,
    elasticsearchPassword: credentials.elasticsearch.password,
  };
}

/**
 * The file-realm users of the component roles (setup, worker, api, dashboard, sources) and roles.yml, for the
 * indices of the default prefix and the tests' `test-*` prefixes.
 */
function componentRealm(credentials: ClusterCredentials): ComponentRealm {
  const config = loadConfig({});
  const templates = (prefix: string) => templateIndices(config.pipeline.elasticsearch.templates, config.pipelineDir, prefix);
  const roles = loadApiKeyRoles();
  return {
    rolesYml: rolesYml(roles, [templates(config.pipeline.elasticsearch.indexPrefix), templates('test-*')]),
    users: Object.entries(credentials.components).map(([role, account]) => ({ account, role: fileRealmRoleName(role) })),
  };
}

/** The user and password of a component role's file-realm user (the variables a component of that role sets). */
export async function clusterRoleEnv(role: string): Promise<Record<string, string>> {
  const credentials = await requireCredentials();
  const account = credentials.components[role];
  if (!account) throw servicesError(`the cluster has no user for role "${role}"; known: ${Object.keys(credentials.components).join(', ')} (run up --cluster again after adding a role)`, 'cluster_role_unknown');
  return { ELASTICSEARCH_USERNAME: account.username, ELASTICSEARCH_PASSWORD: account.password };
}

/** The environment a pantau process needs to use this cluster. */
export async function clusterEnv(): Promise<Record<string, string>> {
  return connectionEnv(await clusterConnection());
}

export function connectionEnv(c: ClusterConnection): Record<string, string> {
  return {
    KAFKA_BROKERS: c.kafkaBrokers.join(','),
    KAFKA_SASL_MECHANISM: c.kafkaSasl.mechanism,
    KAFKA_SASL_USERNAME: c.kafkaSasl.username,
    KAFKA_SASL_PASSWORD: c.kafkaSasl.password,
    KAFKA_SSL_CA: c.kafkaCaFile,
    ELASTICSEARCH_URL: c.elasticsearchUrls[0]!,
    ELASTICSEARCH_CA_FILE: c.elasticsearchCaFile,
    ELASTICSEARCH_USERNAME: c.elasticsearchUsername,
    ELASTICSEARCH_PASSWORD: c.elasticsearchPassword,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Finding our processes

/** Our live processes of a node; adopts one that listens on the node's port without a state file. */
async function inspectNode(node: ClusterNode): Promise<{ state?: ServiceState; pids: number[]; mainPid?: number }> {
  const found = await nodePids(node.key);
  if (found.pids.length > 0) return found;
  const owner = await portOwner(node.ports[0]!);
  const marker = owner && nodeMarkers(node).find((m) => owner.command.includes(m));
  if (!owner || !marker) return found;
  const state: ServiceState = {
    pid: owner.pid,
    marker,
    version: node.kind === 'kafka' ? KAFKA_VERSION : ELASTICSEARCH_VERSION,
    startedAt: new Date().toISOString(),
  };
  await writeNodeState(node.key, state);
  return { state, pids: [owner.pid], mainPid: owner.pid };
}

/** How long startBroker and startElasticsearchNode wait for a just-killed node's ports (see assertNodePortsFree). */
const RESTART_PORT_GRACE_MS = 30_000;

/**
 * Fails when one of the node's ports is taken. A node killed a moment ago may still hold its ports while the
 * kernel tears the process down (seconds for a JVM on a loaded machine), so a taken port is looked at again for
 * up to `graceMs` before it counts.
 */
async function assertNodePortsFree(node: ClusterNode, graceMs = 0): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (const port of node.ports) {
    while ((await isPortOpen(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (!(await isPortOpen(port))) continue;
    const owner = await portOwner(port);
    const who = owner ? ` (pid ${owner.pid}: ${owner.command.length > 120 ? `${owner.command.slice(0, 117)}...` : owner.command})` : '';
    throw servicesError(
      `port ${port}, needed by ${node.label}, is taken by another process${who}; stop it, or set PANTAU_CLUSTER_PORT_OFFSET (e.g. 1000) to move all cluster ports`,
      'port_taken',
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Starting

interface Context {
  java: JavaRuntime;
  tls: TlsFiles;
  ca: string;
  credentials: ClusterCredentials;
  kafkaClusterId: string;
  es?: ClusterElasticsearchTarget;
}

/** Java, certificates, credentials, and the distributions the given nodes need (fetched when missing). */
async function context(nodes: ClusterNode[], log: Log): Promise<Context> {
  const java = await findJava();
  const tls = await ensureTls(log);
  if (!(await readCredentials())) {
    for (const id of BROKER_IDS) if (await brokerFormatted(id)) throw missingCredentialsError(brokerPaths(id).data);
  }
  const credentials = await ensureCredentials(undefined, Object.keys(loadApiKeyRoles().roles));
  const needsEs = nodes.some((n) => n.kind === 'elasticsearch');
  const es = needsEs ? await clusterElasticsearchTarget(log) : undefined;
  const plan: FetchPlan = {};
  if (nodes.some((n) => n.kind === 'kafka') && !(await kafkaLibsPresent())) plan.kafkaLibs = kafkaLibsDir();
  if (es && !(await clusterElasticsearchInstalled(es.root))) plan.elasticsearchRoot = es.root;
  await fetchDistributions(plan, log);
  if (es) await prepareEsInstall(es);
  const kafkaClusterId = await ensureKafkaClusterId();
  return { java, tls, ca: await readCa(tls), credentials, kafkaClusterId, ...(es ? { es } : {}) };
}

async function launchNode(node: ClusterNode, ctx: Context, log: Log, advertisedClientPort?: number): Promise<void> {
  let state: ServiceState;
  if (node.kind === 'kafka') {
    const launch: BrokerLaunch = { java: ctx.java, clusterId: ctx.kafkaClusterId, tls: ctx.tls, credentials: ctx.credentials, ...(advertisedClientPort !== undefined ? { advertisedClientPort } : {}) };
    await prepareBroker(node.id, launch, log);
    log(`starting ${node.label} (Kafka ${KAFKA_VERSION})${advertisedClientPort !== undefined ? `, advertising client port ${advertisedClientPort}` : ''}…`);
    state = await launchBroker(node.id, ctx.java);
  } else {
    const es = ctx.es;
    if (!es) throw new Error('unreachable: no Elasticsearch target');
    await prepareEsNode(es, node.name, ctx.tls, ctx.credentials.elasticsearch, componentRealm(ctx.credentials));
    log(`starting ${node.label} (Elasticsearch ${ELASTICSEARCH_VERSION})${es.runAs ? ` as user ${es.runAs.user}` : ''}…`);
    state = await launchEsNode(ctx.java, es, node.name);
  }
  await writeNodeState(node.key, state);
}

async function nodeLogTail(node: ClusterNode): Promise<string> {
  if (node.kind === 'kafka') return brokerLogTail(node.id);
  const state = await readNodeState(node.key);
  const root = state?.root ?? (await clusterElasticsearchTarget(quiet)).root;
  return esNodeLogTail(root, node.name);
}

/**
 * Polls `ready` until it says yes; fails early when one of `watched` exits, else after `timeoutMs`, quoting
 * the log tails of the watched nodes.
 */
async function waitFor(what: string, ready: () => Promise<boolean>, watched: ClusterNode[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await ready()) return Date.now() - started;
    for (const node of watched) {
      if ((await nodePids(node.key)).pids.length === 0) {
        throw servicesError(`${node.label} exited while ${what}. Last lines of its log:\n${await nodeLogTail(node)}`, `${node.kind}_exited`);
      }
    }
    if (Date.now() - started > timeoutMs) {
      const tails = await Promise.all(watched.map(async (node) => `${node.label}:\n${await nodeLogTail(node)}`));
      throw servicesError(`not done ${what} after ${seconds(timeoutMs)}. Last lines of the logs:\n${tails.join('\n\n')}`, 'cluster_start_timeout', true);
    }
    await sleep(1000);
  }
}

async function kafkaComplete(ca: string, credentials: ClusterCredentials): Promise<boolean> {
  return (await brokersInCluster(ca, credentials)).length === BROKER_IDS.length;
}

async function elasticsearchComplete(ca: string, credentials: ClusterCredentials): Promise<boolean> {
  const view = await elasticsearchClusterView(ca, credentials.elasticsearch);
  return view.nodes.length === ELASTICSEARCH_NODES.length && (view.status === 'green' || view.status === 'yellow');
}

/** Starts whatever node is not running, then waits until all three brokers and all three nodes form their clusters. */
export async function upCluster(opts: { log?: Log; kafkaTimeoutMs?: number; elasticsearchTimeoutMs?: number } = {}): Promise<ClusterUpResult> {
  const log = opts.log ?? quiet;
  const timeouts = {
    kafka: opts.kafkaTimeoutMs ?? clusterStartTimeoutMs('kafka'),
    elasticsearch: opts.elasticsearchTimeoutMs ?? clusterStartTimeoutMs('elasticsearch'),
  };
  return withLock(
    log,
    async () => {
      const toStart: ClusterNode[] = [];
      for (const node of allNodes()) {
        const { pids, mainPid } = await inspectNode(node);
        if (pids.length > 0) {
          log(`${node.label} already running (pid ${mainPid})`);
          continue;
        }
        await removeNodeState(node.key);
        await assertNodePortsFree(node);
        toStart.push(node);
      }
      const ctx = await context(toStart, log);
      const started = Date.now();
      // Start all, then wait for both clusters: the JVM start-ups overlap.
      const launches = await Promise.allSettled(toStart.map((node) => launchNode(node, ctx, log)));
      const launchFailure = launches.find((l) => l.status === 'rejected');
      const kinds = [
        { kind: 'kafka' as const, what: 'forming the Kafka cluster', ready: () => kafkaComplete(ctx.ca, ctx.credentials), timeout: timeouts.kafka },
        {
          kind: 'elasticsearch' as const,
          what: 'forming the Elasticsearch cluster',
          ready: () => elasticsearchComplete(ctx.ca, ctx.credentials),
          timeout: timeouts.elasticsearch,
        },
      ];
      const waits = launchFailure
        ? [launchFailure]
        : await Promise.allSettled(
            kinds.map(async ({ kind, what, ready, timeout }) => {
              const mine = toStart.filter((n) => n.kind === kind);
              const watched = allNodes().filter((n) => n.kind === kind);
              const took = await waitFor(what, ready, watched, timeout);
              if (mine.length > 0) log(`${kind === 'kafka' ? 'Kafka' : 'Elasticsearch'} cluster ready (${seconds(took)} after the start)`);
            }),
          );
      const failures = waits.flatMap((w) => (w.status === 'rejected' ? [w.reason as unknown] : []));
      if (failures.length > 0) {
        // A start that failed must not leave half a cluster holding the ports.
        await Promise.all(toStart.map(async (node) => terminate((await nodePids(node.key)).pids, 5_000).then(() => removeNodeState(node.key))));
        if (failures.length === 1) throw failures[0];
        const message = failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n\n');
        throw new PantauError(message, { stage: 'services', code: 'cluster_failed', retriable: false, cause: failures[0] });
      }
      if (toStart.length > 0) log(`cluster up in ${seconds(Date.now() - started)}`);
      return { started: toStart.map((n) => n.key), connection: await clusterConnection() };
    },
    clusterRunDir(),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Stopping and status

async function stopNode(node: ClusterNode, log: Log, graceMs = STOP_GRACE_MS): Promise<void> {
  const { pids, mainPid } = await inspectNode(node);
  if (pids.length > 0) {
    log(`stopping ${node.label} (pid ${mainPid})…`);
    const started = Date.now();
    const { forced } = await terminate(pids, graceMs);
    log(`${node.label} stopped (${seconds(Date.now() - started)}${forced ? ', killed after not stopping in time' : ''})`);
  }
  await removeNodeState(node.key);
}

/** Stops all six nodes (SIGTERM, then SIGKILL after the grace period). */
export async function downCluster(opts: { log?: Log } = {}): Promise<void> {
  const log = opts.log ?? quiet;
  await withLock(
    log,
    async () => {
      const nodes = allNodes();
      const running = (await Promise.all(nodes.map(async (n) => ((await inspectNode(n)).pids.length > 0 ? n : undefined)))).filter(Boolean);
      if (running.length === 0) log('the cluster is not running');
      await Promise.all(nodes.map((node) => stopNode(node, log)));
    },
    clusterRunDir(),
  );
}

/** Each node: running (our process), healthy (a member of its cluster). Never shows passwords. */
export async function clusterStatus(): Promise<ClusterNodeStatus[]> {
  const credentials = await readCredentials().catch(() => undefined);
  const ca = await readFile(tlsFiles().caCert, 'utf8').catch(() => undefined);
  const [brokers, view] =
    credentials && ca ? await Promise.all([brokersInCluster(ca, credentials), elasticsearchClusterView(ca, credentials.elasticsearch)]) : [[], { nodes: [] }];
  const esUsable = view.status === 'green' || view.status === 'yellow';
  return Promise.all(
    allNodes().map(async (node) => {
      const { pids, mainPid } = await inspectNode(node);
      const running = pids.length > 0;
      const member = node.kind === 'kafka' ? brokers.includes(node.id) : esUsable && view.nodes.includes(node.name);
      return {
        name: node.key,
        kind: node.kind,
        version: node.kind === 'kafka' ? KAFKA_VERSION : ELASTICSEARCH_VERSION,
        running,
        healthy: running && member,
        ...(running && mainPid !== undefined ? { pid: mainPid } : {}),
        endpoint: node.endpoint,
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Fault injection, for tests

function brokerNode(id: BrokerId): ClusterNode {
  if (!BROKER_IDS.includes(id)) throw servicesError(`no Kafka broker ${String(id)} in the cluster (brokers are 1, 2, 3)`, 'cluster_unknown_node');
  return kafkaNode(id);
}

function esNode(name: ElasticsearchNodeName): ClusterNode {
  if (!ELASTICSEARCH_NODES.includes(name)) throw servicesError(`no Elasticsearch node ${String(name)} (nodes are ${ELASTICSEARCH_NODES.join(', ')})`, 'cluster_unknown_node');
  return elasticsearchNode(name);
}

async function kill(node: ClusterNode): Promise<void> {
  const { pids } = await inspectNode(node);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await terminate(pids, 10_000); // Waits until they are gone.
  await removeNodeState(node.key);
}

/** SIGKILL to one broker: no controlled shutdown, its partitions lose a replica at once. */
export async function killBroker(id: BrokerId): Promise<void> {
  await kill(brokerNode(id));
}

/** SIGTERM to one broker and wait for its controlled shutdown (leadership moves away first). */
export async function stopBroker(id: BrokerId, opts: { log?: Log } = {}): Promise<void> {
  await stopNode(brokerNode(id), opts.log ?? quiet, 60_000);
}

/**
 * Starts one stopped broker and waits until it is back in the cluster. With `advertisedClientPort`, its client
 * listener still binds its own port but tells clients to connect to that one (a delaying proxy, say); a later
 * start without it advertises the real port again. A running broker is left as it is.
 */
export async function startBroker(id: BrokerId, opts: { advertisedClientPort?: number; log?: Log; timeoutMs?: number } = {}): Promise<void> {
  const node = brokerNode(id);
  const log = opts.log ?? quiet;
  if ((await inspectNode(node)).pids.length > 0) return;
  await removeNodeState(node.key);
  await assertNodePortsFree(node, RESTART_PORT_GRACE_MS);
  const ctx = await context([node], log);
  await launchNode(node, ctx, log, opts.advertisedClientPort);
  await waitFor(
    'rejoining the Kafka cluster',
    async () => (await brokerServes(id, ctx.ca, ctx.credentials)) && (await brokersInCluster(ctx.ca, ctx.credentials)).includes(id),
    [node],
    opts.timeoutMs ?? clusterStartTimeoutMs('kafka'),
  );
}

/** Graceful stop, start, then wait until no partition is under-replicated (every replica back in sync). */
export async function restartBroker(id: BrokerId, opts: { log?: Log; timeoutMs?: number } = {}): Promise<void> {
  await stopBroker(id, opts);
  await startBroker(id, opts);
  const credentials = await requireCredentials();
  const ca = await readCa();
  let lagging: string[] | undefined;
  await waitFor(
    'bringing every partition back in sync',
    async () => {
      lagging = await underReplicatedPartitions(ca, credentials);
      return lagging !== undefined && lagging.length === 0;
    },
    [brokerNode(id)],
    opts.timeoutMs ?? clusterStartTimeoutMs('kafka'),
  ).catch((error: unknown) => {
    throw lagging?.length ? servicesError(`after restarting broker ${id}, still under-replicated: ${lagging.slice(0, 10).join(', ')}`, 'cluster_under_replicated', true) : error;
  });
}

/** SIGKILL to one Elasticsearch node (its launcher and server). */
export async function killElasticsearchNode(name: ElasticsearchNodeName): Promise<void> {
  await kill(esNode(name));
}

/** Starts one stopped Elasticsearch node and waits until it is back in the cluster. A running node is left as it is. */
export async function startElasticsearchNode(name: ElasticsearchNodeName, opts: { log?: Log; timeoutMs?: number } = {}): Promise<void> {
  const node = esNode(name);
  const log = opts.log ?? quiet;
  if ((await inspectNode(node)).pids.length > 0) return;
  await removeNodeState(node.key);
  await assertNodePortsFree(node, RESTART_PORT_GRACE_MS);
  const ctx = await context([node], log);
  await launchNode(node, ctx, log);
  await waitFor(
    `rejoining the Elasticsearch cluster`,
    async () => (await elasticsearchClusterView(ctx.ca, ctx.credentials.elasticsearch)).nodes.includes(name),
    [node],
    opts.timeoutMs ?? clusterStartTimeoutMs('elasticsearch'),
  );
}

/** Waits until the Elasticsearch cluster is green (every shard and replica assigned). */
export async function waitForElasticsearchGreen(opts: { timeoutMs?: number } = {}): Promise<void> {
  const credentials = await requireCredentials();
  const ca = await readCa();
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const started = Date.now();
  let last = 'no answer';
  while (Date.now() - started < timeoutMs) {
    for (const name of ELASTICSEARCH_DATA_NODES) {
      try {
        const answer = await httpsJson(`${elasticsearchUrl(name)}/_cluster/health?wait_for_status=green&timeout=5s`, {
          ca,
          auth: credentials.elasticsearch,
          timeoutMs: 10_000,
        });
        const status = (answer.body as { status?: unknown }).status;
        if (answer.status === 200 && status === 'green') return;
        last = `status ${String(status)} (HTTP ${answer.status})`;
        break;
      } catch (error) {
        last = (error as Error).message;
      }
    }
    await sleep(1000);
  }
  throw servicesError(`the Elasticsearch cluster was not green after ${seconds(timeoutMs)}: ${last}`, 'cluster_not_green', true);
}
