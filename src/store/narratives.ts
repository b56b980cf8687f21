/**
 * The narrative registry, shared by every worker: index `<prefix>-narratives` (template
 * pipelines/elasticsearch/narratives.template.json), one document per cluster of near-duplicate posts.
 *
 * Assignment rule: a post belongs to the OLDEST registered narrative within NARRATIVE_MAX_DISTANCE of its
 * SimHash ("oldest" = registry order: `created_at`, then `batch_rank`, then id). Not the nearest one: the set
 * of narratives within reach of a post only grows, and every narrative registered later sorts after the one
 * chosen first, so a replay of the post picks the same narrative again (effectively-once). A post with no
 * narrative in reach registers a new one whose id comes from its own hash (`nar-<16 hex>`), with a bulk
 * `create`: two workers registering the same text race to the same id and the loser's 409 is success.
 * After registering, the lookup runs again for those posts, so two workers that registered different
 * variants of one message at the same moment converge on the older of the two.
 *
 * Limits: registry order uses the workers' clocks (NTP-synchronised clocks assumed; skew only matters for
 * narratives registered within the skew of each other). A single post whose 68 probe keys hit more than
 * MAX_CANDIDATES narratives sees only the oldest MAX_CANDIDATES of them.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import { isRetriableStatus } from '../sinks/retry-policy.ts';
import {
  bandKeys,
  hamming,
  narrativeIdFor,
  NARRATIVE_MAX_DISTANCE,
  parseSimhashHex,
  probeKeys,
  simhashHex,
  textSimhash,
  type SimHash,
} from '../transforms/narrative.ts';
import { elasticsearchError } from './elasticsearch-errors.ts';
import { postsAlias } from './index-names.ts';

export const narrativesIndex = (prefix: string) => `${prefix}-narratives`;

/** Posts per lookup query: 68 probe keys each keeps a query well under Elasticsearch's 65 536-term limit. */
const LOOKUP_CHUNK = 256;
/** Hits one lookup query returns (Elasticsearch's default max_result_window). */
const MAX_CANDIDATES = 10_000;
/** Narratives per reach aggregation. */
// Each bucket's account count holds a HyperLogLog sketch of up to ~8 bytes × precision: 200 buckets at
// precision 3000 stay near 5 MB, far below the node's circuit breaker (1000 × 40 000 tripped it here).
const REACH_CHUNK = 200;
const ACCOUNTS_PRECISION = 3_000;
const SAMPLE_TEXT_MAX = 2000;

export interface NarrativePost {
  id: string;
  text: string;
  created_at: string;
}

export interface NarrativeDoc {
  id: string;
  simhash: string;
  bands: string[];
  first_seen: string;
  first_post_id: string;
  sample_text: string;
  created_at: string;
  batch_rank: number;
  /** The worker's registry view that created it, so that view need not read it back. */
  registered_by?: string;
  reach?: NarrativeReach;
}

export interface NarrativeReach {
  posts: number;
  accounts: number;
  likes: number;
  shares: number;
  replies: number;
  views: number;
  first_seen: string | null;
  last_seen: string | null;
  flags: string[];
  updated_at: string;
}

interface Registered {
  id: string;
  hash: SimHash;
  createdMs: number;
  rank: number;
}

export interface AssignOptions {
  /** Clock for `created_at` of new narratives (tests). */
  now?: () => Date;
  /** Answers already known to this worker, so reposts and replays skip Elasticsearch. */
  cache?: NarrativeCache;
  /** A synced in-memory copy of the registry: candidates are found in memory instead of by a query. */
  view?: NarrativeRegistryView;
}

/**
 * This worker's copy of the narrative registry, for candidate lookup without a query per batch. The
 * registry's candidate search costs Elasticsearch work in proportion to the candidates it returns (68 band
 * keys a post), which made it the stream's bottleneck once most posts were new messages. The view instead
 * reads only what was registered since its last sync (by any worker), then answers in memory.
 *
 * Memory: the narratives created within `windowMs` (default 30 days), about 200 bytes each.
 */
export class NarrativeRegistryView {
  private readonly client: Client;
  private readonly prefix: string;
  private readonly windowMs: number;
  private readonly byBand = new Map<string, Registered[]>();
  private readonly known = new Map<string, Registered>();
  private readonly syncIntervalMs: number;
  /** Newest `created_at` read so far; the next sync reads from a little before it (clock skew, late refresh). */
  private newestMs: number | undefined;
  private lastSyncMs = 0;
  private static readonly OVERLAP_MS = 5_000;
  private static readonly PAGE = 5_000;
  /** Marks the narratives this view registered: it knows them already and skips them when syncing. */
  readonly instanceId = `view-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

  constructor(client: Client, prefix: string, options: { windowMs?: number; syncIntervalMs?: number } = {}) {
    this.client = client;
    this.prefix = prefix;
    this.windowMs = options.windowMs ?? 30 * 86_400_000;
    this.syncIntervalMs = options.syncIntervalMs ?? 1_000;
  }

  /** Syncs when the last sync is older than the sync interval. */
  async syncIfDue(): Promise<void> {
    if (Date.now() - this.lastSyncMs >= this.syncIntervalMs) await this.sync();
  }

  get size(): number {
    return this.known.size;
  }

  /** Reads the narratives other workers registered since the last sync (the whole window the first time). */
  async sync(): Promise<void> {
    this.lastSyncMs = Date.now();
    const fromMs = this.newestMs === undefined ? Date.now() - this.windowMs : this.newestMs - NarrativeRegistryView.OVERLAP_MS;
    let after: estypes.SortResults | undefined;
    for (;;) {
      let response;
      try {
        response = await this.client.search<Pick<NarrativeDoc, 'simhash' | 'created_at' | 'batch_rank'>>({
          index: narrativesIndex(this.prefix),
          ignore_unavailable: true,
          allow_no_indices: true,
          size: NarrativeRegistryView.PAGE,
          _source: ['simhash', 'created_at', 'batch_rank'],
          query: {
            bool: {
              filter: [{ range: { created_at: { gte: new Date(fromMs).toISOString() } } }],
              must_not: [{ term: { registered_by: this.instanceId } }],
            },
          },
          sort: [{ created_at: { order: 'asc' } }, { id: { order: 'asc' } }],
          ...(after ? { search_after: after } : {}),
        });
      } catch (cause) {
        throw esError('narrative registry sync', cause);
      }
      for (const hit of response.hits.hits) {
        const source = hit._source;
        if (source && hit._id !== undefined) this.add({ id: hit._id, hash: parseSimhashHex(source.simhash), createdMs: Date.parse(source.created_at), rank: source.batch_rank });
      }
      if (response.hits.hits.length < NarrativeRegistryView.PAGE) return;
      after = response.hits.hits.at(-1)!.sort;
    }
  }

  add(narrative: Registered): void {
    if (this.known.has(narrative.id)) return;
    this.known.set(narrative.id, narrative);
    if (this.newestMs === undefined || narrative.createdMs > this.newestMs) this.newestMs = narrative.createdMs;
    for (const key of bandKeys(narrative.hash)) {
      const list = this.byBand.get(key);
      if (list) list.push(narrative);
      else this.byBand.set(key, [narrative]);
    }
  }

  /** Every known narrative sharing a probe key with one of `hashes` (what `lookup` asks Elasticsearch). */
  candidates(hashes: readonly SimHash[]): Map<string, Registered> {
    const found = new Map<string, Registered>();
    for (const hash of hashes) {
      for (const key of probeKeys(hash)) for (const n of this.byBand.get(key) ?? []) found.set(n.id, n);
    }
    return found;
  }
}

/**
 * SimHash → narrative id, least recently used first out. Safe to cache because the answer for a hash never
 * changes: it is the oldest registered narrative within the threshold, and narratives registered later are
 * newer (up to the rare race that the convergence step of assignNarratives settles).
 */
export class NarrativeCache {
  private readonly entries = new Map<string, string>();
  private readonly maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.maxEntries = maxEntries;
  }

  get(hash: string): string | undefined {
    const id = this.entries.get(hash);
    if (id !== undefined) {
      this.entries.delete(hash);
      this.entries.set(hash, id);
    }
    return id;
  }

  set(hash: string, id: string): void {
    this.entries.delete(hash);
    this.entries.set(hash, id);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

const esError = (action: string, cause: unknown): PantauError => elasticsearchError('indexing', action, cause);

/** Registry order: older first. */
function older(a: Registered, b: Registered): boolean {
  if (a.createdMs !== b.createdMs) return a.createdMs < b.createdMs;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.id < b.id;
}

/** The oldest narrative within the threshold, or undefined. */
function choose(hash: SimHash, candidates: Iterable<Registered>): Registered | undefined {
  let best: Registered | undefined;
  for (const c of candidates) {
    if (hamming(hash, c.hash) <= NARRATIVE_MAX_DISTANCE && (best === undefined || older(c, best))) best = c;
  }
  return best;
}

/** Every registered narrative sharing a probe key with one of `hashes`. */
async function lookup(client: Client, prefix: string, hashes: readonly SimHash[]): Promise<Map<string, Registered>> {
  const found = new Map<string, Registered>();
  const run = async (chunk: readonly SimHash[]): Promise<void> => {
    const keys = [...new Set(chunk.flatMap(probeKeys))];
    let response;
    try {
      response = await client.search<Pick<NarrativeDoc, 'simhash' | 'created_at' | 'batch_rank'>>({
        index: narrativesIndex(prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: MAX_CANDIDATES,
        track_total_hits: true,
        _source: ['simhash', 'created_at', 'batch_rank'],
        query: { bool: { filter: [{ terms: { bands: keys } }] } },
        sort: [{ created_at: { order: 'asc' } }, { batch_rank: { order: 'asc' } }, { id: { order: 'asc' } }],
      });
    } catch (cause) {
      throw esError('narrative lookup', cause);
    }
    const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
    if (total > response.hits.hits.length && chunk.length > 1) {
      // Too many candidates for one answer: ask for each half separately.
      const half = Math.ceil(chunk.length / 2);
      await run(chunk.slice(0, half));
      await run(chunk.slice(half));
      return;
    }
    for (const hit of response.hits.hits) {
      const source = hit._source;
      if (!source || hit._id === undefined) continue;
      found.set(hit._id, { id: hit._id, hash: parseSimhashHex(source.simhash), createdMs: Date.parse(source.created_at), rank: source.batch_rank });
    }
  };
  for (let start = 0; start < hashes.length; start += LOOKUP_CHUNK) await run(hashes.slice(start, start + LOOKUP_CHUNK));
  return found;
}

/**
 * Gives each post the id of its narrative, registering new narratives as needed. Posts with too few content
 * words for a SimHash (see MIN_FEATURES) are left out of the map. Safe to call concurrently from several
 * workers and to repeat: the same post always ends with the same id. Throws a PantauError (stage
 * `indexing`, retriable when Elasticsearch is unreachable or answers 429/5xx); nothing is half-assigned, a
 * retry of the whole batch is the recovery.
 */
export async function assignNarratives(
  client: Client,
  prefix: string,
  posts: readonly NarrativePost[],
  options: AssignOptions = {},
): Promise<Map<string, string>> {
  const { cache } = options;
  const result = new Map<string, string>();
  const hashed = new Map<string, { post: NarrativePost; hash: SimHash }>();
  for (const post of posts) {
    if (hashed.has(post.id) || result.has(post.id)) continue;
    const hash = textSimhash(post.text);
    if (hash === null) continue;
    const known = cache?.get(simhashHex(hash));
    if (known !== undefined) result.set(post.id, known);
    else hashed.set(post.id, { post, hash });
  }
  if (hashed.size === 0) return result;
  const fromRegistry = await assignFromRegistry(client, prefix, [...hashed.values()], options);
  for (const [postId, narrativeId] of fromRegistry) {
    result.set(postId, narrativeId);
    cache?.set(simhashHex(hashed.get(postId)!.hash), narrativeId);
  }
  return result;
}

/** The registry's answer for posts not answered from the cache (see assignNarratives). */
async function assignFromRegistry(
  client: Client,
  prefix: string,
  hashedPosts: ReadonlyArray<{ post: NarrativePost; hash: SimHash }>,
  options: AssignOptions,
): Promise<Map<string, string>> {
  const hashed = new Map(hashedPosts.map((h) => [h.post.id, h]));
  // A deterministic order, so the batch clusters the same way whoever processes it.
  const ordered = [...hashed.values()].sort(
    (a, b) => Date.parse(a.post.created_at) - Date.parse(b.post.created_at) || (a.post.id < b.post.id ? -1 : a.post.id > b.post.id ? 1 : 0),
  );
  const result = new Map<string, string>();
  if (ordered.length === 0) return result;

  const { view } = options;
  const find = async (hashes: SimHash[]) => {
    if (!view) return lookup(client, prefix, hashes);
    await view.syncIfDue();
    return view.candidates(hashes);
  };
  const existing = await find(ordered.map((h) => h.hash));
  const createdAt = (options.now ?? (() => new Date()))().toISOString();
  const fresh: Array<Registered & { doc: NarrativeDoc }> = [];
  const seeded: Array<{ post: NarrativePost; hash: SimHash }> = [];
  for (const item of ordered) {
    const known = choose(item.hash, existing.values());
    if (known) {
      result.set(item.post.id, known.id);
      continue;
    }
    // Narratives this batch registers share created_at; batch_rank keeps their order for later readers.
    const mine = choose(item.hash, fresh);
    if (mine) {
      result.set(item.post.id, mine.id);
      continue;
    }
    const id = narrativeIdFor(item.hash);
    const doc: NarrativeDoc = {
      id,
      simhash: simhashHex(item.hash),
      bands: bandKeys(item.hash),
      first_seen: item.post.created_at,
      first_post_id: item.post.id,
      sample_text: item.post.text.slice(0, SAMPLE_TEXT_MAX),
      created_at: createdAt,
      batch_rank: fresh.length,
      ...(view ? { registered_by: view.instanceId } : {}),
    };
    fresh.push({ id, hash: item.hash, createdMs: Date.parse(createdAt), rank: doc.batch_rank, doc });
    seeded.push(item);
    result.set(item.post.id, id);
  }
  if (fresh.length === 0) return result;

  await createNarratives(client, prefix, fresh.map((f) => f.doc), !view);
  if (view) {
    // With a view, convergence is eventual: a variant another worker registered within the last sync
    // interval may stay a separate narrative; later posts join the oldest once the view has synced it.
    for (const f of fresh) view.add(f);
    return result;
  }
  // Other workers may have registered variants of the same messages meanwhile: converge on the oldest.
  const hashes = [...new Set(seeded.map((s) => s.hash))];
  const now = await find(hashes);
  for (const item of ordered) {
    const current = result.get(item.post.id)!;
    if (!fresh.some((f) => f.id === current)) continue;
    const best = choose(item.hash, now.values());
    if (best) result.set(item.post.id, best.id);
  }
  return result;
}

/** Bulk `create`: 201 and 409 (already registered, by us earlier or by another worker) are both success. */
async function createNarratives(client: Client, prefix: string, docs: readonly NarrativeDoc[], refresh: boolean): Promise<void> {
  let response: estypes.BulkResponse;
  try {
    // Without a view, the re-lookup that follows must see these documents: an explicit refresh of this small
    // index is cheaper for the stream than wait_for, which parks the batch until the next scheduled refresh.
    response = await client.bulk({
      refresh,
      operations: docs.flatMap((doc) => [{ create: { _index: narrativesIndex(prefix), _id: doc.id } }, doc]),
    });
  } catch (cause) {
    throw esError('registering narratives', cause);
  }
  if (!response.errors) return;
  const failures = response.items.map((item) => item.create).filter((r) => r?.error && r.status !== 409);
  if (failures.length === 0) return;
  const retriable = failures.every((r) => isRetriableStatus(r!.status));
  const first = failures[0]!;
  throw new PantauError(`${failures.length} narratives not registered: ${first.status} ${first.error?.type}: ${first.error?.reason ?? ''}`, {
    stage: 'indexing',
    code: retriable ? 'elasticsearch_overloaded' : 'narrative_rejected',
    retriable,
  });
}

interface ReachBucket {
  key: string;
  doc_count: number;
  accounts: { value: number };
  likes: { value: number };
  shares: { value: number };
  replies: { value: number };
  views: { value: number };
  first: { value: number | null; value_as_string?: string };
  last: { value: number | null; value_as_string?: string };
  flags: { buckets: Array<{ key: string; doc_count: number }> };
}

/**
 * Recomputes `reach` of the given narratives from the posts (the source of truth), so replays and
 * re-indexing never double-count: posts, distinct accounts (`cardinality` of author: exact up to 3 000, an
 * estimate beyond), engagement sums, first/last post time, the flags seen. One aggregation per 1000 ids, one
 * bulk update. Reads what is searchable: call it after the posts' bulk with `refresh: 'wait_for'` (or a
 * refresh), or the newest posts count at the next call. Ids without posts get zero reach; ids without a
 * narrative document are returned in `missing`. Throws a PantauError (stage `indexing`, retriable when
 * Elasticsearch is down or overloaded).
 */
export async function refreshNarrativeReach(
  client: Client,
  prefix: string,
  narrativeIds: Iterable<string>,
  options: { now?: () => Date } = {},
): Promise<{ updated: number; missing: string[] }> {
  const ids = [...new Set(narrativeIds)];
  const missing: string[] = [];
  let updated = 0;
  for (let start = 0; start < ids.length; start += REACH_CHUNK) {
    const chunk = ids.slice(start, start + REACH_CHUNK);
    const buckets = await aggregateReach(client, prefix, chunk);
    const updatedAt = (options.now ?? (() => new Date()))().toISOString();
    let response: estypes.BulkResponse;
    try {
      response = await client.bulk({
        operations: chunk.flatMap((id) => [{ update: { _index: narrativesIndex(prefix), _id: id } }, { doc: { reach: reachOf(buckets.get(id), updatedAt) } }]),
      });
    } catch (cause) {
      throw esError('updating narrative reach', cause);
    }
    const failures: Array<{ status: number; reason: string }> = [];
    response.items.forEach((item, i) => {
      const r = item.update;
      if (!r?.error) {
        updated++;
        return;
      }
      if (r.status === 404) missing.push(chunk[i]!);
      else failures.push({ status: r.status, reason: `${r.error.type}: ${r.error.reason ?? ''}` });
    });
    if (failures.length > 0) {
      const retriable = failures.every((f) => isRetriableStatus(f.status));
      throw new PantauError(`${failures.length} narrative reach updates failed: ${failures[0]!.status} ${failures[0]!.reason}`, {
        stage: 'indexing',
        code: retriable ? 'elasticsearch_overloaded' : 'narrative_rejected',
        retriable,
      });
    }
  }
  return { updated, missing };
}

async function aggregateReach(client: Client, prefix: string, ids: readonly string[]): Promise<Map<string, ReachBucket>> {
  const sum = (field: string) => ({ sum: { field } });
  let response;
  try {
    response = await client.search<unknown, { by_narrative: { buckets: ReachBucket[] } }>({
      index: postsAlias(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      query: { bool: { filter: [{ terms: { narrative_id: [...ids] } }] } },
      aggs: {
        by_narrative: {
          terms: { field: 'narrative_id', size: ids.length },
          aggs: {
            accounts: { cardinality: { field: 'author', precision_threshold: ACCOUNTS_PRECISION } },
            likes: sum('engagement.likes'),
            shares: sum('engagement.shares'),
            replies: sum('engagement.replies'),
            views: sum('engagement.views'),
            first: { min: { field: 'created_at' } },
            last: { max: { field: 'created_at' } },
            flags: { terms: { field: 'flags', size: 20 } },
          },
        },
      },
    });
  } catch (cause) {
    throw esError('narrative reach aggregation', cause);
  }
  return new Map((response.aggregations?.by_narrative.buckets ?? []).map((b) => [b.key, b]));
}

function reachOf(bucket: ReachBucket | undefined, updatedAt: string): NarrativeReach {
  const iso = (v: { value: number | null }) => (v.value === null ? null : new Date(v.value).toISOString());
  return {
    posts: bucket?.doc_count ?? 0,
    accounts: bucket?.accounts.value ?? 0,
    likes: bucket?.likes.value ?? 0,
    shares: bucket?.shares.value ?? 0,
    replies: bucket?.replies.value ?? 0,
    views: bucket?.views.value ?? 0,
    first_seen: bucket ? iso(bucket.first) : null,
    last_seen: bucket ? iso(bucket.last) : null,
    flags: bucket ? bucket.flags.buckets.map((f) => f.key) : [],
    updated_at: updatedAt,
  };
}
