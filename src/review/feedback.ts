/**
 * Analysts' label decisions (confirm / dismiss / relabel in the audit log) as training examples.
 *
 * - The latest decision about a post wins (a later correction replaces an earlier decision; ties by entry id).
 * - Targets follow decision.ts: confirm → every label of `labels_before` is 1; dismiss → each is 0; relabel → every
 *   label is decided (1 when in `labels_after`, else 0). A label the decision says nothing about stays undefined,
 *   which the trainer masks out of the loss. Labels the classifier does not have are ignored.
 * - The text is the one kept in the entry (`posts[].text`): what the model read, whatever retention did since.
 * - A narrative decided in bulk may hold hundreds of copies: its posts are reduced to distinct texts (normalised as
 *   the split does) and at most `maxPerNarrative` of them, so one campaign does not outweigh every other decision.
 * - A fixed share of the decided posts is held out (by narrative, so near-duplicates stay on one side): the
 *   candidate never trains on it, and the side-by-side comparison measures both models there.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { FLAG_LABELS, isFlagLabel, type FlagLabel } from '../classifier/labels.ts';
import type { Example } from '../classifier/training/examples.ts';
import { finalizeHash, fnvRange } from '../classifier/hash.ts';
import { splitKey } from '../classifier/training/split.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { auditIndex } from '../store/index-names.ts';
import { LABEL_DECISIONS, type AuditEntry } from './decision.ts';

/** Source name of feedback rows in training data and model cards. */
export const FEEDBACK_SOURCE = 'analyst-feedback';
/** Share of decided narratives held out from training, for the side-by-side comparison. */
export const DEFAULT_HOLDOUT_SHARE = 0.2;
/** Distinct texts kept per decided narrative. */
export const DEFAULT_MAX_PER_NARRATIVE = 5;

export interface FeedbackExample {
  post_id: string;
  text: string;
  /** Per label: 1 / 0 where the decision speaks about it; absent = masked. */
  labels: Partial<Record<FlagLabel, 0 | 1>>;
  action: 'confirm' | 'dismiss' | 'relabel';
  decided_at: string;
  entry_id: string;
  /** The model that scored the post when it was decided. */
  model_version: string;
  /** Narrative, or the post id for a post without one: the unit of the holdout. */
  group: string;
  holdout: boolean;
}

/** What one label decision says about each flag label (undefined = nothing). */
export function decisionTargets(entry: Pick<AuditEntry, 'action' | 'labels_before' | 'labels_after'>): Partial<Record<FlagLabel, 0 | 1>> {
  const targets: Partial<Record<FlagLabel, 0 | 1>> = {};
  if (entry.action === 'relabel') {
    const after = new Set(entry.labels_after);
    for (const label of FLAG_LABELS) targets[label] = after.has(label) ? 1 : 0;
  } else if (entry.action === 'confirm' || entry.action === 'dismiss') {
    for (const label of entry.labels_before) if (isFlagLabel(label)) targets[label] = entry.action === 'confirm' ? 1 : 0;
  }
  return targets;
}

/** Deterministic: the same narrative is held out on every run and machine. */
export function isHeldOut(group: string, share: number): boolean {
  return finalizeHash(fnvRange(group, 0, group.length)) / 0x1_0000_0000 < share;
}

const isLabelDecision = (e: AuditEntry): e is AuditEntry & { action: FeedbackExample['action'] } => LABEL_DECISIONS.includes(e.action);

/** One example per decided post, the latest label decision winning; posts whose decision names no label are left out. */
export function feedbackExamples(entries: readonly AuditEntry[], options: { holdoutShare?: number; maxPerNarrative?: number } = {}): FeedbackExample[] {
  const share = options.holdoutShare ?? DEFAULT_HOLDOUT_SHARE;
  const maxPerNarrative = options.maxPerNarrative ?? DEFAULT_MAX_PER_NARRATIVE;
  const ordered = entries.filter(isLabelDecision).sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const latest = new Map<string, FeedbackExample>();
  for (const entry of ordered) {
    const labels = decisionTargets(entry);
    for (const post of entry.posts) {
      const group = entry.narrative_id ?? post.post_id;
      latest.set(post.post_id, {
        post_id: post.post_id,
        text: post.text,
        labels,
        action: entry.action,
        decided_at: entry.at,
        entry_id: entry.id,
        model_version: post.model_version,
        group,
        holdout: isHeldOut(group, share),
      });
    }
  }
  const seenTexts = new Set<string>();
  const perGroup = new Map<string, number>();
  const out: FeedbackExample[] = [];
  // Post id order: the same posts are kept on every run.
  for (const f of [...latest.values()].sort((a, b) => (a.post_id < b.post_id ? -1 : a.post_id > b.post_id ? 1 : 0))) {
    if (Object.keys(f.labels).length === 0 || f.text.trim().length === 0) continue;
    const key = splitKey(f.text);
    const kept = perGroup.get(f.group) ?? 0;
    if (seenTexts.has(key) || kept >= maxPerNarrative) continue;
    seenTexts.add(key);
    perGroup.set(f.group, kept + 1);
    out.push(f);
  }
  return out;
}

/** A feedback example as a training row (pinned to train: calibration and thresholds stay on the annotated data). */
export function toTrainingExample(f: FeedbackExample, weight: number): Example {
  return { text: f.text, labels: { ...f.labels }, source: FEEDBACK_SOURCE, split: 'train', weight, id: f.post_id };
}

/** A feedback example as an evaluation row (no split, no weight). */
export function toEvaluationExample(f: FeedbackExample): Example {
  return { text: f.text, labels: { ...f.labels }, source: FEEDBACK_SOURCE, id: f.post_id };
}

/**
 * Every label decision of the audit log, oldest first; `since` (ISO date or time) keeps decisions made from then
 * on. Read through a point in time, so entries appended meanwhile cannot shift the pages.
 */
export async function readLabelDecisions(es: Client, prefix: string, options: { since?: string } = {}): Promise<AuditEntry[]> {
  const index = auditIndex(prefix);
  const out: AuditEntry[] = [];
  const filter: object[] = [{ terms: { action: [...LABEL_DECISIONS] } }];
  if (options.since !== undefined) filter.push({ range: { at: { gte: options.since } } });
  try {
    if (!(await es.indices.exists({ index }))) return out;
    const pit = await es.openPointInTime({ index, keep_alive: '1m' });
    let pitId = pit.id;
    try {
      let after: estypes.SortResults | undefined;
      for (;;) {
        const page = await es.search<AuditEntry>({
          size: 1000,
          pit: { id: pitId, keep_alive: '1m' },
          query: { bool: { filter } },
          // _shard_doc breaks ties between entries of the same millisecond.
          sort: [{ at: 'asc' }, { _shard_doc: 'asc' }],
          ...(after === undefined ? {} : { search_after: after }),
        });
        pitId = page.pit_id ?? pitId;
        const hits = page.hits.hits;
        for (const hit of hits) if (hit._source !== undefined) out.push(hit._source);
        if (hits.length < 1000) return out;
        after = hits[hits.length - 1]!.sort;
      }
    } finally {
      await es.closePointInTime({ id: pitId }).catch(() => undefined);
    }
  } catch (error) {
    throw elasticsearchError('training', 'read label decisions from the audit log', error);
  }
}
