/** `npm run eval:match`: ranks each query's expected knowledge-base entry with the claim matcher. */
import { resolve } from 'node:path';
import { parseArgs, single } from '../../classifier/cli/args.ts';
import type { BackendChoice } from '../../classifier/backend.ts';
import { describeError } from '../../core/errors.ts';
import { evaluateMatcher } from '../evaluate.ts';
import { readKbJsonl, readQueriesJsonl } from '../input.ts';
import { DEFAULT_MATCHER_DIR, loadClaimMatcher } from '../matcher.ts';

const HELP = `Usage: npm run eval:match -- --kb KB.jsonl --queries Q.jsonl [--model DIR] [--backend auto|wasm|tensorflow|cpu] [--json]

Matches every query narrative against the knowledge base with the claim matcher (in memory: no Kafka or
Elasticsearch needed) and prints recall@1, recall@5, mean reciprocal rank (over the matcher's candidate list),
the number of queries and the matching speed in queries per second (index building excluded).

  --kb FILE        JSONL, one entry per line: {"id": "...", "claim": "..."} (other fields allowed, not read)
  --queries FILE   JSONL, one query per line: {"text": "...", "expected_id": "..."}
  --model DIR      matcher folder (default ${DEFAULT_MATCHER_DIR})
  --json           print exactly one JSON object:
                   {"recall_at_1", "recall_at_5", "mrr", "queries", "queries_per_s"}
  --help           this text

A bad line stops the run with its file, line number and the problem. A query whose expected_id is not in the
knowledge base counts as a miss (and is reported on stderr).
`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['json', 'help']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP);
    return;
  }
  const kbPath = single(args, 'kb');
  const queriesPath = single(args, 'queries');
  if (kbPath === undefined || queriesPath === undefined) throw new Error('--kb KB.jsonl and --queries Q.jsonl are required (see --help).');
  const kb = readKbJsonl(resolve(kbPath));
  const queries = readQueriesJsonl(resolve(queriesPath));
  const json = args.flags.has('json');
  const log = (line: string) => process.stderr.write(`[eval:match] ${line}\n`);
  const t0 = performance.now();
  const matcher = await loadClaimMatcher({ modelDir: resolve(single(args, 'model') ?? DEFAULT_MATCHER_DIR), backend: (single(args, 'backend') ?? 'auto') as BackendChoice });
  try {
    const t1 = performance.now();
    matcher.setKnowledgeBase(kb);
    const t2 = performance.now();
    if (!json) log(`${matcher.modelVersion} on ${matcher.backend}: model loaded in ${(t1 - t0).toFixed(0)} ms, ${kb.length} entries indexed in ${(t2 - t1).toFixed(0)} ms`);
    const result = evaluateMatcher(matcher, queries, { onProgress: (done, total) => log(`${done}/${total} queries`) });
    if (result.missing_expected > 0) log(`${result.missing_expected} queries name an expected_id that is not in the knowledge base (counted as misses)`);
    const report = { recall_at_1: result.recall_at_1, recall_at_5: result.recall_at_5, mrr: result.mrr, queries: result.queries, queries_per_s: result.queries_per_s };
    if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `recall@1 ${report.recall_at_1.toFixed(4)}  recall@5 ${report.recall_at_5.toFixed(4)}  MRR ${report.mrr.toFixed(4)}  ` +
          `queries ${report.queries}  ${report.queries_per_s.toFixed(0)} queries/s\n`,
      );
    }
  } finally {
    matcher.dispose();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`eval:match failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
