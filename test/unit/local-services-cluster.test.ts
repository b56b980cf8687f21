/**
 * The pure parts of the local cluster: ports and their offset, the Kafka and Elasticsearch config files,
 * the file-realm password hash, the CA fingerprint format and the environment handed to pantau.
 */
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectionEnv } from '../../src/local-services/cluster/index.ts';
import { fileRealmUserLine, renderElasticsearchYml } from '../../src/local-services/cluster/elasticsearch-nodes.ts';
import { renderBrokerProperties } from '../../src/local-services/cluster/kafka-nodes.ts';
import { clusterPortOffset, clusterPorts } from '../../src/local-services/cluster/settings.ts';
import { certificateFingerprint, formatFingerprint } from '../../src/local-services/cluster/tls.ts';

const properties = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

const yml = (text: string): Record<string, unknown> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf(': ')), JSON.parse(line.slice(line.indexOf(': ') + 2)) as unknown]),
  );

describe('cluster ports', () => {
  it('uses the documented ports, all moved by PANTAU_CLUSTER_PORT_OFFSET', () => {
    const base = clusterPorts(0);
    expect([1, 2, 3].map((id) => base.kafkaClient(id as 1 | 2 | 3))).toEqual([19092, 19093, 19094]);
    expect([base.kafkaBroker(1), base.kafkaController(3)]).toEqual([19192, 19294]);
    expect(['es-1', 'es-2', 'es-tiebreaker'].map((n) => base.elasticsearchHttp(n as 'es-1'))).toEqual([19200, 19201, 19202]);
    expect(base.elasticsearchTransport('es-tiebreaker')).toBe(19302);
    const moved = clusterPorts(clusterPortOffset({ PANTAU_CLUSTER_PORT_OFFSET: '1000' }));
    expect([moved.kafkaClient(1), moved.elasticsearchHttp('es-2'), moved.elasticsearchTransport('es-1')]).toEqual([20092, 20201, 20300]);
  });

  it('defaults the offset to 0 and refuses one that is not an integer or leaves the port range', () => {
    expect(clusterPortOffset({})).toBe(0);
    expect(clusterPortOffset({ PANTAU_CLUSTER_PORT_OFFSET: ' ' })).toBe(0);
    expect(() => clusterPortOffset({ PANTAU_CLUSTER_PORT_OFFSET: '1.5' })).toThrow(/PANTAU_CLUSTER_PORT_OFFSET/);
    expect(() => clusterPortOffset({ PANTAU_CLUSTER_PORT_OFFSET: 'abc' })).toThrow(/integer/);
    expect(() => clusterPortOffset({ PANTAU_CLUSTER_PORT_OFFSET: '50000' })).toThrow(/65535/);
  });
});

describe('Kafka broker config', () => {
  const input = {
    id: 2 as const,
    ports: clusterPorts(0),
    dataDir: '/d/broker-2/data',
    tls: { serverKeystore: '/t/server-keystore.pem', caCert: '/t/ca.crt' },
    admin: { username: 'admin', password: 's3cret' },
  };

  it('makes a combined KRaft node with SASL_SSL for clients and brokers and SSL for the controllers', () => {
    const p = properties(renderBrokerProperties(input));
    expect(p).toMatchObject({
      'process.roles': 'broker,controller',
      'node.id': '2',
      'controller.quorum.voters': '1@127.0.0.1:19292,2@127.0.0.1:19293,3@127.0.0.1:19294',
      listeners: 'CLIENT://127.0.0.1:19093,BROKER://127.0.0.1:19193,CONTROLLER://127.0.0.1:19293',
      'advertised.listeners': 'CLIENT://127.0.0.1:19093,BROKER://127.0.0.1:19193',
      'listener.security.protocol.map': 'CLIENT:SASL_SSL,BROKER:SASL_SSL,CONTROLLER:SSL',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': '/t/server-keystore.pem',
      'ssl.truststore.location': '/t/ca.crt',
      'log.dirs': '/d/broker-2/data',
    });
    expect(p['listener.name.broker.scram-sha-512.sasl.jaas.config']).toContain('username="admin" password="s3cret";');
  });

  it('replicates three ways, needs two in sync, and keeps the settings the single broker has', () => {
    expect(properties(renderBrokerProperties(input))).toMatchObject({
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'unclean.leader.election.enable': 'false',
      'auto.create.topics.enable': 'false',
      'group.initial.rebalance.delay.ms': '0',
      'log.message.timestamp.before.max.ms': '9223372036854775807',
      'log.message.timestamp.after.max.ms': '9223372036854775807',
    });
  });

  it('advertises another client port when asked, and still binds its own', () => {
    const p = properties(renderBrokerProperties({ ...input, advertisedClientPort: 29093 }));
    expect(p.listeners).toContain('CLIENT://127.0.0.1:19093');
    expect(p['advertised.listeners']).toBe('CLIENT://127.0.0.1:29093,BROKER://127.0.0.1:19193');
  });
});

describe('Elasticsearch node config', () => {
  const base = { ports: clusterPorts(0), dataDir: '/e/data', logsDir: '/e/logs' };

  it('gives data nodes master and data roles and the tiebreaker only master, with TLS on HTTP and transport', () => {
    const data = yml(renderElasticsearchYml({ ...base, name: 'es-2', bootstrap: false }));
    expect(data).toMatchObject({
      'node.name': 'es-2',
      'node.roles': ['master', 'data', 'ingest'],
      'http.port': 19201,
      'transport.port': 19301,
      'discovery.seed_hosts': ['127.0.0.1:19300', '127.0.0.1:19301', '127.0.0.1:19302'],
      'xpack.security.enabled': true,
      'xpack.security.http.ssl.enabled': true,
      'xpack.security.transport.ssl.enabled': true,
      'xpack.security.transport.ssl.verification_mode': 'certificate',
      'cluster.routing.allocation.disk.threshold_enabled': false,
    });
    expect(data).not.toHaveProperty('cluster.initial_master_nodes');
    const tiebreaker = yml(renderElasticsearchYml({ ...base, name: 'es-tiebreaker', bootstrap: false }));
    expect(tiebreaker['node.roles']).toEqual(['master']);
    expect(tiebreaker['http.port']).toBe(19202);
  });

  it('names the initial master nodes only for the first bootstrap', () => {
    const first = yml(renderElasticsearchYml({ ...base, name: 'es-1', bootstrap: true }));
    expect(first['cluster.initial_master_nodes']).toEqual(['es-1', 'es-2', 'es-tiebreaker']);
  });

  it("writes a file-realm user with Elasticsearch's PBKDF2 hash of the password", () => {
    const line = fileRealmUserLine({ username: 'pantau', password: 'pa55word' }, 1000);
    const match = /^pantau:\{PBKDF2\}1000\$([A-Za-z0-9+/=]{44})\$([A-Za-z0-9+/=]{44})$/.exec(line);
    expect(match).not.toBeNull();
    const expected = pbkdf2Sync('pa55word', Buffer.from(match![1]!, 'base64'), 1000, 32, 'sha512').toString('base64');
    expect(match![2]).toBe(expected);
  });
});

describe('CA fingerprint', () => {
  it('is upper-case hex pairs joined by colons', () => {
    expect(formatFingerprint('ab12cd')).toBe('AB:12:CD');
    expect(formatFingerprint('AB:12:cd')).toBe('AB:12:CD');
    expect(() => formatFingerprint('abc')).toThrow(/hex/);
  });

  it('is the SHA-256 of the certificate, as openssl x509 -fingerprint -sha256 prints it', () => {
    // A throwaway self-signed certificate (openssl req -x509 -newkey ec -subj /CN=t).
    const pem = [
      '-----BEGIN CERTIFICATE-----',
      'MIIBbDCCAROgAwIBAgIUZpFkxdrXAr2fw+vXr/8V8jKeoRMwCgYIKoZIzj0EAwIw',
      'DDEKMAgGA1UEAwwBdDAeFw0yNjEyMDMwMDMwNDJaFw0zNjExMzAwMDMwNDJaMAwx',
      'CjAIBgNVBAMMAXQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS2acNNeTuDt5R7',
      '9hTRFAK84/s3nOi3KgRbIrwDTnIqWuQtH1sztCWv5LefhMxkBGMmU7t9Fh1o1VX1',
      'm+Kh6z9co1MwUTAdBgNVHQ4EFgQUctN7bWycVFJxcPK6e4NVCagsTYcwHwYDVR0j',
      'BBgwFoAUctN7bWycVFJxcPK6e4NVCagsTYcwDwYDVR0TAQH/BAUwAwEB/zAKBggq',
      'hkjOPQQDAgNHADBEAiBGZBlZSTbRaWKN2V6B7xTz0ffv6jHfP5u4usBjL7CLfAIg',
      'VqpVnTOipv40vFjYX7oEzd/oxfHV/FeFbTJnOH5AaM0=',
      '-----END CERTIFICATE-----',
    ].join('\n');
    expect(certificateFingerprint(pem)).toBe('85:D7:BD:DD:AB:F4:0E:29:56:A9:AE:BD:49:71:0F:AE:A3:81:E1:9D:2C:59:53:4D:00:38:E6:42:66:0B:42:61');
  });
});

describe('cluster environment', () => {
  it('maps a connection to the variables pantau reads', () => {
    const env = connectionEnv({
      kafkaBrokers: ['127.0.0.1:19092', '127.0.0.1:19093', '127.0.0.1:19094'],
      kafkaSasl: { mechanism: 'scram-sha-512', username: 'pantau', password: 'k' },
      kafkaCaFile: '/tls/ca.crt',
      elasticsearchUrls: ['https://127.0.0.1:19200', 'https://127.0.0.1:19201'],
      elasticsearchCaFile: '/tls/ca.crt',
      elasticsearchCaFingerprint: 'AB:CD',
      elasticsearchUsername: 'pantau',
      elasticsearchPassword: 'e',
    });
    expect(env).toEqual({
      KAFKA_BROKERS: '127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'pantau',
      KAFKA_SASL_PASSWORD: 'k',
      KAFKA_SSL_CA: '/tls/ca.crt',
      ELASTICSEARCH_URL: 'https://127.0.0.1:19200',
      ELASTICSEARCH_CA_FILE: '/tls/ca.crt',
      ELASTICSEARCH_USERNAME: 'pantau',
      ELASTICSEARCH_PASSWORD: 'e',
    });
  });
});
