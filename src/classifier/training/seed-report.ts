/**
 * Test figures over several split seeds: the same training run on other train/dev/test cuts, so a figure comes
 * with how much it moves with the split (mean ± sd). Each seed's thresholds are chosen on its own dev rows.
 */
import type { TrainResult } from './pipeline.ts';

export interface SeedFigures {
  seed: number;
  figures: Record<string, number>;
}

/** The figures a seed run reports, by a stable name. */
export function seedFigures(seed: number, result: TrainResult): SeedFigures {
  const figures: Record<string, number> = {};
  for (const f of result.inDomain) {
    if (f.label === 'hoax') continue;
    figures[`election ${f.label}: F1 at alert`] = f.alert.f1;
    figures[`election ${f.label}: precision at alert`] = f.alert.precision;
    figures[`election ${f.label}: recall at alert`] = f.alert.recall;
    figures[`election ${f.label}: F1 at review`] = f.review.f1;
    figures[`election ${f.label}: flagged share at alert ÷ true share`] = f.trueShare > 0 ? f.alert.flaggedShare / f.trueShare : Number.NaN;
    figures[`election ${f.label}: AUC`] = f.auc;
    figures[`election ${f.label}: average precision`] = f.averagePrecision;
  }
  for (const f of result.ibrohim) {
    figures[`Ibrohim ${f.label}: F1 at alert`] = f.atAlert.f1;
    figures[`Ibrohim ${f.label}: F1 at its own dev threshold`] = f.atOwn.f1;
  }
  const smsa = result.testBySource['indonlu-smsa']?.labels.sentiment;
  if (smsa !== undefined) figures['SmSA valid: sentiment macro-F1'] = smsa.f1;
  return { seed, figures };
}

/** Markdown: one row per figure, mean ± sd over the seeds and each seed's value. */
export function formatSeedTable(runs: readonly SeedFigures[]): string {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.figures)))];
  const lines = [`| figure | mean ± sd | ${runs.map((r) => `seed ${r.seed}`).join(' | ')} |`, `|---|---|${runs.map(() => '---').join('|')}|`];
  for (const name of names) {
    const values = runs.map((r) => r.figures[name]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
    lines.push(`| ${name} | ${mean.toFixed(3)} ± ${sd.toFixed(3)} | ${runs.map((r) => (r.figures[name] === undefined ? '-' : r.figures[name]!.toFixed(3))).join(' | ')} |`);
  }
  return lines.join('\n');
}
