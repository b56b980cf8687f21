/** `npm run train:match`: trains the claim matcher and writes models/claim-matcher-v1 (or --out). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activateBackend, type BackendChoice } from '../../classifier/backend.ts';
import { integer, number, parseArgs, single } from '../../classifier/cli/args.ts';
import { describeError } from '../../core/errors.ts';
import { DEFAULT_MATCH_TRAINING, runMatchTraining } from '../training/pipeline.ts';
import type { MatchCriterion } from '../training/threshold.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const T = DEFAULT_MATCH_TRAINING.training;

const HELP = `Usage: npm run train:match -- [options]

Trains the claim matcher on the shared TurnBackHoax data (read from ../shared/data, never copied), chooses its
calibration and thresholds on dev data, measures it once on the test split and on the test rewording fixture, and
writes a model folder (model.json, weights.bin, term-stats.json, MODEL_CARD.md). About 1–2 minutes on 2 cores.

Options:
  --shared-data DIR      public datasets folder (default ../shared/data)
  --out DIR              output folder (default models/claim-matcher-v1)
  --model-version NAME   version string stored in the model (default: the output folder name)
  --candidates N         lexical candidates reranked per narrative (default ${DEFAULT_MATCH_TRAINING.candidates})
  --epochs N             training epochs (default ${T.epochs})
  --hidden N             hidden units of the reranker (default ${T.hidden})
  --learning-rate X      Adam learning rate (default ${T.learningRate})
  --seed N               initialisation and shuffling seed (default ${T.seed})
  --split-seed N         seed of the train/dev/test hash split (default 0)
  --extra-data           also train on pairs from turnbackhoax-2021/2025 and indonesia-false-news
  --match-precision X    precision the match threshold must reach on dev top-1 matches (default ${DEFAULT_MATCH_TRAINING.matchPrecision})
  --match-criterion C    what counts as a right top-1 for that: duplicate-aware (the expected debunk or another
                         title stating the same claim; default) | strict (the expected debunk only)
  --backend B            TF.js backend: auto (tfjs-node if installed, else wasm) | wasm | tensorflow | cpu
  --help                 this text
`;

function matchCriterion(value: string): MatchCriterion {
  if (value !== 'strict' && value !== 'duplicate-aware') throw new Error(`--match-criterion must be duplicate-aware or strict, not "${value}".`);
  return value;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['help', 'extra-data']);
  if (args.flags.has('help')) {
    process.stdout.write(HELP);
    return;
  }
  const sharedData = resolve(single(args, 'shared-data') ?? join(repoRoot, '..', 'shared', 'data'));
  if (!existsSync(join(sharedData, 'turnbackhoax-2024'))) throw new Error(`${join(sharedData, 'turnbackhoax-2024')} not found: pass --shared-data DIR (the folder holding turnbackhoax-2024/).`);
  const out = resolve(single(args, 'out') ?? join(repoRoot, 'models', 'claim-matcher-v1'));
  const backend = await activateBackend((single(args, 'backend') ?? 'auto') as BackendChoice);
  const log = (line: string) => process.stderr.write(`[train:match] ${line}\n`);
  log(`TF.js backend: ${backend}`);
  const result = await runMatchTraining({
    sharedData,
    out,
    modelVersion: single(args, 'model-version') ?? out.split(/[\\/]/).filter((p) => p.length > 0).pop() ?? 'claim-matcher',
    candidates: integer(args, 'candidates', DEFAULT_MATCH_TRAINING.candidates),
    lexical: DEFAULT_MATCH_TRAINING.lexical,
    training: {
      ...T,
      epochs: integer(args, 'epochs', T.epochs),
      hidden: integer(args, 'hidden', T.hidden),
      learningRate: number(args, 'learning-rate', T.learningRate),
      seed: integer(args, 'seed', T.seed),
    },
    extraData: args.flags.has('extra-data'),
    splitSeed: integer(args, 'split-seed', 0),
    devRewordings: join(repoRoot, 'test', 'fixtures', 'claim-rewordings.dev.jsonl'),
    testRewordings: join(repoRoot, 'test', 'fixtures', 'claim-rewordings.jsonl'),
    matchPrecision: number(args, 'match-precision', DEFAULT_MATCH_TRAINING.matchPrecision),
    matchCriterion: matchCriterion(single(args, 'match-criterion') ?? DEFAULT_MATCH_TRAINING.matchCriterion),
    log,
  });
  const m = result.test.matcher;
  process.stdout.write(
    `Model written to ${out} (${result.seconds.toFixed(0)} s). Test: recall@1 ${m.recall_at_1.toFixed(3)}, recall@5 ${m.recall_at_5.toFixed(3)}, MRR ${m.mrr.toFixed(3)}; ` +
      `rewordings clustered ${result.rewordingsTest.clustered}/${result.rewordingsTest.rewordingPairs}, false merges ${result.rewordingsTest.falseMerges}/${result.rewordingsTest.differentPairs}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`train:match failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
