/**
 * Three Elasticsearch nodes from one integ-test install, security on:
 *   - es-1 and es-2: master-eligible data nodes (512 MB heap), the ones clients talk to;
 *   - es-tiebreaker: a master-only node (256 MB heap) holding no shards. Electing a master needs a majority
 *     of the master-eligible nodes. With only the two data nodes that majority is 2 of 2, so losing either
 *     stops the cluster; with the tiebreaker it is 2 of 3, and either data node may die.
 * Each node has its own config folder (ES_PATH_CONF: elasticsearch.yml, the TLS files, which Elasticsearch
 * only reads from inside its config folder, and the file-realm users), data and logs; the install is shared.
 * When we are root the nodes run as the unprivileged Elasticsearch user (see elasticsearch-user.ts).
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { access, chmod, chown, copyFile, cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { PantauError } from '../../core/errors.ts';
import { asUser, chooseElasticsearchRoot, elasticsearchRunAs, type RunAs } from '../elasticsearch-user.ts';
import type { JavaRuntime } from '../java.ts';
import { run, spawnDetached, tailFile } from '../process.ts';
import type { ServiceState } from '../state-files.ts';
import { ELASTICSEARCH_VERSION } from '../versions.ts';
import type { Account } from './credentials.ts';
import {
  CLUSTER_ELASTICSEARCH_HEAP,
  CLUSTER_HOST,
  clusterPorts,
  ELASTICSEARCH_DATA_NODES,
  ELASTICSEARCH_NODES,
  type ClusterPorts,
  type ElasticsearchNodeName,
} from './settings.ts';
import type { TlsFiles } from './tls.ts';

export const CLUSTER_NAME = 'pantau-cluster';

export interface ClusterElasticsearchTarget {
  root: string;
  runAs: RunAs | undefined;
}

/** Who runs the nodes and where their files live: .services/cluster/elasticsearch, or the /var/tmp fallback. */
export async function clusterElasticsearchTarget(log: (line: string) => void): Promise<ClusterElasticsearchTarget> {
  const runAs = await elasticsearchRunAs(log);
  const root = await chooseElasticsearchRoot(runAs, join('cluster', 'elasticsearch'), 'cluster-elasticsearch');
  await mkdir(root, { recursive: true });
  return { root, runAs };
}

export function clusterElasticsearchHome(root: string): string {
  return join(root, `elasticsearch-${ELASTICSEARCH_VERSION}`);
}

export function esNodePaths(root: string, name: ElasticsearchNodeName) {
  const node = join(root, 'nodes', name);
  return {
    node,
    config: join(node, 'config'),
    yml: join(node, 'config', 'elasticsearch.yml'),
    data: join(node, 'data'),
    logs: join(node, 'logs'),
    tmp: join(node, 'tmp'),
    run: join(node, 'run'),
    serverPidFile: join(node, 'run', 'server.pid'),
    stdoutLog: join(node, 'logs', 'stdout.log'),
  };
}

/**
 * What marks a node's processes: its folder. The launcher's command line holds its config and pid file
 * paths, the server's its tmp folder (settings reach the server on stdin); the slash keeps es-1 from matching es-10.
 */
export function esNodeMarker(nodeFolder: string): string {
  return `${nodeFolder}/`;
}

export async function clusterElasticsearchInstalled(root: string): Promise<boolean> {
  return access(join(clusterElasticsearchHome(root), 'bin', 'elasticsearch')).then(
    () => true,
    () => false,
  );
}

export interface EsConfigInput {
  name: ElasticsearchNodeName;
  ports: ClusterPorts;
  dataDir: string;
  logsDir: string;
  /** Only on the very first start of a node: later ones find the cluster through discovery. */
  bootstrap: boolean;
}

/** elasticsearch.yml of one node (JSON is valid YAML, so values need no YAML quoting); pure, so it is unit-tested. */
export function renderElasticsearchYml(input: EsConfigInput): string {
  const { name, ports } = input;
  const lines: Array<[string, unknown]> = [
    ['cluster.name', CLUSTER_NAME],
    ['node.name', name],
    // Data nodes also ingest, as the single node does; the tiebreaker only votes.
    ['node.roles', ELASTICSEARCH_DATA_NODES.includes(name) ? ['master', 'data', 'ingest'] : ['master']],
    ['network.host', CLUSTER_HOST],
    ['http.port', ports.elasticsearchHttp(name)],
    ['transport.port', ports.elasticsearchTransport(name)],
    ['path.data', input.dataDir],
    ['path.logs', input.logsDir],
    ['discovery.seed_hosts', ELASTICSEARCH_NODES.map((n) => `${CLUSTER_HOST}:${ports.elasticsearchTransport(n)}`)],
    ...(input.bootstrap ? ([['cluster.initial_master_nodes', [...ELASTICSEARCH_NODES]]] as Array<[string, unknown]>) : []),
    // Dev disks are often nearly full; without this, shards stop being allocated at 85-90 % disk use.
    ['cluster.routing.allocation.disk.threshold_enabled', false],
    ['xpack.security.enabled', true],
    ['xpack.security.enrollment.enabled', false],
    ['xpack.security.http.ssl.enabled', true],
    ['xpack.security.http.ssl.key', 'tls/server.key'],
    ['xpack.security.http.ssl.certificate', 'tls/server.crt'],
    ['xpack.security.http.ssl.certificate_authorities', ['tls/ca.crt']],
    ['xpack.security.transport.ssl.enabled', true],
    // One certificate for all nodes, all on 127.0.0.1: checking that it is ours is what matters.
    ['xpack.security.transport.ssl.verification_mode', 'certificate'],
    ['xpack.security.transport.ssl.key', 'tls/server.key'],
    ['xpack.security.transport.ssl.certificate', 'tls/server.crt'],
    ['xpack.security.transport.ssl.certificate_authorities', ['tls/ca.crt']],
  ];
  return [
    '# Written by `npm run services -- up --cluster` on every start; edit src/local-services/cluster/elasticsearch-nodes.ts instead.',
    ...lines.map(([key, value]) => `${key}: ${JSON.stringify(value)}`),
    '',
  ].join('\n');
}

/** A file-realm `users` line: Elasticsearch's {PBKDF2} format (PBKDF2-HMAC-SHA512, 32-byte salt and key, base64). */
export function fileRealmUserLine(account: Account, cost = 10_000): string {
  const salt = randomBytes(32);
  const key = pbkdf2Sync(account.password, salt, cost, 32, 'sha512');
  return `${account.username}:{PBKDF2}${cost}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/**
 * Writes the node's config folder (a copy of the install's defaults the first time, then elasticsearch.yml,
 * the TLS files and the superuser on every start) and hands it all to the Elasticsearch user.
 */
export async function prepareEsNode(target: ClusterElasticsearchTarget, name: ElasticsearchNodeName, tls: TlsFiles, superuser: Account): Promise<void> {
  const paths = esNodePaths(target.root, name);
  const home = clusterElasticsearchHome(target.root);
  for (const dir of [paths.node, paths.data, paths.logs, paths.tmp, paths.run]) await mkdir(dir, { recursive: true });
  if (!(await exists(join(paths.config, 'jvm.options')))) await cp(join(home, 'config'), paths.config, { recursive: true });
  await mkdir(join(paths.config, 'tls'), { recursive: true });
  // An empty data folder means this node never joined a cluster: only then may it help bootstrap one.
  const bootstrap = (await readdir(paths.data)).length === 0;
  await writeFile(paths.yml, renderElasticsearchYml({ name, ports: clusterPorts(), dataDir: paths.data, logsDir: paths.logs, bootstrap }));
  await copyFile(tls.caCert, join(paths.config, 'tls', 'ca.crt'));
  await copyFile(tls.serverKey, join(paths.config, 'tls', 'server.key'));
  // The chain, not just the leaf: clients that pin the CA by fingerprint (caFingerprint) need to be sent it.
  const chain = (await readFile(tls.serverCert, 'utf8')) + (await readFile(tls.caCert, 'utf8'));
  await writeFile(join(paths.config, 'tls', 'server.crt'), chain);
  await writeFile(join(paths.config, 'users'), `${fileRealmUserLine(superuser)}\n`);
  await writeFile(join(paths.config, 'users_roles'), `superuser:${superuser.username}\n`);
  const secrets = [join(paths.config, 'tls', 'server.key'), join(paths.config, 'users')];
  for (const file of secrets) await chmod(file, 0o600);
  if (!target.runAs) return;
  const { uid, gid } = target.runAs;
  const owned = await run('chown', ['-R', `${uid}:${gid}`, paths.node]);
  if (owned.code !== 0) throw chownError(paths.node, owned.stderr);
  await chown(target.root, uid, gid);
  await chown(join(target.root, 'nodes'), uid, gid);
}

function chownError(path: string, stderr: string): PantauError {
  return new PantauError(`chown of ${path} failed: ${stderr.trim()}`, { stage: 'services', code: 'elasticsearch_chown', retriable: false });
}

/** The install was unpacked by root; the user only needs to read it, but keeps it like the single node does. */
export async function prepareEsInstall(target: ClusterElasticsearchTarget): Promise<void> {
  if (!target.runAs) return;
  const home = clusterElasticsearchHome(target.root);
  if ((await stat(home)).uid === target.runAs.uid) return;
  const result = await run('chown', ['-R', `${target.runAs.uid}:${target.runAs.gid}`, home]);
  if (result.code !== 0) throw chownError(home, result.stderr);
}

/** Starts one node detached (as the unprivileged user when we are root); the caller records the state. */
export async function launchEsNode(java: JavaRuntime, target: ClusterElasticsearchTarget, name: ElasticsearchNodeName): Promise<ServiceState> {
  const paths = esNodePaths(target.root, name);
  await writeFile(paths.stdoutLog, '');
  if (target.runAs) await chown(paths.stdoutLog, target.runAs.uid, target.runAs.gid);
  const [command, args] = asUser(target.runAs, join(clusterElasticsearchHome(target.root), 'bin', 'elasticsearch'), ['-p', paths.serverPidFile]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ES_JAVA_HOME: java.home,
    ES_JAVA_OPTS: CLUSTER_ELASTICSEARCH_HEAP[name],
    ES_PATH_CONF: paths.config,
    ES_TMPDIR: paths.tmp,
    HOME: paths.node,
  };
  delete env.JAVA_HOME;
  const pid = await spawnDetached(command, args, { cwd: paths.node, env, logFile: paths.stdoutLog });
  return {
    pid,
    marker: esNodeMarker(paths.node),
    version: ELASTICSEARCH_VERSION,
    startedAt: new Date().toISOString(),
    serverPidFile: paths.serverPidFile,
    root: target.root,
  };
}

export function elasticsearchUrl(name: ElasticsearchNodeName, ports = clusterPorts()): string {
  return `https://${CLUSTER_HOST}:${ports.elasticsearchHttp(name)}`;
}

export interface HttpsAnswer {
  status: number;
  body: unknown;
}

/** One HTTPS request trusting only the cluster CA; rejects on network or TLS errors. */
export function httpsJson(url: string, options: { ca: string; auth?: Account; method?: string; timeoutMs?: number }): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.auth) headers.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
    const req = request(url, { method: options.method ?? 'GET', ca: options.ca, headers, timeout: options.timeoutMs ?? 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: keep the text.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer in time`)));
    req.on('error', reject);
    req.end();
  });
}

export interface ElasticsearchClusterView {
  status?: string;
  nodes: string[];
}

/** Cluster status and node names as seen by the first data node that answers; nodes [] when none does. */
export async function elasticsearchClusterView(ca: string, auth: Account, timeoutMs = 5000): Promise<ElasticsearchClusterView> {
  for (const name of ELASTICSEARCH_DATA_NODES) {
    try {
      const url = elasticsearchUrl(name);
      const health = await httpsJson(`${url}/_cluster/health`, { ca, auth, timeoutMs });
      const nodes = await httpsJson(`${url}/_cat/nodes?h=name&format=json`, { ca, auth, timeoutMs });
      if (health.status !== 200 || nodes.status !== 200 || !Array.isArray(nodes.body)) continue;
      return {
        status: String((health.body as { status?: unknown }).status),
        nodes: (nodes.body as Array<{ name: string }>).map((n) => n.name).sort(),
      };
    } catch {
      // Try the other data node.
    }
  }
  return { nodes: [] };
}

export async function esNodeLogTail(root: string, name: ElasticsearchNodeName, lines = 30): Promise<string> {
  const { stdoutLog } = esNodePaths(root, name);
  const tail = await tailFile(stdoutLog, lines);
  return tail ? `${stdoutLog}:\n${tail}` : '(nothing logged yet)';
}
