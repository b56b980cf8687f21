/** "Why flagged": thresholds with the pipeline's overrides, the words found in the model's lexicons. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainPost, matchedTerms, ModelCatalog, readModelView } from '../../src/review/explain.ts';
import { searchText } from '../../src/review/search-text.ts';

const MODELS = resolve('models');
const v2 = readModelView(resolve(MODELS, 'pantau-id-v2'));

describe('explain', () => {
  it("reads the model card's alert and review points per label", () => {
    expect(Object.keys(v2.thresholds).sort()).toEqual(['abusive', 'hate_speech', 'hoax', 'sara']);
    expect(v2.thresholds.hoax!.alert).toBe(0.239191);
    expect(v2.thresholds.hoax!.review).toBeLessThan(v2.thresholds.hoax!.alert);
  });

  it("applies the pipeline's overrides as the classify stage does: review never above alert, unknown labels refused", () => {
    const tuned = readModelView(resolve(MODELS, 'pantau-id-v2'), { alert: { hoax: 0.5 }, review: { sara: 0.9 } });
    expect(tuned.thresholds.hoax!.alert).toBe(0.5);
    expect(tuned.thresholds.sara).toEqual({ alert: v2.thresholds.sara!.alert, review: v2.thresholds.sara!.alert });
    expect(() => readModelView(resolve(MODELS, 'pantau-id-v2'), { alert: { spam: 0.5 } })).toThrow(/unknown label "spam"/);
  });

  it('finds abusive words, also in slang and stretched spellings, and political names as written', () => {
    expect(matchedTerms('Dasar caleg bangsat, goblok semua', v2)).toEqual(['bangsat', 'goblok']);
    expect(matchedTerms('GOBLOOOOK banget', v2)).toEqual(['goblok']);
    // The longest listed phrase wins, as in the normaliser's masking.
    expect(matchedTerms('Pendukung Prabowo Gibran jangan golput', v2)).toEqual(['prabowo gibran']);
    expect(matchedTerms('Prabowo atau Gibran, sama saja', v2)).toEqual(['prabowo', 'gibran']);
    expect(matchedTerms('Mari datang ke TPS dengan tertib', v2)).toEqual([]);
  });

  it('explains a post with the points of the model version that scored it', () => {
    const catalog = new ModelCatalog(MODELS, v2);
    const post = { text: 'caleg bangsat', scores: { abusive: 0.9 }, model_version: 'pantau-id-v1', relevance: { relevant: true, terms: ['caleg'] }, claim: null };
    const e = explainPost(post, catalog);
    const v1 = readModelView(resolve(MODELS, 'pantau-id-v1'));
    expect(e).toEqual({ model_version: 'pantau-id-v1', scores: { abusive: 0.9 }, thresholds: v1.thresholds, matched_terms: ['bangsat'], relevance_terms: ['caleg'], claim: null });
    // A version without a folder: no thresholds to show, the active model's lexicons for the words.
    expect(explainPost({ ...post, model_version: 'pantau-id-v0' }, catalog)).toMatchObject({ thresholds: {}, matched_terms: ['bangsat'] });
    expect(explainPost({ ...post, model_version: '../../etc' }, catalog).thresholds).toEqual({});
  });
});

describe('search text', () => {
  it('stems Indonesian word forms to one stem, so a query finds other forms', () => {
    expect(searchText('Menyebarkan')).toBe(searchText('penyebaran'));
    expect(searchText('kecurangan')).toBe('curang');
    expect(searchText('KPU menyebarkan surat suara!!! https://t.co/x @akun')).toBe('kpu sebar surat suara');
    expect(searchText('curaaang')).toBe('curang');
  });
});
