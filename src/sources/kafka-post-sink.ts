/**
 * The production PostSink: posts to posts.raw (key = post id), bad input to posts.dlq, both with acks from
 * all in-sync replicas. Counts sends in flight so push endpoints can shed load (429) instead of queueing
 * without end.
 */
import type { Producer } from 'kafkajs';
import { sendDeadLetters } from '../bus/dead-letter.ts';
import { produceAll } from '../bus/produce.ts';
import type { PostSink } from './source.ts';

export interface KafkaPostSinkOptions {
  producer: Producer;
  topic: string;
  deadLetterTopic: string;
  /** Posts in flight (sent, not yet acknowledged) above which the sink reports saturation. */
  maxInFlightPosts?: number;
}

export function createKafkaPostSink(options: KafkaPostSinkOptions): PostSink & { inFlight(): number } {
  const maxInFlight = options.maxInFlightPosts ?? 20_000;
  let inFlight = 0;
  const tracked = async (count: number, work: () => Promise<unknown>) => {
    inFlight += count;
    try {
      await work();
    } finally {
      inFlight -= count;
    }
  };
  return {
    publish: (posts) =>
      posts.length === 0
        ? Promise.resolve()
        : tracked(posts.length, () =>
            produceAll(options.producer, [{ topic: options.topic, messages: posts.map((p) => ({ key: p.id, value: JSON.stringify(p) })) }], 'receiving'),
          ),
    deadLetter: (letters) => tracked(letters.length, () => sendDeadLetters(options.producer, options.deadLetterTopic, letters)),
    saturated: () => inFlight >= maxInFlight,
    inFlight: () => inFlight,
  };
}
