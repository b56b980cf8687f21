/**
 * A single-node KRaft Kafka (broker and controller in one JVM) on 127.0.0.1:9092, run straight from the jars
 * Maven fetched: no tarball, no shell scripts. Config files are rewritten on every start so they always match
 * this code; the storage is formatted once.
 */
import { randomBytes } from 'node:crypto';
import { access, appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { PantauError } from '../core/errors.ts';
import type { JavaRuntime } from './java.ts';
import { kafkaDir } from './paths.ts';
import { isPortOpen } from './ports.ts';
import { run, spawnDetached, tailFile } from './process.ts';
import { HOST, KAFKA_CONTROLLER_PORT, KAFKA_HEAP, KAFKA_PORT } from './settings.ts';
import { writeState, type ServiceState } from './state-files.ts';
import { KAFKA_VERSION } from './versions.ts';

export const KAFKA_ENDPOINT = `${HOST}:${KAFKA_PORT}`;
const START_MARKER = '=== started by npm run services at';

export function kafkaPaths() {
  const root = kafkaDir();
  return {
    libs: join(root, `libs-${KAFKA_VERSION}`),
    serverProperties: join(root, 'config', 'server.properties'),
    log4jConfig: join(root, 'config', 'log4j2.properties'),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    serverLog: join(root, 'logs', 'server.log'),
    stdoutLog: join(root, 'logs', 'stdout.log'),
  };
}

export async function kafkaLibsPresent(): Promise<boolean> {
  return access(kafkaPaths().libs).then(
    () => true,
    () => false,
  );
}

function serverProperties(dataDir: string): string {
  return [
    '# Written by `npm run services` on every start; edit src/local-services/kafka.ts instead.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${KAFKA_CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://${HOST}:${KAFKA_PORT},CONTROLLER://${HOST}:${KAFKA_CONTROLLER_PORT}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${KAFKA_PORT}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    '# One broker: every internal topic has a single replica.',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    '# The app creates its topics with their partition counts; a typo must fail, not create a topic.',
    'auto.create.topics.enable=false',
    '# No point waiting for more group members on a dev broker; makes consumer tests fast.',
    'group.initial.rebalance.delay.ms=0',
    '# Producers whose clock says another date may write (Kafka refuses timestamps over an hour off by',
    '# default): the test suite runs once more with its clock at a month boundary (faketime, see .ci/run).',
    'log.message.timestamp.before.max.ms=9223372036854775807',
    'log.message.timestamp.after.max.ms=9223372036854775807',
    '',
  ].join('\n');
}

/** Kafka 4 logs through SLF4J 1.7 to log4j2: a rolling server.log in `logsDir` (shared with the cluster's brokers). */
export function log4jProperties(logsDir: string, writtenBy = '`npm run services`'): string {
  return [
    `# Written by ${writtenBy}. Kafka 4 logs through SLF4J 1.7 to log4j2.`,
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

function newClusterId(): string {
  // Kafka's own generator avoids a leading '-', which command-line parsers read as an option.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Writes the config files and formats the storage if it never was. */
export async function prepareKafka(java: JavaRuntime, log: (line: string) => void): Promise<void> {
  const paths = kafkaPaths();
  await mkdir(join(paths.serverProperties, '..'), { recursive: true });
  await mkdir(paths.data, { recursive: true });
  await mkdir(paths.logs, { recursive: true });
  await writeFile(paths.serverProperties, serverProperties(paths.data));
  await writeFile(paths.log4jConfig, log4jProperties(paths.logs));
  const formatted = await access(join(paths.data, 'meta.properties')).then(
    () => true,
    () => false,
  );
  if (formatted) return;
  const clusterId = newClusterId();
  log(`formatting Kafka storage in ${paths.data} (cluster id ${clusterId})…`);
  const result = await run(java.bin, [
    `-Dlog4j2.configurationFile=${paths.log4jConfig}`,
    '-cp',
    join(paths.libs, '*'),
    'kafka.tools.StorageTool',
    'format',
    `--config=${paths.serverProperties}`,
    `--cluster-id=${clusterId}`,
    '--ignore-formatted',
  ]);
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-20).join('\n');
    throw new PantauError(`formatting the Kafka storage failed (exit code ${result.code}):\n${output}`, {
      stage: 'services',
      code: 'kafka_format_failed',
      retriable: false,
    });
  }
}

/** Starts the broker detached and records its pid. */
export async function startKafka(java: JavaRuntime): Promise<ServiceState> {
  const paths = kafkaPaths();
  await writeFile(paths.stdoutLog, ''); // Only JVM-level failures land here; keep just this start's.
  // log4j appends to server.log: mark where this start begins, so error messages quote only this start.
  await appendFile(paths.serverLog, `${START_MARKER} ${new Date().toISOString()}\n`);
  const args = [
    ...KAFKA_HEAP,
    // The JVM flags kafka-server-start.sh uses.
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${paths.logs}`,
    `-Dlog4j2.configurationFile=${paths.log4jConfig}`,
    '-cp',
    join(paths.libs, '*'),
    'kafka.Kafka',
    paths.serverProperties,
  ];
  const pid = await spawnDetached(java.bin, args, { cwd: kafkaDir(), env: process.env, logFile: paths.stdoutLog });
  const state: ServiceState = { pid, marker: paths.serverProperties, version: KAFKA_VERSION, startedAt: new Date().toISOString() };
  await writeState('kafka', state);
  return state;
}

/** Healthy = the port accepts connections and the broker answers a metadata request. */
export async function kafkaHealthy(): Promise<boolean> {
  if (!(await isPortOpen(KAFKA_PORT))) return false;
  const admin = new Kafka({
    clientId: 'pantau-services-health',
    brokers: [KAFKA_ENDPOINT],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  const attempt = (async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  })();
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000).unref());
  try {
    return await Promise.race([attempt.catch(() => false), timeout]);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The end of the broker's log, plus any JVM-level output, for error messages. */
export async function kafkaLogTail(lines = 30): Promise<string> {
  const paths = kafkaPaths();
  const server = await tailFile(paths.serverLog, lines, START_MARKER);
  const stdout = await tailFile(paths.stdoutLog, 10);
  return [server && `${paths.serverLog}:\n${server}`, stdout && `${paths.stdoutLog}:\n${stdout}`].filter(Boolean).join('\n') || '(nothing logged yet)';
}
