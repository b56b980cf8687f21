/**
 * The retry rules, one per system we write to, as tables. They share the HTTP status table and agree on
 * what they do not recognise: an unknown error is not retried (core/retry.ts).
 */
import { errors } from '@elastic/elasticsearch';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetriableKafkaFailure } from '../../src/bus/kafka-errors.ts';
import { backoffMs, isRetriableHttpStatus } from '../../src/core/retry.ts';
import { itemOutcome } from '../../src/sinks/elasticsearch-posts.ts';
import { isRetriableWebhookFailure } from '../../src/sinks/webhook.ts';
import { isRetriableElasticsearchFailure } from '../../src/store/elasticsearch-errors.ts';

const { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } = kafkajs;

const esResponse = (statusCode: number) =>
  new errors.ResponseError({ body: { error: { type: 'x' } }, statusCode, headers: {}, warnings: null, meta: {} as never });

/** Errors none of the systems' clients raise: a bug, a value we could not encode. */
const UNKNOWN: Array<[string, unknown]> = [
  ['TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ['plain Error', new Error('something else')],
  ['an error object that says retriable', Object.assign(new Error('duck'), { retriable: true })],
  ['a string', 'failed'],
  ['undefined', undefined],
];

describe('the HTTP status table', () => {
  it.each([
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [409, false],
    [413, false],
    [429, true],
    [500, true],
    [501, false],
    [502, true],
    [503, true],
    [504, true],
    [505, false],
  ])('%i → %s', (status, expected) => {
    expect(isRetriableHttpStatus(status)).toBe(expected);
  });
});

describe('Elasticsearch bulk items', () => {
  it.each([
    [200, 'indexed'],
    [201, 'indexed'],
    [429, 'backpressure'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'reject'],
    [409, 'reject'],
    [501, 'reject'],
  ] as const)('%i → %s', (status, expected) => {
    expect(itemOutcome(status)).toBe(expected);
  });
});

describe('Elasticsearch requests', () => {
  it.each<[string, unknown, boolean]>([
    ['connection refused', new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'), true],
    ['timeout', new errors.TimeoutError('Request timed out'), true],
    ['no living node', new errors.NoLivingConnectionsError('no living connections', {} as never), true],
    ['503', esResponse(503), true],
    ['429', esResponse(429), true],
    ['400', esResponse(400), false],
    ['404', esResponse(404), false],
    ['serialisation', new errors.SerializationError('cannot serialise', {}), false],
    ['deserialisation', new errors.DeserializationError('bad JSON', '{'), false],
    ['configuration', new errors.ConfigurationError('bad node'), false],
    ...UNKNOWN.map(([name, e]): [string, unknown, boolean] => [name, e, false]),
  ])('%s → %s', (_name, error, expected) => {
    expect(isRetriableElasticsearchFailure(error)).toBe(expected);
  });
});

describe('Kafka', () => {
  it.each<[string, unknown, boolean]>([
    ['connection error', new KafkaJSConnectionError('Connection error: ECONNREFUSED'), true],
    ['request timeout', new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'), true],
    ['leader not available', new KafkaJSProtocolError(Object.assign(new Error('There is no leader for this topic-partition'), { type: 'LEADER_NOT_AVAILABLE', retriable: true })), true],
    ['message too large', new KafkaJSProtocolError(Object.assign(new Error('The request included a message larger than the max message size'), { type: 'MESSAGE_TOO_LARGE', retriable: false })), false],
    ['non-retriable', new KafkaJSNonRetriableError('nope'), false],
    // KafkaJS marks "gave up after its own retries" as non-retriable; a broker that stayed down comes back.
    ['retries exhausted on a connection error', new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('down'), { retryCount: 8, retryTime: 1000 }), true],
    ['retries exhausted on a non-retriable error', new KafkaJSNumberOfRetriesExceeded(new KafkaJSNonRetriableError('bad'), { retryCount: 0, retryTime: 0 }), false],
    ['aggregate of retriable errors', new KafkaJSAggregateError('many', [new KafkaJSError('a'), new KafkaJSConnectionError('b')]), true],
    ['aggregate with a non-retriable error', new KafkaJSAggregateError('many', [new KafkaJSError('a'), new KafkaJSNonRetriableError('b')]), false],
    ...UNKNOWN.map(([name, e]): [string, unknown, boolean] => [name, e, false]),
  ])('%s → %s', (_name, error, expected) => {
    expect(isRetriableKafkaFailure(error)).toBe(expected);
  });
});

describe('webhooks', () => {
  const network = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
  it.each<[string, { status: number } | { thrown: unknown }, boolean]>([
    ['timeout', { thrown: new DOMException('The operation was aborted due to timeout', 'TimeoutError') }, true],
    ['connection refused', { thrown: network('ECONNREFUSED') }, true],
    ['connection reset', { thrown: network('ECONNRESET') }, true],
    ['name not resolved', { thrown: network('ENOTFOUND') }, true],
    ['answered 503', { status: 503 }, true],
    ['answered 429', { status: 429 }, true],
    ['answered 404', { status: 404 }, false],
    ['answered 410', { status: 410 }, false],
    ['a URL fetch cannot use', { thrown: new TypeError('Failed to parse URL from nope') }, false],
    ...UNKNOWN.map(([name, e]): [string, { thrown: unknown }, boolean] => [name, { thrown: e }, false]),
  ])('%s → %s', (_name, failure, expected) => {
    expect(isRetriableWebhookFailure(failure)).toBe(expected);
  });
});

describe('backoffMs', () => {
  it('grows exponentially between half and all of the ceiling, and is capped', () => {
    expect(backoffMs(1, 100, 30_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 30_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 30_000, () => 1)).toBe(800);
    expect(backoffMs(30, 100, 5_000, () => 1)).toBe(5_000);
  });
});
