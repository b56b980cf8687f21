/** The label sets the classifier predicts. Shared by the runtime, training and evaluation. */

export const FLAG_LABELS = ['hate_speech', 'abusive', 'sara', 'hoax'] as const;
export type FlagLabel = (typeof FLAG_LABELS)[number];

export const SENTIMENT_LABELS = ['negative', 'neutral', 'positive'] as const;
export type Sentiment = (typeof SENTIMENT_LABELS)[number];

/** Output columns of the model: the flag logits first, then the sentiment logits. */
export const OUTPUT_COUNT = FLAG_LABELS.length + SENTIMENT_LABELS.length;

export function isFlagLabel(value: string): value is FlagLabel {
  return (FLAG_LABELS as readonly string[]).includes(value);
}

export function isSentiment(value: string): value is Sentiment {
  return (SENTIMENT_LABELS as readonly string[]).includes(value);
}
