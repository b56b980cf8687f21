/** What the stream stages share: their counters, the consumer settings, and how a bad message is dead-lettered. */
import type { KafkaMessage } from 'kafkajs';
import type { BatchContext } from '../../bus/batch-consumer.ts';
import type { DeadLetter, DeadLetterReason } from '../../bus/dead-letter.ts';
import type { Alert } from '../../core/post.ts';
import type { Stage } from '../../core/errors.ts';
import type { PipelineContext } from '../context.ts';

export interface StageCounters {
  classified: number;
  flagged: number;
  indexed: number;
  alerts: number;
  deadLettered: number;
}

export interface StageDeps {
  ctx: PipelineContext;
  counters: StageCounters;
  onCrash?: (error: unknown) => void;
}

/** The consumer settings every stage takes from the pipeline file. */
export function consumerSettings(deps: StageDeps) {
  const { pipeline } = deps.ctx.config;
  return {
    kafka: deps.ctx.kafka,
    retryBaseMs: pipeline.index.retryBaseMs,
    sessionTimeoutMs: pipeline.kafka.sessionTimeoutMs,
    partitionsConcurrently: pipeline.kafka.partitionsConsumedConcurrently,
    ...(deps.onCrash ? { onCrash: deps.onCrash } : {}),
  };
}

/** A dead letter for a message read from Kafka: its exact key and bytes, and where it came from. */
export function letterFor(m: KafkaMessage, c: BatchContext, stage: Stage, reason: DeadLetterReason, detail: string): DeadLetter {
  return { reason, detail, stage, key: m.key, value: m.value, origin: { topic: c.topic, partition: c.partition, offset: m.offset } };
}

/** Header on a scored post that started a new narrative (set by classify): the indexer need not recompute that narrative's reach. */
export const NARRATIVE_STARTED_HEADER = 'pantau-narrative-started';

/**
 * The alerts of a batch from the alerts topic (the raw feed and the desk both read it); what is not an alert is
 * dead-lettered with its reason. Messages written before alerts carried `kind` and `claim` read as flags.
 */
export function readAlerts(messages: readonly KafkaMessage[], c: BatchContext): { alerts: Alert[]; letters: DeadLetter[] } {
  const alerts: Alert[] = [];
  const letters: DeadLetter[] = [];
  for (const m of messages) {
    try {
      const alert = JSON.parse(m.value?.toString('utf8') ?? '') as Alert;
      if (typeof alert.post_id !== 'string' || !Array.isArray(alert.flags) || typeof alert.text !== 'string') throw new Error('not an alert: needs post_id, flags and text');
      alerts.push({ ...alert, kind: alert.kind ?? 'flag', claim: alert.claim ?? null, election_terms: alert.election_terms ?? [] });
    } catch (error) {
      letters.push(letterFor(m, c, 'alerting', 'malformed_json', (error as Error).message));
    }
  }
  return { alerts, letters };
}
