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
}

export type Split = 'train' | 'dev' | 'test';
