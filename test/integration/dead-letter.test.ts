import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { openContext, type PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers, type Workers } from '../../src/pipeline/workers.ts';
import { createKafkaPostSink } from '../../src/sources/kafka-post-sink.ts';
import { ingestJsonlFile } from '../../src/sources/jsonl-file.ts';
import { MAX_POST_BYTES } from '../../src/transforms/decode.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, ELASTICSEARCH_URL, isolatedConfig, KAFKA_BROKERS, openTestContext, waitFor } from '../helpers/cluster.ts';
import { startFaultyElasticsearch, type FaultyElasticsearch } from '../helpers/faulty-elasticsearch.ts';

const post = (id: string, text = 'Hari ini rekapitulasi suara di kecamatan berjalan lancar.') =>
  ({ id, platform: 'twitter', author: '@saksi_tps', text, url: null, created_at: '2026-11-20T10:00:00+07:00', region: '35', engagement: {} });

interface Letter {
  value: Buffer | null;
  headers: Record<string, string>;
}

const headerText = (headers: IHeaders | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]));

describe('bad input goes to the dead-letter topic with its reason; the stream goes on', () => {
  let ctx: PipelineContext;
  let classifier: Classifier;
  let workers: Workers;
  let dlqConsumer: Consumer;
  const letters: Letter[] = [];

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('dlq'));
    classifier = await loadClassifier();
    workers = await startWorkers(ctx, { classifier, stages: ['classify', 'index'] });
    dlqConsumer = ctx.kafka.consumer({ groupId: `${ctx.config.pipeline.kafka.groups.classify}-dlq-reader` });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: ctx.config.pipeline.kafka.topics.deadLetter.name, fromBeginning: true });
    await dlqConsumer.run({ eachMessage: async ({ message }) => void letters.push({ value: message.value, headers: headerText(message.headers) }) });
  });

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await workers?.stop();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    classifier?.dispose();
  });

  it('dead-letters every kind of bad message on posts.raw, keeps the original bytes, and indexes the good one after them', async () => {
    const bad: Array<[string, Buffer]> = [
      ['malformed_json', Buffer.from('{"id": "tw-1", "text": "sebarkan!!!"')],
      ['invalid_utf8', Buffer.from([0x7b, 0x22, 0x74, 0xc3, 0x28, 0x22, 0x7d])],
      ['schema_mismatch', Buffer.from(JSON.stringify({ ...post('tw-dlq-3'), created_at: 'kemarin' }))],
      ['oversized', Buffer.from(JSON.stringify(post('tw-dlq-4', 'hoaks '.repeat(MAX_POST_BYTES / 5))))],
    ];
    await ctx.producer.send({
      topic: ctx.config.pipeline.kafka.topics.raw.name,
      messages: [...bad.map(([reason, value]) => ({ key: `k-${reason}`, value })), { key: 'tw-dlq-ok', value: JSON.stringify(post('tw-dlq-ok')) }],
    });

    await waitFor('the good post indexed', async () => {
      const r = await ctx.es.search({ index: postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix), query: { ids: { values: ['tw-dlq-ok'] } } });
      return r.hits.hits.length === 1 ? true : undefined;
    });
    await waitFor('four dead letters', async () => (letters.length >= 4 ? true : undefined));
    for (const [reason, value] of bad) {
      const letter = letters.find((l) => l.headers['pantau-reason'] === reason);
      expect(letter, `a dead letter with reason ${reason}`).toBeDefined();
      expect(letter!.value!.equals(value)).toBe(true);
      expect(letter!.headers['pantau-stage']).toBe('decoding');
      expect(letter!.headers['pantau-origin-topic']).toBe(ctx.config.pipeline.kafka.topics.raw.name);
      expect(letter!.headers['pantau-detail']!.length).toBeGreaterThan(0);
    }
  });

  it('dead-letters bad lines of a backfill file with file and line number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantau-dlq-'));
    const file = join(dir, 'posts.jsonl');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(JSON.stringify(post('tw-file-1')) + '\n'),
        Buffer.from('bukan json\n'),
        Buffer.from([0x7b, 0xff, 0x7d, 0x0a]),
        Buffer.from('\n' + JSON.stringify(post('tw-file-2')) + '\r\n'),
      ]),
    );
    const before = letters.length;
    const result = await ingestJsonlFile(file, {
      sink: createKafkaPostSink({ producer: ctx.producer, topic: ctx.config.pipeline.kafka.topics.raw.name, deadLetterTopic: ctx.config.pipeline.kafka.topics.deadLetter.name }),
    });
    expect(result).toMatchObject({ lines: 4, produced: 2, deadLettered: 2, done: true });
    await waitFor('two more dead letters', async () => (letters.length >= before + 2 ? true : undefined));
    const fromFile = letters.slice(before);
    expect(fromFile.map((l) => l.headers['pantau-reason']).sort()).toEqual(['invalid_utf8', 'malformed_json']);
    expect(fromFile.map((l) => l.headers['pantau-source']).sort()).toEqual([`${file}:2`, `${file}:3`]);
    expect(fromFile.find((l) => l.headers['pantau-reason'] === 'invalid_utf8')!.value!.equals(Buffer.from([0x7b, 0xff, 0x7d]))).toBe(true);
  });
});

describe('a document Elasticsearch fails with 5xx on every attempt goes to the dead-letter topic; the partition moves on', () => {
  let ctx: PipelineContext;
  let workers: Workers;
  let proxy: FaultyElasticsearch;
  let dlqConsumer: Consumer;
  const letters: Letter[] = [];
  const POISONED = 'tw-5xx-poison';

  const scored = (id: string) => ({
    ...post(id),
    schema_version: 1,
    language: 'id',
    scores: { hoax: 0.1 },
    flags: [],
    flagged: false,
    sentiment: null,
    model_version: 'test',
    classified_at: '2026-11-20T03:00:01Z',
    relevance: null,
    narrative_id: null,
  });

  beforeAll(async () => {
    const config = isolatedConfig('dlq5xx');
    config.pipeline.kafka.topics.scored.partitions = 1; // every post on one partition: a stall would block them all
    config.pipeline.index.maxAttempts = 3;
    config.pipeline.index.retryBaseMs = 50;
    proxy = await startFaultyElasticsearch(ELASTICSEARCH_URL, new Set([POISONED]));
    ctx = await openContext(config, { kafkaBrokers: KAFKA_BROKERS, elasticsearchUrl: proxy.url }, silentLogger);
    workers = await startWorkers(ctx, { stages: ['index'] });
    dlqConsumer = ctx.kafka.consumer({ groupId: `${config.pipeline.kafka.groups.index}-dlq-reader` });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: config.pipeline.kafka.topics.deadLetter.name, fromBeginning: true });
    await dlqConsumer.run({ eachMessage: async ({ message }) => void letters.push({ value: message.value, headers: headerText(message.headers) }) });
  });

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await workers?.stop();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    await proxy?.close();
  });

  it('tries the document index.maxAttempts times, dead-letters its original bytes with the reason, and indexes the posts before and after it', async () => {
    const topic = ctx.config.pipeline.kafka.topics.scored.name;
    const values = ['tw-5xx-before', POISONED, 'tw-5xx-with'].map((id) => ({ key: id, value: JSON.stringify(scored(id)) }));
    await ctx.producer.send({ topic, messages: values });
    const indexed = (ids: string[]) => async () => {
      const r = await ctx.es.search({ index: postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix), query: { ids: { values: ids } } });
      return r.hits.hits.length === ids.length ? true : undefined;
    };
    await waitFor('the dead letter', async () => letters.find((l) => l.headers['pantau-origin-topic'] === topic), 60_000);
    const letter = letters.find((l) => l.headers['pantau-origin-topic'] === topic)!;
    expect(letter.headers['pantau-reason']).toBe('index_retries_exhausted');
    expect(letter.headers['pantau-stage']).toBe('indexing');
    expect(letter.headers['pantau-detail']).toContain('500 simulated_shard_failure');
    expect(letter.value!.equals(Buffer.from(values[1]!.value))).toBe(true);
    expect(proxy.attempts.get(POISONED)).toBe(3);
    await waitFor('the posts of the same batch indexed', indexed(['tw-5xx-before', 'tw-5xx-with']));

    // The partition moved on: a post produced afterwards is indexed too, and the poisoned one is not tried again.
    await ctx.producer.send({ topic, messages: [{ key: 'tw-5xx-after', value: JSON.stringify(scored('tw-5xx-after')) }] });
    await waitFor('a later post indexed', indexed(['tw-5xx-after']));
    expect(proxy.attempts.get(POISONED)).toBe(3);
    expect(letters.filter((l) => l.headers['pantau-origin-topic'] === topic)).toHaveLength(1);
  });
});
