/** Examples → hashed features + masked targets, the trainer's input. */
import { Featurizer } from '../featurize.ts';
import { FLAG_LABELS, SENTIMENT_LABELS } from '../labels.ts';
import { normalizeTokens, type SlangLexicon } from '../normalize.ts';
import type { Example } from './examples.ts';
import type { EncodedExample } from './trainer.ts';

export type TokenTransform = (tokens: string[]) => string[];

export function encodeExamples(
  examples: readonly Example[],
  featurizer: Featurizer,
  lexicon: SlangLexicon,
  transform?: TokenTransform,
): EncodedExample[] {
  return examples.map((e) => {
    const tokens = normalizeTokens(e.text, lexicon);
    const ids = featurizer.featurize(transform === undefined ? tokens : transform(tokens));
    const targets = new Float32Array(FLAG_LABELS.length).fill(Number.NaN);
    FLAG_LABELS.forEach((label, k) => {
      const y = e.labels[label];
      if (y !== undefined) targets[k] = y;
    });
    return {
      ids,
      scale: ids.length > 0 ? 1 / Math.sqrt(ids.length) : 0,
      targets,
      sentiment: e.sentiment === undefined ? -1 : SENTIMENT_LABELS.indexOf(e.sentiment),
      weight: e.weight ?? 1,
    };
  });
}
