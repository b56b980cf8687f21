/**
 * npm run annotate:collect -- --sample DIR/sample.jsonl --first 'A/labels/*.jsonl' --second 'B/labels/*.jsonl'
 *   --adjudicated final.jsonl --out models/election-annotations-v1
 *
 * Joins the sample, the two independent readings and the adjudication (src/classifier/annotation/collect.ts),
 * and writes to --out what the project commits: labels.jsonl (ids and labels, no texts) and agreement.json
 * (Cohen's kappa per label, overall and per source). Prints the agreement.
 */
import { globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { annotationLine, collectAnnotations, parseLabelLines, type Reading } from '../annotation/collect.ts';
import type { SampledPost } from '../annotation/sample.ts';
import { parseArgs, single } from './args.ts';

const HELP = `npm run annotate:collect -- --sample FILE --first GLOB --second GLOB --adjudicated FILE --out DIR
Joins the drawn sample, the two independent readings (label files matched by the globs) and the adjudicated
labels; writes DIR/labels.jsonl (ids and labels only) and DIR/agreement.json, and prints Cohen's kappa per label.`;

function readMany(pattern: string): Map<string, Reading> {
  const files = globSync(pattern).sort();
  if (files.length === 0) throw new Error(`no files match ${pattern}`);
  const all = new Map<string, Reading>();
  for (const file of files) {
    for (const [id, reading] of parseLabelLines(readFileSync(file, 'utf8'), file)) {
      if (all.has(id)) throw new Error(`${file}: id ${id} was already read from another file`);
      all.set(id, reading);
    }
  }
  return all;
}

function main(argv: string[]): number {
  const args = parseArgs(argv, ['help']);
  if (args.flags.has('help')) {
    console.log(HELP);
    return 0;
  }
  const need = (name: string) => {
    const v = single(args, name);
    if (!v) throw new Error(`--${name} is required (see --help)`);
    return v;
  };
  const sample = readFileSync(resolve(need('sample')), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as SampledPost);
  const { posts, agreement } = collectAnnotations(sample, readMany(need('first')), readMany(need('second')), parseLabelLines(readFileSync(resolve(need('adjudicated')), 'utf8'), need('adjudicated')));
  const bySource = Object.fromEntries(
    [...new Set(posts.map((p) => p.source))].map((source) => {
      const sub = posts.filter((p) => p.source === source);
      return [source, collectAnnotations(sample.filter((s) => s.source === source), new Map(sub.map((p) => [p.id, p.readings[0]])), new Map(sub.map((p) => [p.id, p.readings[1]])), new Map(sub.filter((p) => p.adjudicated).map((p) => [p.id, p.final]))).agreement];
    }),
  );
  const out = resolve(need('out'));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'labels.jsonl'), posts.map(annotationLine).join('\n') + '\n');
  writeFileSync(join(out, 'agreement.json'), JSON.stringify({ overall: agreement, bySource, adjudicated: posts.filter((p) => p.adjudicated).length }, null, 2) + '\n');
  console.log(`${posts.length} posts, ${posts.filter((p) => p.adjudicated).length} adjudicated`);
  for (const a of agreement) {
    console.log(`${a.label.padEnd(12)} kappa ${a.kappa === null ? 'n/a' : a.kappa.toFixed(3)}  agreement ${(a.observed * 100).toFixed(1)} %  positives ${a.positives[0]} / ${a.positives[1]} → final ${a.positives[2]}`);
  }
  console.log(`wrote ${join(out, 'labels.jsonl')} and agreement.json`);
  return 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  console.error(`annotate:collect: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
