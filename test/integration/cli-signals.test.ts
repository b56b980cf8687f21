/**
 * The documented way to run pantau (`npm start`, `npm run pantau -- work`) stops cleanly when ONE PID gets
 * SIGTERM or SIGINT: the npm process, which is what systemd, a supervisor or a container runtime signals.
 * Clean means: the work in flight is finished and committed, one "stopped" line is printed, the exit code
 * is 0, and no process of the tree is left running. Ctrl-C in a terminal (the signal goes to the whole
 * process group, so npm and pantau both get it) must stop it the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { isAlive, procStatFields } from '../../src/local-services/process.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, ELASTICSEARCH_URL, isolatedConfig, KAFKA_BROKERS, openTestContext, waitFor } from '../helpers/cluster.ts';
import { generatePosts, producePosts, writePipelineFile } from '../helpers/worker-process.ts';

/** Every process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      parentOf.set(Number(name), Number(procStatFields(readFileSync(`/proc/${name}/stat`, 'utf8'))[1]));
    } catch {
      // ended meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.pop()!;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

interface NpmRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('the documented commands stop cleanly on a signal to their one PID', () => {
  let ctx: PipelineContext;
  let pipelineFile: string;
  const runs: NpmRun[] = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'pantau-signals-state-'));

  beforeAll(async () => {
    const config = isolatedConfig('signals');
    ctx = await openTestContext(config);
    pipelineFile = writePipelineFile(config);
  });

  afterEach(() => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        for (const pid of descendants(run.child.pid!)) process.kill(pid, 'SIGKILL');
        run.child.kill('SIGKILL');
      }
    }
  });

  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  /** `npm <args>` as an operator runs it, in its own process group (as a terminal or a supervisor would). */
  function npm(args: string[]): NpmRun {
    const child = spawn('npm', args, {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        KAFKA_BROKERS: KAFKA_BROKERS.join(','),
        ELASTICSEARCH_URL,
        PANTAU_PIPELINE: pipelineFile,
        PANTAU_HTTP_PORT: '0',
        PANTAU_METRICS_PORT: '0',
        // `work` generates an author key when none is set: in a folder of the test's, not the project's .state/.
        PANTAU_STATE_DIR: stateDir,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    const run = { child, output: () => out, exited };
    runs.push(run);
    return run;
  }

  async function expectStoppedCleanly(run: NpmRun, tree: number[], what: RegExp) {
    const { code, signal } = await run.exited;
    expect({ code, signal }, run.output().slice(-3000)).toEqual({ code: 0, signal: null });
    const stoppedLines = run.output().split('\n').filter((l) => /^stopped\b/.test(l));
    expect(stoppedLines, run.output().slice(-3000)).toHaveLength(1);
    expect(stoppedLines[0]).toMatch(what);
    // No process of the tree is left behind (npm's child used to keep running and serving).
    await waitFor('every process of the tree to end', async () => ((await Promise.all(tree.map(isAlive))).some(Boolean) ? undefined : true), 10_000);
  }

  it('npm start, then SIGTERM to the npm process: the demo finishes, prints one stopped line, exits 0, leaves nothing running', async () => {
    const run = npm(['start']);
    const url = await waitFor('the demo to serve', async () => run.output().match(/dashboard: +(http:\/\/[^\s]+)/)?.[1], 150_000);
    await waitFor('the stream line', async () => (run.output().includes('the stream keeps running') ? true : undefined), 10_000);
    const port = Number(new URL(url).port);
    expect(await portOpen(port)).toBe(true);
    const tree = descendants(run.child.pid!);
    expect(tree.length).toBeGreaterThan(0);

    process.kill(run.child.pid!, 'SIGTERM');
    await expectStoppedCleanly(run, tree, /^stopped pantau demo cleanly$/);
    expect(await portOpen(port)).toBe(false);
  });

  it('npm run pantau -- work, then SIGINT to the npm process: the batch in flight is committed, one stopped line, exit 0', async () => {
    const run = npm(['run', 'pantau', '--', 'work', '--stages', 'classify,index']);
    await waitFor('the stages to run', async () => (run.output().includes('stages running') ? true : undefined), 120_000);
    const health = run.output().match(/"health":"(http:[^"]+)"/)?.[1];
    expect(health, 'work serves /healthz').toBeDefined();
    const answer = await fetch(health!);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: 'ok', checks: { kafka: 'ok', elasticsearch: 'ok' } });

    const posts = generatePosts(3000, 'signals-work');
    await producePosts(ctx.producer, ctx.config.pipeline.kafka.topics.raw.name, posts);
    const index = postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix);
    await waitFor('some posts indexed', async () => ((await ctx.es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count > 0 ? true : undefined), 60_000);
    const tree = descendants(run.child.pid!);

    process.kill(run.child.pid!, 'SIGINT');
    await expectStoppedCleanly(run, tree, /^stopped the classify, index stages cleanly$/);
    // What the groups committed was indexed: a new worker would start after it, and nothing before it is missing.
    const admin = ctx.kafka.admin();
    await admin.connect();
    try {
      const { groups, topics } = ctx.config.pipeline.kafka;
      const committed = await admin.fetchOffsets({ groupId: groups.index, topics: [topics.scored.name] });
      const committedCount = committed[0]!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
      await ctx.es.indices.refresh({ index });
      expect((await ctx.es.count({ index })).count).toBeGreaterThanOrEqual(committedCount);
      expect(committedCount).toBeGreaterThan(0);
    } finally {
      await admin.disconnect();
    }
  });

  it('Ctrl-C (SIGINT to the whole process group: npm and pantau both get it) stops it the same way', async () => {
    const run = npm(['run', 'pantau', '--', 'work', '--stages', 'index']);
    await waitFor('the stage to run', async () => (run.output().includes('stages running') ? true : undefined), 120_000);
    const tree = descendants(run.child.pid!);
    process.kill(-run.child.pid!, 'SIGINT');
    await expectStoppedCleanly(run, tree, /^stopped the index stage cleanly$/);
  });
});
