/**
 * Topics are created from the pipeline file, idempotently; an existing topic whose partition count differs
 * from the file's is reported (pantau never changes partition counts: shrinking is impossible and growing
 * moves keys), against the real broker.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../src/bus/kafka-client.ts';
import { ensureTopics } from '../../src/bus/topics.ts';
import { createLogger } from '../../src/core/log.ts';
import { KAFKA_BROKERS } from '../helpers/cluster.ts';

describe('ensureTopics against the real broker', () => {
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: 'pantau-test', logger: createLogger({}, { write: () => {} }) });
  const id = randomBytes(4).toString('hex');
  const topic = (name: string, partitions: number) => ({ name: `test.topics-${id}.${name}`, partitions, retentionMs: 3_600_000 });
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: ['a', 'b', 'c'].map((n) => topic(n, 1).name) }).catch(() => {});
    await admin.disconnect();
  });

  it('creates what is missing, leaves what exists, and reports partition counts that differ from the file', async () => {
    const lines: string[] = [];
    const logger = createLogger({}, { write: (l) => lines.push(l), json: true });
    expect(await ensureTopics(kafka, [topic('a', 2), topic('b', 3)], logger)).toEqual({ created: [topic('a', 2).name, topic('b', 3).name], mismatched: [] });

    // The file now asks for more partitions of a, fewer of b; c is new.
    const again = await ensureTopics(kafka, [topic('a', 6), topic('b', 1), topic('c', 1)], logger);
    expect(again.created).toEqual([topic('c', 1).name]);
    expect(again.mismatched).toEqual([
      { topic: topic('a', 6).name, configured: 6, actual: 2 },
      { topic: topic('b', 1).name, configured: 1, actual: 3 },
    ]);
    const warnings = lines.map((l) => JSON.parse(l) as { level: string; msg: string; topic?: string }).filter((l) => l.level === 'warn');
    expect(warnings.map((w) => w.topic)).toEqual([topic('a', 6).name, topic('b', 1).name]);
    expect(warnings[0]!.msg).toMatch(/fewer partitions/);
    expect(warnings[1]!.msg).toMatch(/more partitions/);

    // Nothing was changed on the broker.
    const metadata = await admin.fetchTopicMetadata({ topics: [topic('a', 0).name, topic('b', 0).name] });
    expect(metadata.topics.map((t) => t.partitions.length).sort()).toEqual([2, 3]);
  });
});
