/**
 * ensureTopics starts over after a retriable failure: right after creating topics, a busy broker's metadata may
 * not know them yet, and KafkaJS's wait for leaders then fails with UNKNOWN_TOPIC_OR_PARTITION (seen in CI with
 * three test files creating topics at once). The real broker path is covered by test/integration/topics.test.ts;
 * this fakes the admin client to make that failure happen on demand.
 */
import kafkajs, { type Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/bus/topics.ts';
import type { TopicDefinition } from '../../src/config/pipeline.ts';
import { PantauError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/log.ts';

const { KafkaJSProtocolError } = kafkajs;

const unknownTopic = () => new KafkaJSProtocolError({ message: 'This server does not host this topic-partition', type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true } as never);
const topic = (name: string, partitions = 2): TopicDefinition => ({ name, partitions, retentionMs: 3_600_000 });

/** A broker that holds `topics` (name → partitions); `failures` says what each createTopics call throws first. */
function fakeKafka(failures: Array<() => Error>) {
  const topics = new Map<string, number>();
  const calls = { connect: 0, create: 0, disconnect: 0 };
  const admin = {
    connect: async () => void calls.connect++,
    disconnect: async () => void calls.disconnect++,
    listTopics: async () => [...topics.keys()],
    createTopics: async ({ topics: wanted }: { topics: Array<{ topic: string; numPartitions: number }> }) => {
      calls.create++;
      // The topics are made, then the wait for their leaders fails: what the broker did is not undone.
      for (const t of wanted) topics.set(t.topic, t.numPartitions);
      const failure = failures.shift();
      if (failure) throw failure();
      return true;
    },
    fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => ({
      topics: names.map((name) => ({ name, partitions: Array.from({ length: topics.get(name) ?? 0 }, (_, partitionId) => ({ partitionId })) })),
    }),
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls, topics };
}

function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: createLogger({}, { level: 'debug', write: (line: string) => void lines.push(JSON.parse(line)) }), lines };
}

describe('ensureTopics after a retriable failure', () => {
  it('starts over, finds the topics made, and still reports them as created', async () => {
    const { kafka, calls } = fakeKafka([unknownTopic]);
    const { logger, lines } = recordingLogger();
    const waits: number[] = [];
    const result = await ensureTopics(kafka, [topic('a'), topic('b', 3)], logger, { sleep: async (ms) => void waits.push(ms) });
    expect(result).toEqual({ created: ['a', 'b'], mismatched: [] });
    expect(calls.create).toBe(1); // the second look found both: nothing created twice
    expect(calls.disconnect).toBe(calls.connect);
    expect(waits).toEqual([250]);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['creating Kafka topics: a retriable failure, starting over']);
  });

  it('gives up after five attempts with the retriable error, and waits longer each time', async () => {
    // Each attempt creates nothing new (the topics exist after the first), so make listing fail instead.
    const { kafka } = fakeKafka([]);
    const admin = kafka.admin();
    let lists = 0;
    admin.listTopics = async () => {
      lists++;
      throw unknownTopic();
    };
    const waits: number[] = [];
    const error = await ensureTopics(kafka, [topic('a')], recordingLogger().logger, { sleep: async (ms) => void waits.push(ms) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PantauError);
    expect((error as PantauError).retriable).toBe(true);
    expect((error as PantauError).message).toMatch(/creating Kafka topics failed: This server does not host this topic-partition/);
    expect(lists).toBe(5);
    expect(waits).toEqual([250, 500, 1000, 2000]);
  });

  it('does not retry what cannot succeed (a refused topic configuration)', async () => {
    const refused = () => new KafkaJSProtocolError({ message: 'Configuration is invalid', type: 'INVALID_CONFIG', code: 40, retriable: false } as never);
    const { kafka, calls } = fakeKafka([refused]);
    const error = await ensureTopics(kafka, [topic('a')], recordingLogger().logger, { sleep: async () => {} }).catch((e: unknown) => e);
    expect((error as PantauError).retriable).toBe(false);
    expect(calls.create).toBe(1);
  });
});
