/**
 * npm run annotate:sample -- --out DIR [--data ../shared/data] [--seed 1]
 *
 * Draws the election posts to annotate (src/classifier/annotation/sample.ts) and writes, in DIR (a scratch
 * folder outside the project: it holds texts):
 *   sample.jsonl               every drawn post with its source, stratum, score and inclusion probability
 *   design.json                the design and, per source, its size, top and strata (this one may be committed)
 *   blocks/<b>/batch-NN.jsonl  the posts for annotators, {"id","text"} only, shuffled, 100 per batch
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadClassifier } from '../index.ts';
import { distinctPosts, readElectionPosts } from '../annotation/election-posts.ts';
import { drawSample, type SampleDesign } from '../annotation/sample.ts';
import { integer, parseArgs, single } from './args.ts';
import { createHash } from 'node:crypto';

const HELP = `npm run annotate:sample -- --out DIR [--data ../shared/data] [--seed 1] [--blocks 3] [--batch 100] [--model DIR]
Draws 3,000 election posts to annotate with ../shared/LABELS.md: per source half at random, half from the top
15 % by the current model's highest hate-speech / abusive / SARA score (pemilu-2024-tweets 900 + 900,
mbg-replies-2024 300 + 300, pemilu-2024-topics 300 + 300), and writes annotator batches ({"id","text"} only).
DIR holds texts: keep it outside the project. --model: the ranking model (default: the shipped one;
models/election-annotations-v1 was drawn with models/pantau-id-v1).`;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['help']);
  if (args.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  const out = single(args, 'out');
  if (!out) throw new Error('--out DIR is required (a scratch folder outside the project).');
  const dataRoot = resolve(single(args, 'data') ?? '../shared/data');
  const seed = integer(args, 'seed', 1);
  const blocks = integer(args, 'blocks', 3);
  const batchSize = integer(args, 'batch', 100);
  const design: SampleDesign = {
    quotas: {
      'pemilu-2024-tweets': { random: 900, high: 900 },
      'mbg-replies-2024': { random: 300, high: 300 },
      'pemilu-2024-topics': { random: 300, high: 300 },
    },
    highShare: 0.15,
    seed,
  };

  console.log(`reading election posts from ${dataRoot}…`);
  const posts = distinctPosts(readElectionPosts(dataRoot));
  const modelDir = single(args, 'model');
  console.log(`${posts.length} distinct posts; scoring them with ${modelDir ?? 'the shipped model'}…`);
  const classifier = await loadClassifier(modelDir === undefined ? {} : { modelDir: resolve(modelDir) });
  const scores = new Map<string, number>();
  for (let i = 0; i < posts.length; i += 2000) {
    const chunk = posts.slice(i, i + 2000);
    const results = await classifier.classify(chunk.map((p) => p.text));
    chunk.forEach((p, j) => {
      const s = results[j]!.scores;
      scores.set(p.id, Math.max(s.hate_speech ?? 0, s.abusive ?? 0, s.sara ?? 0));
    });
    process.stdout.write(`  scored ${Math.min(i + 2000, posts.length)}/${posts.length}\r`);
  }
  process.stdout.write('\n');
  const { sample, summary } = drawSample(posts, (p) => scores.get(p.id) ?? 0, design);

  const dir = resolve(out);
  mkdirSync(join(dir, 'blocks'), { recursive: true });
  writeFileSync(join(dir, 'sample.jsonl'), sample.map((p) => JSON.stringify(p)).join('\n') + '\n');
  writeFileSync(join(dir, 'design.json'), JSON.stringify({ design, rankingModel: classifier.modelVersion, summary }, null, 2) + '\n');
  // Annotators see the posts in an order that says nothing of their stratum or source.
  const order = [...sample].sort((a, b) => {
    const ka = createHash('sha1').update(`order:${seed}:${a.id}`).digest('hex');
    const kb = createHash('sha1').update(`order:${seed}:${b.id}`).digest('hex');
    return ka < kb ? -1 : 1;
  });
  const perBlock = Math.ceil(order.length / blocks);
  for (let b = 0; b < blocks; b++) {
    const block = order.slice(b * perBlock, (b + 1) * perBlock);
    const blockDir = join(dir, 'blocks', String(b + 1));
    mkdirSync(blockDir, { recursive: true });
    for (let i = 0; i < block.length; i += batchSize) {
      const batch = block.slice(i, i + batchSize).map((p) => JSON.stringify({ id: p.id, text: p.text }));
      writeFileSync(join(blockDir, `batch-${String(i / batchSize + 1).padStart(2, '0')}.jsonl`), batch.join('\n') + '\n');
    }
  }
  for (const s of summary) {
    console.log(`${s.source}: ${s.posts} distinct posts, top ${s.top} (score ≥ ${s.topScoreAtLeast.toFixed(3)}), drew ${s.random} at random + ${s.high} from the top`);
  }
  console.log(`wrote ${sample.length} posts in ${blocks} blocks to ${dir}`);
  classifier.dispose();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`annotate:sample: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
