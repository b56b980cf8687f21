/**
 * `npm run services -- up|down|status --cluster [--json]`: the command-line face of ./index.ts.
 */
import { seconds } from '../process.ts';
import { ELASTICSEARCH_VERSION, KAFKA_VERSION } from '../versions.ts';
import { clusterStatus, downCluster, upCluster, type ClusterNodeStatus } from './index.ts';
import { BASE_PORTS, clusterDir, clusterPortOffset, credentialsPath } from './settings.ts';

/** The ports with the current offset (the base ones when PANTAU_CLUSTER_PORT_OFFSET is unusable: `up` will say why). */
function currentPorts(): { p: Record<keyof typeof BASE_PORTS, number>; offset: number } {
  let offset = 0;
  try {
    offset = clusterPortOffset();
  } catch {
    // Reported by the command itself.
  }
  const p = Object.fromEntries(Object.entries(BASE_PORTS).map(([k, v]) => [k, v + offset])) as Record<keyof typeof BASE_PORTS, number>;
  return { p, offset };
}

export function clusterUsage(): string {
  const { p, offset } = currentPorts();
  return `With --cluster: a local cluster with TLS and passwords, for fault tests and benchmarks (the
single-node services above are not touched; both may run at once). Ports${offset ? ` (with offset ${offset})` : ''}:

  Kafka ${KAFKA_VERSION}: three KRaft nodes (broker + controller each, node.id 1-3), 384 MB heap each
    clients          SASL_SSL, SCRAM-SHA-512   127.0.0.1:${p.kafkaClient}, ${p.kafkaClient + 1}, ${p.kafkaClient + 2}
    inter-broker     SASL_SSL, SCRAM-SHA-512   127.0.0.1:${p.kafkaBroker}-${p.kafkaBroker + 2}
    KRaft controller SSL                       127.0.0.1:${p.kafkaController}-${p.kafkaController + 2}
    replication factor 3, min.insync.replicas 2, no unclean leader election, no topic auto-creation
  Elasticsearch ${ELASTICSEARCH_VERSION}, security on (HTTPS, transport TLS, file-realm superuser):
    es-1, es-2       master-eligible + data (+ ingest), 512 MB heap   https://127.0.0.1:${p.elasticsearchHttp}, :${p.elasticsearchHttp + 1}
    es-tiebreaker    master-only, 256 MB heap                         https://127.0.0.1:${p.elasticsearchHttp + 2}
    transport        127.0.0.1:${p.elasticsearchTransport}-${p.elasticsearchTransport + 2}
    A master needs the votes of a majority of master-eligible nodes: with two, losing either stops the
    cluster; the tiebreaker makes it 2 of 3, so either data node may die.
  Memory: about 3.3 GB resident in all, measured: each broker ~350 MB, each data node ~750 MB, the
  tiebreaker ~480 MB, plus ~100 MB for each Elasticsearch launcher JVM (heaps 3 x 384 + 2 x 512 + 256 MB).

  Certificates (a local CA, one server certificate for 127.0.0.1/localhost) are made with openssl in
  ${clusterDir()}/tls; the passwords are generated once into
  ${credentialsPath()} (mode 0600; never printed).
  Everything else lives in ${clusterDir()}.

  up --cluster       start the nodes that are not running; wait until 3 brokers and 3 nodes form clusters
  down --cluster     stop all six nodes
  status --cluster   one line per node; exit code 0 only when all six are healthy (--json for machine output)

  PANTAU_CLUSTER_PORT_OFFSET          add this to every cluster port (default 0), e.g. 1000 for a second checkout
  PANTAU_CLUSTER_START_TIMEOUT_MS     health wait for each of Kafka and Elasticsearch (default 180000 / 240000)
`;
}

function table(rows: ClusterNodeStatus[]): string {
  const cells = [
    ['NODE', 'VERSION', 'STATE', 'PID', 'ENDPOINT'],
    ...rows.map((r) => [r.name, r.version, r.healthy ? 'healthy' : r.running ? 'unhealthy' : 'stopped', r.pid?.toString() ?? '-', r.endpoint]),
  ];
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((row) => row[col]!.length)));
  return cells.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()).join('\n');
}

export async function runClusterCommand(command: 'up' | 'down' | 'status', opts: { json: boolean; log: (line: string) => void }): Promise<number> {
  const { log } = opts;
  const started = Date.now();
  switch (command) {
    case 'up': {
      const { started: nodes, connection } = await upCluster({ log });
      const what = nodes.length > 0 ? `started ${nodes.length} node${nodes.length === 1 ? '' : 's'} in ${seconds(Date.now() - started)}` : 'nothing to start';
      log(`${what}: Kafka ${connection.kafkaBrokers.join(',')} (SASL_SSL), Elasticsearch ${connection.elasticsearchUrls.join(', ')}`);
      log(`CA ${connection.kafkaCaFile}; users and passwords in ${credentialsPath()}`);
      return 0;
    }
    case 'down':
      await downCluster({ log });
      return 0;
    default: {
      const rows = await clusterStatus();
      console.log(opts.json ? JSON.stringify(rows, null, 2) : table(rows));
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
  }
}
