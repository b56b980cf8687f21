/**
 * The election stream as the measure: operating points chosen on annotated election posts (dev, out of fold),
 * and the test report of those posts, weighted by 1 / inclusion probability so the figures estimate the whole
 * stream rather than the sample (half of which was drawn from the top scores of pantau-id-v1).
 */
import type { Classification, Classifier } from '../index.ts';
import { FLAG_LABELS, type FlagLabel } from '../labels.ts';
import type { ModelJson } from '../model-format.ts';
import { binaryMetrics, bestThreshold } from './metrics.ts';
import { evaluationWeight, isAnnotated } from './annotations.ts';
import type { Example } from './examples.ts';
import { precisionPoint, recallPoint, weightedAuc, weightedAveragePrecision, weightedMetricsAt, type WeightedPoint, type WeightedSample } from './weighted-metrics.ts';

export type OperatingPoints = NonNullable<ModelJson['operatingPoints']>;

/** What the points aim for (issue 10): alerts at an estimated precision of 0.8, the review queue at recall 0.8. */
export const ALERT_MIN_PRECISION = 0.8;
export const REVIEW_MIN_RECALL = 0.8;
/** An in-domain point must rest on at least this many annotated positives, or the label falls back. */
export const MIN_IN_DOMAIN_POSITIVES = 30;

/** Split fractions of the annotated election posts: a larger test share than the public sets, for tighter estimates. */
export const IN_DOMAIN_FRACTIONS = { dev: 0.15, test: 0.25 };

/** Scores (as the runtime reports them), targets and estimation weights of one label over some rows. */
export function sampleOf(rows: readonly Example[], scores: (i: number) => number, label: FlagLabel, weighted = true): WeightedSample {
  const s: number[] = [];
  const t: number[] = [];
  const w: number[] = [];
  rows.forEach((e, i) => {
    const y = e.labels[label];
    if (y === undefined) return;
    s.push(scores(i));
    t.push(y);
    w.push(weighted ? evaluationWeight(e) : 1);
  });
  return { scores: s, targets: t, weights: w };
}

function positives(sample: WeightedSample): number {
  let n = 0;
  for (let i = 0; i < sample.targets.length; i++) if (sample.targets[i] === 1) n++;
  return n;
}

/** Floors a threshold a little, so the float32 runtime (which may round a dev score down) keeps the decisions. */
function floorThreshold(v: number): number {
  return Math.min(1, Math.max(0, Math.floor(v * 1e6) / 1e6));
}

export interface ChosenPoints {
  points: OperatingPoints;
  /** The alert points, which are also the model's `thresholds`. */
  thresholds: Record<FlagLabel, number>;
  aims: Record<FlagLabel, string>;
}

/**
 * Chooses both points per label. Where the in-domain calibration rows hold enough positives, on them
 * (weighted): alert = the lowest threshold with estimated precision ≥ 0.8 (resting on ≥ 10 annotated
 * positives), review = the highest threshold with estimated recall ≥ 0.8, never above alert. Elsewhere (SARA:
 * 11 annotated positives in all; hoax: not annotated) on `fallback`, the label's ordinary calibration rows:
 * alert = the best-F1 (hoax: two-class macro-F1) threshold, review = recall 0.8 there.
 */
export function chooseOperatingPoints(
  inDomain: readonly Example[],
  inDomainScore: (label: FlagLabel, i: number) => number,
  fallback: readonly Example[],
  fallbackScore: (label: FlagLabel, i: number) => number,
  fallbackName: string,
): ChosenPoints {
  const points = {} as OperatingPoints;
  const thresholds = {} as Record<FlagLabel, number>;
  const aims = {} as Record<FlagLabel, string>;
  for (const label of FLAG_LABELS) {
    const own = sampleOf(inDomain, (i) => inDomainScore(label, i), label);
    if (positives(own) >= MIN_IN_DOMAIN_POSITIVES) {
      const alert = precisionPoint(own, ALERT_MIN_PRECISION, 10)!;
      const reviewAt = recallPoint(own, REVIEW_MIN_RECALL)!;
      const review = reviewAt.threshold <= alert.threshold ? reviewAt : alert;
      const where = `in-domain out-of-fold election posts (${own.scores.length}, ${positives(own)} positive; weighted by 1/inclusion probability)`;
      points[label] = operatingPoint(alert, review, where);
      thresholds[label] = points[label].alert;
      aims[label] =
        alert.precision >= ALERT_MIN_PRECISION
          ? `alert: lowest threshold with estimated precision ≥ ${ALERT_MIN_PRECISION} on ${where}`
          : `alert: highest estimated precision (${alert.precision.toFixed(2)}; ${ALERT_MIN_PRECISION} not reached) on ${where}`;
      continue;
    }
    const sample = sampleOf(fallback, (i) => fallbackScore(label, i), label, false);
    const aim = label === 'hoax' ? 'macro_f1' : 'f1';
    const best = sample.scores.length > 0 ? bestThreshold(sample.scores, sample.targets, aim) : { threshold: 0.5, value: 0 };
    const at = weightedMetricsAt(sample, best.threshold);
    const reviewAt = recallPoint(sample, REVIEW_MIN_RECALL);
    const review = reviewAt !== null && reviewAt.threshold <= best.threshold ? reviewAt : at;
    const where = `${fallbackName} (${sample.scores.length} rows; ${positives(own)} annotated election positives are too few to choose on)`;
    points[label] = operatingPoint(at, review, where);
    thresholds[label] = points[label].alert;
    aims[label] = `alert: ${aim === 'f1' ? 'best F1' : 'best two-class macro-F1'} (${best.value.toFixed(3)}) on ${where}`;
  }
  return { points, thresholds, aims };
}

/** Both points of a label as model.json stores them: thresholds floored, estimates rounded. */
function operatingPoint(alert: WeightedPoint, review: WeightedPoint, chosenOn: string): OperatingPoints[FlagLabel] {
  return {
    alert: floorThreshold(alert.threshold),
    review: floorThreshold(review.threshold),
    alertPrecision: round(alert.precision),
    alertRecall: round(alert.recall),
    reviewPrecision: round(review.precision),
    reviewRecall: round(review.recall),
    chosenOn,
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The figures of one label on the in-domain test posts. */
export interface InDomainLabelFigures {
  label: FlagLabel;
  posts: number;
  positives: number;
  alert: WeightedPoint;
  review: WeightedPoint;
  /** Estimated share of the stream that is positive (weighted). */
  trueShare: number;
  auc: number;
  averagePrecision: number;
  /** Plain (unweighted) figures at the alert point on the random stratum alone: no weighting assumptions. */
  randomStratum: { posts: number; positives: number; precision: number; recall: number; f1: number; flagged: number };
}

/** Scores annotated test posts with the shipped model and measures every flag label they annotate. */
export async function inDomainFigures(classifier: Classifier, rows: readonly Example[]): Promise<InDomainLabelFigures[]> {
  const annotated = rows.filter(isAnnotated);
  if (annotated.length === 0) return [];
  const results: Classification[] = await classifier.classify(annotated.map((e) => e.text));
  const out: InDomainLabelFigures[] = [];
  for (const label of FLAG_LABELS) {
    const sample = sampleOf(annotated, (i) => results[i]!.scores[label], label);
    if (sample.scores.length === 0) continue;
    const point = classifier.operatingPoints[label];
    let weightTotal = 0;
    let weightPositive = 0;
    for (let i = 0; i < sample.scores.length; i++) {
      weightTotal += sample.weights[i]!;
      if (sample.targets[i] === 1) weightPositive += sample.weights[i]!;
    }
    const randomRows = annotated.filter((e) => e.stratum === 'random' && e.labels[label] !== undefined);
    const randomIdx = annotated.flatMap((e, i) => (e.stratum === 'random' && e.labels[label] !== undefined ? [i] : []));
    const rs = binaryMetrics(
      randomIdx.map((i) => results[i]!.scores[label]),
      randomRows.map((e) => e.labels[label]!),
      point.alert,
    );
    out.push({
      label,
      posts: sample.scores.length,
      positives: positives(sample),
      alert: weightedMetricsAt(sample, point.alert),
      review: weightedMetricsAt(sample, point.review),
      trueShare: weightTotal > 0 ? weightPositive / weightTotal : 0,
      auc: weightedAuc(sample),
      averagePrecision: weightedAveragePrecision(sample),
      randomStratum: {
        posts: randomRows.length,
        positives: rs.support,
        precision: rs.precision,
        recall: rs.recall,
        f1: rs.f1,
        flagged: randomIdx.filter((i) => results[i]!.scores[label] >= point.alert).length,
      },
    });
  }
  return out;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const f3 = (v: number): string => v.toFixed(3);

/** Markdown table of in-domain figures. */
export function formatInDomainTable(figures: readonly InDomainLabelFigures[]): string {
  const lines = [
    '| label | posts (positive) | alert P / R / F1 | review P / R / F1 | flagged at alert vs true share | AUC | AP | random stratum at alert: P / R / F1 (n+) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const f of figures) {
    lines.push(
      `| ${f.label} | ${f.posts} (${f.positives}) | ${f3(f.alert.precision)} / ${f3(f.alert.recall)} / **${f3(f.alert.f1)}** | ${f3(f.review.precision)} / ${f3(f.review.recall)} / ${f3(f.review.f1)} | ${pct(f.alert.flaggedShare)} vs ${pct(f.trueShare)} | ${f3(f.auc)} | ${f3(f.averagePrecision)} | ${f3(f.randomStratum.precision)} / ${f3(f.randomStratum.recall)} / ${f3(f.randomStratum.f1)} (${f.randomStratum.positives}) |`,
    );
  }
  return lines.join('\n');
}

/** What swapping names does to the scores of posts that name someone. */
export interface NameSwapFigures {
  posts: number;
  swaps: { swap: string; meanChange: number; maxChange: number; flips: number }[];
}

/**
 * Name-swap check: every post that names one of `names` is scored again with that name replaced by another
 * listed name and by a neutral placeholder. With names masked the first swap changes nothing; the second shows
 * how much an unlisted name moves a score. Reports the mean and largest change of the hate-speech and abusive
 * scores and how many alert decisions flip.
 */
export async function nameSwapFigures(classifier: Classifier, texts: readonly string[], names: readonly string[], placeholder = 'si Fulan'): Promise<NameSwapFigures> {
  const nameRe = (name: string): RegExp => new RegExp(`(^|[^\\p{L}])${escapeRegExp(name)}(?=$|[^\\p{L}])`, 'iu');
  const patterns = names.map((name) => ({ name, re: nameRe(name) }));
  const picked: { text: string; name: string }[] = [];
  for (const text of texts) {
    const hit = patterns.find((p) => p.re.test(text));
    if (hit !== undefined) picked.push({ text, name: hit.name });
  }
  const base = await classifier.classify(picked.map((p) => p.text));
  const kinds: { swap: string; to: (own: string) => string }[] = [
    { swap: 'another listed name', to: (own) => names.find((m) => m.toLowerCase() !== own.toLowerCase()) ?? placeholder },
    { swap: `the placeholder "${placeholder}"`, to: () => placeholder },
  ];
  const swaps: NameSwapFigures['swaps'] = [];
  for (const kind of kinds) {
    const swapped = picked.map((p) => p.text.replace(new RegExp(nameRe(p.name).source, 'giu'), (_m, pre: string) => `${pre}${kind.to(p.name)}`));
    const after = await classifier.classify(swapped);
    let sum = 0;
    let max = 0;
    let flips = 0;
    let n = 0;
    after.forEach((a, i) => {
      for (const label of ['hate_speech', 'abusive'] as const) {
        const before = base[i]!.scores[label];
        const d = Math.abs(a.scores[label] - before);
        sum += d;
        n++;
        max = Math.max(max, d);
        const t = classifier.operatingPoints[label].alert;
        if (a.scores[label] >= t !== before >= t) flips++;
      }
    });
    swaps.push({ swap: kind.swap, meanChange: n > 0 ? sum / n : 0, maxChange: max, flips });
  }
  return { posts: picked.length, swaps };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
