/**
 * Local Kafka and Elasticsearch for development and CI: fetched once from Maven Central into .services/,
 * started detached, stopped by pid. `up` is idempotent and serialised by a lock, so the app, the tests and a
 * terminal can all call it.
 */
import { PantauError } from '../core/errors.ts';
import { elasticsearchInstalled, elasticsearchTarget, prepareElasticsearch, startElasticsearch, type ElasticsearchTarget } from './elasticsearch.ts';
import { fetchDistributions, type FetchPlan } from './fetch-distributions.ts';
import { findJava, type JavaRuntime } from './java.ts';
import { kafkaLibsPresent, kafkaPaths, prepareKafka, startKafka } from './kafka.ts';
import { assertPortsFree, DRIVERS, inspect, stopService, waitUntilHealthy, type Driver } from './lifecycle.ts';
import { withLock } from './lock.ts';
import { seconds, terminate } from './process.ts';
import { startTimeoutMs } from './settings.ts';
import { removeState, type ServiceName, type ServiceState } from './state-files.ts';

export interface LocalServicesEndpoints {
  kafkaBrokers: string[];
  elasticsearchUrl: string;
}

export interface UpOptions {
  log?: (line: string) => void;
  /** Defaults: 60 s for Kafka, 90 s for Elasticsearch (or PANTAU_KAFKA_START_TIMEOUT_MS / PANTAU_ELASTICSEARCH_START_TIMEOUT_MS). */
  kafkaTimeoutMs?: number;
  elasticsearchTimeoutMs?: number;
}

export interface LocalServiceStatus {
  name: ServiceName;
  running: boolean;
  healthy: boolean;
  pid?: number;
  endpoint: string;
  version: string;
}

export const LOCAL_SERVICES_ENDPOINTS: LocalServicesEndpoints = {
  kafkaBrokers: [DRIVERS.kafka.endpoint],
  elasticsearchUrl: DRIVERS.elasticsearch.endpoint,
};

const SERVICES: ServiceName[] = ['kafka', 'elasticsearch'];
const quiet = (): void => {};

/** Starts whatever of Kafka and Elasticsearch is not running yet and waits until both are healthy. */
export async function upLocalServices(opts: UpOptions = {}): Promise<LocalServicesEndpoints & { started: string[] }> {
  const log = opts.log ?? quiet;
  const timeouts: Record<ServiceName, number> = {
    kafka: opts.kafkaTimeoutMs ?? startTimeoutMs('kafka'),
    elasticsearch: opts.elasticsearchTimeoutMs ?? startTimeoutMs('elasticsearch'),
  };
  return withLock(log, async () => {
    const toStart: ServiceName[] = [];
    for (const name of SERVICES) {
      const driver = DRIVERS[name];
      const { state, pids, mainPid } = await inspect(driver);
      if (pids.length > 0 && state) {
        if (!(await driver.healthy())) {
          log(`${driver.label} is running (pid ${mainPid}) but not healthy yet; waiting…`);
          await waitUntilHealthy(driver, state, timeouts[name]);
        }
        log(`${driver.label} ${driver.version} already running (pid ${mainPid}) on ${driver.endpoint}`);
        continue;
      }
      if (state) await removeState(name); // Stale: its process is gone.
      await assertPortsFree(driver);
      toStart.push(name);
    }
    if (toStart.length === 0) return { ...LOCAL_SERVICES_ENDPOINTS, started: [] };

    const java = await findJava();
    log(`using ${java.description}`);
    const es = toStart.includes('elasticsearch') ? await elasticsearchTarget(log) : undefined;
    const plan: FetchPlan = {};
    if (toStart.includes('kafka') && !(await kafkaLibsPresent())) plan.kafkaLibs = kafkaPaths().libs;
    if (es && !(await elasticsearchInstalled(es))) plan.elasticsearchRoot = es.root;
    await fetchDistributions(plan, log);

    // Start both, then wait for both: their start-ups overlap, which roughly halves a cold `up`.
    const launches = await Promise.allSettled(toStart.map((name) => launch(name, java, es, log)));
    const waits = await Promise.allSettled(
      launches.map(async (launched, i) => {
        if (launched.status === 'rejected') throw launched.reason;
        const driver = DRIVERS[toStart[i]!];
        try {
          const took = await waitUntilHealthy(driver, launched.value, timeouts[driver.name]);
          log(`${driver.label} ready on ${driver.endpoint} (${seconds(took)})`);
        } catch (error) {
          await abandon(driver);
          throw error;
        }
      }),
    );
    const failures = waits.flatMap((w) => (w.status === 'rejected' ? [w.reason as unknown] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      const message = failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n\n');
      throw new PantauError(message, { stage: 'services', code: 'services_failed', retriable: false, cause: failures[0] });
    }
    return { ...LOCAL_SERVICES_ENDPOINTS, started: toStart };
  });
}

async function launch(name: ServiceName, java: JavaRuntime, es: ElasticsearchTarget | undefined, log: (line: string) => void): Promise<ServiceState> {
  if (name === 'kafka') {
    await prepareKafka(java, log);
    log(`starting ${DRIVERS.kafka.label} ${DRIVERS.kafka.version}…`);
    return startKafka(java);
  }
  if (!es) throw new Error('unreachable: no Elasticsearch target');
  await prepareElasticsearch(es);
  log(`starting ${DRIVERS.elasticsearch.label} ${DRIVERS.elasticsearch.version}${es.runAs ? ` as user ${es.runAs.user}` : ''} in ${es.root}…`);
  return startElasticsearch(java, es);
}

/** A start that failed must not leave a half-started process holding the ports. */
async function abandon(driver: Driver): Promise<void> {
  await terminate((await inspect(driver)).pids, 5_000);
  await removeState(driver.name);
}

/** Stops both services, or only those named (a no-op for one that is not running). */
export async function downLocalServices(opts: { log?: (line: string) => void; only?: ServiceName[] } = {}): Promise<void> {
  const log = opts.log ?? quiet;
  const names = opts.only ?? SERVICES;
  await withLock(log, async () => {
    await Promise.all(names.map((name) => stopService(DRIVERS[name], log)));
  });
}

/** Whether each service runs (our process) and answers health checks. */
export async function localServicesStatus(): Promise<LocalServiceStatus[]> {
  return Promise.all(
    SERVICES.map(async (name) => {
      const driver = DRIVERS[name];
      const { pids, mainPid } = await inspect(driver);
      const running = pids.length > 0;
      return {
        name,
        running,
        healthy: running && (await driver.healthy()),
        ...(mainPid !== undefined && running ? { pid: mainPid } : {}),
        endpoint: driver.endpoint,
        version: driver.version,
      };
    }),
  );
}
