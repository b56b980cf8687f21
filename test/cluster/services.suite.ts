/**
 * The local cluster is what it claims to be: three brokers and three Elasticsearch nodes, healthy; topics get
 * three replicas and need two in sync; only TLS clients with the right SCRAM password get in; Elasticsearch
 * wants HTTPS and credentials; and a killed broker comes back.
 */
import { readFile } from 'node:fs/promises';
import { Client } from '@elastic/elasticsearch';
import { ConfigResourceTypes, Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterConnection, clusterEnv, clusterStatus, killBroker, startBroker, type ClusterConnection } from '../../src/local-services/cluster/index.ts';
import { httpsJson } from '../../src/local-services/cluster/elasticsearch-nodes.ts';
import { ensureTopics } from '../../src/bus/topics.ts';
import { silentLogger } from '../../src/core/log.ts';
import { waitFor } from '../helpers/cluster.ts';

let connection: ClusterConnection;
let ca: string;
const topic = `cluster-test-${process.pid}-${Date.now()}`;

/**
 * A fresh SASL object each time: kafkajs stores its authenticator (holding the credentials) on the object it
 * is given, so a spread copy of a used one would authenticate with the old password.
 */
function sasl(password = connection.kafkaSasl.password): KafkaConfig['sasl'] {
  return { mechanism: 'scram-sha-512', username: connection.kafkaSasl.username, password };
}

function kafkaConfig(overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  return {
    clientId: 'cluster-test',
    brokers: connection.kafkaBrokers,
    ssl: { ca: [ca] },
    sasl: sasl(),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 10_000,
    retry: { retries: 2 },
    ...overrides,
  };
}

async function refused(config: KafkaConfig): Promise<unknown> {
  const admin = new Kafka(config).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

describe('local cluster', () => {
  beforeAll(async () => {
    connection = await clusterConnection();
    ca = await readFile(connection.kafkaCaFile, 'utf8');
  });

  afterAll(async () => {
    const admin = new Kafka(kafkaConfig()).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it('reports all six nodes healthy, and its environment names TLS, SCRAM and HTTPS', async () => {
    const status = await clusterStatus();
    expect(status.map((s) => [s.name, s.healthy])).toEqual([
      ['kafka-1', true],
      ['kafka-2', true],
      ['kafka-3', true],
      ['es-1', true],
      ['es-2', true],
      ['es-tiebreaker', true],
    ]);
    expect(JSON.stringify(status)).not.toContain(connection.kafkaSasl.password);
    const env = await clusterEnv();
    expect(env.KAFKA_BROKERS!.split(',')).toHaveLength(3);
    expect(env.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(env.KAFKA_SSL_CA).toBe(connection.kafkaCaFile);
    expect(env.ELASTICSEARCH_URL).toBe(connection.elasticsearchUrls[0]);
    expect(env.ELASTICSEARCH_URL).toMatch(/^https:\/\//);
  });

  it('gives a topic created with the default replication factor three replicas and min.insync.replicas 2', async () => {
    const admin = new Kafka(kafkaConfig()).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
      // pantau's own topic creation (replication factor -1, the brokers' default), which starts over when a busy
      // broker does not know the new topic yet; the metadata read that follows can meet the same, so it is polled.
      await ensureTopics(new Kafka(kafkaConfig()), [{ name: topic, partitions: 2, retentionMs: 3_600_000 }], silentLogger);
      const { topics } = await waitFor('the new topic in the metadata', () => admin.fetchTopicMetadata({ topics: [topic] }));
      for (const partition of topics[0]!.partitions) expect(partition.replicas).toHaveLength(3);
      const described = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas', 'unclean.leader.election.enable'] }],
        includeSynonyms: false,
      });
      const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      expect(entries).toEqual({ 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' });
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a Kafka client without TLS, and one with a wrong password', async () => {
    const plain = await refused(kafkaConfig({ ssl: false, retry: { retries: 0 } }));
    expect(plain).toBeInstanceOf(Error);
    const wrong = await refused(kafkaConfig({ sasl: sasl('not-the-password'), retry: { retries: 0 } }));
    expect(wrong).toBeInstanceOf(Error);
    expect(String((wrong as Error).message)).toMatch(/SASL|auth/i);
  });

  it('answers Elasticsearch only over HTTPS with credentials, with three nodes', async () => {
    const url = connection.elasticsearchUrls[0]!;
    const anonymous = await httpsJson(`${url}/_cluster/health`, { ca });
    expect(anonymous.status).toBe(401);
    const auth = { username: connection.elasticsearchUsername, password: connection.elasticsearchPassword };
    const health = await httpsJson(`${url}/_cluster/health`, { ca, auth });
    expect(health.status).toBe(200);
    expect((health.body as { number_of_nodes: number }).number_of_nodes).toBe(3);
    expect((health.body as { number_of_data_nodes: number }).number_of_data_nodes).toBe(2);

    // The official client, trusting the CA by the fingerprint clusterConnection() gives.
    const client = new Client({ node: connection.elasticsearchUrls[1]!, auth, caFingerprint: connection.elasticsearchCaFingerprint, tls: { rejectUnauthorized: false } });
    try {
      const nodes = await client.cat.nodes({ h: 'name', format: 'json' });
      expect(nodes.map((n) => n.name).sort()).toEqual(['es-1', 'es-2', 'es-tiebreaker']);
    } finally {
      await client.close();
    }
  });

  it('brings a killed broker back with startBroker', async () => {
    await killBroker(2);
    expect((await clusterStatus()).find((s) => s.name === 'kafka-2')?.running).toBe(false);
    await startBroker(2);
    const status = await clusterStatus();
    expect(status.filter((s) => s.kind === 'kafka').every((s) => s.healthy)).toBe(true);
  });
});
