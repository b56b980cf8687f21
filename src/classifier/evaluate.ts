/**
 * Scores labelled examples with a classifier and reports per-label precision/recall/F1 at the model's
 * thresholds. Only labels that the examples annotate are reported. Sentiment, when annotated, is reported
 * as one entry with macro-averaged precision/recall/F1 over its three classes (threshold null: argmax).
 */
import type { Classification, Classifier } from './index.ts';
import { FLAG_LABELS, SENTIMENT_LABELS, type FlagLabel } from './labels.ts';
import { binaryMetrics, multiclassMetrics } from './training/metrics.ts';
import type { Example } from './training/examples.ts';

export interface LabelReport {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  threshold: number | null;
}

export interface EvaluationReport {
  labels: Partial<Record<FlagLabel | 'sentiment', LabelReport>>;
  macro_f1: number;
  posts_per_s: number;
}

export interface EvaluationDetails extends EvaluationReport {
  /** Two-class (flag / not flag) macro-F1 per flag label: the hoax target is stated this way. */
  binaryMacroF1: Partial<Record<FlagLabel, number>>;
  /** Share of annotated rows flagged, per flag label (meaningful for all-negative sets: false-positive rate). */
  flagRate: Partial<Record<FlagLabel, number>>;
  rows: number;
}

const BATCH = 512;

export async function evaluateExamples(classifier: Classifier, examples: readonly Example[]): Promise<EvaluationDetails> {
  const texts = examples.map((e) => e.text);
  const started = performance.now();
  const results: Classification[] = [];
  for (let i = 0; i < texts.length; i += BATCH) results.push(...(await classifier.classify(texts.slice(i, i + BATCH))));
  const seconds = (performance.now() - started) / 1000;

  const labels: EvaluationReport['labels'] = {};
  const binaryMacroF1: EvaluationDetails['binaryMacroF1'] = {};
  const flagRate: EvaluationDetails['flagRate'] = {};
  for (const label of FLAG_LABELS) {
    const scores: number[] = [];
    const targets: number[] = [];
    examples.forEach((e, i) => {
      const y = e.labels[label];
      if (y === undefined) return;
      scores.push(results[i]!.scores[label]);
      targets.push(y);
    });
    if (targets.length === 0) continue;
    const threshold = classifier.thresholds[label];
    const m = binaryMetrics(scores, targets, threshold);
    labels[label] = { precision: m.precision, recall: m.recall, f1: m.f1, support: m.support, threshold };
    binaryMacroF1[label] = m.macroF1;
    flagRate[label] = scores.filter((v) => v >= threshold).length / scores.length;
  }
  const predicted: number[] = [];
  const actual: number[] = [];
  examples.forEach((e, i) => {
    const dist = results[i]!.sentiment;
    if (e.sentiment === undefined || dist === null) return;
    let best = 0;
    SENTIMENT_LABELS.forEach((s, k) => {
      if (dist[s] > dist[SENTIMENT_LABELS[best]!]) best = k;
    });
    predicted.push(best);
    actual.push(SENTIMENT_LABELS.indexOf(e.sentiment));
  });
  if (actual.length > 0) {
    const m = multiclassMetrics(predicted, actual, SENTIMENT_LABELS.length);
    labels.sentiment = { precision: m.precision, recall: m.recall, f1: m.f1, support: m.support, threshold: null };
  }
  const f1s = Object.values(labels).map((l) => l.f1);
  return {
    labels,
    macro_f1: f1s.length === 0 ? 0 : f1s.reduce((a, b) => a + b, 0) / f1s.length,
    posts_per_s: seconds > 0 ? texts.length / seconds : 0,
    binaryMacroF1,
    flagRate,
    rows: examples.length,
  };
}

/** A fixed-width table of a report, for terminals and the model card. */
export function formatReportTable(report: EvaluationDetails): string {
  const lines = ['| label | precision | recall | F1 | support | threshold | 2-class macro-F1 | flagged |', '|---|---|---|---|---|---|---|---|'];
  for (const [label, m] of Object.entries(report.labels)) {
    const binary = report.binaryMacroF1[label as FlagLabel];
    const rate = report.flagRate[label as FlagLabel];
    lines.push(
      `| ${label} | ${m.precision.toFixed(3)} | ${m.recall.toFixed(3)} | ${m.f1.toFixed(3)} | ${m.support} | ${m.threshold === null ? 'argmax' : m.threshold.toFixed(3)} | ${binary === undefined ? '' : binary.toFixed(3)} | ${rate === undefined ? '' : `${(100 * rate).toFixed(1)}%`} |`,
    );
  }
  lines.push(`macro-F1 over labels: ${report.macro_f1.toFixed(3)} · ${Math.round(report.posts_per_s).toLocaleString('en-US')} posts/s (${report.rows} rows)`);
  return lines.join('\n');
}
