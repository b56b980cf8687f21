/**
 * The local services lifecycle against the real thing: `up` is idempotent, `status` sees both healthy,
 * `down` leaves no process and no port behind, and a second `up` starts from the cache without fetching.
 * Other integration files rely on the services, so this file ends in the state it found them in.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downLocalServices, localServicesStatus, upLocalServices } from '../../src/local-services/index.ts';
import { kafkaPaths } from '../../src/local-services/kafka.ts';
import { PROJECT_ROOT } from '../../src/local-services/paths.ts';
import { isAlive } from '../../src/local-services/process.ts';
import { isPortOpen } from '../../src/local-services/ports.ts';
import { readPidFile, readState } from '../../src/local-services/state-files.ts';

const PORTS = [9092, 9093, 9200, 9300];
const START_TIMEOUT = 300_000; // A cold start fetches ~150 MB from Maven Central.
const external = Boolean(process.env.KAFKA_BROKERS && process.env.ELASTICSEARCH_URL);

/** Every pid we know of: pid files and Elasticsearch's own server pid file. */
async function ourPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const name of ['kafka', 'elasticsearch'] as const) {
    const state = await readState(name);
    if (state) pids.push(state.pid);
    const server = state?.serverPidFile ? await readPidFile(state.serverPidFile) : undefined;
    if (server) pids.push(server);
  }
  return pids;
}

/** Live processes whose command line mentions one of `markers` (this process excluded). */
async function processesMentioning(markers: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (markers.some((m) => command.includes(m)) && (await isAlive(Number(pid)))) found.push(`${pid}: ${command.slice(0, 120)}`);
  }
  return found;
}

describe.skipIf(external)('npm run services (local Kafka and Elasticsearch)', () => {
  let wasUp = false;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
  };

  beforeAll(async () => {
    wasUp = (await localServicesStatus()).every((s) => s.healthy);
  });

  afterAll(async () => {
    // Leave things as found: up for the files that run after this one, down if nobody had started them.
    if (wasUp) await upLocalServices();
    else await downLocalServices();
  }, START_TIMEOUT);

  it('brings both services up and reports them healthy', { timeout: START_TIMEOUT }, async () => {
    const result = await upLocalServices({ log });
    expect(result.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(result.elasticsearchUrl).toBe('http://127.0.0.1:9200');
    const status = await localServicesStatus();
    expect(status.map((s) => [s.name, s.running, s.healthy])).toEqual([
      ['kafka', true, true],
      ['elasticsearch', true, true],
    ]);
  });

  it('a second up is quick, starts nothing and keeps the same pids', async () => {
    const before = await localServicesStatus();
    lines.length = 0;
    const started = Date.now();
    const result = await upLocalServices({ log });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.started).toEqual([]);
    expect(lines.filter((l) => l.includes('already running'))).toHaveLength(2);
    const after = await localServicesStatus();
    expect(after.map((s) => s.pid)).toEqual(before.map((s) => s.pid));
    expect(after.every((s) => s.pid !== undefined)).toBe(true);
  });

  it('the CLI status prints both healthy as JSON and exits 0', async () => {
    // The project's Node 22 (the `node` devDependency) runs .ts directly; vitest itself may run on an older one.
    const node = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
    const { stdout } = await promisify(execFile)(node, ['src/local-services/cli.ts', 'status', '--json'], { cwd: PROJECT_ROOT });
    const rows = JSON.parse(stdout) as Array<{ name: string; healthy: boolean; version: string }>;
    expect(rows.map((r) => [r.name, r.healthy])).toEqual([
      ['kafka', true],
      ['elasticsearch', true],
    ]);
    expect(rows.every((r) => /^\d+\.\d+\.\d+$/.test(r.version))).toBe(true);
  });

  it('kafkajs produces, consumes in a group and commits against the local broker', async () => {
    const kafka = new Kafka({ clientId: 'local-services-test', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
    const topic = `test.local-services.${Date.now()}`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `${topic}.group` });
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`consumed only ${seen.join(',')}`)), 30_000);
        void consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              seen.push(message.value?.toString() ?? '');
              await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
              if (seen.length === 3) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
      expect(seen).toEqual(['a', 'b', 'c']);
      await consumer.disconnect();
      const [committed] = await admin.fetchOffsets({ groupId: `${topic}.group`, topics: [topic] });
      expect(committed?.partitions[0]?.offset).toBe('3');
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await consumer.disconnect().catch(() => {});
      await producer.disconnect().catch(() => {});
      await admin.disconnect();
    }
  });

  it('down stops every process and frees the ports; a second down is harmless', { timeout: 60_000 }, async () => {
    const pids = await ourPids();
    const esState = await readState('elasticsearch');
    const markers = [kafkaPaths().serverProperties, ...(esState ? [esState.marker] : [])];
    expect(pids.length).toBeGreaterThanOrEqual(2);

    await downLocalServices({ log });
    for (const pid of pids) expect(await isAlive(pid), `pid ${pid} still alive`).toBe(false);
    for (const port of PORTS) expect(await isPortOpen(port), `port ${port} still open`).toBe(false);
    expect(await processesMentioning(markers)).toEqual([]);
    expect((await localServicesStatus()).map((s) => [s.running, s.healthy])).toEqual([
      [false, false],
      [false, false],
    ]);

    await downLocalServices({ log });
    expect(await ourPids()).toEqual([]);
  });

  it('up after down starts both from the cache without fetching', { timeout: START_TIMEOUT }, async () => {
    lines.length = 0;
    const result = await upLocalServices({ log });
    expect(result.started.sort()).toEqual(['elasticsearch', 'kafka']);
    expect(lines.some((l) => l.startsWith('fetching'))).toBe(false);
    expect((await localServicesStatus()).every((s) => s.healthy)).toBe(true);
  });
});
