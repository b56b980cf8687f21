/**
 * Side by side: the active model and a candidate measured on the same rows, per label at each model's own alert
 * point (its thresholds). Used after training from feedback; the result goes to `comparison.json`, the candidate's
 * model card and, summarised, the registry.
 */
import { evaluateExamples, type LabelReport } from '../evaluate.ts';
import type { Classifier } from '../index.ts';
import type { ComparisonSummary } from '../registry.ts';
import type { Example } from './examples.ts';

export interface ComparedLabel {
  active: LabelReport;
  candidate: LabelReport;
  delta: { precision: number; recall: number; f1: number };
}

export interface ComparisonSet {
  /** What the rows are, for people ("base dev split", "held-out feedback"). */
  description: string;
  rows: number;
  labels: Record<string, ComparedLabel>;
}

export interface Comparison {
  active: string;
  candidate: string;
  created_at: string;
  sets: Record<string, ComparisonSet>;
}

export async function compareModels(
  active: Classifier,
  candidate: Classifier,
  sets: readonly { name: string; description: string; examples: readonly Example[] }[],
  createdAt: string,
): Promise<Comparison> {
  const out: Comparison = { active: active.modelVersion, candidate: candidate.modelVersion, created_at: createdAt, sets: {} };
  for (const set of sets) {
    if (set.examples.length === 0) {
      out.sets[set.name] = { description: set.description, rows: 0, labels: {} };
      continue;
    }
    const a = await evaluateExamples(active, set.examples);
    const c = await evaluateExamples(candidate, set.examples);
    const labels: Record<string, ComparedLabel> = {};
    for (const [label, am] of Object.entries(a.labels)) {
      const cm = c.labels[label as keyof typeof c.labels];
      if (cm === undefined) continue;
      labels[label] = { active: am, candidate: cm, delta: { precision: cm.precision - am.precision, recall: cm.recall - am.recall, f1: cm.f1 - am.f1 } };
    }
    out.sets[set.name] = { description: set.description, rows: set.examples.length, labels };
  }
  return out;
}

/** The registry's copy: F1 of both and the difference, per label and set. */
export function comparisonSummary(c: Comparison): ComparisonSummary {
  const sets: ComparisonSummary['sets'] = {};
  const pick = (m: LabelReport) => ({ precision: round(m.precision), recall: round(m.recall), f1: round(m.f1) });
  for (const [name, set] of Object.entries(c.sets)) {
    sets[name] = { rows: set.rows, labels: Object.fromEntries(Object.entries(set.labels).map(([label, l]) => [label, { active: pick(l.active), candidate: pick(l.candidate), f1Delta: round(l.delta.f1) }])) };
  }
  return { against: c.active, sets };
}

/** A Markdown table per set: P / R / F1 of both models and the candidate's difference. */
export function formatComparison(c: Comparison): string {
  const parts: string[] = [];
  const sign = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
  for (const set of Object.values(c.sets)) {
    parts.push(`${set.description} (${set.rows} rows)`);
    if (set.rows === 0) {
      parts.push('(no rows)', '');
      continue;
    }
    parts.push(`| label | n+ | P ${c.active} | R ${c.active} | F1 ${c.active} | P ${c.candidate} | R ${c.candidate} | F1 ${c.candidate} | ΔP | ΔR | ΔF1 |`, '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [label, l] of Object.entries(set.labels)) {
      parts.push(
        `| ${label} | ${l.active.support} | ${l.active.precision.toFixed(3)} | ${l.active.recall.toFixed(3)} | ${l.active.f1.toFixed(3)} | ${l.candidate.precision.toFixed(3)} | ${l.candidate.recall.toFixed(3)} | ${l.candidate.f1.toFixed(3)} | ${sign(l.delta.precision)} | ${sign(l.delta.recall)} | ${sign(l.delta.f1)} |`,
      );
    }
    parts.push('');
  }
  return parts.join('\n').trimEnd();
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
