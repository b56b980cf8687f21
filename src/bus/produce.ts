/**
 * Produces many messages without hitting the broker's size limit. KafkaJS puts every message for one
 * partition of one request into a single record batch, and the broker refuses a batch larger than
 * `message.max.bytes` (1 MiB by default): a stage that forwards a whole fetched batch at once would fail
 * forever. So requests are cut at a byte budget well under that.
 */
import { Partitioners, type ICustomPartitioner, type Message, type Producer, type RecordMetadata, type TopicMessages } from 'kafkajs';
import { PantauError, type Stage } from '../core/errors.ts';
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

/** The partition the tracking partitioner chose for each message sent (see `unacknowledged`). */
const chosenPartition = new WeakMap<Message, number>();

/**
 * The default partitioner (murmur2 of the key, Java-compatible), remembering the partition it chose for each
 * message so that produceAll can check that every one of them was acknowledged. The producer of a pipeline
 * process is made with it (pipeline/context.ts).
 */
export const trackingPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  return (args) => {
    const chosen = partition(args);
    chosenPartition.set(args.message, chosen);
    return chosen;
  };
};

/**
 * The messages of `request` whose partition `answers` does not acknowledge. KafkaJS 2.2.4 can resolve a send
 * without writing some of it: its retry loop (producer/sendMessages.js) remembers answers per broker, so when
 * a leader dies mid-send and its partitions move to a broker that already answered for its own, the moved
 * partitions are never sent again, and no error is raised. A message whose partition is unknown (a producer
 * without the tracking partitioner) is taken as acknowledged.
 */
export function unacknowledged(request: TopicMessages[], answers: RecordMetadata[]): TopicMessages[] {
  const acknowledged = new Set(answers.filter((a) => a.errorCode === 0).map((a) => `${a.topicName}\u0000${a.partition}`));
  const missing: TopicMessages[] = [];
  for (const { topic, messages } of request) {
    const lost = messages.filter((m) => {
      const partition = m.partition ?? chosenPartition.get(m);
      return partition !== undefined && !acknowledged.has(`${topic}\u0000${partition}`);
    });
    if (lost.length > 0) missing.push({ topic, messages: lost });
  }
  return missing;
}

/** Attempts at the messages a send resolved without acknowledging, before giving up (retriably). */
const UNACKNOWLEDGED_ATTEMPTS = 5;

async function sendAcknowledged(producer: Producer, request: TopicMessages[], stage: Stage): Promise<void> {
  let pending = request;
  for (let attempt = 1; ; attempt++) {
    let answers: RecordMetadata[];
    try {
      answers = await producer.sendBatch({ acks: -1, topicMessages: pending });
    } catch (cause) {
      throw kafkaError(stage, 'Kafka produce', cause);
    }
    // A fresh send of what was not acknowledged (a new KafkaJS retry loop, with the new leaders).
    pending = unacknowledged(pending, answers);
    if (pending.length === 0) return;
    if (attempt >= UNACKNOWLEDGED_ATTEMPTS) {
      const count = pending.reduce((n, t) => n + t.messages.length, 0);
      throw new PantauError(`Kafka produce failed: ${count} messages were never acknowledged after ${attempt} sends (topics ${pending.map((t) => t.topic).join(', ')})`, {
        stage,
        code: 'kafka_unacknowledged',
        retriable: true,
      });
    }
  }
}

/**
 * Sends all messages with acks from all in-sync replicas; resolves when every message was acknowledged
 * (checked per partition: see `unacknowledged`). The requests go out together (the producer allows several
 * in flight): one after another, a batch of 1,700 scored posts waited for five round trips, which capped the
 * classify stage. When one fails, the caller retries the whole batch; messages already written are then
 * written again (at-least-once). A failure is a PantauError of `stage`, retriable by the Kafka rule
 * (bus/kafka-errors.ts: a broker re-election or a broker that stayed down through KafkaJS's own retries is,
 * a message the broker will never accept is not).
 */
export async function produceAll(producer: Producer, topicMessages: TopicMessages[], stage: Stage): Promise<void> {
  const requests = chunkTopicMessages(topicMessages.filter((t) => t.messages.length > 0));
  await Promise.all(requests.map((request) => sendAcknowledged(producer, request, stage)));
}
