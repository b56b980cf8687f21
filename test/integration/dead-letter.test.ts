import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers, type Workers } from '../../src/pipeline/workers.ts';
import { createKafkaPostSink } from '../../src/sources/kafka-post-sink.ts';
import { ingestJsonlFile } from '../../src/sources/jsonl-file.ts';
import { MAX_POST_BYTES } from '../../src/transforms/decode.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext, waitFor } from '../helpers/cluster.ts';

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
