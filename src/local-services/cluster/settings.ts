/**
 * The fixed shape of the local cluster: three Kafka brokers, two Elasticsearch data nodes and one small
 * master-only tiebreaker, all on 127.0.0.1. Every port moves by PANTAU_CLUSTER_PORT_OFFSET so two checkouts
 * can each run a cluster (and neither collides with the single-node services on 9092/9200).
 */
import { join } from 'node:path';
import { PantauError } from '../../core/errors.ts';
import { servicesDir } from '../paths.ts';

export const CLUSTER_HOST = '127.0.0.1';

export const BROKER_IDS = [1, 2, 3] as const;
export type BrokerId = (typeof BROKER_IDS)[number];

export const ELASTICSEARCH_NODES = ['es-1', 'es-2', 'es-tiebreaker'] as const;
export type ElasticsearchNodeName = (typeof ELASTICSEARCH_NODES)[number];
/** The nodes that hold data and answer clients; the tiebreaker only votes. */
export const ELASTICSEARCH_DATA_NODES: readonly ElasticsearchNodeName[] = ['es-1', 'es-2'];

export const BASE_PORTS = {
  kafkaClient: 19092,
  kafkaBroker: 19192,
  kafkaController: 19292,
  elasticsearchHttp: 19200,
  elasticsearchTransport: 19300,
} as const;

/** Per broker: 384 MB, as much as the single-node broker gets at most. */
export const CLUSTER_KAFKA_HEAP = ['-Xms384m', '-Xmx384m'];
/** Data nodes hold shards; the tiebreaker holds only cluster state, so a quarter GB is plenty. */
export const CLUSTER_ELASTICSEARCH_HEAP: Record<ElasticsearchNodeName, string> = {
  'es-1': '-Xms512m -Xmx512m',
  'es-2': '-Xms512m -Xmx512m',
  'es-tiebreaker': '-Xms256m -Xmx256m',
};

/** PANTAU_CLUSTER_PORT_OFFSET as an integer (default 0), refused when it would push a port out of range. */
export function clusterPortOffset(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PANTAU_CLUSTER_PORT_OFFSET?.trim();
  if (!raw) return 0;
  const offset = Number(raw);
  const highest = Math.max(...Object.values(BASE_PORTS)) + 2;
  if (!Number.isInteger(offset) || offset < -19000 || highest + offset > 65535) {
    throw new PantauError(`PANTAU_CLUSTER_PORT_OFFSET must be an integer that keeps ports between 1024 and 65535 (got "${raw}"), e.g. 1000`, {
      stage: 'services',
      code: 'cluster_port_offset',
      retriable: false,
    });
  }
  return offset;
}

export interface ClusterPorts {
  kafkaClient(id: BrokerId): number;
  kafkaBroker(id: BrokerId): number;
  kafkaController(id: BrokerId): number;
  elasticsearchHttp(name: ElasticsearchNodeName): number;
  elasticsearchTransport(name: ElasticsearchNodeName): number;
}

export function clusterPorts(offset = clusterPortOffset()): ClusterPorts {
  const esIndex = (name: ElasticsearchNodeName): number => ELASTICSEARCH_NODES.indexOf(name);
  return {
    kafkaClient: (id) => BASE_PORTS.kafkaClient + offset + id - 1,
    kafkaBroker: (id) => BASE_PORTS.kafkaBroker + offset + id - 1,
    kafkaController: (id) => BASE_PORTS.kafkaController + offset + id - 1,
    elasticsearchHttp: (name) => BASE_PORTS.elasticsearchHttp + offset + esIndex(name),
    elasticsearchTransport: (name) => BASE_PORTS.elasticsearchTransport + offset + esIndex(name),
  };
}

/** Everything the cluster keeps lives here (Elasticsearch may fall back to /var/tmp, see elasticsearch-user.ts). */
export function clusterDir(): string {
  return join(servicesDir(), 'cluster');
}

export function clusterRunDir(): string {
  return join(clusterDir(), 'run');
}

export function tlsDir(): string {
  return join(clusterDir(), 'tls');
}

export function credentialsPath(): string {
  return join(clusterDir(), 'credentials.json');
}

/** How long `up` waits for each half; PANTAU_CLUSTER_START_TIMEOUT_MS overrides both. Six JVMs share the cores. */
export function clusterStartTimeoutMs(kind: 'kafka' | 'elasticsearch'): number {
  const value = Number(process.env.PANTAU_CLUSTER_START_TIMEOUT_MS);
  if (Number.isFinite(value) && value > 0) return value;
  return kind === 'kafka' ? 180_000 : 240_000;
}
