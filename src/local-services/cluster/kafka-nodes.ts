/**
 * Three KRaft Kafka nodes, each broker and controller in one JVM, from the same Maven jars as the single
 * broker. Security:
 *   - CLIENT (19092-19094) and BROKER (inter-broker, 19192-19194): SASL_SSL with SCRAM-SHA-512;
 *   - CONTROLLER (19292-19294): SSL without SASL. SCRAM credentials live in the metadata log that the
 *     controllers serve, so a SASL controller listener could not authenticate anyone before the quorum had
 *     replicated them; TLS with the cluster CA still keeps strangers off it.
 * There is no authorizer: any authenticated user may do anything (a dev cluster, not a multi-tenant one).
 * Config files are rewritten on every start; each node's storage is formatted once, with the SCRAM users.
 */
import { randomBytes } from 'node:crypto';
import { access, appendFile, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import { PantauError } from '../../core/errors.ts';
import type { JavaRuntime } from '../java.ts';
import { run, spawnDetached, tailFile } from '../process.ts';
import type { ServiceState } from '../state-files.ts';
import { KAFKA_VERSION } from '../versions.ts';
import type { ClusterCredentials } from './credentials.ts';
import { BROKER_IDS, CLUSTER_HOST, CLUSTER_KAFKA_HEAP, clusterDir, clusterPorts, type BrokerId, type ClusterPorts } from './settings.ts';
import type { TlsFiles } from './tls.ts';

const START_MARKER = '=== started by npm run services -- up --cluster at';

export function clusterKafkaDir(): string {
  return join(clusterDir(), 'kafka');
}

export function kafkaLibsDir(): string {
  return join(clusterKafkaDir(), `libs-${KAFKA_VERSION}`);
}

export function brokerPaths(id: BrokerId) {
  const root = join(clusterKafkaDir(), `broker-${id}`);
  return {
    root,
    serverProperties: join(root, 'config', 'server.properties'),
    log4jConfig: join(root, 'config', 'log4j2.properties'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    serverLog: join(root, 'logs', 'server.log'),
    stdoutLog: join(root, 'logs', 'stdout.log'),
  };
}

export interface BrokerConfigInput {
  id: BrokerId;
  ports: ClusterPorts;
  dataDir: string;
  tls: Pick<TlsFiles, 'serverKeystore' | 'caCert'>;
  admin: { username: string; password: string };
  /** The port written into the client listener's advertised address (default: the port it binds). */
  advertisedClientPort?: number;
}

/** server.properties of one node; pure, so it is unit-tested. */
export function renderBrokerProperties(input: BrokerConfigInput): string {
  const { id, ports, tls, admin } = input;
  const voters = BROKER_IDS.map((n) => `${n}@${CLUSTER_HOST}:${ports.kafkaController(n)}`).join(',');
  const advertisedClient = input.advertisedClientPort ?? ports.kafkaClient(id);
  const scramLogin = 'org.apache.kafka.common.security.scram.ScramLoginModule required';
  return [
    '# Written by `npm run services -- up --cluster` on every start; edit src/local-services/cluster/kafka-nodes.ts instead.',
    'process.roles=broker,controller',
    `node.id=${id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=CLIENT://${CLUSTER_HOST}:${ports.kafkaClient(id)},BROKER://${CLUSTER_HOST}:${ports.kafkaBroker(id)},CONTROLLER://${CLUSTER_HOST}:${ports.kafkaController(id)}`,
    `advertised.listeners=CLIENT://${CLUSTER_HOST}:${advertisedClient},BROKER://${CLUSTER_HOST}:${ports.kafkaBroker(id)}`,
    '# The controller listener has no SASL: see the comment at the top of kafka-nodes.ts.',
    'listener.security.protocol.map=CLIENT:SASL_SSL,BROKER:SASL_SSL,CONTROLLER:SSL',
    'inter.broker.listener.name=BROKER',
    'controller.listener.names=CONTROLLER',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.client.scram-sha-512.sasl.jaas.config=${scramLogin};`,
    `listener.name.broker.scram-sha-512.sasl.jaas.config=${scramLogin} username="${admin.username}" password="${admin.password}";`,
    '# One PEM file holds the PKCS#8 key and the certificate chain; clients and peers trust the local CA.',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${tls.serverKeystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${tls.caCert}`,
    'ssl.endpoint.identification.algorithm=https',
    `log.dirs=${input.dataDir}`,
    'num.partitions=1',
    '# Three replicas everywhere, and a write needs two of them: one broker may die without losing data.',
    'default.replication.factor=3',
    'min.insync.replicas=2',
    'offsets.topic.replication.factor=3',
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'share.coordinator.state.topic.replication.factor=3',
    'share.coordinator.state.topic.min.isr=2',
    'unclean.leader.election.enable=false',
    '# The app creates its topics with their partition counts; a typo must fail, not create a topic.',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    '# Producers whose clock says another date may write: the test suite also runs under faketime.',
    'log.message.timestamp.before.max.ms=9223372036854775807',
    'log.message.timestamp.after.max.ms=9223372036854775807',
    '',
  ].join('\n');
}

function log4jProperties(logsDir: string): string {
  return [
    '# Written by `npm run services -- up --cluster`.',
    'status = warn',
    'appender.file.type = RollingFile',
    'appender.file.name = FILE',
    `appender.file.fileName = ${join(logsDir, 'server.log')}`,
    `appender.file.filePattern = ${join(logsDir, 'server.log.%i')}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'appender.file.policies.type = Policies',
    'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size = 20MB',
    'appender.file.strategy.type = DefaultRolloverStrategy',
    'appender.file.strategy.max = 3',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    '',
  ].join('\n');
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

export async function kafkaLibsPresent(): Promise<boolean> {
  return exists(kafkaLibsDir());
}

export async function brokerFormatted(id: BrokerId): Promise<boolean> {
  return exists(join(brokerPaths(id).data, 'meta.properties'));
}

/** The cluster id every node is formatted with: one file, made once (call it before formatting nodes in parallel). */
export async function ensureKafkaClusterId(): Promise<string> {
  const path = join(clusterKafkaDir(), 'cluster-id');
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  let id: string;
  // Kafka's own generator avoids a leading '-', which command-line parsers read as an option.
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  await mkdir(clusterKafkaDir(), { recursive: true });
  await writeFile(path, `${id}\n`);
  return id;
}

export interface BrokerLaunch {
  java: JavaRuntime;
  clusterId: string;
  tls: TlsFiles;
  credentials: ClusterCredentials;
  advertisedClientPort?: number;
}

/** Writes the node's config files and formats its storage (with the SCRAM users) if it never was. */
export async function prepareBroker(id: BrokerId, launch: BrokerLaunch, log: (line: string) => void): Promise<void> {
  const paths = brokerPaths(id);
  await mkdir(join(paths.serverProperties, '..'), { recursive: true });
  await mkdir(paths.data, { recursive: true });
  await mkdir(paths.logs, { recursive: true });
  const properties = renderBrokerProperties({
    id,
    ports: clusterPorts(),
    dataDir: paths.data,
    tls: launch.tls,
    admin: launch.credentials.kafkaAdmin,
    ...(launch.advertisedClientPort !== undefined ? { advertisedClientPort: launch.advertisedClientPort } : {}),
  });
  // It holds the inter-broker password.
  await writeFile(paths.serverProperties, properties, { mode: 0o600 });
  await chmod(paths.serverProperties, 0o600);
  await writeFile(paths.log4jConfig, log4jProperties(paths.logs));
  if (await brokerFormatted(id)) return;

  const cluster = launch.clusterId;
  log(`formatting Kafka broker ${id} storage (cluster id ${cluster})…`);
  const scram = [launch.credentials.kafkaAdmin, launch.credentials.kafkaApp].flatMap((a) => ['--add-scram', `SCRAM-SHA-512=[name=${a.username},password=${a.password}]`]);
  const result = await run(launch.java.bin, [
    ...CLUSTER_KAFKA_HEAP.slice(1),
    `-Dlog4j2.configurationFile=${paths.log4jConfig}`,
    '-cp',
    join(kafkaLibsDir(), '*'),
    'kafka.tools.StorageTool',
    'format',
    `--config=${paths.serverProperties}`,
    `--cluster-id=${cluster}`,
    ...scram,
    '--ignore-formatted',
  ]);
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new PantauError(`formatting Kafka broker ${id} storage failed (exit code ${result.code}):\n${output}`, {
      stage: 'services',
      code: 'kafka_format_failed',
      retriable: false,
    });
  }
}

/** Starts the node detached; the caller records the state. */
export async function launchBroker(id: BrokerId, java: JavaRuntime): Promise<ServiceState> {
  const paths = brokerPaths(id);
  await writeFile(paths.stdoutLog, '');
  await appendFile(paths.serverLog, `${START_MARKER} ${new Date().toISOString()}\n`);
  const args = [
    ...CLUSTER_KAFKA_HEAP,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${paths.logs}`,
    `-Dlog4j2.configurationFile=${paths.log4jConfig}`,
    '-cp',
    join(kafkaLibsDir(), '*'),
    'kafka.Kafka',
    paths.serverProperties,
  ];
  const pid = await spawnDetached(java.bin, args, { cwd: paths.root, env: process.env, logFile: paths.stdoutLog });
  return { pid, marker: paths.serverProperties, version: KAFKA_VERSION, startedAt: new Date().toISOString() };
}

export function clusterBrokers(ports = clusterPorts()): string[] {
  return BROKER_IDS.map((id) => `${CLUSTER_HOST}:${ports.kafkaClient(id)}`);
}

/** kafkajs options for the cluster: SASL_SSL with the given SCRAM user. */
export function kafkaClientConfig(caPem: string, account: { username: string; password: string }, brokers = clusterBrokers()): KafkaConfig {
  return {
    clientId: 'pantau-cluster-services',
    brokers,
    ssl: { ca: [caPem] },
    sasl: { mechanism: 'scram-sha-512', username: account.username, password: account.password },
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  };
}

/** Runs `action` with a connected admin client, giving up (undefined) after `timeoutMs`. */
export async function withAdmin<T>(config: KafkaConfig, action: (admin: Admin) => Promise<T>, timeoutMs = 8000): Promise<T | undefined> {
  const admin = new Kafka(config).admin();
  const attempt = (async () => {
    await admin.connect();
    return action(admin);
  })();
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
  try {
    return await Promise.race([attempt.catch(() => undefined), timeout]);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The ids of the brokers the cluster reports (through SASL_SSL with the app user), or [] when it does not answer. */
export async function brokersInCluster(caPem: string, credentials: ClusterCredentials): Promise<number[]> {
  const ids = await withAdmin(kafkaClientConfig(caPem, credentials.kafkaApp), async (admin) => {
    const cluster = await admin.describeCluster();
    return cluster.controller === null ? [] : cluster.brokers.map((b) => b.nodeId);
  });
  return (ids ?? []).sort((a, b) => a - b);
}

/**
 * Whether broker `id` itself answers (asked on its own client port, which it opens only once started) and
 * counts itself in the cluster. The cluster's view alone is not enough right after a kill: the controller
 * keeps listing a dead broker until its session times out.
 */
export async function brokerServes(id: BrokerId, caPem: string, credentials: ClusterCredentials, ports = clusterPorts()): Promise<boolean> {
  const ids = await withAdmin(kafkaClientConfig(caPem, credentials.kafkaApp, [`${CLUSTER_HOST}:${ports.kafkaClient(id)}`]), async (admin) => {
    const cluster = await admin.describeCluster();
    return cluster.brokers.map((b) => b.nodeId);
  });
  return ids?.includes(id) ?? false;
}

/** Partitions whose in-sync replicas are fewer than their replicas ("topic/partition"), or undefined when unknown. */
export async function underReplicatedPartitions(caPem: string, credentials: ClusterCredentials): Promise<string[] | undefined> {
  return withAdmin(
    kafkaClientConfig(caPem, credentials.kafkaAdmin),
    async (admin) => {
      const topics = await admin.listTopics();
      if (topics.length === 0) return [];
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      return metadata.flatMap((t) => t.partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => `${t.name}/${p.partitionId}`));
    },
    15_000,
  );
}

export async function brokerLogTail(id: BrokerId, lines = 30): Promise<string> {
  const paths = brokerPaths(id);
  const server = await tailFile(paths.serverLog, lines, START_MARKER);
  const stdout = await tailFile(paths.stdoutLog, 10);
  return [server && `${paths.serverLog}:\n${server}`, stdout && `${paths.stdoutLog}:\n${stdout}`].filter(Boolean).join('\n') || '(nothing logged yet)';
}
