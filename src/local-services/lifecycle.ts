/**
 * What both services share: finding out whether ours runs (from the pid file, or from the port owner when
 * the pid file was lost), refusing ports held by someone else, waiting for health, stopping.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { PantauError } from '../core/errors.ts';
import { ELASTICSEARCH_URL, elasticsearchHealthy, elasticsearchLogTail, elasticsearchPaths } from './elasticsearch.ts';
import { fallbackElasticsearchBase } from './elasticsearch-user.ts';
import { KAFKA_ENDPOINT, kafkaHealthy, kafkaLogTail, kafkaPaths } from './kafka.ts';
import { servicesDir } from './paths.ts';
import { isPortOpen, portOwner } from './ports.ts';
import { commandLine, parentPid, seconds, sleep, terminate } from './process.ts';
import {
  ELASTICSEARCH_HTTP_PORT,
  ELASTICSEARCH_TRANSPORT_PORT,
  KAFKA_CONTROLLER_PORT,
  KAFKA_PORT,
  STOP_GRACE_MS,
} from './settings.ts';
import { isOurs, readPidFile, readState, removeState, writeState, type ServiceName, type ServiceState } from './state-files.ts';
import { ELASTICSEARCH_VERSION, KAFKA_VERSION } from './versions.ts';

export interface Driver {
  name: ServiceName;
  label: string;
  version: string;
  endpoint: string;
  /** The port clients use, then the service's other ports; with what to tell a user when one is taken. */
  ports: Array<{ port: number; hint: string }>;
  healthy(): Promise<boolean>;
  logTail(state: ServiceState): Promise<string>;
  /** Paths that identify our processes of this service by command line. */
  markers(): string[];
}

export const DRIVERS: Record<ServiceName, Driver> = {
  kafka: {
    name: 'kafka',
    label: 'Kafka',
    version: KAFKA_VERSION,
    endpoint: KAFKA_ENDPOINT,
    ports: [
      { port: KAFKA_PORT, hint: 'stop it, or set KAFKA_BROKERS to use that broker' },
      { port: KAFKA_CONTROLLER_PORT, hint: 'stop it (Kafka needs it for its KRaft controller)' },
    ],
    healthy: kafkaHealthy,
    logTail: () => kafkaLogTail(),
    markers: () => [kafkaPaths().serverProperties],
  },
  elasticsearch: {
    name: 'elasticsearch',
    label: 'Elasticsearch',
    version: ELASTICSEARCH_VERSION,
    endpoint: ELASTICSEARCH_URL,
    ports: [
      { port: ELASTICSEARCH_HTTP_PORT, hint: 'stop it, or set ELASTICSEARCH_URL to use that node' },
      { port: ELASTICSEARCH_TRANSPORT_PORT, hint: 'stop it (Elasticsearch needs it for its transport layer)' },
    ],
    healthy: elasticsearchHealthy,
    logTail: (state) => elasticsearchLogTail(state.root ?? join(servicesDir(), 'elasticsearch')),
    markers: () => [join(servicesDir(), 'elasticsearch'), join(fallbackElasticsearchBase(), 'elasticsearch')].map((root) => elasticsearchPaths(root).home),
  },
};

export interface Inspection {
  state?: ServiceState;
  /** Our live processes of this service (Elasticsearch: launcher and server). Empty when not running. */
  pids: number[];
  /** The pid to show: the process serving the port when known. */
  mainPid?: number;
}

/** Whether our service runs. A pid file pointing at a dead or foreign process counts as "not running". */
export async function inspect(driver: Driver): Promise<Inspection> {
  const state = await readState(driver.name);
  if (state) {
    const server = state.serverPidFile ? await readPidFile(state.serverPidFile) : undefined;
    const candidates = server && server !== state.pid ? [state.pid, server] : [state.pid];
    const pids: number[] = [];
    for (const pid of candidates) if (await isOurs(pid, state.marker)) pids.push(pid);
    if (pids.length > 0) return { state, pids, mainPid: server && pids.includes(server) ? server : pids[0] };
  }
  return (await findOrphan(driver)) ?? { state, pids: [] };
}

/** Our service listening without a (valid) pid file, e.g. after .services/run was deleted: adopt it. */
async function findOrphan(driver: Driver): Promise<Inspection | undefined> {
  const owner = await portOwner(driver.ports[0]!.port);
  const marker = owner && driver.markers().find((m) => owner.command.includes(m));
  if (!owner || !marker) return undefined;
  const pids = [owner.pid];
  const parent = await parentPid(owner.pid);
  if (parent && (await commandLine(parent))?.includes(marker)) pids.unshift(parent);
  const root = driver.name === 'elasticsearch' ? join(marker, '..') : undefined;
  const state: ServiceState = {
    pid: pids[0]!,
    marker,
    version: driver.version,
    startedAt: new Date().toISOString(),
    ...(root ? { root, serverPidFile: elasticsearchPaths(root).serverPidFile } : {}),
  };
  await writeState(driver.name, state);
  return { state, pids, mainPid: owner.pid };
}

/** Fails when one of the service's ports is held by a process that is not ours. */
export async function assertPortsFree(driver: Driver): Promise<void> {
  for (const { port, hint } of driver.ports) {
    if (!(await isPortOpen(port))) continue;
    const owner = await portOwner(port);
    const who = owner ? ` (pid ${owner.pid}: ${owner.command.length > 120 ? `${owner.command.slice(0, 117)}...` : owner.command})` : '';
    throw new PantauError(`port ${port} is taken by another process${who}; ${hint}`, {
      stage: 'services',
      code: 'port_taken',
      retriable: false,
    });
  }
}

/** Polls until healthy; fails early when the process exits, else after `timeoutMs`, quoting its log. */
export async function waitUntilHealthy(driver: Driver, state: ServiceState, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await driver.healthy()) return Date.now() - started;
    if ((await inspect(driver)).pids.length === 0) {
      throw new PantauError(`${driver.label} exited while starting. Last lines of its log:\n${await driver.logTail(state)}`, {
        stage: 'services',
        code: `${driver.name}_exited`,
        retriable: false,
      });
    }
    if (Date.now() - started > timeoutMs) {
      throw new PantauError(
        `${driver.label} was not healthy after ${seconds(timeoutMs)} on ${driver.endpoint}. Last lines of its log:\n${await driver.logTail(state)}`,
        { stage: 'services', code: `${driver.name}_start_timeout`, retriable: true },
      );
    }
    await sleep(500);
  }
}

/** Stops our processes of the service (SIGTERM, then SIGKILL after the grace period) and removes pid files. */
export async function stopService(driver: Driver, log: (line: string) => void): Promise<void> {
  const { state, pids, mainPid } = await inspect(driver);
  if (pids.length > 0) {
    log(`stopping ${driver.label} (pid ${mainPid})…`);
    const started = Date.now();
    const { forced } = await terminate(pids, STOP_GRACE_MS);
    log(`${driver.label} stopped (${seconds(Date.now() - started)}${forced ? ', killed after not stopping in time' : ''})`);
  } else {
    log(`${driver.label} is not running`);
  }
  await removeState(driver.name);
  if (state?.serverPidFile) await rm(state.serverPidFile, { force: true });
}
