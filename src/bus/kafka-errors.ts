/**
 * How a Kafka client failure is classified, in one place: the retry rule of every stage that produces to
 * Kafka (stages forwarding posts, dead letters, the sources' post sink).
 *
 * KafkaJS marks each error `retriable` (a leader re-election, a broker restarting) or not (a message the
 * broker will never take, an authentication failure). Two of its errors need reading through:
 * - after its own retries, KafkaJS gives up with KafkaJSNumberOfRetriesExceeded, which it marks
 *   non-retriable; whether the pipeline should try again later depends on what kept failing (a broker
 *   that was down for a minute will be back);
 * - an aggregate error is retriable when every error in it is.
 * Anything that is not a KafkaJS error (a bug, a value we could not encode) is not retriable.
 */
import kafkajs from 'kafkajs';
import { PantauError, type Stage } from '../core/errors.ts';

const { KafkaJSAggregateError, KafkaJSError, KafkaJSNumberOfRetriesExceeded } = kafkajs;

export function isRetriableKafkaFailure(cause: unknown, depth = 0): boolean {
  if (depth > 5) return false;
  if (cause instanceof KafkaJSNumberOfRetriesExceeded) return isRetriableKafkaFailure((cause as { cause?: unknown }).cause, depth + 1);
  if (cause instanceof KafkaJSAggregateError) return cause.errors.length > 0 && cause.errors.every((e) => isRetriableKafkaFailure(e, depth + 1));
  if (cause instanceof KafkaJSError) return cause.retriable;
  return false;
}

export function kafkaError(stage: Stage, action: string, cause: unknown, code = 'kafka_produce'): PantauError {
  return new PantauError(`${action} failed: ${(cause as Error).message ?? String(cause)}`, {
    stage,
    code,
    retriable: isRetriableKafkaFailure(cause),
    cause,
  });
}
