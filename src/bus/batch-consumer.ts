/**
 * Runs a stage as a Kafka consumer group member with the pipeline's delivery contract:
 *
 * - the handler gets one partition's batch and must either finish it (sink acknowledged, bad messages
 *   dead-lettered) or throw;
 * - offsets are committed only after the handler resolved, so a crash replays the batch (at-least-once;
 *   the sinks are idempotent, which makes it effectively-once);
 * - the consumer heartbeats while the handler runs (KafkaJS sends heartbeats only when asked to): a sink
 *   that takes longer than the session timeout (a webhook receiver that hangs) never costs the consumer
 *   its group membership, which would have the batch redone by another member;
 * - a retriable error (sink slow or down) retries the same batch with capped exponential backoff while
 *   heartbeating: consumption of that partition waits instead of buffering (backpressure);
 * - a non-retriable error stops the consumer: it is a bug or a misconfiguration, not bad input.
 */
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { describeError, isRetriable, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { stageBatchSeconds, stageErrors } from '../core/metrics.ts';

export interface BatchContext {
  topic: string;
  partition: number;
  /**
   * False once the consumer is stopping, the partition went to another member, or the membership is in doubt
   * (a heartbeat failed while the handler ran, or none succeeded for half the session timeout): finish up,
   * don't start new work.
   */
  isRunning: () => boolean;
}

export type BatchHandler = (messages: KafkaMessage[], context: BatchContext) => Promise<void>;

export interface BatchConsumerOptions {
  /** The stage's name, for metrics and logs. */
  stage: string;
  kafka: Kafka;
  groupId: string;
  topic: string;
  handler: BatchHandler;
  logger: Logger;
  /** Read the topic from the start when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  retryBaseMs?: number;
  retryMaxMs?: number;
  sessionTimeoutMs?: number;
  /** Partitions processed at once (KafkaJS `partitionsConsumedConcurrently`); offsets stay per partition. */
  partitionsConcurrently?: number;
  /** Called after each committed batch (metrics, progress). */
  onCommitted?: (count: number, context: BatchContext) => void;
  /** Called when the consumer stops for good on a non-retriable error. */
  onCrash?: (error: unknown) => void;
}

export interface RunningConsumer {
  consumer: Consumer;
  /** Finishes the batch in flight, commits it and leaves the group. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startBatchConsumer(options: BatchConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, topic, handler, logger } = options;
  const retryBaseMs = options.retryBaseMs ?? 250;
  const retryMaxMs = options.retryMaxMs ?? 10_000;
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = Math.max(1_000, Math.floor(sessionTimeout / 10));
  const consumer = kafka.consumer({ groupId, sessionTimeout, heartbeatInterval, retry: { retries: 10 } });
  const log = logger.child({ group: groupId, topic });

  consumer.on(consumer.events.CRASH, (event) => {
    const error = event.payload.error;
    log.error('consumer crashed', { error: describeError(error), restart: event.payload.restart });
    if (!event.payload.restart) options.onCrash?.(error);
  });

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
      // A heartbeat that fails while the handler runs (a rebalance began, the member was expired, the group
      // coordinator moved or is unreachable) means this member may no longer own the partition: another one
      // may be redoing the batch already. Handlers that can stop early (the alert router) do, leaving the rest
      // for whoever owns the partition next; the batch is then not committed here.
      // A heartbeat that hangs (its coordinator died: the request waits for its timeout) is as bad: the group
      // expires a member after a session timeout without one, so half of it without a successful heartbeat
      // is taken as doubt too.
      // (KafkaJS's heartbeat() resolves without a request when the last successful one is recent enough:
      // that too is a success as recent as the heartbeat interval.)
      let heartbeatFailed = false;
      let lastHeartbeat = Date.now();
      const membershipHolds = () => !heartbeatFailed && Date.now() - lastHeartbeat < sessionTimeout / 2;
      const beat = () =>
        heartbeat().then(
          () => {
            lastHeartbeat = Date.now();
            heartbeatFailed = false;
          },
          (error: unknown) => {
            heartbeatFailed = true;
            throw error;
          },
        );
      const context: BatchContext = { topic: batch.topic, partition: batch.partition, isRunning: () => isRunning() && !isStale() && membershipHolds() };
      if (batch.messages.length === 0) return;
      const timer = stageBatchSeconds.startTimer({ stage: options.stage });
      for (let attempt = 1; ; attempt++) {
        if (!isRunning() || isStale()) return; // rebalanced away or stopping: the next owner replays it
        // A failed heartbeat here (the group is rebalancing) is not lost: the commit after the handler meets
        // the same state and KafkaJS rejoins then.
        const keepAlive = setInterval(() => void beat().catch(() => {}), heartbeatInterval);
        try {
          await handler(batch.messages, context).finally(() => clearInterval(keepAlive));
          break;
        } catch (error) {
          stageErrors.inc({
            stage: options.stage,
            error_type: error instanceof PantauError ? error.code : 'unexpected',
            retriable: String(isRetriable(error)),
          });
          if (!isRetriable(error)) throw error;
          const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt - 1, 16));
          log.warn('batch failed, will retry', {
            partition: batch.partition,
            attempt,
            delayMs: delay,
            error: describeError(error),
          });
          // Sleep in slices so the group does not think we died while the sink recovers.
          for (let waited = 0; waited < delay && isRunning(); waited += 1000) {
            await sleep(Math.min(1000, delay - waited));
            await beat();
          }
        }
      }
      const last = batch.messages[batch.messages.length - 1]!;
      resolveOffset(last.offset); // KafkaJS fetches from the last resolved offset
      // Through the batch's own commit: consumer.commitOffsets() silently does nothing once stop() began,
      // which would leave the batch finished during a SIGTERM uncommitted.
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
      });
      timer();
      options.onCommitted?.(batch.messages.length, context);
      await heartbeat();
    },
  });

  return {
    consumer,
    stop: async () => {
      await consumer.disconnect();
    },
  };
}
