/**
 * The stream's guarantees with real processes, the real broker and the real Elasticsearch node:
 * crashes, a dead Elasticsearch, a lost group member and SIGTERM must all end with exactly N documents.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import type { AppConfig } from '../../src/config/config.ts';
import { downLocalServices, upLocalServices } from '../../src/local-services/index.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { startWorkers } from '../../src/pipeline/workers.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext, waitFor } from '../helpers/cluster.ts';
import { generatePosts, producePosts, spawnWorker, writePipelineFile, type WorkerProcess } from '../helpers/worker-process.ts';

const log = (line: string) => process.stdout.write(`  ${line}\n`);

describe('stream guarantees', () => {
  const contexts: PipelineContext[] = [];
  const workers: WorkerProcess[] = [];

  async function setUp(label: string): Promise<{ config: AppConfig; ctx: PipelineContext; pipelineFile: string }> {
    const config = isolatedConfig(label);
    config.pipeline.kafka.sessionTimeoutMs = 6_000; // the broker's minimum: quick take-over of a dead member
    const ctx = await openTestContext(config);
    contexts.push(ctx);
    return { config, ctx, pipelineFile: writePipelineFile(config) };
  }

  function worker(pipelineFile: string): WorkerProcess {
    const w = spawnWorker(pipelineFile);
    workers.push(w);
    return w;
  }

  const countDocs = async (ctx: PipelineContext) => {
    const index = postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix);
    await ctx.es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    return (await ctx.es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
  };

  /** Exactly the generated ids: N documents, none outside the set (ids are `_id`s, so none twice). */
  async function expectExactly(ctx: PipelineContext, tag: string, n: number) {
    const index = postsAlias(ctx.config.pipeline.elasticsearch.indexPrefix);
    await ctx.es.indices.refresh({ index });
    expect(await countDocs(ctx)).toBe(n);
    const strangers = await ctx.es.count({ index, query: { bool: { must_not: { prefix: { id: `gen-${tag}-` } } } } });
    expect(strangers.count).toBe(0);
    const distinct = await ctx.es.search({ index, size: 0, aggs: { ids: { cardinality: { field: 'id', precision_threshold: 40_000 } } } });
    expect((distinct.aggregations?.ids as { value: number }).value).toBeGreaterThanOrEqual(n * 0.99); // cardinality is approximate
  }

  const waitForCount = (ctx: PipelineContext, what: string, done: (n: number) => boolean, timeoutMs = 180_000) =>
    waitFor(what, async () => {
      const n = await countDocs(ctx);
      return done(n) ? n : undefined;
    }, timeoutMs);

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
  });

  afterAll(async () => {
    await upLocalServices(); // in case a test failed while Elasticsearch was down
    for (const ctx of contexts) {
      await cleanUp(ctx).catch(() => {});
      await ctx.close();
    }
  });

  it('kill -9 of a worker mid-stream, then a restart: exactly N documents', async () => {
    const { ctx, pipelineFile } = await setUp('kill9');
    const n = 20_000;
    const first = worker(pipelineFile);
    await first.ready;
    await producePosts(ctx.producer, ctx.config.pipeline.kafka.topics.raw.name, generatePosts(n, 'kill9'));
    const atKill = await waitForCount(ctx, 'part of the stream indexed', (c) => c >= 2_000);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    log(`killed the worker with ${atKill} of ${n} indexed`);
    expect(atKill).toBeLessThan(n); // otherwise the kill tested nothing

    const second = worker(pipelineFile);
    await second.ready;
    await waitForCount(ctx, 'all posts indexed after the restart', (c) => c >= n);
    await new Promise((r) => setTimeout(r, 2_000)); // room for a duplicate to show up, were there one
    await expectExactly(ctx, 'kill9', n);
  });

  it('two workers share the group; when one dies the other takes over its partitions: exactly N documents', async () => {
    const { ctx, pipelineFile } = await setUp('pair');
    const n = 20_000;
    const a = worker(pipelineFile);
    const b = worker(pipelineFile);
    await Promise.all([a.ready, b.ready]);
    const admin = ctx.kafka.admin();
    await admin.connect();
    await waitFor('both workers in the classify group', async () => {
      const { groups } = await admin.describeGroups([ctx.config.pipeline.kafka.groups.classify]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === 2 ? true : undefined;
    });
    await admin.disconnect();

    await producePosts(ctx.producer, ctx.config.pipeline.kafka.topics.raw.name, generatePosts(n, 'pair'));
    const atKill = await waitForCount(ctx, 'part of the stream indexed', (c) => c >= 2_000);
    a.child.kill('SIGKILL');
    await a.exited;
    log(`killed one of two workers with ${atKill} of ${n} indexed`);
    expect(atKill).toBeLessThan(n);

    await waitForCount(ctx, 'the survivor to finish the stream', (c) => c >= n);
    await new Promise((r) => setTimeout(r, 2_000));
    await expectExactly(ctx, 'pair', n);
    expect(b.child.exitCode).toBeNull(); // the survivor did it, and still runs
  });

  it('SIGTERM finishes the batch in flight, commits and exits 0; everything committed is indexed', async () => {
    const { ctx, pipelineFile } = await setUp('sigterm');
    const n = 20_000;
    const w = worker(pipelineFile);
    await w.ready;
    await producePosts(ctx.producer, ctx.config.pipeline.kafka.topics.raw.name, generatePosts(n, 'sigterm'));
    await waitForCount(ctx, 'part of the stream indexed', (c) => c >= 2_000);
    w.child.kill('SIGTERM');
    const exit = await w.exited;
    expect(exit.code, w.output().slice(-2000)).toBe(0);
    expect(w.output()).toContain('stopped cleanly');

    const admin = ctx.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: ctx.config.pipeline.kafka.groups.index, topics: [ctx.config.pipeline.kafka.topics.scored.name] });
    await admin.disconnect();
    const committedCount = committed!.partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
    const indexed = await countDocs(ctx);
    log(`after SIGTERM: ${committedCount} scored messages committed, ${indexed} documents indexed`);
    expect(committedCount).toBeGreaterThan(0);
    expect(indexed).toBeGreaterThanOrEqual(committedCount); // at-least-once: nothing committed is missing
    // The batch in flight was finished and committed: nothing indexed was left uncommitted.
    expect(indexed).toBe(committedCount);

    const again = worker(pipelineFile);
    await again.ready;
    await waitForCount(ctx, 'the rest after a restart', (c) => c >= n);
    await expectExactly(ctx, 'sigterm', n);
  });

  describe('with Elasticsearch stopped for 30 s mid-stream', () => {
    let classifier: Classifier;
    beforeAll(async () => {
      classifier = await loadClassifier();
    });
    afterAll(() => classifier?.dispose());

    it('the indexer waits, then catches up: exactly N documents', async () => {
      const { ctx } = await setUp('esdown');
      const n = 10_000;
      let crashed: unknown;
      const running = await startWorkers(ctx, { classifier, stages: ['classify', 'index'], onCrash: (e) => (crashed = e) });
      try {
        const posts = generatePosts(n, 'esdown');
        await producePosts(ctx.producer, ctx.config.pipeline.kafka.topics.raw.name, posts.slice(0, n / 2));
        await waitForCount(ctx, 'the first half indexed', (c) => c >= 1_000);
        await downLocalServices({ only: ['elasticsearch'], log });
        const downAt = Date.now();
        // The stream goes on while the index is gone: the second half arrives during the outage.
        await producePosts(ctx.producer, ctx.config.pipeline.kafka.topics.raw.name, posts.slice(n / 2));
        const indexedDuringOutage = running.counters.indexed;
        await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - downAt))));
        expect(running.counters.indexed).toBe(indexedDuringOutage); // nothing claimed indexed while it was down
        expect(crashed).toBeUndefined(); // an unreachable index is worth waiting for, not a reason to stop
        await upLocalServices({ log });
        await waitForCount(ctx, 'the catch-up after Elasticsearch returned', (c) => c >= n).catch(async (error: unknown) => {
          const c = await countDocs(ctx).catch((e: unknown) => String(e));
          throw new Error(`${String(error)}; count ${c}, counters ${JSON.stringify(running.counters)}, crashed: ${String(crashed)}`);
        });
        await new Promise((r) => setTimeout(r, 2_000));
        await expectExactly(ctx, 'esdown', n);
      } finally {
        await running.stop();
      }
    }, 300_000);
  });
});
