/**
 * The analysts' queue, read from the posts alias: items are narratives with their posts (a post without a
 * narrative is an item of its own, `post:<id>`), not single posts.
 *
 * Candidates: items with a post flagged at an alert point (reason `flagged`), and items whose posts only reach
 * review points (`review_flags`), sampled at `uncertainSampleRate` by a stable hash of the item id (reason
 * `uncertain`). Two steps (narratives grouped by a terms aggregation on `narrative_id`, posts without one read
 * as they are; this Elasticsearch has no scripting, so no runtime key can join them):
 *   1. the keys of the items with a candidate post matching the filters (label, region, platform, source,
 *      narrative, days, model, full text);
 *   2. the figures of those items over all their posts (so a filter chooses items, it does not shrink them).
 * Priority (review/priority.ts), the review state join, the status and reason filters and paging are done
 * here: the state lives in another index. At most `maxItems` items are considered (the terms aggregation's
 * size); the test measures the latency with a few thousand posts.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Clock } from '../core/clock.ts';
import type { ScoredPost } from '../core/post.ts';
import type { ClarificationDoc } from '../kb/entry.ts';
import { elasticsearchError, httpStatusOf } from '../store/elasticsearch-errors.ts';
import { clarificationsIndex, postsAlias } from '../store/index-names.ts';
import type { QueueReason } from './decision.ts';
import { PRIORITY_FORMULA, inUncertainSample, priorityOf } from './priority.ts';
import { activeAssignment, getReviews, type ReviewDoc, type ReviewStatus } from './review-store.ts';
import { searchText } from './search-text.ts';

export const QUEUE_TIME_ZONE = 'Asia/Jakarta';
export const DEFAULT_MAX_ITEMS = 10_000;
/** Posts of one item shown on its page and covered by one decision (the decision schema's limit). */
export const MAX_ITEM_POSTS = 1_000;

export interface QueueSource {
  es: Client;
  prefix: string;
  /** The model's labels: the queue reports each one's highest score. */
  labels: readonly string[];
  uncertainSampleRate: number;
  clock: Clock;
  maxItems?: number;
}

export interface QueueFilters {
  status?: 'open' | 'decided' | 'all' | undefined;
  label?: string | undefined;
  region?: string | undefined;
  platform?: string | undefined;
  source?: string | undefined;
  narrative?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  model?: string | undefined;
  q?: string | undefined;
  reason?: QueueReason | undefined;
  page?: number | undefined;
  size?: number | undefined;
}

export interface ItemClaim {
  id: string;
  claim: string | null;
  verdict: string;
  probability: number;
  url: string | null;
}

export interface QueueItem {
  item_id: string;
  narrative_id: string | null;
  reason: QueueReason;
  priority: number;
  priority_parts: { score: number; reach: number; recency: number };
  labels: string[];
  review_labels: string[];
  max_scores: Record<string, number>;
  posts_count: number;
  accounts: number;
  shares: number;
  first_seen: string;
  last_seen: string;
  regions: string[];
  platforms: string[];
  model_versions: string[];
  sample: { post_id: string; text: string; author: string | null; platform: string; url: string | null; created_at: string };
  claim: ItemClaim | null;
  status: ReviewStatus;
  assigned_to: string | null;
  assigned_until: string | null;
}

export interface QueuePage {
  total: number;
  page: number;
  size: number;
  priority_formula: string;
  items: QueueItem[];
}

/** A post as Elasticsearch holds it (the scored post plus what the indexer adds). */
export type StoredPost = Omit<ScoredPost, 'schema_version'> & { schema_version?: number; indexed_at?: string; search_text?: string };

export const itemIdOf = (post: Pick<ScoredPost, 'id' | 'narrative_id'>): string => post.narrative_id ?? `post:${post.id}`;

/** Which posts an item id names. */
export function itemTarget(itemId: string): { narrative_id: string } | { post_id: string } {
  return itemId.startsWith('post:') ? { post_id: itemId.slice('post:'.length) } : { narrative_id: itemId };
}

const CANDIDATE = { bool: { should: [{ term: { flagged: true } }, { exists: { field: 'review_flags' } }], minimum_should_match: 1 } };

const SAMPLE_FIELDS = ['id', 'text', 'author', 'platform', 'url', 'created_at'];

const FACE_AGGS: Record<string, estypes.AggregationsAggregationContainer> = {
  // The item's face: a flagged post before an unflagged one, then the most shared, then the first.
  sample: {
    top_hits: {
      size: 1,
      _source: SAMPLE_FIELDS,
      sort: [{ flagged: 'desc' }, { 'engagement.shares': { order: 'desc', missing: '_last' } }, { created_at: 'asc' }, { id: 'asc' }],
    },
  },
  claimed: { filter: { exists: { field: 'claim.id' } }, aggs: { best: { top_hits: { size: 1, _source: ['claim'], sort: [{ 'claim.probability': 'desc' }] } } } },
};

/** The post-level clauses of the filters (status and reason are decided per item, after grouping). */
export function postFilters(f: QueueFilters, timeZone = QUEUE_TIME_ZONE): object[] {
  const filter: object[] = [];
  if (f.label) filter.push({ bool: { should: [{ term: { flags: f.label } }, { term: { review_flags: f.label } }], minimum_should_match: 1 } });
  if (f.region) filter.push({ term: { region: f.region } });
  if (f.platform) filter.push({ term: { platform: f.platform } });
  if (f.source) filter.push({ prefix: { id: `${f.source}-` } });
  if (f.narrative) filter.push({ term: { narrative_id: f.narrative } });
  if (f.model) filter.push({ term: { model_version: f.model } });
  if (f.from || f.to) {
    filter.push({ range: { created_at: { ...(f.from ? { gte: `${f.from}||/d` } : {}), ...(f.to ? { lte: `${f.to}||/d` } : {}), time_zone: timeZone } } });
  }
  if (f.q?.trim()) {
    // Older posts have no search_text: the plain text match finds them by exact word forms.
    const stemmed = searchText(f.q);
    const should: object[] = [{ match: { text: { query: f.q, operator: 'and' } } }];
    if (stemmed) should.push({ match: { search_text: { query: stemmed, operator: 'and' } } });
    filter.push({ bool: { should, minimum_should_match: 1 } });
  }
  return filter;
}

interface Bucket {
  key: string;
  doc_count: number;
  flagged: { doc_count: number };
  flags: { buckets: Array<{ key: string }> };
  review_flags: { buckets: Array<{ key: string }> };
  accounts: { value: number };
  shares: { value: number };
  first: { value: number | null };
  last: { value: number | null };
  regions: { buckets: Array<{ key: string }> };
  platforms: { buckets: Array<{ key: string }> };
  models: { buckets: Array<{ key: string }> };
  sample?: { hits: { hits: Array<{ _source?: StoredPost }> } };
  claimed?: { best: { hits: { hits: Array<{ _source?: Pick<StoredPost, 'claim'> }> } } };
  [max: `max_${string}`]: { value: number | null };
}

const keysOf = (b: { buckets: Array<{ key: string }> }) => b.buckets.map((x) => x.key);

/** What an item is made of, from a narrative's aggregation or from a single post. */
interface ItemAgg {
  key: string;
  posts: number;
  flaggedPosts: number;
  flags: string[];
  reviewFlags: string[];
  maxScores: Record<string, number>;
  accounts: number;
  shares: number;
  firstMs: number;
  lastMs: number;
  regions: string[];
  platforms: string[];
  models: string[];
  /** Null when the item's face was not asked for (see itemFigures). */
  sample: StoredPost | null;
  claim: ScoredPost['claim'];
}

function aggOfBucket(b: Bucket, labels: readonly string[]): ItemAgg {
  const maxScores: Record<string, number> = {};
  for (const l of labels) {
    const v = b[`max_${l}`]?.value;
    if (typeof v === 'number') maxScores[l] = v;
  }
  return {
    key: b.key,
    posts: b.doc_count,
    flaggedPosts: b.flagged.doc_count,
    flags: keysOf(b.flags),
    reviewFlags: keysOf(b.review_flags),
    maxScores,
    accounts: b.accounts.value,
    shares: b.shares.value,
    firstMs: b.first.value ?? 0,
    lastMs: b.last.value ?? 0,
    regions: keysOf(b.regions),
    platforms: keysOf(b.platforms),
    models: keysOf(b.models),
    sample: b.sample?.hits.hits[0]?._source ?? null,
    claim: b.claimed?.best.hits.hits[0]?._source?.claim ?? null,
  };
}

/** A post without a narrative is an item of one post: its figures are its own. */
function aggOfPost(p: StoredPost, labels: readonly string[]): ItemAgg {
  const at = Date.parse(p.created_at);
  return {
    key: `post:${p.id}`,
    posts: 1,
    flaggedPosts: p.flagged ? 1 : 0,
    flags: p.flags,
    reviewFlags: p.review_flags ?? [],
    maxScores: Object.fromEntries(labels.filter((l) => typeof p.scores[l] === 'number').map((l) => [l, p.scores[l]!])),
    accounts: p.author ? 1 : 0,
    shares: p.engagement?.shares ?? 0,
    firstMs: at,
    lastMs: at,
    regions: p.region ? [p.region] : [],
    platforms: [p.platform],
    models: [p.model_version],
    sample: p,
    claim: p.claim ?? null,
  };
}

/** An item before the review state is joined. */
type ItemFigures = Omit<QueueItem, 'status' | 'assigned_to' | 'assigned_until' | 'sample'> & {
  sample: QueueItem['sample'] | null;
  claim_ref: NonNullable<ScoredPost['claim']> | null;
};

function figuresOf(a: ItemAgg, nowMs: number): ItemFigures | null {
  const flags = [...a.flags].sort();
  const review = [...a.reviewFlags].sort();
  if (flags.length === 0 && review.length === 0) return null; // not a candidate (its posts are under every review point)
  const scored = flags.length > 0 ? flags : review;
  const score = Math.max(0, ...scored.map((l) => a.maxScores[l] ?? 0));
  const { priority, parts } = priorityOf({ score, accounts: a.accounts, shares: a.shares, ageHours: (nowMs - a.lastMs) / 3_600_000 });
  const s = a.sample;
  const target = itemTarget(a.key);
  return {
    item_id: a.key,
    narrative_id: 'narrative_id' in target ? target.narrative_id : null,
    reason: a.flaggedPosts > 0 ? 'flagged' : 'uncertain',
    priority,
    priority_parts: parts,
    labels: flags,
    review_labels: review,
    max_scores: a.maxScores,
    posts_count: a.posts,
    accounts: a.accounts,
    shares: a.shares,
    first_seen: new Date(a.firstMs).toISOString(),
    last_seen: new Date(a.lastMs).toISOString(),
    regions: a.regions,
    platforms: a.platforms,
    model_versions: a.models,
    sample: s === null ? null : { post_id: s.id, text: s.text, author: s.author ?? null, platform: s.platform, url: s.url ?? null, created_at: s.created_at },
    claim: null,
    claim_ref: a.claim ?? null,
  };
}

const queueError = (what: string, cause: unknown) => elasticsearchError('serving', `review queue ${what} in Elasticsearch`, cause);

const POSTS = (src: QueueSource) => ({ index: postsAlias(src.prefix), ignore_unavailable: true, allow_no_indices: true });

/**
 * The ids of the items with a candidate post matching `filter`: narratives by a terms aggregation, posts
 * without a narrative by a search (this Elasticsearch has no scripting, so no runtime key joins the two).
 */
async function itemKeys(src: QueueSource, filter: object[], max: number): Promise<string[]> {
  try {
    const [narratives, singles] = await Promise.all([
      src.es.search<unknown, { keys: { buckets: Array<{ key: string }> } }>({
        ...POSTS(src),
        size: 0,
        query: { bool: { filter: [CANDIDATE, ...filter] } },
        aggs: { keys: { terms: { field: 'narrative_id', size: max } } },
      }),
      src.es.search<Pick<StoredPost, 'id'>>({
        ...POSTS(src),
        size: max,
        _source: ['id'],
        query: { bool: { filter: [CANDIDATE, ...filter], must_not: [{ exists: { field: 'narrative_id' } }] } },
      }),
    ]);
    return [...keysOf(narratives.aggregations?.keys ?? { buckets: [] }), ...singles.hits.hits.map((h) => `post:${h._source!.id}`)];
  } catch (error) {
    throw queueError('search', error);
  }
}

/** The posts of `keys`' items: their narratives, and the single posts named `post:<id>`. */
function postsOfItems(keys: readonly string[]): object {
  const { narratives, ids } = splitKeys(keys);
  const should: object[] = [];
  if (narratives.length > 0) should.push({ terms: { narrative_id: narratives } });
  // A post:<id> item is a post without a narrative; its id alone could also name a post of a narrative.
  if (ids.length > 0) should.push({ bool: { filter: [{ terms: { id: ids } }], must_not: [{ exists: { field: 'narrative_id' } }] } });
  return { bool: { should, minimum_should_match: 1 } };
}

function splitKeys(keys: readonly string[]): { narratives: string[]; ids: string[] } {
  const narratives: string[] = [];
  const ids: string[] = [];
  for (const k of keys) {
    const t = itemTarget(k);
    if ('post_id' in t) ids.push(t.post_id);
    else narratives.push(t.narrative_id);
  }
  return { narratives, ids };
}

/**
 * The figures of `keys`' items. `faces`: also each narrative's sample post and best claim (two top_hits per
 * narrative, most of the aggregation's cost: the queue asks for them for one page only).
 */
async function itemFigures(src: QueueSource, keys: readonly string[], faces: boolean): Promise<ItemFigures[]> {
  const { narratives, ids } = splitKeys(keys);
  const maxAggs = Object.fromEntries(src.labels.map((l) => [`max_${l}`, { max: { field: `scores.${l}` } }]));
  const aggs: ItemAgg[] = [];
  try {
    const [grouped, singles] = await Promise.all([
      narratives.length === 0
        ? null
        : src.es.search<unknown, { items: { buckets: Bucket[] } }>({
            ...POSTS(src),
            size: 0,
            query: { terms: { narrative_id: narratives } },
            aggs: {
              items: {
                terms: { field: 'narrative_id', size: narratives.length },
                aggs: {
                  flagged: { filter: { term: { flagged: true } } },
                  flags: { terms: { field: 'flags', size: 20 } },
                  review_flags: { terms: { field: 'review_flags', size: 20 } },
                  ...maxAggs,
                  accounts: { cardinality: { field: 'author' } },
                  shares: { sum: { field: 'engagement.shares' } },
                  first: { min: { field: 'created_at' } },
                  last: { max: { field: 'created_at' } },
                  regions: { terms: { field: 'region', size: 50 } },
                  platforms: { terms: { field: 'platform', size: 20 } },
                  models: { terms: { field: 'model_version', size: 20 } },
                  ...(faces ? FACE_AGGS : {}),
                },
              },
            },
          }),
      ids.length === 0
        ? null
        : src.es.search<StoredPost>({ ...POSTS(src), size: ids.length, _source: { excludes: ['search_text', 'raw'] }, query: postsOfItems(ids.map((id) => `post:${id}`)) }),
    ]);
    for (const b of grouped?.aggregations?.items.buckets ?? []) aggs.push(aggOfBucket(b, src.labels));
    for (const h of singles?.hits.hits ?? []) aggs.push(aggOfPost(h._source!, src.labels));
  } catch (error) {
    throw queueError('aggregation', error);
  }
  const nowMs = src.clock();
  return aggs.flatMap((a) => figuresOf(a, nowMs) ?? []);
}

/** The clarifications of `ids` (knowledge-base claim keys) that exist. */
export async function getClarifications(es: Client, prefix: string, ids: readonly string[]): Promise<Map<string, ClarificationDoc>> {
  const out = new Map<string, ClarificationDoc>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  try {
    const r = await es.mget<ClarificationDoc>({ index: clarificationsIndex(prefix), ids: unique });
    for (const d of r.docs) if ('found' in d && d.found && d._source) out.set(d._id, d._source);
  } catch (error) {
    if (httpStatusOf(error) === 404) return out;
    throw queueError('knowledge-base read', error);
  }
  return out;
}

function withState(f: ItemFigures, review: ReviewDoc | undefined, clarifications: Map<string, ClarificationDoc>, nowMs: number): QueueItem {
  const { claim_ref, sample, ...item } = f;
  const kb = claim_ref ? clarifications.get(claim_ref.id) : undefined;
  return {
    ...item,
    // Every item has a post; a face missing here means the item vanished between the two reads.
    sample: sample ?? { post_id: '', text: '', author: null, platform: '', url: null, created_at: item.last_seen },
    claim: claim_ref ? { id: claim_ref.id, claim: kb?.claim ?? null, verdict: kb?.verdict ?? claim_ref.verdict, probability: claim_ref.probability, url: kb?.url ?? null } : null,
    status: review?.status ?? 'open',
    ...activeAssignment(review, nowMs),
  };
}

const isDecided = (r: ReviewDoc | undefined) => r?.label_decision != null;

export async function listQueue(src: QueueSource, f: QueueFilters): Promise<QueuePage> {
  const page = f.page ?? 1;
  const size = f.size ?? 20;
  const keys = await itemKeys(src, postFilters(f), src.maxItems ?? DEFAULT_MAX_ITEMS);
  const figures = (await itemFigures(src, keys, false)).filter((i) => i.reason === 'flagged' || inUncertainSample(i.item_id, src.uncertainSampleRate));
  const reviews = await getReviews(src.es, src.prefix, figures.map((i) => i.item_id));
  const status = f.status ?? 'open';
  const chosen = figures
    .filter((i) => (f.reason === undefined || i.reason === f.reason) && (status === 'all' || (status === 'decided') === isDecided(reviews.get(i.item_id)?.doc)))
    .sort((a, b) => b.priority - a.priority || a.item_id.localeCompare(b.item_id));
  const faces = new Map((await itemFigures(src, chosen.slice((page - 1) * size, page * size).map((i) => i.item_id), true)).map((i) => [i.item_id, i]));
  const pageItems = chosen.slice((page - 1) * size, page * size).map((i) => ({ ...i, sample: faces.get(i.item_id)?.sample ?? i.sample, claim_ref: faces.get(i.item_id)?.claim_ref ?? i.claim_ref }));
  const clarifications = await getClarifications(src.es, src.prefix, pageItems.flatMap((i) => (i.claim_ref ? [i.claim_ref.id] : [])));
  const nowMs = src.clock();
  return {
    total: chosen.length,
    page,
    size,
    priority_formula: PRIORITY_FORMULA,
    items: pageItems.map((i) => withState(i, reviews.get(i.item_id)?.doc, clarifications, nowMs)),
  };
}

/** One item whatever its sample or status, or null when no candidate post carries its id. */
export async function getQueueItem(src: QueueSource, itemId: string): Promise<QueueItem | null> {
  const [figures] = await itemFigures(src, [itemId], true);
  if (figures === undefined || figures.item_id !== itemId) return null;
  const review = (await getReviews(src.es, src.prefix, [itemId])).get(itemId)?.doc;
  const clarifications = await getClarifications(src.es, src.prefix, figures.claim_ref ? [figures.claim_ref.id] : []);
  return withState(figures, review, clarifications, src.clock());
}

/** The item's posts (at most MAX_ITEM_POSTS), oldest first. */
export async function itemPosts(es: Client, prefix: string, itemId: string): Promise<StoredPost[]> {
  try {
    const r = await es.search<StoredPost>({
      index: postsAlias(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: MAX_ITEM_POSTS,
      _source: { excludes: ['search_text', 'raw'] },
      sort: [{ created_at: 'asc' }, { id: 'asc' }],
      query: postsOfItems([itemId]),
    });
    return r.hits.hits.map((h) => h._source!);
  } catch (error) {
    throw queueError('post search', error);
  }
}
