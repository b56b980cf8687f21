/**
 * Turns the annotators' files into what the project commits: ids and labels only (no texts, no reasons),
 * with both independent readings, the final label after adjudication, the stratum and inclusion probability of
 * each post, and the agreement per label (Cohen's kappa).
 *
 * The annotation followed ../shared/LABELS.md: two annotators per post, each blind to the other and to any
 * model output; where they disagreed on any label, a third reading against the guide decided every label of
 * the post.
 */
import { FLAG_LABELS, type FlagLabel } from '../labels.ts';
import type { SampledPost } from './sample.ts';

export type Reading = Record<FlagLabel, 0 | 1>;

export interface AnnotatedPost {
  id: string;
  source: SampledPost['source'];
  stratum: SampledPost['stratum'];
  inclusionProbability: number;
  /** The two independent readings, in the order of the annotation rounds. */
  readings: [Reading, Reading];
  /** The label after adjudication (equal to both readings where they agreed). */
  final: Reading;
  adjudicated: boolean;
}

export interface Agreement {
  label: FlagLabel;
  posts: number;
  /** Positives in the first and second reading and in the final labels. */
  positives: [number, number, number];
  disagreements: number;
  observed: number;
  kappa: number | null;
}

/** Cohen's kappa of two 0/1 readings; null when chance agreement is 1 (both readings constant and equal). */
export function cohensKappa(a: readonly number[], b: readonly number[]): number | null {
  const n = a.length;
  if (n === 0 || n !== b.length) throw new Error(`kappa needs two readings of the same posts (got ${a.length} and ${b.length})`);
  let agree = 0;
  let pa = 0;
  let pb = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    pa += a[i]!;
    pb += b[i]!;
  }
  const po = agree / n;
  const pe = (pa / n) * (pb / n) + (1 - pa / n) * (1 - pb / n);
  return pe === 1 ? null : (po - pe) / (1 - pe);
}

function parseReading(raw: unknown, where: string): Reading {
  const r = raw as Record<string, unknown>;
  const out = {} as Reading;
  for (const label of FLAG_LABELS) {
    const v = r[label];
    if (v !== 0 && v !== 1) throw new Error(`${where}: "${label}" must be 0 or 1, got ${JSON.stringify(v)}`);
    out[label] = v;
  }
  if (out.sara === 1 && out.hate_speech === 0) throw new Error(`${where}: sara = 1 needs hate_speech = 1 (LABELS.md)`);
  return out;
}

/** Reads JSONL label lines ({"id", the four labels, ...}) into a map; every line is checked. */
export function parseLabelLines(text: string, origin: string): Map<string, Reading> {
  const out = new Map<string, Reading>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${origin}:${i + 1}`;
    let row: { id?: unknown };
    try {
      row = JSON.parse(line) as { id?: unknown };
    } catch (error) {
      throw new Error(`${where}: not JSON (${(error as Error).message})`, { cause: error });
    }
    if (typeof row.id !== 'string') throw new Error(`${where}: "id" must be a string`);
    if (out.has(row.id)) throw new Error(`${where}: id ${row.id} appears twice`);
    out.set(row.id, parseReading(row, where));
  });
  return out;
}

/**
 * Joins the sample, the two readings and the adjudication. Every sampled post must have both readings; every
 * post whose readings differ must be adjudicated (and only those may be).
 */
export function collectAnnotations(
  sample: readonly SampledPost[],
  first: ReadonlyMap<string, Reading>,
  second: ReadonlyMap<string, Reading>,
  adjudicated: ReadonlyMap<string, Reading>,
): { posts: AnnotatedPost[]; agreement: Agreement[] } {
  const posts: AnnotatedPost[] = sample.map((p) => {
    const a = first.get(p.id);
    const b = second.get(p.id);
    if (!a || !b) throw new Error(`post ${p.id} lacks ${!a ? 'the first' : 'the second'} reading`);
    const differ = FLAG_LABELS.some((l) => a[l] !== b[l]);
    const third = adjudicated.get(p.id);
    if (differ && !third) throw new Error(`post ${p.id}: the readings differ and it was not adjudicated`);
    if (!differ && third) throw new Error(`post ${p.id}: adjudicated although both readings agree`);
    return {
      id: p.id,
      source: p.source,
      stratum: p.stratum,
      inclusionProbability: p.inclusionProbability,
      readings: [a, b],
      final: third ?? a,
      adjudicated: differ,
    };
  });
  const agreement = FLAG_LABELS.map((label): Agreement => {
    const x = posts.map((p) => p.readings[0][label]);
    const y = posts.map((p) => p.readings[1][label]);
    const disagreements = x.filter((v, i) => v !== y[i]).length;
    return {
      label,
      posts: posts.length,
      positives: [x.reduce<number>((s, v) => s + v, 0), y.reduce<number>((s, v) => s + v, 0), posts.reduce((s, p) => s + p.final[label], 0)],
      disagreements,
      observed: 1 - disagreements / posts.length,
      kappa: cohensKappa(x, y),
    };
  });
  return { posts, agreement };
}

/** One committed line per post: ids, strata and labels, never the text. */
export function annotationLine(p: AnnotatedPost): string {
  return JSON.stringify({
    id: p.id,
    source: p.source,
    stratum: p.stratum,
    inclusion_probability: Number(p.inclusionProbability.toFixed(6)),
    first: p.readings[0],
    second: p.readings[1],
    final: p.final,
    adjudicated: p.adjudicated,
  });
}

/** A committed annotation line, as read back for training and evaluation. */
export interface CommittedAnnotation {
  id: string;
  source: SampledPost['source'];
  stratum: SampledPost['stratum'];
  inclusionProbability: number;
  final: Reading;
}

/** Reads the committed labels file (annotationLine format); errors name the line. */
export function parseAnnotationFile(text: string, origin: string): CommittedAnnotation[] {
  const out: CommittedAnnotation[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${origin}:${i + 1}`;
    const row = JSON.parse(line) as { id: string; source: SampledPost['source']; stratum: SampledPost['stratum']; inclusion_probability: number; final: unknown };
    if (typeof row.id !== 'string' || typeof row.inclusion_probability !== 'number' || !(row.inclusion_probability > 0 && row.inclusion_probability <= 1)) {
      throw new Error(`${where}: needs "id" and an "inclusion_probability" in (0, 1]`);
    }
    out.push({ id: row.id, source: row.source, stratum: row.stratum, inclusionProbability: row.inclusion_probability, final: parseReading(row.final, `${where} final`) });
  });
  return out;
}
