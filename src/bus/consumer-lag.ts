/**
 * Consumer lag per stage: how many messages of its input topic the stage's group has not committed yet.
 * Sampled on a timer with the admin API (the broker's view, so it is right even while a worker is stuck).
 */
import type { Kafka } from 'kafkajs';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { consumerLag } from '../core/metrics.ts';

export interface LagTarget {
  stage: string;
  groupId: string;
  topic: string;
}

export async function measureLag(kafka: Kafka, targets: LagTarget[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const lags = new Map<string, number>();
    for (const t of targets) {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(t.topic),
        admin.fetchOffsets({ groupId: t.groupId, topics: [t.topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      let lag = 0n;
      for (const p of ends) {
        const c = done.get(p.partition) ?? -1n;
        // -1: the group never committed here, so everything from the low watermark is pending.
        const from = c < 0n ? BigInt(p.low) : c;
        const pending = BigInt(p.high) - from;
        if (pending > 0n) lag += pending;
      }
      lags.set(t.stage, Number(lag));
      consumerLag.set({ stage: t.stage, topic: t.topic }, Number(lag));
    }
    return lags;
  } finally {
    await admin.disconnect();
  }
}

/** Samples every `intervalMs` until stopped; a failed sample is logged, not fatal. */
export function startLagReporter(kafka: Kafka, targets: LagTarget[], logger: Logger, intervalMs = 10_000): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      await measureLag(kafka, targets);
    } catch (error) {
      logger.warn('could not measure consumer lag', { error: describeError(error) });
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
