/**
 * `node src/bench/review-queue.ts [--posts N] [--runs R]`: how long the analysts' queue takes to answer with N
 * scored posts in Elasticsearch (ELASTICSEARCH_URL, default http://127.0.0.1:9200). Writes N posts (the sample
 * texts, 5 posts per narrative, 1 in 10 without a narrative, 1 in 3 flagged, the rest near the review points)
 * under a fresh prefix through the posts sink, times GET /api/queue's work R times per query, prints the
 * figures, and deletes what it wrote.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../core/log.ts';
import { scoredPostSchema, type ScoredPost } from '../core/post.ts';
import { DEFAULT_PIPELINE_FILE, loadPipelineFile } from '../config/pipeline.ts';
import { listQueue, type QueueFilters, type QueueSource } from '../review/queue.ts';
import { indexPosts } from '../sinks/elasticsearch-posts.ts';
import { createElasticsearchClient } from '../store/elasticsearch-client.ts';
import { postsAlias } from '../store/index-names.ts';
import { ensureIndexTemplates } from '../store/index-templates.ts';
import { generatePosts } from './synthetic-posts.ts';

const { values } = parseArgs({ options: { posts: { type: 'string', default: '5000' }, runs: { type: 'string', default: '10' } } });
const n = Number(values.posts);
const runs = Number(values.runs);
const LABELS = ['hate_speech', 'abusive', 'sara', 'hoax'];
const es = createElasticsearchClient(process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200');
const prefix = `bench-queue-${randomBytes(4).toString('hex')}`;
const pipeline = loadPipelineFile();

function scored(i: number, post: ReturnType<typeof generatePosts>[number]): ScoredPost {
  const label = LABELS[i % LABELS.length]!;
  const flagged = i % 3 === 0;
  const score = flagged ? 0.6 + (i % 40) / 100 : 0.1 + (i % 10) / 100;
  return scoredPostSchema.parse({
    ...post,
    region: ['31', '32', '35', '3578'][i % 4],
    engagement: { shares: i % 50, likes: i % 200 },
    scores: { hate_speech: 0.01, abusive: 0.01, sara: 0.01, hoax: 0.01, [label]: score },
    flags: flagged ? [label] : [],
    flagged,
    review_flags: flagged ? [] : [label],
    sentiment: null,
    model_version: i % 7 === 0 ? 'pantau-id-v1' : 'pantau-id-v2',
    classified_at: post.created_at,
    narrative_id: i % 10 === 9 ? null : `nar-bench-${Math.floor(i / 5)}`,
  });
}

const time = async (f: QueueFilters, src: QueueSource) => {
  const ms: number[] = [];
  let total = 0;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    total = (await listQueue(src, f)).total;
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]!, total };
};

try {
  await ensureIndexTemplates(es, { files: pipeline.elasticsearch.templates, baseDir: dirname(DEFAULT_PIPELINE_FILE), prefix, logger: silentLogger });
  const posts = generatePosts(n, 'queue').map((p, i) => scored(i, p));
  const t = performance.now();
  for (let at = 0; at < posts.length; at += 1000) await indexPosts(es, posts.slice(at, at + 1000), { prefix, maxAttempts: 3, retryBaseMs: 100 });
  await es.indices.refresh({ index: postsAlias(prefix) });
  console.log(`indexed ${n} posts in ${Math.round(performance.now() - t)} ms`);
  const now = Math.max(...posts.map((p) => Date.parse(p.created_at)));
  const src: QueueSource = { es, prefix, labels: LABELS, uncertainSampleRate: 0.2, clock: () => now };
  for (const [name, f] of [
    ['all open', {}],
    ['label=hoax', { label: 'hoax' }],
    ['q=pilkada', { q: 'pilkada' }],
    ['region=35, page 3', { region: '35', page: 3 }],
    ['status=all', { status: 'all' }],
  ] as Array<[string, QueueFilters]>) {
    const r = await time(f, src);
    console.log(`${name.padEnd(20)} items ${String(r.total).padStart(5)}  median ${r.median.toFixed(0).padStart(5)} ms  max ${r.max.toFixed(0).padStart(5)} ms`);
  }
} finally {
  const indices = Object.keys(await es.indices.get({ index: `${prefix}-*`, allow_no_indices: true, ignore_unavailable: true }));
  if (indices.length > 0) await es.indices.delete({ index: indices });
  for (const file of pipeline.elasticsearch.templates) {
    const name = `${prefix}-${file.replace(/^elasticsearch\//, '').replace(/\.template\.json$/, '')}`;
    await es.indices.deleteIndexTemplate({ name }).catch(() => {});
  }
  await es.close();
}
