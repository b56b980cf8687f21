import { spawn } from 'node:child_process';
import { withRealClock } from '../../src/local-services/process.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import type { ScoredPost } from '../../src/core/post.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers, type Workers } from '../../src/pipeline/workers.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, KAFKA_BROKERS, openTestContext, waitFor } from '../helpers/cluster.ts';

// A client we did not write: Debian's kcat (librdkafka) produces the post. .ci/run installs it.
describe('a post produced with kcat is classified and searchable', () => {
  let ctx: PipelineContext;
  let classifier: Classifier;
  let workers: Workers;

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('kcat'));
    classifier = await loadClassifier();
    workers = await startWorkers(ctx, { classifier, stages: ['classify', 'index'] });
  });

  afterAll(async () => {
    await workers?.stop();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    classifier?.dispose();
  });

  it('goes from kcat to a search hit', async () => {
    const id = `tw-kcat-${Date.now()}`;
    const post = {
      id,
      platform: 'twitter',
      author: '@relawan_tps07',
      text: 'Dasar goblok, TPS 07 baru buka jam 9, petugasnya tolol semua!!',
      url: null,
      created_at: new Date().toISOString(),
      region: '31',
      engagement: { likes: 4 },
    };
    const started = Date.now();
    const run = await runKcat(['-P', '-b', KAFKA_BROKERS[0]!, '-t', ctx.config.pipeline.kafka.topics.raw.name, '-K', '\t', '-X', 'message.timeout.ms=30000'], `${id}\t${JSON.stringify(post)}\n`);
    expect(run.error, 'kcat must be installed (apt-get install kcat)').toBeUndefined();
    expect(run.status, run.stderr).toBe(0);

    const doc = await waitFor('the kcat post to be searchable', async () => {
      await ctx.es.indices.refresh({ index: postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix), ignore_unavailable: true, allow_no_indices: true });
      const r = await ctx.es.search<ScoredPost>({
        index: postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        query: { match: { text: 'goblok petugasnya' } },
      });
      return r.hits.hits.find((h) => h._id === id)?._source;
    }, 30_000);
    console.log(`kcat → searchable in ${Date.now() - started} ms`);
    expect(doc.flags).toContain('abusive');
    expect(doc.scores.abusive).toBeGreaterThanOrEqual(classifier.thresholds.abusive);
  });
});

/**
 * Runs kcat without blocking the test's event loop (a hung client then fails the test at its timeout instead
 * of stalling the run) and on the real clock: under faketime (the month-boundary run) libfaketime's
 * shared-memory lock has deadlocked kcat's threads. The post's own timestamps come from the test, not kcat.
 */
function runKcat(args: string[], input: string): Promise<{ status: number | null; stderr: string; error?: Error }> {
  return new Promise((done) => {
    const child = spawn('kcat', args, { env: withRealClock(process.env), stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ status: null, stderr, error });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stderr });
    });
    child.stdin.end(input);
  });
}
