/**
 * Produces many messages without hitting the broker's size limit. KafkaJS puts every message for one
 * partition of one request into a single record batch, and the broker refuses a batch larger than
 * `message.max.bytes` (1 MiB by default): a stage that forwards a whole fetched batch at once would fail
 * forever. So requests are cut at a byte budget well under that.
 */
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { Stage } from '../core/errors.ts';
import { kafkaError } from './kafka-errors.ts';

/** Bytes of keys + values per produce request; half the broker default leaves room for headers and overhead. */
export const MAX_REQUEST_BYTES = 512 * 1024;

const size = (v: Message['key'] | Message['value']) => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

export function chunkTopicMessages(topicMessages: TopicMessages[], maxBytes = MAX_REQUEST_BYTES): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const n = size(message.key) + size(message.value) + 64;
      if (bytes + n > maxBytes && bytes > 0) {
        requests.push(current);
        current = [];
        bytes = 0;
      }
      const last = current.at(-1);
      if (last?.topic === topic) last.messages.push(message);
      else current.push({ topic, messages: [message] });
      bytes += n;
    }
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/**
 * Sends all messages with acks from all in-sync replicas; resolves when every request was acknowledged.
 * The requests go out together (the producer allows several in flight): one after another, a batch of
 * 1,700 scored posts waited for five round trips, which capped the classify stage. When one fails, the
 * caller retries the whole batch; messages already written are then written again (at-least-once).
 * A failure is a PantauError of `stage`, retriable by the Kafka rule (bus/kafka-errors.ts: a broker
 * re-election or a broker that stayed down through KafkaJS's own retries is, a message the broker will
 * never accept is not).
 */
export async function produceAll(producer: Producer, topicMessages: TopicMessages[], stage: Stage): Promise<void> {
  const requests = chunkTopicMessages(topicMessages.filter((t) => t.messages.length > 0));
  try {
    await Promise.all(requests.map((request) => producer.sendBatch({ acks: -1, topicMessages: request })));
  } catch (cause) {
    throw kafkaError(stage, 'Kafka produce', cause);
  }
}
