/**
 * The narrative key normaliser is versioned and frozen: version 1 must give exactly the tokens and the
 * SimHashes recorded when narratives were introduced (every sample post plus edge cases), so narrative ids
 * never change under running deployments; and it must not depend on the classifier, whose normaliser
 * changes with each retrained model.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simhashHex, textSimhash } from '../../src/transforms/narrative.ts';
import { KEY_NORMALISER_VERSION, keyTokens } from '../../src/transforms/text-keys.ts';

const rows = readFileSync(new URL('../fixtures/narrative-keys.v1.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { text: string; tokens: string[]; simhash: string | null });

describe('narrative key normaliser v1', () => {
  it('is version 1', () => {
    expect(KEY_NORMALISER_VERSION).toBe(1);
  });

  it('gives the recorded tokens and SimHash for every recorded text', () => {
    expect(rows.length).toBeGreaterThan(240);
    for (const row of rows) {
      expect(keyTokens(row.text), row.text.slice(0, 80)).toEqual(row.tokens);
      const hash = textSimhash(row.text);
      expect(hash === null ? null : simhashHex(hash), row.text.slice(0, 80)).toBe(row.simhash);
    }
  });

  it('imports nothing from the classifier (a retrained model must not re-key narratives)', () => {
    for (const file of ['text-keys.ts', 'narrative.ts', 'relevance.ts']) {
      const source = readFileSync(new URL(`../../src/transforms/${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from ['"][^'"]*classifier/);
    }
  });
});
