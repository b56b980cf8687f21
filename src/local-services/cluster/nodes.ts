/**
 * The six nodes as one list, so `up`, `down` and `status` treat Kafka brokers and Elasticsearch nodes alike:
 * a state-file key, the ports that must be free, and the path that marks its processes.
 */
import { join } from 'node:path';
import { fallbackElasticsearchBase } from '../elasticsearch-user.ts';
import { servicesDir } from '../paths.ts';
import { brokerPaths } from './kafka-nodes.ts';
import { elasticsearchUrl, esNodeMarker, esNodePaths } from './elasticsearch-nodes.ts';
import { BROKER_IDS, CLUSTER_HOST, clusterPorts, ELASTICSEARCH_NODES, type BrokerId, type ElasticsearchNodeName } from './settings.ts';

export type ClusterNode =
  | { kind: 'kafka'; key: string; label: string; id: BrokerId; ports: number[]; endpoint: string }
  | { kind: 'elasticsearch'; key: string; label: string; name: ElasticsearchNodeName; ports: number[]; endpoint: string };

export function kafkaNode(id: BrokerId): ClusterNode {
  const ports = clusterPorts();
  return {
    kind: 'kafka',
    key: `kafka-${id}`,
    label: `Kafka broker ${id}`,
    id,
    ports: [ports.kafkaClient(id), ports.kafkaBroker(id), ports.kafkaController(id)],
    endpoint: `${CLUSTER_HOST}:${ports.kafkaClient(id)}`,
  };
}

export function elasticsearchNode(name: ElasticsearchNodeName): ClusterNode {
  const ports = clusterPorts();
  return {
    kind: 'elasticsearch',
    key: name,
    label: `Elasticsearch node ${name}`,
    name,
    ports: [ports.elasticsearchHttp(name), ports.elasticsearchTransport(name)],
    endpoint: elasticsearchUrl(name, ports),
  };
}

export function allNodes(): ClusterNode[] {
  return [...BROKER_IDS.map(kafkaNode), ...ELASTICSEARCH_NODES.map(elasticsearchNode)];
}

/** Paths that may appear in the command line of the node's processes (Elasticsearch may live in either place). */
export function nodeMarkers(node: ClusterNode): string[] {
  if (node.kind === 'kafka') return [brokerPaths(node.id).serverProperties];
  const roots = [join(servicesDir(), 'cluster', 'elasticsearch'), join(fallbackElasticsearchBase(), 'cluster-elasticsearch')];
  return roots.map((root) => esNodeMarker(esNodePaths(root, node.name).node));
}
