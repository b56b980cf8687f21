/**
 * The desk's documents in Elasticsearch (templates in pipelines/elasticsearch/desk-*.template.json):
 *
 * - clusters (`_id` = cluster id): narratives that carry one claim, their examples, labels and counter posts;
 * - cases (`_id` = `<cluster>~<unit>`): created with op_type=create, so however many workers and replays see
 *   a cluster, a unit is alerted once; then its lifecycle and audit trail;
 * - deliveries: one document per message and channel, the delivery log.
 *
 * Updates use optimistic concurrency (seq_no / primary_term): a conflict is a retriable error, and the batch
 * that hit it is retried with fresh documents.
 */
import type { Client } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import type { DeliveryRecord } from '../desk/channels/deliver.ts';
import type { AlertKind, CaseStatus, ExamplePost, MatchedClarification } from '../desk/types.ts';
import { totalHits } from './queries.ts';
import { elasticsearchError, httpStatusOf } from './elasticsearch-errors.ts';
import { deskCasesIndex, deskClustersIndex, deskDeliveriesIndex } from './index-names.ts';

export interface ClusterDoc {
  cluster_id: string;
  claim_id: string | null;
  narratives: string[];
  /** Text of the cluster's first narrative: what later narratives are compared with. */
  representative: string;
  summary: string;
  labels: string[];
  regions: string[];
  institutions: string[];
  topics: string[];
  /** Up to 5 flagged posts, most reach first. */
  examples: ExamplePost[];
  clarification: MatchedClarification | null;
  /** Flagged posts the desk saw (the last 500), and their engagement when seen: reach until the index has them. */
  post_ids: string[];
  known_engagement: number;
  /** Posts that answered the claim (trusted publishers, debunks), the last 500, and the 5 with most reach. */
  counter_post_ids: string[];
  counter_examples: ExamplePost[];
  first_counter_at: string | null;
  first_seen: string;
  last_seen: string;
  updated_at: string;
}

export interface CaseEvent {
  at: string;
  event: 'opened' | 'alerted' | 'held' | 'escalated' | 'digest' | CaseStatus;
  via: 'desk' | 'link' | 'api';
  /** Who did it through the API (username or token:<id>); absent for the desk itself and for alert links. */
  by?: string;
  note?: string;
}

export interface CaseDoc {
  case_id: string;
  cluster_id: string;
  unit_id: string;
  status: CaseStatus;
  labels: string[];
  summary: string;
  /** BPS province codes where the cluster's narratives were seen (absent on cases opened before template v3). */
  provinces?: string[];
  opened_at: string;
  acknowledged_at: string | null;
  countered_at: string | null;
  closed_at: string | null;
  counter_url: string | null;
  seconds_to_acknowledge: number | null;
  seconds_to_counter: number | null;
  escalations: number;
  /** Cluster engagement when the unit was last alerted: an escalation goes out when it grows by the unit's factor. */
  alerted_engagement: number;
  /** When the unit was last alerted (new or escalation): escalations wait `desk.escalationMinIntervalMs` after it. */
  last_alerted_at: string | null;
  alerts_sent: number;
  /** Set while a message waits for the end of the unit's quiet hours. */
  held_until: string | null;
  held_kind: Exclude<AlertKind, 'digest'> | null;
  history: CaseEvent[];
}

export interface Versioned<T> {
  doc: T;
  seqNo: number;
  primaryTerm: number;
}

export const caseIdOf = (clusterId: string, unitId: string) => `${clusterId}~${unitId}`;

const deskError = (what: string, cause: unknown) => elasticsearchError('alerting', `desk ${what} in Elasticsearch`, cause);

function conflict(what: string): PantauError {
  return new PantauError(`desk ${what} changed while it was being updated; retrying the batch`, { stage: 'alerting', code: 'desk_conflict', retriable: true });
}

async function getMany<T>(es: Client, index: string, ids: readonly string[]): Promise<Map<string, Versioned<T>>> {
  const found = new Map<string, Versioned<T>>();
  if (ids.length === 0) return found;
  let r;
  try {
    r = await es.mget<T>({ index, ids: [...ids] });
  } catch (error) {
    if (httpStatusOf(error) === 404) return found;
    throw deskError('read', error);
  }
  for (const d of r.docs) {
    if ('found' in d && d.found && d._source !== undefined) found.set(d._id, { doc: d._source, seqNo: d._seq_no!, primaryTerm: d._primary_term! });
  }
  return found;
}

export const getClusters = (es: Client, prefix: string, ids: readonly string[]) => getMany<ClusterDoc>(es, deskClustersIndex(prefix), ids);
export const getCases = (es: Client, prefix: string, ids: readonly string[]) => getMany<CaseDoc>(es, deskCasesIndex(prefix), ids);

/** The clusters holding any of `narratives`, by narrative id. */
export async function clustersOfNarratives(es: Client, prefix: string, narratives: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (narratives.length === 0) return out;
  let r;
  try {
    r = await es.search<Pick<ClusterDoc, 'cluster_id' | 'narratives'>>({
      index: deskClustersIndex(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: Math.min(10_000, narratives.length),
      _source: ['cluster_id', 'narratives'],
      query: { terms: { narratives: [...narratives] } },
    });
  } catch (error) {
    throw deskError('cluster lookup', error);
  }
  const wanted = new Set(narratives);
  for (const hit of r.hits.hits) for (const n of hit._source?.narratives ?? []) if (wanted.has(n)) out.set(n, hit._source!.cluster_id);
  return out;
}

/** Clusters without a matched claim seen since `sinceIso`, newest first: what a new narrative may join. */
export async function recentUnmatchedClusters(es: Client, prefix: string, sinceIso: string, size = 5_000): Promise<Array<Pick<ClusterDoc, 'cluster_id' | 'representative'>>> {
  try {
    const r = await es.search<Pick<ClusterDoc, 'cluster_id' | 'representative'>>({
      index: deskClustersIndex(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size,
      _source: ['cluster_id', 'representative'],
      sort: [{ last_seen: 'desc' }],
      query: { bool: { must_not: [{ exists: { field: 'claim_id' } }], filter: [{ range: { last_seen: { gte: sinceIso } } }] } },
    });
    return r.hits.hits.map((h) => h._source!).filter((s) => s !== undefined);
  } catch (error) {
    throw deskError('cluster list', error);
  }
}

/** Writes a cluster: created when `version` is undefined, else only if unchanged since it was read. */
export async function putCluster(es: Client, prefix: string, doc: ClusterDoc, version?: Versioned<ClusterDoc>): Promise<void> {
  try {
    await es.index({
      index: deskClustersIndex(prefix),
      id: doc.cluster_id,
      document: doc,
      ...(version === undefined ? { op_type: 'create' as const } : { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm }),
    });
  } catch (error) {
    if (httpStatusOf(error) === 409) throw conflict(`cluster ${doc.cluster_id}`);
    throw deskError('cluster write', error);
  }
}

/** Creates a case; false when it exists already (another worker or an earlier run opened it). */
export async function createCase(es: Client, prefix: string, doc: CaseDoc): Promise<boolean> {
  try {
    await es.index({ index: deskCasesIndex(prefix), id: doc.case_id, document: doc, op_type: 'create' });
    return true;
  } catch (error) {
    if (httpStatusOf(error) === 409) return false;
    throw deskError('case write', error);
  }
}

/** Writes a case read before; throws a retriable conflict error when someone changed it meanwhile. */
export async function putCase(es: Client, prefix: string, doc: CaseDoc, version: Versioned<CaseDoc>): Promise<Versioned<CaseDoc>> {
  try {
    const r = await es.index({ index: deskCasesIndex(prefix), id: doc.case_id, document: doc, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm });
    return { doc, seqNo: r._seq_no!, primaryTerm: r._primary_term! };
  } catch (error) {
    if (httpStatusOf(error) === 409) throw conflict(`case ${doc.case_id}`);
    throw deskError('case write', error);
  }
}

export interface CaseQuery {
  unit?: string;
  status?: CaseStatus;
  cluster?: string;
  /** Cases holding a message whose quiet hours ended by this instant. */
  heldBefore?: string;
  page?: number;
  size?: number;
}

/** Makes the latest case writes searchable (the desk's timers and digests search; the stream only reads by id). */
export async function refreshCases(es: Client, prefix: string): Promise<void> {
  try {
    await es.indices.refresh({ index: deskCasesIndex(prefix), ignore_unavailable: true, allow_no_indices: true });
  } catch (error) {
    throw deskError('case refresh', error);
  }
}

export async function searchCases(es: Client, prefix: string, q: CaseQuery): Promise<{ total: number; cases: Array<Versioned<CaseDoc>> }> {
  const filter: object[] = [];
  if (q.unit !== undefined) filter.push({ term: { unit_id: q.unit } });
  if (q.status !== undefined) filter.push({ term: { status: q.status } });
  if (q.cluster !== undefined) filter.push({ term: { cluster_id: q.cluster } });
  if (q.heldBefore !== undefined) filter.push({ range: { held_until: { lte: q.heldBefore } } });
  const size = q.size ?? 100;
  try {
    const r = await es.search<CaseDoc>({
      index: deskCasesIndex(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      from: ((q.page ?? 1) - 1) * size,
      size,
      seq_no_primary_term: true,
      track_total_hits: true,
      sort: [{ opened_at: 'desc' }, { case_id: 'asc' }],
      query: { bool: { filter } },
    });
    const total = totalHits(r);
    return { total, cases: r.hits.hits.map((h) => ({ doc: h._source!, seqNo: h._seq_no!, primaryTerm: h._primary_term! })) };
  } catch (error) {
    throw deskError('case search', error);
  }
}

export interface DeliveryLogEntry extends DeliveryRecord {
  case_id: string;
  unit_id: string;
  kind: AlertKind;
}

/** Appends to the delivery log; `_id` = message id + channel index, so a retried batch overwrites, never doubles. */
export async function logDeliveries(es: Client, prefix: string, entries: ReadonlyArray<DeliveryLogEntry & { channelIndex: number }>): Promise<void> {
  if (entries.length === 0) return;
  try {
    const r = await es.bulk({
      operations: entries.flatMap(({ channelIndex, ...e }) => [{ index: { _index: deskDeliveriesIndex(prefix), _id: `${e.message_id}#${channelIndex}` } }, e]),
    });
    const failed = r.items.find((i) => i.index?.error);
    if (failed) throw new Error(`${failed.index!.status} ${failed.index!.error!.type}: ${failed.index!.error!.reason ?? ''}`);
  } catch (error) {
    throw deskError('delivery log', error);
  }
}

export async function deliveriesOfCase(es: Client, prefix: string, caseId: string): Promise<DeliveryLogEntry[]> {
  try {
    const r = await es.search<DeliveryLogEntry>({
      index: deskDeliveriesIndex(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 200,
      sort: [{ at: 'asc' }],
      query: { term: { case_id: caseId } },
    });
    return r.hits.hits.map((h) => h._source!);
  } catch (error) {
    throw deskError('delivery log', error);
  }
}
