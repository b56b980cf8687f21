import type { Message, PartitionMetadata, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { chunkTopicMessages, produceAll, trackingPartitioner } from '../../src/bus/produce.ts';
import { isRetriable, PantauError } from '../../src/core/errors.ts';

const msgs = (n: number, bytes: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(bytes) }));

describe('chunkTopicMessages', () => {
  it('keeps every message, in order, and each request under the byte budget', () => {
    const input = [
      { topic: 'posts.scored', messages: msgs(3000, 900) },
      { topic: 'alerts', messages: msgs(500, 1500) },
    ];
    const requests = chunkTopicMessages(input, 512 * 1024);
    expect(requests.length).toBeGreaterThan(5);
    for (const r of requests) {
      const bytes = r.flatMap((t) => t.messages).reduce((s, m) => s + String(m.key).length + String(m.value).length + 64, 0);
      expect(bytes).toBeLessThanOrEqual(512 * 1024);
    }
    for (const topic of ['posts.scored', 'alerts']) {
      const out = requests.flat().filter((t) => t.topic === topic).flatMap((t) => t.messages);
      expect(out).toEqual(input.find((t) => t.topic === topic)!.messages);
    }
  });

  it('sends a single message larger than the budget on its own rather than dropping it', () => {
    const requests = chunkTopicMessages([{ topic: 't', messages: [...msgs(1, 10), { key: 'big', value: 'y'.repeat(2000) }, ...msgs(1, 10)] }], 1000);
    expect(requests.map((r) => r[0]!.messages.length)).toEqual([1, 1, 1]);
  });

  it('makes no request for no messages', () => {
    expect(chunkTopicMessages([{ topic: 't', messages: [] }])).toEqual([]);
  });
});

/**
 * A producer that partitions like KafkaJS (the tracking partitioner, three partitions) and answers for every
 * partition it wrote, except those `drop` names on a given call: what KafkaJS 2.2.4 does when a leader dies
 * mid-send and its partition moves to a broker that had already answered.
 */
function fakeProducer(drop: (call: number) => number[]) {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: partitionId, partitionErrorCode: 0, replicas: [], isr: [] })) as PartitionMetadata[];
  const partitioner = trackingPartitioner();
  const written: Array<{ topic: string; partition: number; key: string }> = [];
  const calls: TopicMessages[][] = [];
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }): Promise<RecordMetadata[]> => {
      const dropped = drop(calls.length);
      calls.push(topicMessages);
      const answers: RecordMetadata[] = [];
      for (const { topic, messages } of topicMessages) {
        for (const message of messages) {
          const partition = partitioner({ topic, partitionMetadata, message });
          if (dropped.includes(partition)) continue;
          written.push({ topic, partition, key: String(message.key) });
          if (!answers.some((a) => a.topicName === topic && a.partition === partition)) answers.push({ topicName: topic, partition, errorCode: 0 });
        }
      }
      return answers;
    },
  } as unknown as Producer;
  return { producer, written, calls };
}

const keyed = (n: number): Message[] => Array.from({ length: n }, (_, i) => ({ key: `post-${i}`, value: `v${i}` }));

describe('produceAll checks every partition was acknowledged', () => {
  it('sends again, on their own, the messages of a partition the send resolved without', async () => {
    const { producer, written, calls } = fakeProducer((call) => (call === 0 ? [1] : []));
    await produceAll(producer, [{ topic: 'scored', messages: keyed(60) }, { topic: 'alerts', messages: keyed(9) }], 'classifying');
    expect(calls).toHaveLength(2);
    const resent = calls[1]!.flatMap((t) => t.messages.map((m) => `${t.topic}/${String(m.key)}`));
    const ofPartition1 = written.filter((w) => w.partition === 1).map((w) => `${w.topic}/${w.key}`);
    expect(resent.length).toBeGreaterThan(0);
    expect(resent.sort()).toEqual(ofPartition1.sort());
    // Everything written exactly once in the end.
    expect(new Set(written.map((w) => `${w.topic}/${w.key}`)).size).toBe(69);
    expect(written).toHaveLength(69);
  });

  it('gives up with a retriable error when a partition is never acknowledged', async () => {
    const { producer, calls } = fakeProducer(() => [2]);
    const error = await produceAll(producer, [{ topic: 'scored', messages: keyed(30) }], 'classifying').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PantauError);
    expect(isRetriable(error)).toBe(true);
    expect((error as PantauError).code).toBe('kafka_unacknowledged');
    expect(calls.length).toBeGreaterThan(1);
  });

  it('sends once when every partition answers', async () => {
    const { producer, calls, written } = fakeProducer(() => []);
    await produceAll(producer, [{ topic: 'scored', messages: keyed(50) }], 'classifying');
    expect(calls).toHaveLength(1);
    expect(written).toHaveLength(50);
  });
});
