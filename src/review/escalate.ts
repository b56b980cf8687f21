/**
 * Escalate: an analyst sends a queue item to a humas unit, through the counter-narrative desk, so the unit
 * handles it exactly like a case the desk routed itself:
 *
 * - the item's claim cluster is the desk's (its claim's cluster, the cluster its narrative already joined, or
 *   `c-<narrative>` / `c-post-<id>` as the desk names a new one); when the desk has no cluster yet (an item
 *   below the alert points never reached it) one is created from the item's posts, like desk.ts does;
 * - the unit's case `<cluster>~<unit>` is created (op_type=create) with its message *held until now*: the desk
 *   stage's release timer (`desk.releaseIntervalMs`, Desk.releaseHeld) sends it through the unit's channels at
 *   its next tick, and holds it again if the unit is in quiet hours. An existing open case gets an escalation
 *   held the same way. The case is in the unit's case list (GET /api/cases) at once.
 *
 * Sending through the desk's timer instead of here keeps one sender per case (the desk's rate limits, quiet
 * hours, delivery log and idempotency keys), at the cost of up to one release interval of delay.
 */
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import type { HumasUnit } from '../config/humas-units.ts';
import { narrativeSentence } from '../desk/alert-text.ts';
import { claimClusterId, mergeExamples, toMatched } from '../desk/desk.ts';
import { postEngagement } from '../desk/reach.ts';
import { createInstitutionDetector } from '../desk/routing.ts';
import type { ExamplePost, MatchedClarification } from '../desk/types.ts';
import type { ClarificationDoc } from '../kb/entry.ts';
import { newCase } from '../desk/lifecycle.ts';
import { caseIdOf, clustersOfNarratives, createCase, getCases, getClusters, putCase, putCluster, type CaseDoc, type ClusterDoc } from '../store/desk-store.ts';
import type { QueueItem, StoredPost } from './queue.ts';
import { provincesOf } from '../store/post-derived-fields.ts';

export interface EscalateInput {
  es: Client;
  prefix: string;
  clock: Clock;
  unit: HumasUnit;
  /** Every unit: institutions named in the posts are detected with the units' names, as the desk does. */
  units: readonly HumasUnit[];
  item: QueueItem;
  posts: readonly StoredPost[];
  clarification: ClarificationDoc | null;
  actor: string;
  reason: string | null;
}

export interface Escalation {
  case_id: string;
  cluster_id: string;
  /** True when this escalation opened the unit's case; false when it added to an existing one. */
  opened: boolean;
}

const MAX_POST_IDS = 500;

function example(p: StoredPost): ExamplePost {
  return { id: p.id, text: p.text, url: p.url ?? null, platform: p.platform, author: p.author ?? null, created_at: p.created_at, reach: postEngagement(p.engagement ?? {}) };
}

async function clusterIdOf(es: Client, prefix: string, item: QueueItem): Promise<string> {
  if (item.claim) return claimClusterId(item.claim.id);
  if (item.narrative_id === null) return `c-post-${item.sample.post_id}`;
  return (await clustersOfNarratives(es, prefix, [item.narrative_id])).get(item.narrative_id) ?? `c-${item.narrative_id}`;
}

function newCluster(id: string, input: EscalateInput, now: string): ClusterDoc {
  const { item, posts, clarification } = input;
  const detect = createInstitutionDetector(input.units);
  const examples = mergeExamples([], posts.map(example));
  const matched: MatchedClarification | null = clarification && item.claim ? toMatched(clarification, item.claim.probability) : null;
  const representative = item.sample.text;
  return {
    cluster_id: id,
    claim_id: item.claim?.id ?? null,
    narratives: item.narrative_id ? [item.narrative_id] : [],
    representative,
    summary: matched?.claim ?? (narrativeSentence(representative) || representative.slice(0, 200)),
    labels: item.labels.length > 0 ? item.labels : item.review_labels,
    regions: item.regions,
    institutions: [...new Set(posts.flatMap((p) => detect(p.text)))],
    topics: [...new Set(posts.flatMap((p) => p.relevance?.terms ?? []))],
    examples,
    clarification: matched,
    post_ids: posts.map((p) => p.id).slice(-MAX_POST_IDS),
    known_engagement: posts.reduce((s, p) => s + postEngagement(p.engagement ?? {}), 0),
    counter_post_ids: [],
    counter_examples: [],
    first_counter_at: null,
    first_seen: item.first_seen,
    last_seen: item.last_seen,
    updated_at: now,
  };
}

export async function escalateToDesk(input: EscalateInput): Promise<Escalation> {
  const { es, prefix, unit, item } = input;
  const now = isoNow(input.clock);
  const clusterId = await clusterIdOf(es, prefix, item);
  const found = (await getClusters(es, prefix, [clusterId])).get(clusterId);
  const cluster = found?.doc ?? newCluster(clusterId, input, now);
  if (found === undefined) {
    try {
      await putCluster(es, prefix, cluster);
    } catch (error) {
      // The desk created it meanwhile: its document is as good as ours.
      if (!(error instanceof PantauError && error.code === 'desk_conflict')) throw error;
    }
  }
  const caseId = caseIdOf(clusterId, unit.id);
  const note = `eskalasi oleh analis ${input.actor}${input.reason ? `: ${input.reason}` : ''}`.slice(0, 2000);
  for (let attempt = 1; ; attempt++) {
    const existing = (await getCases(es, prefix, [caseId])).get(caseId);
    try {
      if (existing === undefined) {
        // Held until now: the desk's next release sends it through the unit's channels (see above).
        const doc = newCase({ caseId, clusterId, unitId: unit.id, labels: cluster.labels, summary: cluster.summary, at: now, engagement: cluster.known_engagement, via: 'api', note, heldUntil: now, provinces: provincesOf(cluster.regions) });
        if (await createCase(es, prefix, doc)) return { case_id: caseId, cluster_id: clusterId, opened: true };
        continue; // the desk opened it meanwhile: add to it
      }
      const doc = existing.doc;
      const open = doc.status === 'new' || doc.status === 'acknowledged';
      const next: CaseDoc = {
        ...doc,
        // A closed or countered case is not reopened (lifecycle moves forward only); the note stays in its trail.
        ...(open && doc.held_kind === null ? { held_until: now, held_kind: 'escalation' as const } : {}),
        history: [...doc.history, { at: now, event: 'escalated', via: 'api', note }],
      };
      await putCase(es, prefix, next, existing);
      return { case_id: caseId, cluster_id: clusterId, opened: false };
    } catch (error) {
      if (!(error instanceof PantauError && error.code === 'desk_conflict') || attempt >= 4) throw error;
    }
  }
}
