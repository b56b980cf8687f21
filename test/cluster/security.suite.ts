/**
 * pantau with security on, end to end, on the local cluster (`npm run services -- up --cluster`): Kafka over
 * TLS with SASL/SCRAM, Elasticsearch over HTTPS with credentials of least privilege per component. The roles
 * are the ones `pantau api-keys` gives API keys; this Elasticsearch distribution cannot store API keys (see
 * src/access/file-realm.ts), so here each role is a file-realm user with the same role descriptor. Each
 * component gets only its role: setup installs the templates, the worker indexes, the server serves the
 * workspace with the api role and the dashboard with the read-only dashboard role.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToken } from '../../src/auth/accounts.ts';
import { apiKeysCommand } from '../../src/cli/api-keys-command.ts';
import { SAMPLE_POSTS_FILE } from '../../src/cli/paths.ts';
import type { AppConfig } from '../../src/config/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import type { Post } from '../../src/core/post.ts';
import { clusterEnv, clusterRoleEnv } from '../../src/local-services/cluster/index.ts';
import { openContext, type PipelineContext } from '../../src/pipeline/context.ts';
import { createElasticsearchClient } from '../../src/store/elasticsearch-client.ts';
import { httpStatusOf } from '../../src/store/elasticsearch-errors.ts';
import { alertsIndex, postsAlias, usersIndex } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, waitFor } from '../helpers/cluster.ts';
import { producePosts, spawnWorker, writePipelineFile, type WorkerProcess } from '../helpers/worker-process.ts';

interface Child {
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

function run(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [resolve(PROJECT_ROOT, 'src/cli/main.ts'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { output: () => out, exited, kill: (signal) => (child.exitCode === null && child.signalCode === null ? void child.kill(signal) : undefined) };
}

describe('security on: TLS, SASL/SCRAM and least-privilege roles', () => {
  let admin: Record<string, string>;
  let config: AppConfig;
  let ctx: PipelineContext;
  let prefix: string;
  const roles: Record<string, Record<string, string>> = {};
  const children: Child[] = [];
  const workers: WorkerProcess[] = [];

  /** The cluster's variables with a component role's user instead of the administrator. */
  const withRole = (role: string): Record<string, string> => ({ ...admin, ...roles[role]! });
  const clientWith = (role: string, password = roles[role]!.ELASTICSEARCH_PASSWORD!): Client =>
    createElasticsearchClient(config.elasticsearchUrl!, { ...(config.elasticsearchAuth.ca ? { ca: config.elasticsearchAuth.ca } : {}), username: roles[role]!.ELASTICSEARCH_USERNAME!, password });
  const statusOf = async (request: Promise<unknown>): Promise<number> => {
    try {
      await request;
      return 200;
    } catch (error) {
      return httpStatusOf(error) ?? -1;
    }
  };

  beforeAll(async () => {
    admin = await clusterEnv();
    config = isolatedConfig('secure', admin);
    prefix = config.pipeline.elasticsearch.indexPrefix;
    for (const role of ['setup', 'worker', 'api', 'dashboard', 'sources']) roles[role] = await clusterRoleEnv(role);
    // The test's own producer and checks use the administrator's credentials, over the same TLS and SASL.
    ctx = await openContext(config, { kafkaBrokers: config.kafkaBrokers!, elasticsearchUrl: config.elasticsearchUrl! }, silentLogger);
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    for (const c of children) c.kill('SIGKILL');
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('refuses Elasticsearch without credentials and plain HTTP', async () => {
    const plain = await fetch(config.elasticsearchUrl!.split(',')[0]!.replace('https:', 'http:') + '/_cluster/health').then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    const anonymous = createElasticsearchClient(config.elasticsearchUrl!, config.elasticsearchAuth.ca ? { ca: config.elasticsearchAuth.ca } : {});
    expect(await statusOf(anonymous.cluster.health())).toBe(401);
    await anonymous.close();
  });

  it('each component holds only its role: the worker cannot delete indices or change templates, the dashboard cannot write', async () => {
    // The setup role installs the templates (a worker may not even read them).
    const setup = run(['setup'], { ...withRole('setup'), PANTAU_PIPELINE: writePipelineFile(config) });
    children.push(setup);
    expect(await setup.exited, setup.output()).toBe(0);
    expect((await ctx.es.indices.getIndexTemplate({ name: `${prefix}-posts` })).index_templates).toHaveLength(1);

    const worker = clientWith('worker');
    const dashboard = clientWith('dashboard');
    const sources = clientWith('sources');
    try {
      const doc = { alert_id: 'a-1', post_id: 'p-1', flags: ['hoax'] };
      // A refusal for the mapping's sake (400) would still mean the write was allowed; only 403 means it was not.
      expect(await statusOf(worker.index({ index: alertsIndex(prefix), id: 'probe', document: doc, refresh: true }))).not.toBe(403);
      expect(await statusOf(worker.search({ index: alertsIndex(prefix) }))).toBe(200);
      expect(await statusOf(worker.indices.delete({ index: alertsIndex(prefix) }))).toBe(403);
      expect(await statusOf(worker.indices.putIndexTemplate({ name: `${prefix}-evil`, index_patterns: [`${prefix}-evil-*`] }))).toBe(403);
      expect(await statusOf(worker.indices.putSettings({ index: alertsIndex(prefix), settings: { number_of_replicas: 0 } }))).toBe(403);
      expect(await statusOf(worker.search({ index: usersIndex(prefix) }))).toBe(403);
      expect(await statusOf(worker.search({ index: 'other-tenant-posts' }))).toBe(403);

      expect(await statusOf(dashboard.search({ index: alertsIndex(prefix) }))).toBe(200);
      expect(await statusOf(dashboard.index({ index: alertsIndex(prefix), document: doc }))).toBe(403);
      expect(await statusOf(dashboard.delete({ index: alertsIndex(prefix), id: 'probe' }))).toBe(403);
      expect(await statusOf(dashboard.search({ index: usersIndex(prefix) }))).toBe(403);

      expect(await statusOf(sources.cluster.health())).toBe(200);
      expect(await statusOf(sources.search({ index: alertsIndex(prefix) }))).toBe(403);

      // A wrong password is refused.
      const wrong = clientWith('sources', 'not-the-password');
      expect(await statusOf(wrong.cluster.health())).toBe(401);
      await wrong.close();
    } finally {
      await Promise.all([worker.close(), dashboard.close(), sources.close()]);
    }
  });

  it('api-keys create makes a key of the role, or says plainly why this Elasticsearch cannot store keys', async () => {
    const lines: string[] = [];
    let refused: unknown;
    const code = await apiKeysCommand(['create', '--role', 'dashboard', '--prefix', prefix, '--expires', '1h'], { say: (l) => lines.push(l), config }).catch((e: unknown) => {
      refused = e;
      return -1;
    });
    if (code === 0) {
      // A full Elasticsearch: the key holds the dashboard role and nothing more.
      const key = createElasticsearchClient(config.elasticsearchUrl!, { ...(config.elasticsearchAuth.ca ? { ca: config.elasticsearchAuth.ca } : {}), apiKey: lines.at(-1)! });
      expect(await statusOf(key.search({ index: alertsIndex(prefix), ignore_unavailable: true }))).toBe(200);
      expect(await statusOf(key.index({ index: alertsIndex(prefix), document: {} }))).toBe(403);
      await key.close();
    } else {
      expect((refused as Error).message).toMatch(/cannot store API keys: .*analysis-common.*roles-yml/);
    }
  });

  it('runs the pipeline end to end with security on, serves the dashboard with the read-only role, and logs no secret', async () => {
    const pipelineFile = writePipelineFile(config);
    const worker = spawnWorker(pipelineFile, 'classify,index,alerts,desk', withRole('worker'));
    workers.push(worker);
    await worker.ready;
    const posts = readFileSync(SAMPLE_POSTS_FILE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Post);
    await producePosts(ctx.producer, config.pipeline.kafka.topics.raw.name, posts);
    const index = postsAlias(prefix);
    await waitFor(
      `${posts.length} posts indexed over TLS`,
      async () => {
        await ctx.es.indices.refresh({ index, ignore_unavailable: true });
        const { count } = await ctx.es.count({ index, ignore_unavailable: true });
        return count === posts.length ? count : undefined;
      },
      120_000,
    );
    const flagged = (await ctx.es.count({ index, query: { term: { flagged: true } } })).count;
    expect(flagged).toBeGreaterThan(0);
    await waitFor('the alerts ledger to record the flagged posts', async () => {
      await ctx.es.indices.refresh({ index: alertsIndex(prefix), ignore_unavailable: true });
      const { count } = await ctx.es.count({ index: alertsIndex(prefix), ignore_unavailable: true, query: { bool: { must_not: { ids: { values: ['probe'] } } } } });
      return count > 0 ? count : undefined;
    });

    // The server: the api role for the workspace, the dashboard role for the dashboard.
    const serveWith = (dashboard: Record<string, string>) => {
      const child = run(['serve'], {
        ...withRole('api'),
        ELASTICSEARCH_DASHBOARD_USERNAME: dashboard.ELASTICSEARCH_USERNAME!,
        ELASTICSEARCH_DASHBOARD_PASSWORD: dashboard.ELASTICSEARCH_PASSWORD!,
        PANTAU_PIPELINE: pipelineFile,
        PANTAU_HTTP_PORT: '0',
      });
      children.push(child);
      return child;
    };
    const { token } = await addToken(ctx.es, prefix, () => Date.now(), { name: 'security test', role: 'leadership', createdBy: 'test' });
    const dashboardData = async (serve: Child) => {
      const base = await waitFor('pantau serve to listen', async () => /dashboard: +(http:\/\/[\d.:]+)\//.exec(serve.output())?.[1]);
      const response = await fetch(`${base}/api/dashboards/leadership/data?from=2026-11-01&to=2026-11-30`, { headers: { authorization: `Bearer ${token}` } });
      return { base, response };
    };
    const serve = serveWith(roles.dashboard!);
    const { response } = await dashboardData(serve);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { panels: Array<{ id: string; values?: Array<{ key: string; value: number }> }> };
    const summary = body.panels.find((p) => p.id === 'summary')!;
    expect(summary.values!.find((v) => v.key === 'flagged')!.value).toBe(flagged);
    serve.kill('SIGTERM');
    expect(await serve.exited).toBe(0);

    // Proof the dashboard reads with its own credentials: given a user that may read no index (the sources
    // role), the dashboard fails while the rest of the server, on the api role, works.
    const blind = serveWith(roles.sources!);
    const { base, response: refused } = await dashboardData(blind);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    blind.kill('SIGTERM');
    expect(await blind.exited).toBe(0);

    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    // Retention with the worker role, which may not delete indices: the old month's posts go one by one instead.
    const shortRetention = { ...config, pipeline: structuredClone(config.pipeline) };
    shortRetention.pipeline.privacy.retentionDays = 1;
    const retention = run(['retention'], { ...withRole('worker'), PANTAU_PIPELINE: writePipelineFile(shortRetention) });
    children.push(retention);
    expect(await retention.exited, retention.output()).toBe(0);
    expect(retention.output()).toMatch(/may not delete index \S+posts-2026\.11; deleting its \d+ posts one by one/);
    await ctx.es.indices.refresh({ index });
    expect((await ctx.es.count({ index })).count).toBe(0);
    expect(await ctx.es.indices.exists({ index: `${prefix}-posts-2026.11` })).toBe(true);

    const secrets = [admin.KAFKA_SASL_PASSWORD!, admin.ELASTICSEARCH_PASSWORD!, ...Object.values(roles).map((r) => r.ELASTICSEARCH_PASSWORD!)];
    for (const output of [worker.output(), serve.output(), ...children.map((c) => c.output())]) {
      for (const secret of secrets) expect(output.includes(secret)).toBe(false);
    }
  });
});
