import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { DEFAULT_PIPELINE_FILE, loadPipelineFile } from '../../src/config/pipeline.ts';
import { PantauError } from '../../src/core/errors.ts';
import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON on purpose
type Json = any;

function pipelineWith(edit: (p: Json) => void): string {
  const p = JSON.parse(readFileSync(DEFAULT_PIPELINE_FILE, 'utf8')) as Json;
  edit(p);
  const file = join(mkdtempSync(join(tmpdir(), 'pantau-config-')), 'p.json');
  writeFileSync(file, JSON.stringify(p));
  return file;
}

describe('pipeline file', () => {
  it('the shipped pipeline file is valid', () => {
    const p = loadPipelineFile();
    expect(p.kafka.topics.raw.name).toBe('posts.raw');
    expect(p.kafka.topics.deadLetter.name).toBe('posts.dlq');
  });

  it('rejects unknown keys, naming them', () => {
    const file = pipelineWith((p) => (p.classify.batchSzie = 10));
    expect(() => loadPipelineFile(file)).toThrow(/batchSzie/);
  });

  it('rejects a bad value, naming the field', () => {
    const file = pipelineWith((p) => (p.kafka.topics.raw.partitions = 0));
    expect(() => loadPipelineFile(file)).toThrow(/kafka\.topics\.raw\.partitions/);
  });

  it('says which file cannot be read', () => {
    expect(() => loadPipelineFile('/nonexistent/p.json')).toThrow(/\/nonexistent\/p\.json/);
  });
});

describe('environment', () => {
  it('no cluster variables means local services', () => {
    const c = loadConfig({});
    expect(c.kafkaBrokers).toBeUndefined();
    expect(c.elasticsearchUrl).toBeUndefined();
  });

  it('parses brokers and overrides', () => {
    const c = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      ELASTICSEARCH_URL: 'https://es.example:9200',
      PANTAU_INDEX_PREFIX: 'humas',
      PANTAU_HTTP_PORT: '9999',
    });
    expect(c.kafkaBrokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(c.pipeline.elasticsearch.indexPrefix).toBe('humas');
    expect(c.pipeline.http.port).toBe(9999);
  });

  it.each([
    [{ KAFKA_BROKERS: 'kafka-1' }, /KAFKA_BROKERS/],
    [{ ELASTICSEARCH_URL: 'not a url' }, /ELASTICSEARCH_URL/],
    [{ PANTAU_HTTP_PORT: '70000' }, /PANTAU_HTTP_PORT/],
    [{ ELASTICSEARCH_USERNAME: 'elastic' }, /ELASTICSEARCH_PASSWORD/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PantauError);
    expect((error as PantauError).stage).toBe('config');
    expect((error as Error).message).toMatch(message);
  });
});
