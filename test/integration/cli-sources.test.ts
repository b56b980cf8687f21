import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_POSTS_FILE } from '../../src/cli/paths.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { cleanUp, ELASTICSEARCH_URL, isolatedConfig, KAFKA_BROKERS, openTestContext, waitFor } from '../helpers/cluster.ts';
import { writePipelineFile } from '../helpers/worker-process.ts';

// `pantau sources` as an operator runs it: the pipeline file's sources, into posts.raw, stopped by SIGTERM.
describe('pantau sources', () => {
  let ctx: PipelineContext;
  let pipelineFile: string;
  const sampleCount = readFileSync(SAMPLE_POSTS_FILE, 'utf8').split('\n').filter((l) => l.trim()).length;

  beforeAll(async () => {
    const config = isolatedConfig('clisrc');
    ctx = await openTestContext(config);
    const file = writePipelineFile(config);
    const pipeline = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    pipeline.sources = [{ type: 'jsonl_file', name: 'sample-backfill', path: SAMPLE_POSTS_FILE }];
    writeFileSync(file, JSON.stringify(pipeline));
    pipelineFile = file;
  });

  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('runs the configured sources into posts.raw, reports health, and stops cleanly on SIGTERM', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'pantau-state-'));
    const child = spawn(process.execPath, [resolve(PROJECT_ROOT, 'src/cli/main.ts'), 'sources'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, KAFKA_BROKERS: KAFKA_BROKERS.join(','), ELASTICSEARCH_URL, PANTAU_PIPELINE: pipelineFile, PANTAU_METRICS_PORT: '0', PANTAU_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

    const healthUrl = await waitFor('the sources to start', async () => out.match(/"health":"(http:[^"]+)"/)?.[1], 60_000);
    // Pseudonyms are on by default: with no PANTAU_AUTHOR_KEY a key is generated in the state folder.
    expect(out).toContain(`author pseudonyms: on, key generated in ${join(stateDir, 'author-key')} (just created)`);
    const admin = ctx.kafka.admin();
    await admin.connect();
    await waitFor('every sample post on posts.raw', async () => {
      const offsets = await admin.fetchTopicOffsets(ctx.config.pipeline.kafka.topics.raw.name);
      return offsets.reduce((s, p) => s + Number(p.high), 0) >= sampleCount ? true : undefined;
    });
    const total = (await admin.fetchTopicOffsets(ctx.config.pipeline.kafka.topics.raw.name)).reduce((s, p) => s + Number(p.high), 0);
    await admin.disconnect();
    expect(total).toBe(sampleCount);

    const health = await fetch(healthUrl);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { checks: Array<{ name: string; state: string }> };
    expect(body.checks.map((c) => c.name)).toEqual(['sample-backfill']);
    const metrics = await (await fetch(healthUrl.replace('/healthz', '/metrics'))).text();
    expect(metrics).toMatch(/pantau_source_posts_total\{source="sample-backfill",outcome="published"\} \d+/);

    child.kill('SIGTERM');
    expect(await exited, out.slice(-2000)).toBe(0);
    expect(out).toContain('stopped cleanly');
  });
});
