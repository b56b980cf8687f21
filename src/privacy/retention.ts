/**
 * The retention run: what pantau keeps of posts older than `privacy.retentionDays`, index by index.
 *
 *   posts-YYYY.MM      delete: a month whose posts are all old is deleted whole (one cheap call), the month
 *                      the cutoff falls in loses its old posts by delete_by_query; pseudonymise: old posts keep
 *                      text, scores and narrative, their author becomes its keyed pseudonym and `raw` is dropped
 *   alerts (ledger)    holds ids, flags and delivery status, no author: delete removes entries raised before
 *                      the cutoff; pseudonymise keeps them
 *   desk-clusters      the stored example posts (examples, counter_examples: author, text, url) older than the
 *                      cutoff: removed (delete) or their author pseudonymised; the cluster itself (claim,
 *                      summary, post ids, reach) is the desk's record of its work and stays
 *   desk-cases, desk-deliveries, narratives, audit
 *                      kept: they hold no author handles (cases: summary and lifecycle; deliveries: channel and
 *                      status; narratives: reach counts and a sample text; audit: analysts' decisions)
 *
 * Safe to run twice or concurrently: every step selects only what is still to do (old posts, authors not yet
 * pseudonymised) and writes back only documents unchanged since read, so a second run finds nothing. Only
 * core APIs are used (search, bulk, count): no delete_by_query / painless, which some clusters lack. The scheduled run takes a lock per day (see runRetention).
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { pseudonymiseAuthor } from '../core/pseudonymise.ts';
import type { ExamplePost } from '../desk/types.ts';
import { elasticsearchError, httpStatusOf } from '../store/elasticsearch-errors.ts';
import { alertsIndex, deskClustersIndex, postsAlias } from '../store/index-names.ts';
import type { PrivacyConfig, RetentionAction } from './config.ts';
import { dayKey, planPostsIndex, postsIndexMonth, retentionCutoff } from './retention-plan.ts';

/** Where runs are recorded, and the scheduled run's per-day lock (`_id` = `daily-YYYY-MM-DD`). */
export const retentionRunsIndex = (prefix: string) => `${prefix}-retention`;

/** Documents per search page and bulk request. */
const PAGE = 1_000;
/** How far before the last run's start `raw` is still looked for (see pseudonymiseOldPosts). */
const INDEXED_AT_MARGIN_MS = 86_400_000;

export interface RetentionSummary {
  action: RetentionAction;
  dryRun: boolean;
  retentionDays: number;
  /** Posts created before this instant were handled. */
  cutoff: string;
  startedAt: string;
  /** Set when the scheduled run found today's lock taken and did nothing. */
  skipped?: 'already_ran_today';
  posts: {
    /** Monthly indices deleted whole (or that would be). */
    indicesDeleted: string[];
    /** Posts in those indices. */
    postsInDeletedIndices: number;
    /** Posts deleted one by one (delete_by_query) in the month the cutoff falls in. */
    postsDeleted: number;
    /** Old posts whose author became a pseudonym. */
    authorsPseudonymised: number;
    /** Further old posts whose `raw` was dropped (the pseudonymised ones lose it too); dry run: old posts to look at. */
    rawDropped: number;
  };
  alerts: { deleted: number };
  desk: { clustersChanged: number; examplesRemoved: number; examplesPseudonymised: number };
  tookMs: number;
}

export interface RetentionOptions {
  es: Client;
  prefix: string;
  config: PrivacyConfig;
  /** The key in use; required for action `pseudonymise`. */
  authorKey: string | undefined;
  clock: Clock;
  logger: Logger;
  dryRun?: boolean;
  /** `daily`: the scheduled run, at most once per day (in `config.timezone`) across processes. */
  lock?: 'daily' | 'none';
  onProgress?: (line: string) => void;
}

const esError = (what: string, cause: unknown) => elasticsearchError('indexing', `retention: ${what} in Elasticsearch`, cause);

async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw esError(what, error);
  }
}

interface RunDoc {
  kind: 'daily' | 'manual';
  day: string;
  status: 'running' | 'done' | 'failed';
  action: RetentionAction;
  cutoff: string;
  started_at: string;
  finished_at?: string;
  error?: string;
  summary?: RetentionSummary;
}

/** Creates the day's lock; false when another process (or an earlier run today) has it. */
async function takeDailyLock(es: Client, prefix: string, doc: RunDoc): Promise<boolean> {
  try {
    await es.index({ index: retentionRunsIndex(prefix), id: `daily-${doc.day}`, op_type: 'create', document: doc, refresh: 'wait_for' });
    return true;
  } catch (error) {
    if (httpStatusOf(error) === 409) return false;
    throw esError('daily lock', error);
  }
}

/**
 * The last completed pseudonymising run: posts indexed before it started and created before its cutoff
 * were handled by it, so `raw` is only looked for in what came after (else every run would rescan every
 * post ever kept).
 */
async function lastCompletedPseudonymisation(es: Client, prefix: string): Promise<{ startedAt: string; cutoff: string } | null> {
  const r = await call('run history', () =>
    es.search<RunDoc>({
      index: retentionRunsIndex(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 1,
      sort: [{ started_at: 'desc' }],
      query: { bool: { filter: [{ term: { status: 'done' } }, { term: { action: 'pseudonymise' } }] } },
    }),
  );
  const doc = r.hits.hits[0]?._source;
  return doc ? { startedAt: doc.started_at, cutoff: doc.cutoff } : null;
}

async function count(es: Client, index: string, query: estypes.QueryDslQueryContainer): Promise<number> {
  const r = await call(`count in ${index}`, () => es.count({ index, ignore_unavailable: true, allow_no_indices: true, query }));
  return r.count;
}

const olderThan = (field: string, cutoffIso: string) => ({ range: { [field]: { lt: cutoffIso } } });

type BulkOp = { delete: { _index: string; _id: string } } | [{ index: { _index: string; _id: string; if_seq_no: number; if_primary_term: number } }, Record<string, unknown>];

/**
 * One bulk request; returns how many items succeeded. A 409 (the document changed meanwhile) is skipped:
 * the next page or the next run sees it again. Any other refused item fails the run.
 */
async function bulk(es: Client, what: string, ops: BulkOp[]): Promise<number> {
  if (ops.length === 0) return 0;
  const r = await call(what, () => es.bulk({ refresh: true, operations: ops.flatMap((op) => (Array.isArray(op) ? op : [op])) }));
  let ok = 0;
  for (const item of r.items) {
    const result = item.delete ?? item.index;
    if (result === undefined) continue;
    if (result.error === undefined || result.error === null) ok++;
    else if (result.status !== 409 && !(item.delete && result.status === 404)) {
      throw new PantauError(`retention: ${what} refused: ${result.status} ${result.error.type}: ${result.error.reason ?? ''}`, { stage: 'indexing', code: `retention_${result.status}`, retriable: result.status === 429 || result.status >= 500 });
    }
  }
  return ok;
}

/**
 * Deletes every document `query` matches in `index`, a page at a time (search, then bulk delete): the same
 * query finds what is left, so no cursor is kept. Done here rather than with delete_by_query so it works on
 * clusters without the reindex module (the local services run without it).
 */
/** Deletes a whole index; false when the credentials may not (403), any other failure throws. */
async function deleteIndexIfAllowed(es: Client, index: string): Promise<boolean> {
  try {
    await es.indices.delete({ index });
    return true;
  } catch (error) {
    if (httpStatusOf(error) === 403) return false;
    throw esError(`deleting ${index}`, error);
  }
}

async function deleteMatching(es: Client, index: string, query: estypes.QueryDslQueryContainer, what: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const r = await call(what, () => es.search({ index, ignore_unavailable: true, allow_no_indices: true, size: PAGE, _source: false, query }));
    const hits = r.hits.hits;
    if (hits.length === 0) return deleted;
    const n = await bulk(es, what, hits.map((h) => ({ delete: { _index: h._index, _id: h._id! } })));
    deleted += n;
    if (n === 0) return deleted; // nothing moved (all conflicts): the next run takes the rest
  }
}

/** The post as it is written back under retention: `raw` dropped, the author pseudonymised unless it is already. */
function retainedPost(source: Record<string, unknown>, key: string): Record<string, unknown> {
  const { raw: _raw, ...rest } = source;
  const author = rest.author;
  // A blank author becomes null, so it no longer matches "author not yet pseudonymised".
  if (typeof author === 'string') rest.author = author.trim() === '' ? null : author.startsWith('anon:') ? author : pseudonymiseAuthor(author, key);
  return rest;
}

const rewrite = (h: estypes.SearchHit<Record<string, unknown>>, key: string): BulkOp => [
  { index: { _index: h._index, _id: h._id!, if_seq_no: h._seq_no!, if_primary_term: h._primary_term! } },
  retainedPost(h._source!, key),
];

async function deleteOldPosts(o: RetentionOptions, cutoffMs: number, summary: RetentionSummary): Promise<void> {
  const { es, prefix } = o;
  const cutoffIso = new Date(cutoffMs).toISOString();
  const found = await call('posts index list', () => es.indices.get({ index: `${prefix}-posts-*`, ignore_unavailable: true, allow_no_indices: true }));
  const indices = Object.keys(found)
    .map((index) => ({ index, month: postsIndexMonth(index, prefix) }))
    .filter((x): x is { index: string; month: { start: number; end: number } } => x.month !== null)
    .sort((a, b) => a.month.start - b.month.start);
  for (const { index, month } of indices) {
    const plan = planPostsIndex(month, cutoffMs);
    if (plan === 'keep') continue;
    // A whole month is deleted only if no newer post strayed into it (a post is indexed by its created_at month).
    if (plan === 'whole' && (await count(es, index, { range: { created_at: { gte: cutoffIso } } })) === 0) {
      const posts = await count(es, index, { match_all: {} });
      if (o.dryRun || (await deleteIndexIfAllowed(es, index))) {
        summary.posts.indicesDeleted.push(index);
        summary.posts.postsInDeletedIndices += posts;
        o.onProgress?.(`retention: ${o.dryRun ? 'would delete' : 'deleted'} index ${index} (${posts} posts)`);
        continue;
      }
      // A worker's least-privilege key may not delete indices: its posts go one by one instead (below), and
      // the empty index stays until retention runs with the setup key.
      o.onProgress?.(`retention: these credentials may not delete index ${index}; deleting its ${posts} posts one by one`);
    }
    const query = olderThan('created_at', cutoffIso);
    const n = o.dryRun ? await count(es, index, query) : await deleteMatching(es, index, query, `deleting old posts in ${index}`);
    summary.posts.postsDeleted += n;
    o.onProgress?.(`retention: ${o.dryRun ? 'would delete' : 'deleted'} ${n} old posts in ${index}`);
  }
}

async function pseudonymiseOldPosts(o: RetentionOptions, key: string, cutoffMs: number, summary: RetentionSummary): Promise<void> {
  const { es, prefix } = o;
  const index = postsAlias(prefix);
  const cutoffIso = new Date(cutoffMs).toISOString();
  const notYet = { bool: { filter: [olderThan('created_at', cutoffIso), { exists: { field: 'author' } }], must_not: [{ prefix: { author: 'anon:' } }] } };
  if (o.dryRun) {
    summary.posts.authorsPseudonymised = await count(es, index, notYet);
  } else {
    // Painless may be missing (and has no HMAC): posts are read a page at a time, rewritten here and written
    // back only if unchanged since read. The same query finds what is left, so no cursor is kept.
    for (;;) {
      const r = await call('old posts', () => es.search<Record<string, unknown>>({ index, ignore_unavailable: true, allow_no_indices: true, size: PAGE, seq_no_primary_term: true, query: notYet }));
      if (r.hits.hits.length === 0) break;
      const n = await bulk(es, 'pseudonymising old posts', r.hits.hits.map((h) => rewrite(h, key)));
      summary.posts.authorsPseudonymised += n;
      o.onProgress?.(`retention: ${summary.posts.authorsPseudonymised} old posts pseudonymised`);
      if (n === 0) break; // nothing moved (all conflicts): the next run takes the rest
    }
  }
  // `raw` is not indexed (it cannot be queried), so it is looked for in every old post that arrived or aged
  // since the last completed run; authors already pseudonymised at the source are covered here.
  const last = await lastCompletedPseudonymisation(es, prefix);
  const window: estypes.QueryDslQueryContainer[] = [olderThan('created_at', cutoffIso)];
  if (last !== null) {
    window.push({
      bool: {
        // indexed_at comes from the index workers' clocks: a day of margin for machines whose clocks differ.
        should: [
          { range: { created_at: { gte: last.cutoff } } },
          { range: { indexed_at: { gte: new Date(Date.parse(last.startedAt) - INDEXED_AT_MARGIN_MS).toISOString() } } },
          { bool: { must_not: [{ exists: { field: 'indexed_at' } }] } },
        ],
        minimum_should_match: 1,
      },
    });
  }
  const query = { bool: { filter: window } };
  if (o.dryRun) {
    summary.posts.rawDropped = await count(es, index, query);
    return;
  }
  // Rewriting a post does not move it in this order, so search_after walks the window once.
  let after: estypes.SortResults | undefined;
  for (;;) {
    const r = await call('old posts with raw', () =>
      es.search<Record<string, unknown>>({
        index,
        ignore_unavailable: true,
        allow_no_indices: true,
        size: PAGE,
        seq_no_primary_term: true,
        query,
        sort: [{ created_at: 'asc' }, { id: 'asc' }],
        ...(after ? { search_after: after } : {}),
      }),
    );
    const hits = r.hits.hits;
    if (hits.length === 0) break;
    after = hits[hits.length - 1]!.sort;
    summary.posts.rawDropped += await bulk(es, 'dropping raw from old posts', hits.filter((h) => h._source !== undefined && 'raw' in h._source).map((h) => rewrite(h, key)));
  }
}

async function handleAlerts(o: RetentionOptions, cutoffMs: number, summary: RetentionSummary): Promise<void> {
  if (o.config.action !== 'delete') return;
  const index = alertsIndex(o.prefix);
  const query = olderThan('raised_at', new Date(cutoffMs).toISOString());
  summary.alerts.deleted = o.dryRun ? await count(o.es, index, query) : await deleteMatching(o.es, index, query, 'deleting old alert-ledger entries');
}

type ExampleFields = { examples?: ExamplePost[]; counter_examples?: ExamplePost[] };

/** The cluster's examples after retention, and what changed; null when nothing does. */
export function retainExamples(doc: ExampleFields, action: RetentionAction, cutoffMs: number, key: string | undefined): { doc: Required<ExampleFields>; removed: number; pseudonymised: number } | null {
  let removed = 0;
  let pseudonymised = 0;
  const apply = (list: ExamplePost[] = []) =>
    list.flatMap((e) => {
      if (!(Date.parse(e.created_at) < cutoffMs)) return [e];
      if (action === 'delete') {
        removed++;
        return [];
      }
      if (e.author === null || e.author.startsWith('anon:')) return [e];
      pseudonymised++;
      return [{ ...e, author: pseudonymiseAuthor(e.author, key) }];
    });
  const next = { examples: apply(doc.examples), counter_examples: apply(doc.counter_examples) };
  return removed + pseudonymised === 0 ? null : { doc: next, removed, pseudonymised };
}

/**
 * The desk's stored examples. `examples` is not indexed, so every cluster is read (a few fields, a page at a
 * time): clusters are one per claim or narrative group the desk alerted on, far fewer than posts.
 */
async function handleDeskExamples(o: RetentionOptions, cutoffMs: number, summary: RetentionSummary): Promise<void> {
  const index = deskClustersIndex(o.prefix);
  let after: unknown[] | undefined;
  for (;;) {
    const r = await call('desk clusters', () =>
      o.es.search<ExampleFields>({
        index,
        ignore_unavailable: true,
        allow_no_indices: true,
        size: 500,
        seq_no_primary_term: true,
        _source: ['examples', 'counter_examples'],
        sort: [{ cluster_id: 'asc' }],
        ...(after ? { search_after: after } : {}),
      }),
    );
    const hits = r.hits.hits;
    if (hits.length === 0) break;
    after = hits[hits.length - 1]!.sort;
    for (const hit of hits) {
      let source = hit._source ?? {};
      let version = { if_seq_no: hit._seq_no!, if_primary_term: hit._primary_term! };
      // A desk worker may update the cluster meanwhile: re-read and try again (a few times, then the next run).
      for (let attempt = 1; attempt <= 3; attempt++) {
        const next = retainExamples(source, o.config.action, cutoffMs, o.authorKey);
        if (next === null) break;
        if (o.dryRun) {
          summary.desk.clustersChanged++;
          summary.desk.examplesRemoved += next.removed;
          summary.desk.examplesPseudonymised += next.pseudonymised;
          break;
        }
        try {
          await o.es.update({ index, id: hit._id!, doc: next.doc, ...version });
          summary.desk.clustersChanged++;
          summary.desk.examplesRemoved += next.removed;
          summary.desk.examplesPseudonymised += next.pseudonymised;
          break;
        } catch (error) {
          if (httpStatusOf(error) !== 409 || attempt === 3) {
            if (httpStatusOf(error) === 409) o.logger.warn('desk cluster kept changing; its examples wait for the next retention run', { cluster: hit._id });
            else throw esError('desk cluster update', error);
            break;
          }
          const fresh = await call('desk cluster read', () => o.es.get<ExampleFields>({ index, id: hit._id!, _source: ['examples', 'counter_examples'] }));
          source = fresh._source ?? {};
          version = { if_seq_no: fresh._seq_no!, if_primary_term: fresh._primary_term! };
        }
      }
    }
  }
}

/**
 * One retention run. With `lock: 'daily'` it first creates the day's run document with op_type=create:
 * whichever process creates it runs, the others return a summary with `skipped` (the day is `config.timezone`'s).
 * A run that fails leaves its document `failed`; the next day's run redoes what is left. Dry runs change
 * nothing and record nothing. Throws a PantauError (stage `config` for a pseudonymising run without a key,
 * else from Elasticsearch, retriable when it is unreachable or overloaded).
 */
export async function runRetention(o: RetentionOptions): Promise<RetentionSummary> {
  const started = performance.now();
  const nowMs = o.clock();
  const cutoffMs = retentionCutoff(nowMs, o.config.retentionDays);
  const summary: RetentionSummary = {
    action: o.config.action,
    dryRun: o.dryRun ?? false,
    retentionDays: o.config.retentionDays,
    cutoff: new Date(cutoffMs).toISOString(),
    startedAt: isoNow(o.clock),
    posts: { indicesDeleted: [], postsInDeletedIndices: 0, postsDeleted: 0, authorsPseudonymised: 0, rawDropped: 0 },
    alerts: { deleted: 0 },
    desk: { clustersChanged: 0, examplesRemoved: 0, examplesPseudonymised: 0 },
    tookMs: 0,
  };
  if (o.config.action === 'pseudonymise' && !o.authorKey) {
    throw new PantauError('retention action "pseudonymise" needs an author key, and pseudonyms are off here (PANTAU_AUTHOR_PSEUDONYMS=off or the demo); set PANTAU_AUTHOR_KEY or use action "delete"', {
      stage: 'config',
      code: 'author_key_missing',
      retriable: false,
    });
  }
  const day = dayKey(nowMs, o.config.timezone);
  const run: RunDoc = { kind: o.lock === 'daily' ? 'daily' : 'manual', day, status: 'running', action: o.config.action, cutoff: summary.cutoff, started_at: summary.startedAt };
  const runId = o.lock === 'daily' ? `daily-${day}` : `manual-${summary.startedAt}-${process.pid}`;
  if (!o.dryRun && o.lock === 'daily' && !(await takeDailyLock(o.es, o.prefix, run))) {
    summary.skipped = 'already_ran_today';
    summary.tookMs = Math.round(performance.now() - started);
    return summary;
  }
  const record = async (doc: Partial<RunDoc>) => {
    if (o.dryRun) return;
    await call('run record', () => o.es.index({ index: retentionRunsIndex(o.prefix), id: runId, document: { ...run, ...doc }, refresh: 'wait_for' }));
  };
  try {
    if (o.config.action === 'delete') await deleteOldPosts(o, cutoffMs, summary);
    else await pseudonymiseOldPosts(o, o.authorKey!, cutoffMs, summary);
    await handleAlerts(o, cutoffMs, summary);
    await handleDeskExamples(o, cutoffMs, summary);
  } catch (error) {
    await record({ status: 'failed', finished_at: isoNow(o.clock), error: (error as Error).message }).catch(() => {});
    throw error;
  }
  summary.tookMs = Math.round(performance.now() - started);
  await record({ status: 'done', finished_at: isoNow(o.clock), summary });
  return summary;
}

/** The summary as the lines `pantau retention` prints. */
export function formatRetentionSummary(s: RetentionSummary): string[] {
  if (s.skipped) return [`retention: already ran today (the daily lock is taken); nothing done`];
  const verb = s.dryRun ? 'would ' : '';
  const lines = [`retention ${s.dryRun ? '(dry run) ' : ''}${s.action}: posts created before ${s.cutoff} (${s.retentionDays} days)`];
  if (s.action === 'delete') {
    lines.push(
      `posts: ${verb}delete ${s.posts.indicesDeleted.length} monthly indices whole (${s.posts.postsInDeletedIndices} posts${s.posts.indicesDeleted.length > 0 ? `: ${s.posts.indicesDeleted.join(', ')}` : ''}) and ${s.posts.postsDeleted} posts one by one`,
      `alerts ledger: ${verb}delete ${s.alerts.deleted} entries`,
      `desk: ${verb}remove ${s.desk.examplesRemoved} example posts from ${s.desk.clustersChanged} clusters`,
    );
  } else {
    lines.push(
      `posts: ${verb}pseudonymise the author of ${s.posts.authorsPseudonymised} posts and drop their raw; ${s.dryRun ? `${s.posts.rawDropped} old posts to drop raw from` : `raw dropped from ${s.posts.rawDropped} more`}`,
      `alerts ledger: kept (no authors in it)`,
      `desk: ${verb}pseudonymise ${s.desk.examplesPseudonymised} example posts in ${s.desk.clustersChanged} clusters`,
    );
  }
  lines.push(`kept: desk cases, deliveries, narratives and the audit log (no author handles in them); took ${(s.tookMs / 1000).toFixed(1)} s`);
  return lines;
}
