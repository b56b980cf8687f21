/**
 * `npm run bench:classifier`: the shipped model against natural's BayesClassifier and
 * LogisticRegressionClassifier on the same split (the Ibrohim hate/abusive test split), quality and speed
 * side by side. Each system runs in its own child process pinned to one core (taskset, when present), so
 * peak memory and single-core speed are its own. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../../core/errors.ts';
import { DEFAULT_MODEL_DIR, loadClassifier } from '../index.ts';
import type { FlagLabel } from '../labels.ts';
import { normalizeTokens } from '../normalize.ts';
import { readMultilabelHateAbusive } from '../training/datasets.ts';
import type { Example } from '../training/examples.ts';
import { binaryMetrics } from '../training/metrics.ts';
import { replaceCardSection } from '../training/model-card.ts';
import { splitExamples } from '../training/split.ts';
import { integer, parseArgs, single } from './args.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const LABELS: readonly FlagLabel[] = ['hate_speech', 'abusive', 'sara'];
const BATCH = 512;

const HELP = `Usage: npm run bench:classifier -- [--shared-data DIR] [--model DIR] [--natural-train N] [--lr-train N] [--latency-posts N]

Compares the model with natural's BayesClassifier and LogisticRegressionClassifier on the test split of the
Ibrohim multi-label set (labels: ${LABELS.join(', ')}), all using pantau's normaliser as tokenizer.
natural builds dense vocabulary-sized vectors, so it is trained on the first N train posts only:
  --natural-train N   train posts for BayesClassifier (default 3000)
  --lr-train N        train posts for LogisticRegressionClassifier, hate_speech only (default 400)
  --latency-posts N   posts for the single-post latency runs (default 1000)
  --write-card        also write the table into the model folder's MODEL_CARD.md (section "Speed")
Each system runs in a child process pinned to one core (taskset -c 0 when available).
`;

interface SystemResult {
  system: string;
  trainPosts: number | null;
  f1: Partial<Record<FlagLabel, number>>;
  loadMs: number;
  /** Speed and memory fields are null for the quality-only row. */
  batchPostsPerS: number | null;
  /** Posts per second of process CPU time: single-core capacity, unaffected by waiting for a shared core. */
  batchPostsPerCpuS: number | null;
  singleP50Ms: number | null;
  singleP99Ms: number | null;
  /** CPU time (process-wide) per single post: what the post costs without waiting for a shared core. */
  singleCpuP99Ms: number | null;
  peakRssMb: number | null;
}

interface BenchData {
  train: Example[];
  test: Example[];
}

function readBenchData(sharedData: string): BenchData {
  const examples = readMultilabelHateAbusive(join(sharedData, 'id-multilabel-hate-abusive'));
  const splits = splitExamples(examples);
  return { train: splits.train, test: splits.test };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function peakRssMb(): number {
  // maxRSS is in kilobytes: the peak of this (child) process.
  return process.resourceUsage().maxRSS / 1024;
}

async function benchOurs(data: BenchData, modelDir: string, latencyPosts: number): Promise<SystemResult> {
  const started = performance.now();
  const classifier = await loadClassifier({ modelDir, backend: 'wasm' });
  const loadMs = performance.now() - started;
  try {
    const texts = data.test.map((e) => e.text);
    // Warm-up (JIT, token memo), then the median of 5 timed passes.
    await classifier.classify(texts.slice(0, BATCH));
    const rates: number[] = [];
    const cpuRates: number[] = [];
    let results = await classifier.classify([]);
    for (let round = 0; round < 5; round++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = [];
      for (let i = 0; i < texts.length; i += BATCH) out.push(...(await classifier.classify(texts.slice(i, i + BATCH))));
      rates.push(texts.length / ((performance.now() - t0) / 1000));
      cpuRates.push(texts.length / (cpuMs(process.cpuUsage(c0)) / 1000));
      results = out;
    }
    rates.sort((a, b) => a - b);
    cpuRates.sort((a, b) => a - b);
    const latencies: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < latencyPosts; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await classifier.classify([texts[i % texts.length]!]);
      latencies.push(performance.now() - t0);
      cpu.push(cpuMs(process.cpuUsage(c0)));
    }
    latencies.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const f1: SystemResult['f1'] = {};
    for (const label of LABELS) {
      const scores = results.map((r) => r.scores[label]);
      const targets = data.test.map((e) => e.labels[label] ?? 0);
      f1[label] = binaryMetrics(scores, targets, classifier.thresholds[label]).f1;
    }
    return {
      system: `pantau ${classifier.modelVersion} (wasm)`,
      trainPosts: null,
      f1,
      loadMs,
      batchPostsPerS: rates[2]!,
      batchPostsPerCpuS: cpuRates[2]!,
      singleP50Ms: percentile(latencies, 50),
      singleP99Ms: percentile(latencies, 99),
      singleCpuP99Ms: percentile(cpu, 99),
      peakRssMb: peakRssMb(),
    };
  } finally {
    classifier.dispose();
  }
}

interface NaturalClassifier {
  addDocument(text: string | string[], label: string): void;
  train(): void;
  classify(text: string | string[]): string;
}
type NaturalClassifierClass = new (stemmer: { tokenizeAndStem(text: string): string[] }) => NaturalClassifier;

function loadNatural(kind: 'bayes' | 'lr'): NaturalClassifierClass {
  // Only the submodule: natural's main entry loads storage backends and reads .env (~2 s).
  const require = createRequire(import.meta.url);
  const file = kind === 'bayes' ? 'bayes_classifier.js' : 'logistic_regression_classifier.js';
  return require(`natural/lib/natural/classifiers/${file}`) as NaturalClassifierClass;
}

function benchNatural(data: BenchData, kind: 'bayes' | 'lr', trainPosts: number, latencyPosts: number): SystemResult {
  const Classifier = loadNatural(kind);
  const tokenizer = { tokenizeAndStem: (text: string) => normalizeTokens(text) };
  const labels = kind === 'bayes' ? LABELS : (['hate_speech'] as const);
  const train = data.train.slice(0, trainPosts);
  const tokensOf = new Map(data.test.map((e) => [e.text, normalizeTokens(e.text)]));
  const f1: SystemResult['f1'] = {};
  let trainMs = 0;
  const models = new Map<FlagLabel, NaturalClassifier>();
  for (const label of labels) {
    const t0 = performance.now();
    const model = new Classifier(tokenizer);
    for (const e of train) model.addDocument(e.text, String(e.labels[label] ?? 0));
    model.train();
    trainMs += performance.now() - t0;
    models.set(label, model);
    const predicted = data.test.map((e) => (model.classify(tokensOf.get(e.text)!) === '1' ? 1 : 0));
    f1[label] = binaryMetrics(predicted, data.test.map((e) => e.labels[label] ?? 0), 0.5).f1;
  }
  // Speed of one label's model (natural has one classifier per label; all labels cost that many times more).
  const first = models.get(labels[0]!)!;
  const texts = data.test.map((e) => e.text);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const text of texts) first.classify(text);
  const batchPostsPerS = texts.length / ((performance.now() - t0) / 1000);
  const batchPostsPerCpuS = texts.length / (cpuMs(process.cpuUsage(c0)) / 1000);
  const latencies: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < Math.min(latencyPosts, texts.length); i++) {
    const c0 = process.cpuUsage();
    const s = performance.now();
    first.classify(texts[i]!);
    latencies.push(performance.now() - s);
    cpu.push(cpuMs(process.cpuUsage(c0)));
  }
  latencies.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    system: `natural ${kind === 'bayes' ? 'BayesClassifier' : 'LogisticRegressionClassifier'} (per label; speed of 1 label)`,
    trainPosts: train.length,
    f1,
    loadMs: trainMs,
    batchPostsPerS,
    batchPostsPerCpuS,
    singleP50Ms: percentile(latencies, 50),
    singleP99Ms: percentile(latencies, 99),
    singleCpuP99Ms: percentile(cpu, 99),
    peakRssMb: peakRssMb(),
  };
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/**
 * The same linear model trained on the same first N posts as natural's BayesClassifier, decided at p ≥ 0.5
 * (natural's argmax): separates "better model" from "more data". Quality only; its speed is the shipped model's.
 */
async function benchOursSameData(data: BenchData, modelDir: string, trainPosts: number): Promise<SystemResult> {
  const { readModelFolder } = await import('../load.ts');
  const { activateBackend } = await import('../backend.ts');
  const { Featurizer } = await import('../featurize.ts');
  const { encodeExamples } = await import('../training/encode.ts');
  const { linearLogits, trainLinear } = await import('../training/trainer.ts');
  const { DEFAULT_TRAINING } = await import('../training/defaults.ts');
  const { FLAG_LABELS, OUTPUT_COUNT } = await import('../labels.ts');
  await activateBackend('wasm');
  const { json, lexicon, model } = await readModelFolder(modelDir);
  model.dispose();
  const featurizer = new Featurizer(json.featurizer);
  const started = performance.now();
  const train = encodeExamples(data.train.slice(0, trainPosts), featurizer, lexicon);
  const weights = trainLinear(train, json.featurizer.buckets, DEFAULT_TRAINING);
  const trainMs = performance.now() - started;
  const logits = linearLogits(encodeExamples(data.test, featurizer, lexicon), weights);
  const f1: SystemResult['f1'] = {};
  for (const label of LABELS) {
    const k = FLAG_LABELS.indexOf(label);
    const predicted = data.test.map((_, i) => (logits[i * OUTPUT_COUNT + k]! >= 0 ? 1 : 0));
    f1[label] = binaryMetrics(predicted, data.test.map((e) => e.labels[label] ?? 0), 0.5).f1;
  }
  return {
    system: 'pantau linear, same posts as Bayes, p ≥ 0.5 (quality only)',
    trainPosts: train.length,
    f1,
    loadMs: trainMs,
    batchPostsPerS: null,
    batchPostsPerCpuS: null,
    singleP50Ms: null,
    singleP99Ms: null,
    singleCpuP99Ms: null,
    peakRssMb: null,
  };
}

function runChild(system: string, passThrough: string[]): SystemResult {
  const script = fileURLToPath(import.meta.url);
  const node = process.execPath;
  const pinned = spawnSync('taskset', ['--version']).status === 0;
  const command = pinned ? 'taskset' : node;
  const args = pinned ? ['-c', '0', node, script, '--system', system, ...passThrough] : [script, '--system', system, ...passThrough];
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`bench child "${system}" failed with status ${child.status}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as SystemResult;
}

function formatTable(results: readonly SystemResult[]): string {
  const fmt = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
  const num = (v: number | null, show: (x: number) => string) => (v === null ? '–' : show(v));
  const lines = [
    `| system | train posts | ${LABELS.map((l) => `F1 ${l}`).join(' | ')} | load/train | posts/s (batch) | posts per CPU-s (batch) | single p50 | single p99 | single p99 CPU | peak RSS |`,
    `|---|---|${LABELS.map(() => '---').join('|')}|---|---|---|---|---|---|---|`,
  ];
  for (const r of results) {
    lines.push(
      `| ${r.system} | ${r.trainPosts ?? 'all (model)'} | ${LABELS.map((l) => fmt(r.f1[l])).join(' | ')} | ${r.trainPosts === null ? `load ${r.loadMs.toFixed(0)} ms` : `train ${(r.loadMs / 1000).toFixed(1)} s`} | ${num(r.batchPostsPerS, (v) => Math.round(v).toLocaleString('en-US'))} | ${num(r.batchPostsPerCpuS, (v) => Math.round(v).toLocaleString('en-US'))} | ${num(r.singleP50Ms, (v) => `${v.toFixed(3)} ms`)} | ${num(r.singleP99Ms, (v) => `${v.toFixed(3)} ms`)} | ${num(r.singleCpuP99Ms, (v) => `${v.toFixed(3)} ms`)} | ${num(r.peakRssMb, (v) => `${v.toFixed(0)} MB`)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv, ['help', 'write-card']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP);
    return;
  }
  const sharedDefault = join(repoRoot, '..', 'shared', 'data');
  const sharedData = resolve(single(args, 'shared-data') ?? sharedDefault);
  if (!existsSync(sharedData)) throw new Error(`Shared data folder ${sharedData} not found (pass --shared-data DIR).`);
  const modelDir = resolve(single(args, 'model') ?? DEFAULT_MODEL_DIR);
  const naturalTrain = integer(args, 'natural-train', 3000);
  const lrTrain = integer(args, 'lr-train', 400);
  const latencyPosts = integer(args, 'latency-posts', 1000);
  const system = single(args, 'system');
  if (system !== undefined) {
    const data = readBenchData(sharedData);
    const result =
      system === 'ours'
        ? await benchOurs(data, modelDir, latencyPosts)
        : system === 'ours-same-data'
          ? await benchOursSameData(data, modelDir, naturalTrain)
          : benchNatural(data, system === 'bayes' ? 'bayes' : 'lr', system === 'bayes' ? naturalTrain : lrTrain, latencyPosts);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const passThrough = argv.filter((a) => a !== '--write-card');
  const data = readBenchData(sharedData);
  process.stderr.write(`bench: Ibrohim multi-label test split, ${data.test.length} posts; train split ${data.train.length} posts\n`);
  const results: SystemResult[] = [];
  for (const s of ['ours', 'ours-same-data', 'bayes', 'lr']) {
    process.stderr.write(`bench: running ${s}…\n`);
    results.push(runChild(s, passThrough));
  }
  const note =
    '"posts per CPU-s" and "single p99 CPU" use process CPU time (all threads, 1 µs resolution) instead of wall time: they exclude waiting for a core that other processes hold, so they show single-core capacity when the machine is shared. F1 at each system\'s own decision rule (pantau: shipped thresholds; natural: its argmax label). natural is trained on the first N train posts only (its dense vocabulary-sized vectors make more impractical); "load/train" is model load for pantau (including backend start) and training time for natural.';
  const pinned = spawnSync('taskset', ['--version']).status === 0 ? 'pinned to one core with taskset' : 'not pinned (no taskset)';
  const header = `Measured by \`npm run bench:classifier\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} shared cores, each system in its own process ${pinned}; Node ${process.version}; load average ${os.loadavg().map((v) => v.toFixed(1)).join('/')} at the end (other services shared the machine); Ibrohim multi-label test split (${data.test.length} posts), batches of ${BATCH}, median of 5 passes.`;
  const table = formatTable(results);
  process.stdout.write(`${header}\n\n${table}\n\n${note}\n`);
  if (args.flags.has('write-card')) {
    replaceCardSection(modelDir, 'Speed', `${header}\n\n${table}\n\n${note}`);
    process.stderr.write(`bench: wrote the Speed section of ${join(modelDir, 'MODEL_CARD.md')}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
