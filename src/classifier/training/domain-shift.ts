/**
 * What can be measured on election tweets without hate-speech labels: Pilkada DKI 2017 tweets carry only
 * sentiment toward a candidate pair. The report gives flag rates on negative vs positive tweets; a sensible
 * model flags more of the negative ones, but these are rates, not precision or recall.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Classifier } from '../index.ts';
import { FLAG_LABELS } from '../labels.ts';
import { readPilkada } from './datasets.ts';

export async function pilkadaShiftReport(classifier: Classifier, sharedData: string): Promise<string | null> {
  const dir = join(sharedData, 'pilkada-dki-2017-sentiment');
  if (!existsSync(dir)) return null;
  const tweets = readPilkada(dir).filter((t) => t.text.trim().length > 0);
  const results = await classifier.classify(tweets.map((t) => t.text));
  const groups: [string, (s: string) => boolean][] = [
    ['negative toward a candidate', (s) => s === 'negative'],
    ['positive toward a candidate', (s) => s === 'positive'],
    ['all', () => true],
  ];
  const lines = [`| tweets | n | ${FLAG_LABELS.map((l) => `flagged ${l}`).join(' | ')} |`, `|---|---|${FLAG_LABELS.map(() => '---').join('|')}|`];
  for (const [name, keep] of groups) {
    const picked = results.filter((_, i) => keep(tweets[i]!.sentiment));
    const rates = FLAG_LABELS.map((l) => picked.filter((r) => r.scores[l] >= classifier.thresholds[l]).length / Math.max(1, picked.length));
    lines.push(`| ${name} | ${picked.length} | ${rates.map((r) => `${(100 * r).toFixed(1)}%`).join(' | ')} |`);
  }
  return lines.join('\n');
}
