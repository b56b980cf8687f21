/** `npm run eval`: measures a model folder on labelled JSONL (per-label P/R/F1 at the model's thresholds). */
import { resolve } from 'node:path';
import { describeError } from '../../core/errors.ts';
import { evaluateExamples, formatReportTable, type EvaluationReport } from '../evaluate.ts';
import { DEFAULT_MODEL_DIR, loadClassifier } from '../index.ts';
import type { BackendChoice } from '../backend.ts';
import { readJsonl } from '../training/datasets.ts';
import { parseArgs, single } from './args.ts';

const HELP = `Usage: npm run eval -- --data FILE.jsonl [--model DIR] [--backend auto|wasm|tensorflow|cpu] [--json]

Scores the labelled posts in FILE.jsonl (repeatable; same format as npm run train --data) and prints, for every
label the file annotates, precision, recall, F1, support (positives) and the model's threshold, then the
macro-F1 over those labels and the throughput in posts/s. Sentiment, when annotated, counts as one label with
macro-averaged P/R/F1 over its three classes (threshold null: the argmax class is predicted).

  --model DIR   model folder (default ${DEFAULT_MODEL_DIR})
  --json        print exactly one JSON object:
                {"labels": {"hate_speech": {"precision","recall","f1","support","threshold"}, ...}, "macro_f1", "posts_per_s"}
`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['json', 'help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP);
    return;
  }
  const files = args.values.get('data') ?? [];
  if (files.length === 0) throw new Error('--data FILE.jsonl is required (see --help).');
  const examples = files.flatMap((f) => readJsonl(resolve(f)));
  const classifier = await loadClassifier({
    modelDir: resolve(single(args, 'model') ?? DEFAULT_MODEL_DIR),
    backend: (single(args, 'backend') ?? 'auto') as BackendChoice,
  });
  try {
    const details = await evaluateExamples(classifier, examples);
    if (args.flags.has('json')) {
      const report: EvaluationReport = { labels: details.labels, macro_f1: details.macro_f1, posts_per_s: details.posts_per_s };
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      process.stdout.write(`${classifier.modelVersion} on ${classifier.backend}, ${examples.length} posts from ${files.join(', ')}\n\n`);
      process.stdout.write(`${formatReportTable(details)}\n`);
    }
  } finally {
    classifier.dispose();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`eval failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
