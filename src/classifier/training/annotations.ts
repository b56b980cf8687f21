/**
 * The in-domain labels: election posts annotated with ../shared/LABELS.md (models/election-annotations-v1). The
 * committed file holds ids and labels only; the texts are joined from ../shared/data by id
 * (annotation/election-posts.ts). A labelled id whose text is not found is reported, never silently dropped:
 * the caller decides whether that is fatal (training refuses to run with missing texts).
 *
 * Hoax labels are left out: the annotators could not judge hoaxes without the fact-checks (kappa 0.67,
 * 4 positives; see ANNOTATION.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PantauError } from '../../core/errors.ts';
import { parseAnnotationFile, type CommittedAnnotation } from '../annotation/collect.ts';
import { readElectionPosts, type ElectionPost } from '../annotation/election-posts.ts';
import type { Example } from './examples.ts';

/** The committed annotation file, resolved from this file (not the working directory). */
export const DEFAULT_ANNOTATIONS_FILE: string = fileURLToPath(new URL('../../../models/election-annotations-v1/labels.jsonl', import.meta.url));

/** The labels of the annotation that training and evaluation use (hoax is not fit for either). */
export const ANNOTATED_LABELS = ['hate_speech', 'abusive', 'sara'] as const;

export interface AnnotatedExamples {
  examples: Example[];
  /** Ids of the label file whose text was not found among the posts. */
  missing: string[];
}

/** Joins committed annotations with the posts' texts; every annotation is either an example or a missing id. */
export function joinAnnotations(annotations: readonly CommittedAnnotation[], posts: readonly ElectionPost[]): AnnotatedExamples {
  const texts = new Map<string, string>();
  for (const p of posts) if (!texts.has(p.id)) texts.set(p.id, p.text);
  const examples: Example[] = [];
  const missing: string[] = [];
  for (const a of annotations) {
    const text = texts.get(a.id);
    if (text === undefined) {
      missing.push(a.id);
      continue;
    }
    const labels: Example['labels'] = {};
    for (const label of ANNOTATED_LABELS) labels[label] = a.final[label];
    examples.push({ text, labels, source: a.source, id: a.id, stratum: a.stratum, inclusionProbability: a.inclusionProbability });
  }
  return { examples, missing };
}

/** Reads the label file and joins it with the texts of `dataRoot` (../shared/data). */
export function readAnnotatedElectionPosts(labelsFile: string, dataRoot: string): AnnotatedExamples & { posts: ElectionPost[] } {
  if (!existsSync(labelsFile)) {
    throw new PantauError(`Annotation file not found: ${labelsFile}`, { stage: 'training', code: 'data_missing', retriable: false });
  }
  const annotations = parseAnnotationFile(readFileSync(labelsFile, 'utf8'), labelsFile);
  const posts = readElectionPosts(dataRoot);
  return { ...joinAnnotations(annotations, posts), posts };
}

/** True when the example is an annotated election post (it carries an inclusion probability). */
export function isAnnotated(e: Example): boolean {
  return e.inclusionProbability !== undefined;
}

/** Horvitz–Thompson weight of an example in evaluation: 1 / inclusion probability, 1 for other rows. */
export function evaluationWeight(e: Example): number {
  return e.inclusionProbability === undefined ? 1 : 1 / e.inclusionProbability;
}
