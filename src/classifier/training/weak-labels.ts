/**
 * Weak negatives for the hoax head. The hoax data are fact-check claims (82% hoaxes), so on its own the
 * head learns "any text is probably a hoax" and flags greetings and KPU announcements. Everyday tweets and
 * reviews are not circulated hoax claims: their train rows are added once more as hoax = 0 with a small
 * weight. Only train rows are used, so dev/test stay clean and hoax metrics are measured on claims only.
 */
import type { Example } from './examples.ts';

export const WEAK_HOAX_NEGATIVE_SOURCES: ReadonlySet<string> = new Set([
  'id-multilabel-hate-abusive',
  'id-abusive-ibrohim2018',
  'indonlu-smsa',
  'pilpres-2019-sentiment',
]);
export const WEAK_SOURCE = 'weak-hoax-negative';

export function weakHoaxNegatives(train: readonly Example[], weight: number): Example[] {
  if (weight <= 0) return [];
  return train
    .filter((e) => WEAK_HOAX_NEGATIVE_SOURCES.has(e.source) && e.labels.hoax === undefined)
    .map((e) => ({ text: e.text, labels: { hoax: 0 }, source: WEAK_SOURCE, split: 'train', weight, ...(e.group === undefined ? {} : { group: e.group }) }));
}

/**
 * Weak hate-speech negatives: election tweets that are positive or neutral toward a candidate (Pilpres 2019).
 * In the Ibrohim data most tweets naming politicians are hate speech, so on its own the head learns "names a
 * politician → hate speech" and flags most election posts, even praise. Praise and news-like tweets are
 * rarely hate speech; as hate_speech = 0 (small weight, train only) they teach that the topic alone is not.
 */
export function weakHateSpeechNegatives(train: readonly Example[], weight: number): Example[] {
  if (weight <= 0) return [];
  return train
    .filter((e) => e.source === 'pilpres-2019-sentiment' && (e.candidateSentiment === 'positive' || e.candidateSentiment === 'neutral'))
    .map((e) => ({ text: e.text, labels: { hate_speech: 0 }, source: WEAK_HATE_SOURCE, split: 'train', weight, ...(e.group === undefined ? {} : { group: e.group }) }));
}

export const WEAK_HATE_SOURCE = 'weak-hate-speech-negative';
