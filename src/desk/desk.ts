/**
 * The counter-narrative desk: flagged posts in, one answered case per claim and unit out.
 *
 *   alerts (flagged and counter posts)
 *     → claim cluster (matched claim, else a recent cluster it rewrites, else its own narrative)
 *     → cluster document (examples, labels, counter posts, the matched clarification) + reach from the posts index
 *     → routing (desk/routing.ts): the units that answer it
 *     → one case per cluster and unit, created once (store/desk-store.ts) → alert, or held for quiet hours
 *     → escalation when the reach grew by the unit's factor; a daily digest (desk-stage.ts schedules it)
 *     → channels (desk/channels/), every delivery in the delivery log
 *
 * Claim clusters: narratives that repeat one knowledge-base claim join that claim's cluster, whatever their
 * words. A narrative without a match joins a recent unmatched cluster it nearly repeats or that carries the same
 * claim (desk/cluster-join.ts). Clusters never merge afterwards.
 */
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { deskEvents } from '../core/metrics.ts';
import type { Alert } from '../core/post.ts';
import type { HumasUnit, HumasUnitsConfig } from '../config/humas-units.ts';
import type { ClarificationDoc } from '../kb/entry.ts';
import type { ClaimMatcher } from '../match/matcher.ts';
import { elasticsearchError, httpStatusOf } from '../store/elasticsearch-errors.ts';
import {
  caseIdOf,
  clustersOfNarratives,
  createCase,
  getCases,
  getClusters,
  logDeliveries,
  putCase,
  putCluster,
  recentUnmatchedClusters,
  refreshCases,
  searchCases,
  type CaseDoc,
  type ClusterDoc,
  type DeliveryLogEntry,
  type Versioned,
} from '../store/desk-store.ts';
import { clarificationsIndex, deskDeliveriesIndex } from '../store/index-names.ts';
import { ClusterJoiner } from './cluster-join.ts';
import { narrativeSentence, renderCaseMessage, renderDigest, shouldSendDigest } from './alert-text.ts';
import { deliver } from './channels/deliver.ts';
import type { Channel } from './channels/index.ts';
import type { RateLimiter } from './channels/rate-limit.ts';
import { caseLinks, newCase } from './lifecycle.ts';
import { clusterReach, postEngagement } from './reach.ts';
import { provincesOf } from '../store/post-derived-fields.ts';
import { createInstitutionDetector, isQuietHours, quietHoursEnd, shouldEscalate, unitsFor } from './routing.ts';
import type { CaseContent, ChannelMessage, ExamplePost, MatchedClarification, NarrativeCase } from './types.ts';

const MAX_EXAMPLES = 5;
const MAX_POST_IDS = 500;
const DAY_MS = 86_400_000;

export interface UnitChannel {
  channel: Channel;
  limiter: RateLimiter;
}

export interface DeskOptions {
  es: Client;
  prefix: string;
  units: HumasUnitsConfig;
  /** The channels of each unit, by unit id (made once at start-up from the units file). */
  channels: ReadonlyMap<string, readonly UnitChannel[]>;
  /** For the same-claim decision between unmatched narratives; without it only near-duplicates join. */
  matcher?: ClaimMatcher;
  clock: Clock;
  logger: Logger;
  links: { baseUrl: string; secret: string; ttlHours: number };
  delivery: { maxAttempts: number; retryBaseMs: number };
  /** How far back an unmatched cluster may be joined. */
  clusterWindowDays: number;
  nearDuplicateJaccard: number;
  /** Least time between two messages to a unit about one case (an escalation waits for it). */
  escalationMinIntervalMs: number;
}

export interface DeskStats {
  clusters: number;
  casesOpened: number;
  alertsSent: number;
  escalations: number;
  held: number;
}

const union = <T>(a: readonly T[], b: readonly T[]): T[] => [...new Set([...a, ...b])];

function exampleOf(alert: Alert): ExamplePost {
  return { id: alert.post_id, text: alert.text, url: alert.url, platform: alert.platform, author: alert.author, created_at: alert.created_at, reach: postEngagement(alert.engagement) };
}

/** Adds examples, keeps the `MAX_EXAMPLES` with most reach (ties: older first), one per post. */
export function mergeExamples(current: readonly ExamplePost[], extra: readonly ExamplePost[]): ExamplePost[] {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const e of extra) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.reach - a.reach || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id)).slice(0, MAX_EXAMPLES);
}

export function toMatched(doc: ClarificationDoc, probability: number): MatchedClarification {
  return {
    id: doc.claim_key,
    claim: doc.claim,
    verdict: doc.verdict,
    explanation: doc.explanation ?? null,
    url: doc.url ?? null,
    publisher: doc.publisher ?? null,
    published_at: doc.published_at ?? null,
    probability,
  };
}

/** The cluster of a narrative that repeats a knowledge-base claim. */
export const claimClusterId = (claimId: string) => `claim-${claimId.slice(0, 20)}`;

export class Desk {
  private readonly o: DeskOptions;
  private readonly detectInstitutions: (text: string) => string[];
  private readonly unitsById: Map<string, HumasUnit>;
  /** Narrative → cluster, as decided here or read from Elasticsearch. */
  private readonly clusterOfNarrative = new Map<string, string>();
  /** Recent unmatched clusters a new narrative may join. */
  private readonly joiner: ClusterJoiner;
  private recentLoaded = false;
  /** One batch, release or digest at a time: they read and write the same cases. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Messages on their way to channels. */
  private readonly deliveries = new Set<Promise<void>>();

  constructor(options: DeskOptions) {
    this.o = options;
    this.detectInstitutions = createInstitutionDetector(options.units.units);
    this.unitsById = new Map(options.units.units.map((u) => [u.id, u]));
    this.joiner = new ClusterJoiner({ nearDuplicateJaccard: options.nearDuplicateJaccard, ...(options.matcher ? { matcher: options.matcher } : {}) });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  handle(alerts: readonly Alert[]): Promise<DeskStats> {
    return this.serial(() => this.handleNow(alerts));
  }

  /** Sends what waited for quiet hours to end. */
  releaseHeld(): Promise<number> {
    return this.serial(() => this.releaseNow());
  }

  /** Sends the unit's digest of open cases (once per unit and day, whichever worker gets there first). */
  sendDigest(unitId: string): Promise<boolean> {
    return this.serial(() => this.digestNow(unitId));
  }

  // ---------------------------------------------------------------------------------------------------
  // Clusters

  private async loadRecent(): Promise<void> {
    if (this.recentLoaded) return;
    const since = new Date(this.o.clock() - this.o.clusterWindowDays * DAY_MS).toISOString();
    for (const d of (await recentUnmatchedClusters(this.o.es, this.o.prefix, since)).reverse()) this.joiner.add(d.cluster_id, d.representative);
    this.recentLoaded = true;
  }

  /** Cluster of each narrative of the batch (alerts grouped by narrative; posts without one are their own). */
  private async assignClusters(byNarrative: Map<string, Alert[]>): Promise<Map<string, string>> {
    const unknown = [...byNarrative.keys()].filter((n) => !this.clusterOfNarrative.has(n));
    if (unknown.length > 0) {
      for (const [n, c] of await clustersOfNarratives(this.o.es, this.o.prefix, unknown)) this.clusterOfNarrative.set(n, c);
    }
    await this.loadRecent();
    const out = new Map<string, string>();
    for (const [narrative, alerts] of byNarrative) {
      const claim = alerts.find((a) => a.claim !== null)?.claim;
      const known = this.clusterOfNarrative.get(narrative);
      let cluster: string;
      if (claim) cluster = claimClusterId(claim.id);
      else if (known !== undefined) cluster = known;
      else {
        const text = alerts.find((a) => a.kind === 'flag')?.text ?? alerts[0]!.text;
        const joined = this.joiner.join(text);
        cluster = joined ?? `c-${narrative}`;
        if (joined === null) this.joiner.add(cluster, text);
      }
      this.clusterOfNarrative.set(narrative, cluster);
      out.set(narrative, cluster);
    }
    return out;
  }

  private async clarification(claimId: string, probability: number): Promise<{ matched: MatchedClarification; topics: string[] } | null> {
    try {
      const r = await this.o.es.get<ClarificationDoc>({ index: clarificationsIndex(this.o.prefix), id: claimId });
      return r._source ? { matched: toMatched(r._source, probability), topics: r._source.topics ?? [] } : null;
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw elasticsearchError('alerting', 'knowledge base of clarifications', error);
    }
  }

  /** The cluster document after this batch's alerts. */
  private async mergeCluster(id: string, current: Versioned<ClusterDoc> | undefined, alerts: readonly Alert[], narratives: readonly string[]): Promise<ClusterDoc> {
    const now = isoNow(this.o.clock);
    const flagged = alerts.filter((a) => a.kind !== 'counter');
    const counter = alerts.filter((a) => a.kind === 'counter');
    const first = flagged[0] ?? alerts[0]!;
    const base: ClusterDoc = current?.doc ?? {
      cluster_id: id,
      claim_id: null,
      narratives: [],
      representative: first.text,
      summary: '',
      labels: [],
      regions: [],
      institutions: [],
      topics: [],
      examples: [],
      clarification: null,
      post_ids: [],
      known_engagement: 0,
      counter_post_ids: [],
      counter_examples: [],
      first_counter_at: null,
      first_seen: first.created_at,
      last_seen: first.created_at,
      updated_at: now,
    };
    const doc: ClusterDoc = { ...base, updated_at: now };
    doc.narratives = union(doc.narratives, narratives);
    const newFlagged = flagged.filter((a) => !doc.post_ids.includes(a.post_id));
    doc.post_ids = union(doc.post_ids, newFlagged.map((a) => a.post_id)).slice(-MAX_POST_IDS);
    doc.known_engagement += newFlagged.reduce((s, a) => s + postEngagement(a.engagement), 0);
    doc.labels = union(doc.labels, flagged.flatMap((a) => a.flags));
    doc.examples = mergeExamples(doc.examples, flagged.map(exampleOf));
    doc.regions = union(doc.regions, flagged.flatMap((a) => (a.region ? [a.region] : [])));
    doc.institutions = union(doc.institutions, flagged.flatMap((a) => this.detectInstitutions(a.text)));
    doc.topics = union(doc.topics, flagged.flatMap((a) => a.election_terms));
    doc.counter_post_ids = union(doc.counter_post_ids, counter.map((a) => a.post_id)).slice(-MAX_POST_IDS);
    doc.counter_examples = mergeExamples(doc.counter_examples, counter.map(exampleOf));
    for (const a of counter) if (doc.first_counter_at === null || a.created_at < doc.first_counter_at) doc.first_counter_at = a.created_at;
    for (const a of alerts) {
      if (a.created_at < doc.first_seen) doc.first_seen = a.created_at;
      if (a.created_at > doc.last_seen) doc.last_seen = a.created_at;
    }
    const claim = alerts.find((a) => a.claim !== null)?.claim ?? null;
    if (claim !== null) {
      doc.claim_id = claim.id;
      const best = Math.max(claim.probability, doc.clarification?.probability ?? 0, ...alerts.map((a) => a.claim?.probability ?? 0));
      const found = await this.clarification(claim.id, best);
      if (found !== null) {
        doc.clarification = found.matched;
        doc.topics = union(doc.topics, found.topics);
      }
    }
    doc.summary = doc.clarification?.claim ?? narrativeSentence(doc.examples[0]?.text ?? doc.representative);
    return doc;
  }

  private async contentOf(cluster: ClusterDoc): Promise<CaseContent> {
    const reach = await clusterReach(this.o.es, this.o.prefix, cluster.narratives);
    // The index stage may not have written this batch's posts yet: never show less than the desk has seen.
    if (reach.posts < cluster.post_ids.length) reach.posts = cluster.post_ids.length;
    if (reach.engagement < cluster.known_engagement) reach.engagement = cluster.known_engagement;
    return {
      cluster_id: cluster.cluster_id,
      labels: cluster.labels,
      summary: cluster.summary,
      examples: cluster.examples.slice(0, 3),
      reach,
      regions: cluster.regions,
      institutions: cluster.institutions,
      topics: cluster.topics,
      clarification: cluster.clarification,
    };
  }

  // ---------------------------------------------------------------------------------------------------
  // Batches

  private async handleNow(alerts: readonly Alert[]): Promise<DeskStats> {
    const stats: DeskStats = { clusters: 0, casesOpened: 0, alertsSent: 0, escalations: 0, held: 0 };
    if (alerts.length === 0) return stats;
    const byNarrative = new Map<string, Alert[]>();
    for (const a of alerts) {
      const key = a.narrative_id ?? `post-${a.post_id}`;
      const list = byNarrative.get(key);
      if (list === undefined) byNarrative.set(key, [a]);
      else list.push(a);
    }
    const clusterOf = await this.assignClusters(byNarrative);
    const byCluster = new Map<string, { alerts: Alert[]; narratives: string[] }>();
    for (const [narrative, list] of byNarrative) {
      const id = clusterOf.get(narrative)!;
      const entry = byCluster.get(id) ?? { alerts: [], narratives: [] };
      entry.alerts.push(...list);
      // Reach is read by narrative id: only narratives that spread the claim count (not the counter posts'), and a
      // post without a narrative is counted from what the desk saw (contentOf).
      if (!narrative.startsWith('post-') && list.some((a) => a.kind !== 'counter')) entry.narratives.push(narrative);
      byCluster.set(id, entry);
    }
    const current = await getClusters(this.o.es, this.o.prefix, [...byCluster.keys()]);
    for (const [id, { alerts: list, narratives }] of byCluster) {
      const doc = await this.mergeCluster(id, current.get(id), list, narratives);
      await putCluster(this.o.es, this.o.prefix, doc, current.get(id));
      stats.clusters++;
      if (doc.labels.length === 0) continue; // only counter posts so far: nothing to alert
      await this.routeCluster(doc, stats);
    }
    return stats;
  }

  private async routeCluster(cluster: ClusterDoc, stats: DeskStats): Promise<void> {
    const content = await this.contentOf(cluster);
    const units = unitsFor(content, this.o.units.units);
    const nowMs = this.o.clock();
    const now = new Date(nowMs).toISOString();
    const existing = await getCases(this.o.es, this.o.prefix, units.map((u) => caseIdOf(cluster.cluster_id, u.id)));
    for (const unit of units) {
      const caseId = caseIdOf(cluster.cluster_id, unit.id);
      let version = existing.get(caseId);
      if (version === undefined) {
        const doc = newCase({ caseId, clusterId: cluster.cluster_id, unitId: unit.id, labels: content.labels, summary: content.summary, at: now, engagement: content.reach.engagement, via: 'desk', provinces: provincesOf(content.regions) });
        if (!(await createCase(this.o.es, this.o.prefix, doc))) continue; // another worker opened it and alerts
        stats.casesOpened++;
        [version] = (await getCases(this.o.es, this.o.prefix, [caseId])).values();
        if (version === undefined) continue;
        await this.alertOrHold(version, unit, content, 'new', stats);
        continue;
      }
      const doc = version.doc;
      const changed = { ...doc, labels: union(doc.labels, content.labels), summary: content.summary, provinces: union(doc.provinces ?? [], provincesOf(content.regions)) };
      const open = doc.status === 'new' || doc.status === 'acknowledged';
      // A cluster's first posts arrive in several batches: its reach "doubles" within seconds of the first alert.
      // An escalation needs the doubling and `escalationMinIntervalMs` since the last message to the unit.
      const settled = doc.last_alerted_at === null || nowMs - Date.parse(doc.last_alerted_at) >= this.o.escalationMinIntervalMs;
      if (open && settled && doc.held_kind === null && shouldEscalate(doc.alerted_engagement, content.reach.engagement, unit.escalate_when_reach_grows)) {
        version = await putCase(this.o.es, this.o.prefix, changed, version);
        await this.alertOrHold(version, unit, content, 'escalation', stats);
      } else if (changed.labels.length !== doc.labels.length || changed.summary !== doc.summary || changed.provinces.length !== (doc.provinces ?? []).length) {
        await putCase(this.o.es, this.o.prefix, changed, version);
      }
    }
  }

  private narrativeCase(doc: CaseDoc, content: CaseContent): NarrativeCase {
    const { baseUrl, secret, ttlHours } = this.o.links;
    return {
      ...content,
      case_id: doc.case_id,
      unit_id: doc.unit_id,
      status: doc.status,
      opened_at: doc.opened_at,
      escalations: doc.escalations,
      links: caseLinks(doc.case_id, { baseUrl, secret, nowMs: this.o.clock(), ttlHours }),
    };
  }

  /** Sends the case's message now, or holds it until the unit's quiet hours end. */
  private async alertOrHold(version: Versioned<CaseDoc>, unit: HumasUnit, content: CaseContent, kind: 'new' | 'escalation', stats: DeskStats): Promise<void> {
    const nowMs = this.o.clock();
    const now = new Date(nowMs).toISOString();
    const tz = this.o.units.timezone;
    const doc = version.doc;
    if (isQuietHours(unit, nowMs, tz)) {
      const until = new Date(quietHoursEnd(unit, nowMs, tz)).toISOString();
      await putCase(this.o.es, this.o.prefix, { ...doc, held_until: until, held_kind: kind, history: [...doc.history, { at: now, event: 'held', via: 'desk', note: `jam tenang sampai ${until}` }] }, version);
      stats.held++;
      return;
    }
    const escalation = kind === 'escalation';
    const next: CaseDoc = {
      ...doc,
      escalations: doc.escalations + (escalation ? 1 : 0),
      alerted_engagement: content.reach.engagement,
      last_alerted_at: now,
      alerts_sent: doc.alerts_sent + 1,
      held_until: null,
      held_kind: null,
      history: [...doc.history, { at: now, event: escalation ? 'escalated' : 'alerted', via: 'desk' }],
    };
    const message = renderCaseMessage(this.narrativeCase(next, content), unit, kind, { clock: this.o.clock, timezone: tz, lastAlertedEngagement: doc.alerted_engagement });
    // Recorded before sending: a crash between the two costs a missed message (visible in the case list and the
    // delivery log), never a unit alerted twice for one case.
    await putCase(this.o.es, this.o.prefix, next, version);
    this.send(unit, message, doc.case_id, kind);
    stats.alertsSent++;
    if (escalation) stats.escalations++;
  }

  /**
   * Queues the message for every channel of the unit. Delivery runs beside the stream: a unit whose channel is
   * rate-limited or down must not hold up the cases of other units (each channel's limiter keeps its own order).
   * `drain` waits for what is queued; the delivery log and `pantau_desk_events_total{event="delivery_failed"}`
   * record the outcome.
   */
  private send(unit: HumasUnit, message: ChannelMessage, caseId: string, kind: DeliveryLogEntry['kind']): void {
    const channels = this.o.channels.get(unit.id) ?? [];
    if (channels.length === 0) return;
    const work = (async () => {
      const records = await Promise.all(
        channels.map(({ channel, limiter }) => deliver(channel, message, { maxAttempts: this.o.delivery.maxAttempts, retryBaseMs: this.o.delivery.retryBaseMs, limiter, clock: this.o.clock })),
      );
      const failed = records.filter((r) => r.status !== 'delivered');
      for (const r of failed) this.o.logger.warn('desk message not delivered', { unit: unit.id, case: caseId, channel: r.target, status: r.status, error: r.error });
      deskEvents.inc({ event: 'delivery_failed' }, failed.length);
      const entries = records.map((r, channelIndex) => ({ ...r, case_id: caseId, unit_id: unit.id, kind, channelIndex }));
      await logDeliveries(this.o.es, this.o.prefix, entries);
    })().catch((error: unknown) => this.o.logger.error('desk delivery log not written', { unit: unit.id, case: caseId, error: describeError(error) }));
    this.deliveries.add(work);
    void work.finally(() => this.deliveries.delete(work));
  }

  /** Waits until every queued message was delivered (or given up) and logged. */
  async drain(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }

  // ---------------------------------------------------------------------------------------------------
  // Held messages and digests

  private async releaseNow(): Promise<number> {
    const now = isoNow(this.o.clock);
    await refreshCases(this.o.es, this.o.prefix);
    const { cases } = await searchCases(this.o.es, this.o.prefix, { heldBefore: now, size: 500 });
    let sent = 0;
    const stats: DeskStats = { clusters: 0, casesOpened: 0, alertsSent: 0, escalations: 0, held: 0 };
    for (const version of cases) {
      const unit = this.unitsById.get(version.doc.unit_id);
      const kind = version.doc.held_kind;
      if (unit === undefined || kind === null) continue;
      const cluster = (await getClusters(this.o.es, this.o.prefix, [version.doc.cluster_id])).get(version.doc.cluster_id);
      if (cluster === undefined) continue;
      await this.alertOrHold(version, unit, await this.contentOf(cluster.doc), kind, stats);
      sent++;
    }
    return sent;
  }

  private async digestNow(unitId: string): Promise<boolean> {
    const unit = this.unitsById.get(unitId);
    if (unit === undefined) return false;
    const open: NarrativeCase[] = [];
    await refreshCases(this.o.es, this.o.prefix);
    for (const status of ['new', 'acknowledged', 'countered'] as const) {
      const { cases } = await searchCases(this.o.es, this.o.prefix, { unit: unitId, status, size: 200 });
      const clusters = await getClusters(this.o.es, this.o.prefix, cases.map((c) => c.doc.cluster_id));
      for (const c of cases) {
        const cluster = clusters.get(c.doc.cluster_id);
        if (cluster !== undefined) open.push(this.narrativeCase(c.doc, await this.contentOf(cluster.doc)));
      }
    }
    if (!shouldSendDigest(unit, open)) return false;
    const message = renderDigest(open, unit, { clock: this.o.clock, timezone: this.o.units.timezone });
    // One digest per unit and day across workers: the first to create the marker sends it.
    try {
      await this.o.es.index({
        index: deskDeliveriesIndex(this.o.prefix),
        id: `${message.id}#claim`,
        op_type: 'create',
        document: { message_id: message.id, case_id: '', unit_id: unitId, kind: 'digest', channel: 'webhook', target: 'claim', status: 'claimed', attempts: 0, at: isoNow(this.o.clock) },
      });
    } catch (error) {
      if (httpStatusOf(error) === 409) return false;
      throw elasticsearchError('alerting', 'desk digest marker in Elasticsearch', error);
    }
    this.send(unit, message, '', 'digest');
    this.o.logger.info('digest queued', { unit: unitId, cases: open.length });
    return true;
  }
}
