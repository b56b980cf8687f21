/**
 * The classify transform: scores posts with the model and decides which labels flag them, at two operating
 * points per label (see the model card):
 * - `flags`: score at or above the `alert` point (chosen for precision): the post is flagged, and raises a
 *   humas alert when one of its flags is an alerting label and the post is about the election;
 * - `review_flags`: score at or above the `review` point but below `alert` (chosen for recall): the post goes
 *   to the analysts' queue, never to humas teams.
 * The pipeline file may override either point per label.
 *
 * Hoax is decided more strictly (issue 11): the model's hoax score alone never flags a post. At or above the
 * review point it puts the post in the analysts' queue (`review_flags`); only support for a claim the knowledge
 * base marks false will flag it (claim matching, not built yet). A trusted publisher's post (KPU, Bawaslu,
 * Diskominfo…: their clarifications quote the hoax they answer) gets no hoax label at all.
 */
import type { Classifier } from '../classifier/index.ts';
import { isoNow, systemClock, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import { modelSeconds } from '../core/metrics.ts';
import { POST_SCHEMA_VERSION, type Alert, type Post, type ScoredPost } from '../core/post.ts';
import type { TrustedPublisherOf } from './trusted-publisher.ts';

export interface ClassifyOptions {
  classifier: Classifier;
  /** Per-label overrides of the alert points. */
  thresholdOverrides: Record<string, number>;
  /** Per-label overrides of the review points. */
  reviewOverrides?: Record<string, number>;
  batchSize: number;
  /** Flags that raise an alert. */
  alertLabels: readonly string[];
  /** For `classified_at` (default: the system clock). */
  clock?: Clock;
  /** The trusted publisher of a post, or null (default: nobody is trusted). */
  trustedPublisherOf?: TrustedPublisherOf;
}

export function effectiveThresholds(classifier: Classifier, overrides: Record<string, number>): Record<string, number> {
  const thresholds: Record<string, number> = { ...classifier.thresholds };
  for (const [label, value] of Object.entries(overrides)) {
    if (!(label in thresholds)) {
      throw new PantauError(
        `threshold override for unknown label "${label}"; the model ${classifier.modelVersion} has: ${Object.keys(thresholds).join(', ')}`,
        { stage: 'config', code: 'unknown_label', retriable: false },
      );
    }
    thresholds[label] = value;
  }
  return thresholds;
}

/** The review points: the model's, or the pipeline file's override, never above the alert point. */
export function effectiveReviewThresholds(classifier: Classifier, alert: Record<string, number>, overrides: Record<string, number> = {}): Record<string, number> {
  const review: Record<string, number> = {};
  for (const label of Object.keys(alert)) {
    const model = classifier.operatingPoints[label as keyof typeof classifier.operatingPoints]?.review ?? alert[label]!;
    review[label] = Math.min(alert[label]!, overrides[label] ?? model);
  }
  for (const label of Object.keys(overrides)) {
    if (!(label in alert)) {
      throw new PantauError(`review threshold override for unknown label "${label}"; the model ${classifier.modelVersion} has: ${Object.keys(alert).join(', ')}`, {
        stage: 'config',
        code: 'unknown_label',
        retriable: false,
      });
    }
  }
  return review;
}

export async function classifyPosts(posts: Post[], options: ClassifyOptions): Promise<ScoredPost[]> {
  const thresholds = effectiveThresholds(options.classifier, options.thresholdOverrides);
  const review = effectiveReviewThresholds(options.classifier, thresholds, options.reviewOverrides);
  const scored: ScoredPost[] = [];
  for (let start = 0; start < posts.length; start += options.batchSize) {
    const chunk = posts.slice(start, start + options.batchSize);
    const timer = modelSeconds.startTimer();
    const results = await options.classifier.classify(chunk.map((p) => p.text));
    timer();
    const classifiedAt = isoNow(options.clock ?? systemClock);
    chunk.forEach((post, i) => {
      const result = results[i]!;
      const scores: Record<string, number> = { ...result.scores };
      let flags = Object.keys(thresholds).filter((label) => (scores[label] ?? 0) >= thresholds[label]!);
      let reviewFlags = Object.keys(review).filter((label) => (scores[label] ?? 0) >= review[label]! && (scores[label] ?? 0) < thresholds[label]!);
      if (options.trustedPublisherOf?.(post) != null) {
        flags = flags.filter((f) => f !== 'hoax');
        reviewFlags = reviewFlags.filter((f) => f !== 'hoax');
      } else if (flags.includes('hoax')) {
        // The model's hoax score alone: the analysts' queue, not a humas alert.
        flags = flags.filter((f) => f !== 'hoax');
        reviewFlags = [...reviewFlags, 'hoax'];
      }
      let sentiment: ScoredPost['sentiment'] = null;
      if (result.sentiment) {
        const entries = Object.entries(result.sentiment) as Array<[NonNullable<ScoredPost['sentiment']>, number]>;
        sentiment = entries.reduce((best, e) => (e[1] > best[1] ? e : best))[0];
      }
      scored.push({
        ...post,
        schema_version: POST_SCHEMA_VERSION,
        scores,
        flags,
        flagged: flags.length > 0,
        review_flags: reviewFlags,
        sentiment,
        model_version: options.classifier.modelVersion,
        classified_at: classifiedAt,
        relevance: null,
        narrative_id: null,
        claim: null,
      });
    });
  }
  return scored;
}

/**
 * The alert a flagged post raises, or null: only a post flagged at the alert point for an alerting label, and
 * about the election (its relevance matched), reaches humas teams. Everything else flagged stays in the
 * analysts' review list.
 */
export function alertFor(post: ScoredPost, alertLabels: readonly string[], clock: Clock = systemClock): Alert | null {
  const flags = post.flags.filter((f) => alertLabels.includes(f));
  if (post.relevance?.relevant !== true) return null;
  // A post answering a matched claim is news for the desk too: the narrative's counter.
  const kind = flags.length > 0 ? 'flag' : post.claim?.stance === 'counter' ? 'counter' : null;
  if (kind === null) return null;
  return {
    kind,
    claim: post.claim,
    alert_id: `alert-${post.id}`,
    post_id: post.id,
    flags,
    scores: post.scores,
    text: post.text,
    url: post.url,
    platform: post.platform,
    author: post.author,
    region: post.region,
    created_at: post.created_at,
    engagement: post.engagement,
    model_version: post.model_version,
    narrative_id: post.narrative_id,
    election_terms: post.relevance?.terms ?? [],
    raised_at: isoNow(clock),
  };
}
