/**
 * `npm run services -- up|down|status [--json] [--cluster]`: the command-line face of ./index.ts and, with
 * --cluster, of ./cluster/index.ts.
 */
import { describeError } from '../core/errors.ts';
import { clusterUsage, runClusterCommand } from './cluster/cli.ts';
import { downLocalServices, localServicesStatus, upLocalServices, type LocalServiceStatus } from './index.ts';
import { servicesDir } from './paths.ts';
import { seconds } from './process.ts';
import { ELASTICSEARCH_VERSION, KAFKA_VERSION } from './versions.ts';

function usage(): string {
  return `Usage: npm run services -- <command> [--json] [--cluster]

Runs Apache Kafka ${KAFKA_VERSION} (127.0.0.1:9092) and Elasticsearch ${ELASTICSEARCH_VERSION} (http://127.0.0.1:9200)
locally for pantau. The first "up" fetches them from Maven Central (needs mvn and Java 17+); everything
is cached in ${servicesDir()}.

Commands:
  up       start what is not running and wait until healthy (running services are left alone)
  down     stop both services (SIGTERM, then SIGKILL after 20 s)
  status   show both services; exit code 0 only when both are healthy (--json for machine output)

Environment:
  JAVA_HOME                               Java to run both (default: java on PATH)
  PANTAU_SERVICES_DIR                     cache folder instead of .services/
  PANTAU_KAFKA_START_TIMEOUT_MS           health wait for Kafka (default 60000)
  PANTAU_ELASTICSEARCH_START_TIMEOUT_MS   health wait for Elasticsearch (default 90000)
  MAVEN_OPTS=-Dmaven.repo.local=<dir>     use another Maven repository cache

${clusterUsage()}`;
}

function table(rows: LocalServiceStatus[]): string {
  const cells = [
    ['SERVICE', 'VERSION', 'STATE', 'PID', 'ENDPOINT'],
    ...rows.map((r) => [r.name, r.version, r.healthy ? 'healthy' : r.running ? 'unhealthy' : 'stopped', r.pid?.toString() ?? '-', r.endpoint]),
  ];
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((row) => row[col]!.length)));
  return cells.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()).join('\n');
}

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => !a.startsWith('-'));
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  const command = args[0];
  if (flags.has('--help') || flags.has('-h') || command === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const unknown = [...flags].filter((f) => f !== '--json' && f !== '--cluster');
  if (!command || args.length > 1 || unknown.length > 0 || !['up', 'down', 'status'].includes(command)) {
    process.stderr.write(`${command && !['up', 'down', 'status'].includes(command) ? `unknown command "${command}"\n\n` : ''}${usage()}`);
    return 2;
  }
  const log = (line: string): void => console.log(line);
  if (flags.has('--cluster')) return runClusterCommand(command as 'up' | 'down' | 'status', { json: flags.has('--json'), log });
  const started = Date.now();
  switch (command) {
    case 'up': {
      const result = await upLocalServices({ log });
      const what = result.started.length > 0 ? `started ${result.started.join(' and ')} in ${seconds(Date.now() - started)}` : 'nothing to start';
      log(`${what}: Kafka ${result.kafkaBrokers.join(',')}, Elasticsearch ${result.elasticsearchUrl}`);
      return 0;
    }
    case 'down':
      await downLocalServices({ log });
      return 0;
    default: {
      const rows = await localServicesStatus();
      console.log(flags.has('--json') ? JSON.stringify(rows, null, 2) : table(rows));
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${describeError(error)}`);
    process.exitCode = 1;
  },
);
