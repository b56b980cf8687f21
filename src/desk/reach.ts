/**
 * How far a claim cluster spread, read from the posts index (the source of truth: replays cannot count a
 * post twice): posts and engagement per hour over the cluster's narratives, the trend, and the spread per hour
 * before and after the unit's counter.
 *
 * Engagement of a post = shares + replies + likes + views / 100: a share carries the claim to new readers,
 * a view is a weak signal and sources report them in the thousands.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { postsAlias } from '../store/index-names.ts';
import { totalHits } from '../store/queries.ts';
import type { CaseReach } from './types.ts';

const HOUR = 3_600_000;
/** Hours shown per case, and the hours compared for the trend. */
export const REACH_HOURS = 48;
const TREND_HOURS = 6;

export function postEngagement(e: { likes?: number; shares?: number; replies?: number; views?: number }): number {
  return (e.shares ?? 0) + (e.replies ?? 0) + (e.likes ?? 0) + (e.views ?? 0) / 100;
}

/** naik when the last `TREND_HOURS` hours carried ≥ 1.5× the engagement of the ones before, turun at ≤ 0.67×. */
export function trendOf(perHour: ReadonlyArray<{ engagement: number }>): CaseReach['trend'] {
  const last = perHour.slice(-TREND_HOURS).reduce((s, h) => s + h.engagement, 0);
  const before = perHour.slice(-2 * TREND_HOURS, -TREND_HOURS).reduce((s, h) => s + h.engagement, 0);
  if (before === 0) return last > 0 ? 'naik' : 'stabil';
  const ratio = last / before;
  return ratio >= 1.5 ? 'naik' : ratio <= 0.67 ? 'turun' : 'stabil';
}

const ENGAGEMENT_AGGS = {
  shares: { sum: { field: 'engagement.shares' } },
  replies: { sum: { field: 'engagement.replies' } },
  likes: { sum: { field: 'engagement.likes' } },
  views: { sum: { field: 'engagement.views' } },
} as const;

type SumAggs = Record<keyof typeof ENGAGEMENT_AGGS, estypes.AggregationsSumAggregate>;
const engagementOf = (b: SumAggs) => postEngagement({ shares: b.shares.value ?? 0, replies: b.replies.value ?? 0, likes: b.likes.value ?? 0, views: b.views.value ?? 0 });

/**
 * One size-0 search over the posts of `narratives` (optionally created in [fromMs, toMs)): the hit count and the
 * aggregations asked for. `stage` and `what` name the failure.
 */
async function searchNarrativePosts(
  es: Client,
  prefix: string,
  narratives: readonly string[],
  options: { fromMs?: number; toMs?: number; aggs: Record<string, estypes.AggregationsAggregationContainer>; stage: 'alerting' | 'serving'; what: string },
): Promise<{ total: number; aggs: Record<string, unknown> }> {
  const filter: estypes.QueryDslQueryContainer[] = [{ terms: { narrative_id: [...narratives] } }];
  if (options.fromMs !== undefined && options.toMs !== undefined) filter.push({ range: { created_at: { gte: options.fromMs, lt: options.toMs, format: 'epoch_millis' } } });
  try {
    const r = await es.search({ index: postsAlias(prefix), ignore_unavailable: true, allow_no_indices: true, size: 0, track_total_hits: true, query: { bool: { filter } }, aggs: options.aggs });
    return { total: totalHits(r), aggs: (r.aggregations ?? {}) as Record<string, unknown> };
  } catch (error) {
    throw elasticsearchError(options.stage, options.what, error);
  }
}

/**
 * Reach of the posts of `narratives`. The hourly series covers the `REACH_HOURS` hours up to the cluster's
 * newest post (not up to now: a narrative replayed from an archive shows its own last two days).
 */
export async function clusterReach(es: Client, prefix: string, narratives: readonly string[]): Promise<CaseReach> {
  const empty: CaseReach = { posts: 0, engagement: 0, per_hour: [], trend: 'stabil' };
  if (narratives.length === 0) return empty;
  const { total, aggs: found } = await searchNarrativePosts(es, prefix, narratives, {
    aggs: { ...ENGAGEMENT_AGGS, newest: { max: { field: 'created_at' } } },
    stage: 'alerting',
    what: 'narrative reach in Elasticsearch',
  });
  if (total === 0) return empty;
  const aggs = found as unknown as SumAggs & { newest: { value: number | null } };
  const newest = aggs.newest.value ?? 0;
  const end = Math.floor(newest / HOUR) * HOUR + HOUR;
  const start = end - REACH_HOURS * HOUR;
  const hourly = await perHour(es, prefix, narratives, start, end);
  return { posts: total, engagement: engagementOf(aggs), per_hour: hourly, trend: trendOf(hourly) };
}

async function perHour(es: Client, prefix: string, narratives: readonly string[], startMs: number, endMs: number): Promise<CaseReach['per_hour']> {
  const { aggs } = await searchNarrativePosts(es, prefix, narratives, {
    fromMs: startMs,
    toMs: endMs,
    aggs: {
      hours: {
        date_histogram: { field: 'created_at', fixed_interval: '1h', min_doc_count: 0, extended_bounds: { min: startMs, max: endMs - HOUR } },
        aggs: ENGAGEMENT_AGGS,
      },
    },
    stage: 'alerting',
    what: 'narrative reach in Elasticsearch',
  });
  const buckets = (aggs.hours as { buckets: Array<SumAggs & { key: number; doc_count: number }> }).buckets;
  return buckets.map((b) => ({ hour: new Date(b.key).toISOString(), posts: b.doc_count, engagement: engagementOf(b) }));
}

export interface SpreadAroundCounter {
  /** Hours compared on each side of the counter (fewer after it when the counter is recent). */
  hours_before: number;
  hours_after: number;
  posts_per_hour_before: number;
  posts_per_hour_after: number;
  engagement_per_hour_before: number;
  engagement_per_hour_after: number;
}

/**
 * The narrative's spread per hour in the `hours` before the counter and since it (up to `hours`, up to now).
 * The first hour after a counter counts as a whole hour: dividing two posts by ten minutes would read as a
 * surge when it is the normal tail.
 */
export async function spreadAroundCounter(es: Client, prefix: string, narratives: readonly string[], counteredAtMs: number, nowMs: number, hours = 24): Promise<SpreadAroundCounter> {
  const afterHours = Math.max(1, Math.min(hours, (nowMs - counteredAtMs) / HOUR));
  const window = async (fromMs: number, toMs: number) => {
    const r = await searchNarrativePosts(es, prefix, narratives, { fromMs, toMs, aggs: ENGAGEMENT_AGGS, stage: 'serving', what: 'narrative spread in Elasticsearch' });
    return { posts: r.total, engagement: engagementOf(r.aggs as unknown as SumAggs) };
  };
  const before = await window(counteredAtMs - hours * HOUR, counteredAtMs);
  const after = await window(counteredAtMs, counteredAtMs + afterHours * HOUR);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    hours_before: hours,
    hours_after: round(afterHours),
    posts_per_hour_before: round(before.posts / hours),
    posts_per_hour_after: round(after.posts / afterHours),
    engagement_per_hour_before: round(before.engagement / hours),
    engagement_per_hour_after: round(after.engagement / afterHours),
  };
}
