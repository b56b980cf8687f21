/**
 * The model card's "on election posts" section: the annotated test posts (weighted to the stream), the public
 * Ibrohim test at its own best threshold (ranking quality, next to the shipped precision-first point), the 240
 * hand-labelled demo posts, and the name-swap check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Classifier } from '../index.ts';
import { FLAG_LABELS, type FlagLabel } from '../labels.ts';
import type { ModelJson } from '../model-format.ts';
import { isAnnotated } from './annotations.ts';
import { parseJsonl } from './datasets.ts';
import type { Example } from './examples.ts';
import { formatInDomainTable, inDomainFigures, nameSwapFigures, type InDomainLabelFigures } from './in-domain.ts';
import { binaryMetrics, bestThreshold } from './metrics.ts';

/** The demo's 240 hand-labelled posts (half clean), resolved from this file. */
const DEMO_LABELS_FILE = fileURLToPath(new URL('../../../test/fixtures/sample-posts.labels.jsonl', import.meta.url));

/** The 2024 candidates as people write them: the name-swap check swaps these. */
export const SWAP_NAMES = ['Prabowo', 'Anies', 'Ganjar', 'Gibran', 'Muhaimin', 'Mahfud', 'Jokowi'];

const IBROHIM = 'id-multilabel-hate-abusive';

export interface InDomainReportInput {
  test: readonly Example[];
  /** Calibration rows with their out-of-fold runtime scores, to find Ibrohim's own best threshold. */
  ownThresholdRows: readonly { example: Example; score: (label: FlagLabel) => number }[];
  quick: boolean;
  entityNames: readonly string[];
  points: ModelJson['operatingPoints'];
}

/** Ibrohim test F1 of a label at the shipped alert point and at the threshold best on Ibrohim's own dev rows. */
export interface IbrohimFigures {
  label: FlagLabel;
  atAlert: { precision: number; recall: number; f1: number };
  ownThreshold: number;
  atOwn: { precision: number; recall: number; f1: number };
}

export interface InDomainReport {
  markdown: string | null;
  figures: InDomainLabelFigures[];
  ibrohim: IbrohimFigures[];
}

async function ibrohimFigures(classifier: Classifier, input: InDomainReportInput): Promise<IbrohimFigures[]> {
  const ibrohimTest = input.test.filter((e) => e.source === IBROHIM);
  if (ibrohimTest.length === 0) return [];
  const results = await classifier.classify(ibrohimTest.map((e) => e.text));
  const out: IbrohimFigures[] = [];
  for (const label of ['hate_speech', 'abusive', 'sara'] as const) {
    const dev = input.ownThresholdRows.filter((r) => r.example.source === IBROHIM && r.example.labels[label] !== undefined);
    const ownThreshold = bestThreshold(
      dev.map((r) => r.score(label)),
      dev.map((r) => r.example.labels[label]!),
    ).threshold;
    const rows = ibrohimTest.flatMap((e, i) => (e.labels[label] === undefined ? [] : [i]));
    const scores = rows.map((i) => results[i]!.scores[label]);
    const targets = rows.map((i) => ibrohimTest[i]!.labels[label]!);
    const pick = (m: { precision: number; recall: number; f1: number }) => ({ precision: m.precision, recall: m.recall, f1: m.f1 });
    out.push({ label, atAlert: pick(binaryMetrics(scores, targets, classifier.operatingPoints[label].alert)), ownThreshold, atOwn: pick(binaryMetrics(scores, targets, ownThreshold)) });
  }
  return out;
}

export async function inDomainReport(classifier: Classifier, input: InDomainReportInput): Promise<InDomainReport> {
  const annotatedTest = input.test.filter(isAnnotated);
  const figures = await inDomainFigures(classifier, annotatedTest);
  const ibrohim = await ibrohimFigures(classifier, input);
  if (input.quick) return { markdown: null, figures, ibrohim };
  const parts: string[] = [];

  parts.push(`### Operating points

| label | alert | est. precision / recall at alert | review | est. precision / recall at review | chosen on |
|---|---|---|---|---|---|
${FLAG_LABELS.map((l) => {
  const p = classifier.operatingPoints[l];
  const json = input.points?.[l];
  const pr = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toFixed(2));
  return `| ${l} | ${p.alert.toFixed(3)} | ${pr(json?.alertPrecision)} / ${pr(json?.alertRecall)} | ${p.review.toFixed(3)} | ${pr(json?.reviewPrecision)} / ${pr(json?.reviewRecall)} | ${json?.chosenOn ?? '-'} |`;
}).join('\n')}`);

  if (figures.length > 0) {
    parts.push(`### Annotated election posts, test split (${annotatedTest.length} posts; estimates for the stream)

Each post weighs 1 / its inclusion probability (Horvitz–Thompson), so the figures estimate the three sources'
streams, not the sample (half of it drawn from pantau-id-v1's top scores). "Random stratum" is the plain,
unweighted figure on the posts drawn at random alone.

${formatInDomainTable(figures)}`);
  }

  if (ibrohim.length > 0) {
    const lines = ['| label | F1 at the shipped alert point (P / R) | Ibrohim-dev best-F1 threshold | F1 there (P / R) |', '|---|---|---|---|'];
    for (const f of ibrohim) {
      lines.push(`| ${f.label} | ${f.atAlert.f1.toFixed(3)} (${f.atAlert.precision.toFixed(2)} / ${f.atAlert.recall.toFixed(2)}) | ${f.ownThreshold.toFixed(3)} | **${f.atOwn.f1.toFixed(3)}** (${f.atOwn.precision.toFixed(2)} / ${f.atOwn.recall.toFixed(2)}) |`);
    }
    parts.push(`### Ibrohim & Budi test split (${input.test.filter((e) => e.source === IBROHIM).length} tweets)

The shipped points are chosen for the election stream (about 8% hate speech); Ibrohim's tweets are 42% hate
speech, so a threshold chosen on its own dev rows (out of fold) shows the ranking quality on that data:

${lines.join('\n')}`);
  }

  if (existsSync(DEMO_LABELS_FILE)) {
    const demo = parseJsonl(readFileSync(DEMO_LABELS_FILE, 'utf8'), 'demo');
    const results = await classifier.classify(demo.map((e) => e.text));
    const clean = demo.flatMap((e, i) => (FLAG_LABELS.every((l) => e.labels[l] !== 1) ? [i] : []));
    const lines = ['| label | positives | alerts (true / false) | review or above (true / false) |', '|---|---|---|---|'];
    for (const label of FLAG_LABELS) {
      const p = classifier.operatingPoints[label];
      const count = (t: number): [number, number] => {
        let tp = 0;
        let fp = 0;
        demo.forEach((e, i) => {
          if (results[i]!.scores[label] < t) return;
          if (e.labels[label] === 1) tp++;
          else fp++;
        });
        return [tp, fp];
      };
      const [at, af] = count(p.alert);
      const [rt, rf] = count(p.review);
      lines.push(`| ${label} | ${demo.filter((e) => e.labels[label] === 1).length} | ${at} / ${af} | ${rt} / ${rf} |`);
    }
    const cleanAlerted = clean.filter((i) => FLAG_LABELS.some((l) => results[i]!.scores[l] >= classifier.operatingPoints[l].alert)).length;
    parts.push(`### The demo's ${demo.length} hand-labelled posts (test/fixtures/sample-posts.labels.jsonl)

${lines.join('\n')}

Clean posts (${clean.length}) with any alert: ${cleanAlerted}.`);
  }

  if (input.entityNames.length > 0) {
    const texts = input.test.filter(isAnnotated).map((e) => e.text);
    const swap = await nameSwapFigures(classifier, texts, SWAP_NAMES);
    parts.push(`### Name swap (annotated test posts that name a 2024 candidate: ${swap.posts})

Each post scored again with the first candidate it names replaced; change of the hate-speech and abusive scores:

| replaced by | mean change | largest change | alert decisions flipped |
|---|---|---|---|
${swap.swaps.map((s) => `| ${s.swap} | ${s.meanChange.toFixed(4)} | ${s.maxChange.toFixed(4)} | ${s.flips} |`).join('\n')}`);
  }
  return { markdown: parts.join('\n\n'), figures, ibrohim };
}
