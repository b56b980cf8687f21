/**
 * A single-node Elasticsearch on http://127.0.0.1:9200 from the integ-test zip: a minimal distribution
 * (no analysis-common, ingest-common, painless, reindex, data streams), but with x-pack-security, which
 * would switch on TLS and passwords by itself, so it is disabled explicitly. Its `GET /` answers 405/404,
 * so health is read from `GET /_cluster/health`.
 */
import { access, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PantauError } from '../core/errors.ts';
import { asUser, chooseElasticsearchRoot, elasticsearchRunAs, type RunAs } from './elasticsearch-user.ts';
import type { JavaRuntime } from './java.ts';
import { run, spawnDetached, tailFile } from './process.ts';
import { ELASTICSEARCH_HEAP, ELASTICSEARCH_HTTP_PORT, ELASTICSEARCH_TRANSPORT_PORT, HOST } from './settings.ts';
import { writeState, type ServiceState } from './state-files.ts';
import { ELASTICSEARCH_VERSION } from './versions.ts';

export const ELASTICSEARCH_URL = `http://${HOST}:${ELASTICSEARCH_HTTP_PORT}`;

export interface ElasticsearchTarget {
  root: string;
  runAs: RunAs | undefined;
}

export function elasticsearchPaths(root: string) {
  return {
    home: join(root, `elasticsearch-${ELASTICSEARCH_VERSION}`),
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    tmp: join(root, 'tmp'),
    run: join(root, 'run'),
    serverPidFile: join(root, 'run', 'server.pid'),
    stdoutLog: join(root, 'logs', 'stdout.log'),
  };
}

/** Who runs Elasticsearch and where its files live (see elasticsearch-user.ts). */
export async function elasticsearchTarget(log: (line: string) => void): Promise<ElasticsearchTarget> {
  const runAs = await elasticsearchRunAs(log);
  const root = await chooseElasticsearchRoot(runAs);
  await mkdir(root, { recursive: true });
  return { root, runAs };
}

export async function elasticsearchInstalled(target: ElasticsearchTarget): Promise<boolean> {
  return access(join(elasticsearchPaths(target.root).home, 'bin', 'elasticsearch')).then(
    () => true,
    () => false,
  );
}

/** Creates the data/log folders and hands everything to the Elasticsearch user. */
export async function prepareElasticsearch(target: ElasticsearchTarget): Promise<void> {
  const paths = elasticsearchPaths(target.root);
  for (const dir of [paths.data, paths.logs, paths.tmp, paths.run]) await mkdir(dir, { recursive: true });
  if (!target.runAs) return;
  const { uid, gid } = target.runAs;
  for (const dir of [target.root, paths.data, paths.logs, paths.tmp, paths.run]) await chown(dir, uid, gid);
  // Maven unpacked the install as root, but it must be the user's: on first start Elasticsearch writes
  // config/elasticsearch.keystore. Checked by owner rather than "just fetched" so an interrupted run heals.
  if ((await stat(paths.home)).uid !== uid) {
    const result = await run('chown', ['-R', `${uid}:${gid}`, paths.home]);
    if (result.code !== 0) {
      throw new PantauError(`chown of ${paths.home} failed: ${result.stderr.trim()}`, { stage: 'services', code: 'elasticsearch_chown', retriable: false });
    }
  }
}

function settings(paths: ReturnType<typeof elasticsearchPaths>): string[] {
  return [
    'cluster.name=pantau-local',
    'node.name=pantau-local-1',
    'discovery.type=single-node',
    `network.host=${HOST}`,
    `http.port=${ELASTICSEARCH_HTTP_PORT}`,
    `transport.port=${ELASTICSEARCH_TRANSPORT_PORT}`,
    `path.data=${paths.data}`,
    `path.logs=${paths.logs}`,
    // Dev disks are often nearly full; without this, shards stop being allocated at 85-90 % disk use.
    'cluster.routing.allocation.disk.threshold_enabled=false',
    // Otherwise the security module auto-configures TLS and passwords on first start.
    'xpack.security.enabled=false',
  ];
}

/** Starts Elasticsearch detached (as the unprivileged user when we are root) and records its pids. */
export async function startElasticsearch(java: JavaRuntime, target: ElasticsearchTarget): Promise<ServiceState> {
  const paths = elasticsearchPaths(target.root);
  await writeFile(paths.stdoutLog, '');
  const args = ['-p', paths.serverPidFile, ...settings(paths).flatMap((setting) => ['-E', setting])];
  const [command, commandArgs] = asUser(target.runAs, join(paths.home, 'bin', 'elasticsearch'), args);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ES_JAVA_HOME: java.home,
    ES_JAVA_OPTS: ELASTICSEARCH_HEAP,
    ES_TMPDIR: paths.tmp,
    HOME: target.root,
  };
  delete env.JAVA_HOME; // Elasticsearch warns about JAVA_HOME and uses ES_JAVA_HOME anyway.
  const pid = await spawnDetached(command, commandArgs, { cwd: target.root, env, logFile: paths.stdoutLog });
  const state: ServiceState = {
    pid,
    marker: paths.home,
    version: ELASTICSEARCH_VERSION,
    startedAt: new Date().toISOString(),
    serverPidFile: paths.serverPidFile,
    root: target.root,
  };
  await writeState('elasticsearch', state);
  return state;
}

/** Healthy = the cluster reports green or yellow (yellow is normal for one node with replicas). */
export async function elasticsearchHealthy(): Promise<boolean> {
  try {
    const response = await fetch(`${ELASTICSEARCH_URL}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      signal: AbortSignal.timeout(3000),
    });
    const body = (await response.json()) as { status?: unknown };
    return body.status === 'green' || body.status === 'yellow';
  } catch {
    return false;
  }
}

/** The end of Elasticsearch's console output (it carries both launcher errors and the server log). */
export async function elasticsearchLogTail(root: string, lines = 30): Promise<string> {
  const { stdoutLog } = elasticsearchPaths(root);
  const tail = await tailFile(stdoutLog, lines);
  return tail ? `${stdoutLog}:\n${tail}` : '(nothing logged yet)';
}
