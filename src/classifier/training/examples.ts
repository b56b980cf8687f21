/** A labelled training/evaluation example. A row names only the labels it annotates (the rest are masked). */
import type { FlagLabel, Sentiment } from '../labels.ts';

export interface Example {
  text: string;
  labels: Partial<Record<FlagLabel, 0 | 1>>;
  sentiment?: Sentiment;
  /** Where the row came from (dataset name), for reporting per source. */
  source: string;
  /** Forced split for sets with an official split (SmSA valid is our sentiment test set). */
  split?: Split;
  /** Loss weight (1 when absent). Lower for weak labels. */
  weight?: number;
  /** Sentiment toward a candidate (election tweets), used only to derive weak labels. */
  candidateSentiment?: Sentiment;
  /**
   * Annotated election posts (models/election-annotations-*): the chance the post was drawn for annotation.
   * Evaluation weights each such post by 1 / inclusionProbability (Horvitz–Thompson), so figures estimate the
   * whole source rather than the sample, half of which was drawn from an older model's top scores.
   */
  inclusionProbability?: number;
  /** Annotated election posts: the stratum of the draw ('random': a plain random sample of the source). */
  stratum?: 'random' | 'high';
  /** The near-duplicate group (its smallest normalised text), set by `splitExamples`; folds are cut by it. */
  group?: string;
  /** A stable id, where the source has one (annotated election posts: `pemilu24-…`, `mbg-…`, `bdc-…`). */
  id?: string;
}

export type Split = 'train' | 'dev' | 'test';
