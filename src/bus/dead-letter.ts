/**
 * The dead-letter topic: where input that no retry can fix goes, with the original bytes untouched and the
 * reason in headers, so an operator can inspect, fix and replay it. Nothing is dropped silently.
 */
import type { IHeaders, Producer } from 'kafkajs';
import { isoNow, systemClock, type Clock } from '../core/clock.ts';
import type { Stage } from '../core/errors.ts';
import { produceAll } from './produce.ts';

/** Bounded reason codes: they become metric labels and dashboard filters. */
export type DeadLetterReason =
  | 'invalid_utf8'
  | 'malformed_json'
  | 'schema_mismatch'
  | 'oversized'
  | 'rejected_by_index'
  /** Elasticsearch answered 5xx for the document on every attempt (index.maxAttempts). */
  | 'index_retries_exhausted';

export interface DeadLetter {
  reason: DeadLetterReason;
  detail: string;
  stage: Stage;
  key: Buffer | string | null;
  value: Buffer | string | null;
  /** Where the bad message came from, when it came from Kafka. */
  origin?: { topic: string; partition: number; offset: string };
  /** For input that never reached Kafka (e.g. a line of a backfill file). */
  source?: string;
}

export function deadLetterHeaders(letter: DeadLetter, clock: Clock = systemClock): IHeaders {
  const headers: IHeaders = {
    'pantau-reason': letter.reason,
    'pantau-detail': letter.detail.slice(0, 2000),
    'pantau-stage': letter.stage,
    'pantau-failed-at': isoNow(clock),
  };
  if (letter.origin) {
    headers['pantau-origin-topic'] = letter.origin.topic;
    headers['pantau-origin-partition'] = String(letter.origin.partition);
    headers['pantau-origin-offset'] = letter.origin.offset;
  }
  if (letter.source) headers['pantau-source'] = letter.source;
  return headers;
}

/** Sends dead letters; resolves once the broker has acknowledged all of them (acks from all replicas). */
export async function sendDeadLetters(producer: Producer, topic: string, letters: DeadLetter[], stage: Stage = 'receiving', clock: Clock = systemClock): Promise<void> {
  if (letters.length === 0) return;
  await produceAll(producer, [{ topic, messages: letters.map((l) => ({ key: l.key, value: l.value, headers: deadLetterHeaders(l, clock) })) }], stage);
}
