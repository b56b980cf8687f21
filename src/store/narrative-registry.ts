/**
 * The narrative registry, shared by every classify worker: which SimHashes started a narrative, and in
 * which order. It lives in Elasticsearch as an append-only log (one index per month,
 * `<prefix>-narrative-log-YYYY.MM`, template pipelines/elasticsearch/narrative-log.template.json): one
 * document per batch that registered new narratives, holding their hashes in registry order. Each worker
 * keeps a synced copy in memory (NarrativeRegistryView) and finds candidates there.
 *
 * Why a log and not a document per narrative: when most posts are new messages, a registry document per
 * post doubled Elasticsearch's indexing work and capped the stream near 2,000 posts/s on 2 cores (see the
 * README's benchmark); a batch of 500 registrations is now one small unindexed document.
 *
 * Assignment rule: a post belongs to the OLDEST registered narrative within NARRATIVE_MAX_DISTANCE of its
 * SimHash ("oldest" = registry order: the log document's `created_at`, then the rank in it, then id). Not
 * the nearest: the set of narratives within reach of a post only grows, and narratives registered later
 * sort after the one chosen first, so a replay picks the same narrative again. A post with no narrative in
 * reach starts a new one whose id comes from its own hash (`nar-<16 hex>`): two workers registering the
 * same text get the same id, and a view that reads both registrations keeps the older.
 *
 * Syncing reads each month's log by `_seq_no` (the template keeps it to one shard, where `_seq_no` orders
 * writes), so no registration is missed whatever the workers' clocks say. Months that ended before the
 * window are deleted (by any worker, at most hourly): nothing reads them any more.
 *
 * Limits: convergence between workers is eventual. A variant another worker registered within the last
 * sync interval (1 s, plus Elasticsearch's 1 s refresh) stays a narrative of its own; later posts join the
 * oldest once the view has read it. Registry order uses the workers' clocks (NTP assumed). Deleting a
 * month's log index by hand while workers run restarts its `_seq_no`: restart the classify workers then.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { systemClock, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import {
  BAND_BITS,
  BAND_COUNT,
  narrativeIdFor,
  NARRATIVE_MAX_DISTANCE,
  parseSimhashHex,
  simhashHex,
  textSimhash,
  tokensSimhash,
  type SimHash,
} from '../transforms/narrative.ts';
import { elasticsearchError, httpStatusOf } from './elasticsearch-errors.ts';
import { monthSuffix } from './index-names.ts';

/** The log index of the month (UTC) of `ms`. */
export function narrativeLogIndex(prefix: string, ms: number): string {
  return `${prefix}-narrative-log-${monthSuffix(ms)}`;
}

/** The log indices of the months from `fromMs` to `toMs`, oldest first. */
function logIndicesBetween(prefix: string, fromMs: number, toMs: number): string[] {
  const names: string[] = [];
  const d = new Date(fromMs);
  let month = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  while (month <= toMs) {
    names.push(narrativeLogIndex(prefix, month));
    const m = new Date(month);
    month = Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1);
  }
  return names;
}

export interface NarrativePost {
  id: string;
  text: string;
  created_at: string;
  /** `matchTokens(text)` when the caller has it already (saves tokenising twice). */
  tokens?: readonly string[];
}

/** One document of the log: the narratives one batch registered, in registry order. */
export interface NarrativeLogDoc {
  batch_id: string;
  created_at: string;
  registered_by: string;
  count: number;
  simhashes: string[];
}

export interface Registered {
  id: string;
  hash: SimHash;
  createdMs: number;
  rank: number;
}

const esError = (action: string, cause: unknown): PantauError => elasticsearchError('indexing', action, cause);

/** Registry order: older first. */
function older(a: Registered, b: Registered): boolean {
  if (a.createdMs !== b.createdMs) return a.createdMs < b.createdMs;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.id < b.id;
}

/** Set bits of a 32-bit integer. */
function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

const BAND_VALUES = 1 << BAND_BITS;
/** Posts per batch up to which the batch's own new narratives are scanned rather than indexed. */
const FRESH_SCAN_MAX = 64;

/**
 * Registered narratives by band key: finds the oldest within the threshold of a hash by looking at the few
 * narratives sharing one of its 68 probe keys (see transforms/narrative.ts), not at all of them.
 *
 * Flat typed arrays, not a Map of lists: a lookup touches 68 list heads and the hashes of the candidates in
 * them, so it is memory-bound; here the heads are one Int32Array, each band's lists are chained through an
 * Int32Array, and a candidate's hash is two Uint32Array reads (a Registered object is read only for the rare
 * candidate within the threshold). Measured in the classify stage with every post a new message, the
 * Map-of-lists index took about 15 % of the worker's CPU. Memory: 1 MiB of heads plus 24 bytes a narrative.
 */
export class BandIndex {
  /** Per band key (band · 2^16 + band value): the last entry added under it, or -1. */
  private readonly heads = new Int32Array(BAND_COUNT * BAND_VALUES).fill(-1);
  /** Per entry (slot · BAND_COUNT + band): the entry added before it under the same key, or -1. */
  private next = new Int32Array(BAND_COUNT * 1024);
  private his = new Uint32Array(1024);
  private los = new Uint32Array(1024);
  private items: Registered[] = [];

  get size(): number {
    return this.items.length;
  }

  add(narrative: Registered): void {
    const slot = this.items.length;
    if (slot === this.his.length) this.grow();
    this.items.push(narrative);
    const { hi, lo } = narrative.hash;
    this.his[slot] = hi;
    this.los[slot] = lo;
    for (let band = 0; band < BAND_COUNT; band++) {
      const key = band * BAND_VALUES + (band === 0 ? hi >>> 16 : band === 1 ? hi & 0xffff : band === 2 ? lo >>> 16 : lo & 0xffff);
      const entry = slot * BAND_COUNT + band;
      this.next[entry] = this.heads[key]!;
      this.heads[key] = entry;
    }
  }

  private grow(): void {
    const capacity = this.his.length * 2;
    const next = new Int32Array(BAND_COUNT * capacity);
    next.set(this.next);
    this.next = next;
    const his = new Uint32Array(capacity);
    his.set(this.his);
    this.his = his;
    const los = new Uint32Array(capacity);
    los.set(this.los);
    this.los = los;
  }

  /** Starts over with only `narratives`. */
  rebuild(narratives: Iterable<Registered>): void {
    this.heads.fill(-1);
    this.items = [];
    for (const n of narratives) this.add(n);
  }

  /** The oldest narrative within NARRATIVE_MAX_DISTANCE of `hash`, or undefined. */
  oldestWithin(hash: SimHash): Registered | undefined {
    const { hi, lo } = hash;
    const { heads, next, his, los, items } = this;
    let best: Registered | undefined;
    for (let band = 0; band < BAND_COUNT; band++) {
      const value = band === 0 ? hi >>> 16 : band === 1 ? hi & 0xffff : band === 2 ? lo >>> 16 : lo & 0xffff;
      // The band as is, then with each of its bits flipped (see transforms/narrative.ts for why).
      for (let flip = -1; flip < BAND_BITS; flip++) {
        const key = band * BAND_VALUES + (flip < 0 ? value : value ^ (1 << flip));
        for (let entry = heads[key]!; entry !== -1; entry = next[entry]!) {
          const slot = (entry / BAND_COUNT) | 0;
          if (popcount32((hi ^ his[slot]!) >>> 0) + popcount32((lo ^ los[slot]!) >>> 0) > NARRATIVE_MAX_DISTANCE) continue;
          const candidate = items[slot]!;
          if (best === undefined || older(candidate, best)) best = candidate;
        }
      }
    }
    return best;
  }
}

/**
 * This worker's copy of the registry. Reads only what was logged since its last sync (by any worker; its
 * own registrations it adds directly), then answers candidate lookups in memory.
 *
 * Memory: the narratives registered within `windowMs` (default 14 days), about 250 bytes each; older ones
 * are dropped at most once an hour (a post is no longer matched against them).
 */
export class NarrativeRegistryView {
  private readonly client: Client;
  private readonly prefix: string;
  private readonly windowMs: number;
  private readonly syncIntervalMs: number;
  /** "Now" for the window, the sync interval, pruning and the registration time of new narratives. */
  readonly clock: Clock;
  private readonly bands = new BandIndex();
  private readonly known = new Map<string, Registered>();
  /** Highest `_seq_no` read so far per log index (one shard each, so `_seq_no` orders its documents). */
  private readonly lastSeqNo = new Map<string, number>();
  private lastSyncMs = 0;
  private syncing: Promise<void> | undefined;
  private lastPruneMs: number;
  private static readonly PRUNE_EVERY_MS = 3_600_000;
  private batches = 0;
  /** Log documents re-read on every sync: a refresh can expose a write before one that started earlier. */
  private static readonly OVERLAP_DOCS = 20;
  private static readonly PAGE = 200;
  /** Marks this view's log documents: it knows them already and skips them when syncing. */
  readonly instanceId = `view-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

  constructor(client: Client, prefix: string, options: { windowMs?: number; syncIntervalMs?: number; clock?: Clock } = {}) {
    this.client = client;
    this.prefix = prefix;
    this.windowMs = options.windowMs ?? 14 * 86_400_000;
    this.syncIntervalMs = options.syncIntervalMs ?? 1_000;
    this.clock = options.clock ?? systemClock;
    this.lastPruneMs = this.clock();
  }

  get size(): number {
    return this.known.size;
  }

  /** Syncs when the last sync is older than the sync interval. */
  async syncIfDue(): Promise<void> {
    if (this.clock() - this.lastSyncMs >= this.syncIntervalMs) await this.sync();
    if (this.clock() - this.lastPruneMs >= NarrativeRegistryView.PRUNE_EVERY_MS) {
      this.prune();
      await this.deleteOldLogs();
    }
  }

  /** Deletes the log indices of months that ended before the window. Throws a PantauError (stage `indexing`). */
  async deleteOldLogs(nowMs = this.clock()): Promise<string[]> {
    const cutoff = nowMs - this.windowMs;
    const firstKept = narrativeLogIndex(this.prefix, cutoff);
    try {
      const existing = Object.keys(await this.client.indices.get({ index: `${this.prefix}-narrative-log-*`, allow_no_indices: true, ignore_unavailable: true }));
      // Month names sort in time order: the months before the window's first month are old.
      const old = existing.filter((name) => name < firstKept);
      if (old.length > 0) await this.client.indices.delete({ index: old, ignore_unavailable: true });
      for (const name of old) this.lastSeqNo.delete(name);
      return old;
    } catch (cause) {
      // A worker's least-privilege key may not delete indices: the old months stay (one small index each)
      // until `pantau retention` runs with the setup key. Nothing else depends on them being gone.
      if (httpStatusOf(cause) === 403) return [];
      throw esError('deleting old narrative logs', cause);
    }
  }

  /** Forgets the narratives registered before the window. */
  prune(nowMs = this.clock()): void {
    this.lastPruneMs = nowMs;
    const cutoff = nowMs - this.windowMs;
    let dropped = 0;
    for (const [id, n] of this.known) {
      if (n.createdMs < cutoff) {
        this.known.delete(id);
        dropped++;
      }
    }
    if (dropped > 0) this.bands.rebuild(this.known.values());
  }

  /**
   * Reads what other workers logged since the last sync (the whole window the first time). Concurrent
   * callers share one read; a failed read counts as no sync, so the next call tries again.
   */
  sync(): Promise<void> {
    this.syncing ??= this.readLog().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async readLog(): Promise<void> {
    const startedMs = this.clock();
    // A day past now too: another worker's clock may already be in the next month.
    for (const index of logIndicesBetween(this.prefix, startedMs - this.windowMs, startedMs + 86_400_000)) await this.readLogIndex(index, startedMs);
    this.lastSyncMs = startedMs;
  }

  private async readLogIndex(index: string, nowMs: number): Promise<void> {
    const filter: estypes.QueryDslQueryContainer[] = [{ range: { created_at: { gte: new Date(nowMs - this.windowMs).toISOString() } } }];
    const last = this.lastSeqNo.get(index);
    if (last !== undefined) filter.push({ range: { _seq_no: { gt: last - NarrativeRegistryView.OVERLAP_DOCS } } });
    let after: estypes.SortResults | undefined;
    for (;;) {
      let response;
      try {
        response = await this.client.search<NarrativeLogDoc>({
          index,
          ignore_unavailable: true,
          allow_no_indices: true,
          size: NarrativeRegistryView.PAGE,
          _source: ['created_at', 'simhashes'],
          query: { bool: { filter, must_not: [{ term: { registered_by: this.instanceId } }] } },
          sort: [{ _seq_no: { order: 'asc' } }],
          ...(after ? { search_after: after } : {}),
        });
      } catch (cause) {
        throw esError('narrative registry sync', cause);
      }
      for (const hit of response.hits.hits) {
        const doc = hit._source;
        const seqNo = hit.sort?.[0];
        if (typeof seqNo === 'number' && seqNo > (this.lastSeqNo.get(index) ?? -1)) this.lastSeqNo.set(index, seqNo);
        if (!doc) continue;
        const createdMs = Date.parse(doc.created_at);
        doc.simhashes.forEach((hex, rank) => {
          const hash = parseSimhashHex(hex);
          this.add({ id: narrativeIdFor(hash), hash, createdMs, rank });
        });
      }
      if (response.hits.hits.length < NarrativeRegistryView.PAGE) return;
      after = response.hits.hits.at(-1)!.sort;
    }
  }

  private assigning: Promise<unknown> = Promise.resolve();

  /**
   * Runs `work` once every assignment this view started before has finished. One worker consumes several
   * partitions at once: without this, two batches holding variants of one new message would each register
   * its own narrative (neither sees the other's until its registration is written), though one process
   * could have told them apart.
   */
  serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.assigning.then(work, work);
    this.assigning = run.catch(() => {});
    return run;
  }

  /** Adds a registration; when the id is known already (two workers, same text), the older one stands. */
  add(narrative: Registered): void {
    const existing = this.known.get(narrative.id);
    if (existing) {
      if (older(narrative, existing)) {
        existing.createdMs = narrative.createdMs;
        existing.rank = narrative.rank;
      }
      return;
    }
    const entry = { ...narrative };
    this.known.set(entry.id, entry);
    this.bands.add(entry);
  }

  /** The oldest known narrative within the threshold of `hash`, or undefined. */
  oldestWithin(hash: SimHash): Registered | undefined {
    return this.bands.oldestWithin(hash);
  }

  get(id: string): Readonly<Registered> | undefined {
    return this.known.get(id);
  }

  /** Logs new narratives (one document), then knows them. Throws a PantauError (stage `indexing`). */
  async register(narratives: readonly Registered[], createdAt: string): Promise<void> {
    const doc: NarrativeLogDoc = {
      batch_id: `${this.instanceId}-${++this.batches}`,
      created_at: createdAt,
      registered_by: this.instanceId,
      count: narratives.length,
      simhashes: narratives.map((n) => simhashHex(n.hash)),
    };
    try {
      // The batch id as _id: a retry after a lost answer overwrites instead of logging twice.
      await this.client.index({ index: narrativeLogIndex(this.prefix, Date.parse(createdAt)), id: doc.batch_id, document: doc });
    } catch (cause) {
      throw esError('registering narratives', cause);
    }
    for (const n of narratives) this.add(n);
  }
}

/**
 * SimHash → narrative id, least recently used first out. Safe to cache because the answer for a hash only
 * changes in the race the registry header describes.
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

export interface AssignOptions {
  /** Answers already known to this worker, so reposts and replays skip the registry. */
  cache?: NarrativeCache;
  /** Collects the ids of the posts that started a new narrative (their narrative has no other post yet). */
  started?: Set<string>;
}

/**
 * Gives each post the id of its narrative, registering new narratives as needed. Posts with too few content
 * words for a SimHash (see MIN_FEATURES) are left out of the map. Throws a PantauError (stage `indexing`,
 * retriable when Elasticsearch is unreachable or answers 429/5xx); nothing is half-assigned, a retry of the
 * whole batch is the recovery.
 */
export async function assignNarratives(view: NarrativeRegistryView, posts: readonly NarrativePost[], options: AssignOptions = {}): Promise<Map<string, string>> {
  const { cache } = options;
  const result = new Map<string, string>();
  const hashed: Array<{ post: NarrativePost; hash: SimHash; hex: string; createdMs: number }> = [];
  const seen = new Set<string>();
  for (const post of posts) {
    if (seen.has(post.id)) continue;
    seen.add(post.id);
    const hash = post.tokens ? tokensSimhash(post.tokens) : textSimhash(post.text);
    if (hash === null) continue;
    const hex = simhashHex(hash);
    const known = cache?.get(hex);
    if (known !== undefined) result.set(post.id, known);
    else hashed.push({ post, hash, hex, createdMs: Date.parse(post.created_at) });
  }
  if (hashed.length === 0) return result;
  return view.serialized(() => assignHashed(view, hashed, result, options));
}

async function assignHashed(
  view: NarrativeRegistryView,
  hashed: Array<{ post: NarrativePost; hash: SimHash; hex: string; createdMs: number }>,
  result: Map<string, string>,
  options: AssignOptions,
): Promise<Map<string, string>> {
  const { cache } = options;
  // A deterministic order, so the batch clusters the same way whoever processes it.
  hashed.sort((a, b) => a.createdMs - b.createdMs || (a.post.id < b.post.id ? -1 : a.post.id > b.post.id ? 1 : 0));
  await view.syncIfDue();
  const createdAt = new Date(view.clock()).toISOString();
  const createdMs = Date.parse(createdAt);
  const fresh: Registered[] = [];
  // This batch's new narratives share created_at and are in rank order, so the oldest within reach is the
  // first one found: a small batch scans their hashes, a large one (quadratic to scan) indexes them.
  const freshHi = new Uint32Array(hashed.length);
  const freshLo = new Uint32Array(hashed.length);
  const freshBands = hashed.length > FRESH_SCAN_MAX ? new BandIndex() : undefined;
  for (const { post, hash } of hashed) {
    let narrative = view.oldestWithin(hash);
    if (narrative === undefined && freshBands) narrative = freshBands.oldestWithin(hash);
    for (let i = 0; narrative === undefined && !freshBands && i < fresh.length; i++) {
      if (popcount32((hash.hi ^ freshHi[i]!) >>> 0) + popcount32((hash.lo ^ freshLo[i]!) >>> 0) <= NARRATIVE_MAX_DISTANCE) narrative = fresh[i];
    }
    if (narrative) {
      result.set(post.id, narrative.id);
      continue;
    }
    // Narratives this batch registers share created_at; the rank keeps their order for every reader.
    const id = narrativeIdFor(hash);
    const registered = { id, hash, createdMs, rank: fresh.length };
    freshHi[fresh.length] = hash.hi;
    freshLo[fresh.length] = hash.lo;
    fresh.push(registered);
    freshBands?.add(registered);
    options.started?.add(post.id);
    result.set(post.id, id);
  }
  if (fresh.length > 0) await view.register(fresh, createdAt);
  if (cache) for (const { post, hex } of hashed) cache.set(hex, result.get(post.id)!);
  return result;
}
