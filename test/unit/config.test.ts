import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { DEFAULT_PIPELINE_FILE, loadPipelineFile } from '../../src/config/pipeline.ts';
import { PantauError } from '../../src/core/errors.ts';
import { redact } from '../../src/core/redact.ts';
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

  it('reads Kafka TLS and SASL, and registers the password as a secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantau-ca-'));
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(join(dir, 'ca.pem'), ca);
    const c = loadConfig({
      KAFKA_BROKERS: 'k1:9093',
      KAFKA_SSL_CA: join(dir, 'ca.pem'),
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'pantau',
      KAFKA_SASL_PASSWORD: 'kafka-secret-value-123',
    });
    expect(c.kafkaSecurity).toEqual({ ssl: { ca: [ca] }, sasl: { mechanism: 'scram-sha-512', username: 'pantau', password: 'kafka-secret-value-123' } });
    expect(redact('auth failed for kafka-secret-value-123')).not.toContain('kafka-secret-value-123');
    expect(loadConfig({ KAFKA_BROKERS: 'k1:9093', KAFKA_SSL: 'true' }).kafkaSecurity).toEqual({ ssl: {} });
    expect(loadConfig({ KAFKA_BROKERS: 'k1:9092' }).kafkaSecurity).toEqual({});
  });

  it('reads several Elasticsearch nodes and the CA by file or fingerprint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantau-ca-'));
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(join(dir, 'ca.pem'), ca);
    const c = loadConfig({
      ELASTICSEARCH_URL: 'https://es-1:9200, https://es-2:9200',
      ELASTICSEARCH_CA_FILE: join(dir, 'ca.pem'),
      ELASTICSEARCH_CA_FINGERPRINT: 'ab'.repeat(32),
    });
    expect(c.elasticsearchUrl).toBe('https://es-1:9200,https://es-2:9200');
    expect(c.elasticsearchAuth.ca).toBe(ca);
    expect(c.elasticsearchAuth.caFingerprint).toBe(Array(32).fill('AB').join(':'));
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\n');
    expect(() => loadConfig({ ELASTICSEARCH_URL: 'https://es:9200', ELASTICSEARCH_CA_FILE: join(dir, 'key.pem') })).toThrow(/no PEM certificate/);
  });

  it.each([
    [{ KAFKA_BROKERS: 'kafka-1' }, /KAFKA_BROKERS/],
    [{ ELASTICSEARCH_URL: 'not a url' }, /ELASTICSEARCH_URL/],
    [{ PANTAU_HTTP_PORT: '70000' }, /PANTAU_HTTP_PORT/],
    [{ ELASTICSEARCH_USERNAME: 'elastic' }, /ELASTICSEARCH_PASSWORD/],
    [{ ELASTICSEARCH_URL: 'https://a:9200,nope' }, /ELASTICSEARCH_URL/],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM/],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD/],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /clear text.*KAFKA_SSL/],
    [{ KAFKA_SSL: 'true' }, /KAFKA_BROKERS/],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_SSL: 'yes' }, /KAFKA_SSL: true or false/],
    [{ KAFKA_BROKERS: 'k:9092', KAFKA_SSL_CA: '/nonexistent/ca.pem' }, /KAFKA_SSL_CA: cannot read \/nonexistent\/ca\.pem/],
    [{ ELASTICSEARCH_URL: 'http://es:9200', ELASTICSEARCH_CA_FINGERPRINT: 'ab'.repeat(32) }, /https/],
    [{ ELASTICSEARCH_URL: 'https://es:9200', ELASTICSEARCH_CA_FINGERPRINT: 'abc' }, /ELASTICSEARCH_CA_FINGERPRINT.*64 hex/],
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
