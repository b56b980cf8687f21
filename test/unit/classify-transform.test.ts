/**
 * The classify transform's two operating points and the alert rule, with the real model: a score at or above a
 * label's alert point flags the post; between its review and alert points it goes to the analysts' queue
 * (review_flags); only flagged posts about the election raise humas alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '../../src/classifier/index.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { Post, ScoredPost } from '../../src/core/post.ts';
import { alertFor, classifyPosts, effectiveReviewThresholds } from '../../src/transforms/classify.ts';
import { parseTrustedPublishers } from '../../src/config/trusted-publishers.ts';
import { createTrustedPublisherMatcher } from '../../src/transforms/trusted-publisher.ts';

const post = (id: string, text: string): Post => ({
  schema_version: 1,
  id,
  platform: 'twitter',
  author: null,
  text,
  url: null,
  created_at: '2026-11-20T10:00:00+07:00',
  region: null,
  engagement: {},
  language: 'id',
});

let classifier: Classifier;
beforeAll(async () => {
  classifier = await loadClassifier({ backend: 'wasm' });
});
afterAll(() => classifier.dispose());

describe('operating points in the classify transform', () => {
  it('flags at the alert point and lists labels between the review and the alert point as review_flags', async () => {
    const [insult] = await classifier.classify(['Dasar anjing lo, goblok banget!']);
    const score = insult!.scores.abusive;
    const options = { classifier, batchSize: 10, alertLabels: ['abusive'], clock: fixedClock('2026-11-20T03:00:00Z') };
    // Alert point above the post's score, review point below it: review only.
    let [scored] = await classifyPosts([post('tw-1', 'Dasar anjing lo, goblok banget!')], { ...options, thresholdOverrides: { abusive: Math.min(1, score + 0.01) }, reviewOverrides: { abusive: score - 0.01 } });
    expect(scored!.flags).not.toContain('abusive');
    expect(scored!.review_flags).toContain('abusive');
    // Both below: flagged, and not also in review.
    [scored] = await classifyPosts([post('tw-1', 'Dasar anjing lo, goblok banget!')], { ...options, thresholdOverrides: { abusive: score - 0.02 }, reviewOverrides: { abusive: score - 0.05 } });
    expect(scored!.flags).toContain('abusive');
    expect(scored!.review_flags).not.toContain('abusive');
    expect(scored!.classified_at).toBe('2026-11-20T03:00:00.000Z');
  });

  it('never puts a review point above its alert point, and refuses overrides for labels the model lacks', () => {
    expect(effectiveReviewThresholds(classifier, { abusive: 0.5 }, { abusive: 0.9 })).toEqual({ abusive: 0.5 });
    expect(() => effectiveReviewThresholds(classifier, { abusive: 0.5 }, { toxic: 0.2 })).toThrow(/unknown label "toxic"/);
  });

  it('raises a humas alert only for a flagged post about the election', async () => {
    const [scored] = await classifyPosts([post('tw-2', 'Dasar anjing lo, goblok banget!')], { classifier, batchSize: 10, alertLabels: ['abusive'], thresholdOverrides: { abusive: 0.01 } });
    const relevant: ScoredPost = { ...scored!, relevance: { relevant: true, terms: ['pilkada'] } };
    const notRelevant: ScoredPost = { ...scored!, relevance: { relevant: false, terms: [] } };
    expect(alertFor(relevant, ['abusive'])).toMatchObject({ post_id: 'tw-2', flags: ['abusive'], election_terms: ['pilkada'] });
    expect(alertFor(notRelevant, ['abusive'])).toBeNull();
    expect(alertFor({ ...scored!, relevance: null }, ['abusive'])).toBeNull();
    expect(alertFor(relevant, ['hoax'])).toBeNull();
  });
});

describe('hoax: the model alone never flags, trusted publishers are never labelled hoax', () => {
  const CLAIM = 'VIRAL!!! Surat suara sudah dicoblos sebelum hari pemilu, sebarkan sebelum dihapus!';
  const trusted = createTrustedPublisherMatcher(
    parseTrustedPublishers({
      version: 1,
      publishers: [
        { name: 'KPU Kabupaten Contoh', accounts: [{ platform: 'twitter', handle: '@kpu_kab_contoh' }] },
        { name: 'Diskominfo Contoh', domains: ['contohkab.go.id'] },
      ],
    }),
  );
  const options = () => ({ classifier, batchSize: 10, alertLabels: ['hoax'], thresholdOverrides: { hoax: 0.01 }, trustedPublisherOf: trusted });

  it('a hoax score above the alert point puts the post in the analysts\' queue, not in its flags (no humas alert)', async () => {
    const [scored] = await classifyPosts([post('tw-h1', CLAIM)], options());
    expect(scored!.scores.hoax).toBeGreaterThanOrEqual(0.01);
    expect(scored!.flags).not.toContain('hoax');
    expect(scored!.review_flags).toContain('hoax');
    expect(alertFor({ ...scored!, relevance: { relevant: true, terms: ['pemilu'] } }, ['hoax'])).toBeNull();
  });

  it('a trusted publisher\'s post (listed account or site) gets no hoax label, while its other labels stay', async () => {
    const fromAccount = { ...post('tw-h2', CLAIM), author: '@KPU_Kab_Contoh' };
    const fromSite = { ...post('news-h3', CLAIM), platform: 'news', url: 'https://humas.contohkab.go.id/berita/1' };
    const lookalike = { ...post('tw-h4', CLAIM), author: '@kpu_kab_contoh', platform: 'facebook' };
    const scored = await classifyPosts([fromAccount, fromSite, lookalike], { ...options(), thresholdOverrides: { hoax: 0.01, abusive: 0 } });
    for (const p of scored.slice(0, 2)) {
      expect(p.flags).not.toContain('hoax');
      expect(p.review_flags).not.toContain('hoax');
      expect(p.flags).toContain('abusive');
    }
    // The same handle on another platform is somebody else.
    expect(scored[2]!.review_flags).toContain('hoax');
  });
});
