/**
 * Applies an analyst's decision (review/decision.ts) to a queue item: checks who holds the item and what the
 * decision names, escalates through the desk when asked, appends the audit entry (with each decided post's
 * model view and text, and the thresholds), then updates the item's review state.
 *
 * Refusals (HttpError, Bahasa Indonesia): 404 unknown item; 409 held by another analyst, or changed meanwhile;
 * 400 a label the model does not have, an unknown humas unit, a clarification not in the knowledge base, posts
 * that are not the item's, or confirm/dismiss of posts without alert-level labels (nothing to confirm: relabel).
 */
import { isoNow } from '../core/clock.ts';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import { HttpError, type Principal } from '../api/route.ts';
import { appendAudit, newAuditId } from './audit-log.ts';
import { LABEL_DECISIONS, type AuditEntry, type DecidedPost, type DecisionInput } from './decision.ts';
import { escalateToDesk } from './escalate.ts';
import type { ModelCatalog } from './explain.ts';
import { getClarifications, getQueueItem, itemPosts, type QueueItem, type QueueSource } from './queue.ts';
import { assignedConflict, emptyReview, getReview, heldByOther, STATUS_OF_ACTION, updateReview } from './review-store.ts';

export interface DecideDeps {
  queue: QueueSource;
  catalog: ModelCatalog;
  units: HumasUnitsConfig;
}

export interface DecisionResult {
  item: QueueItem;
  audit: AuditEntry;
  /** The desk case an escalation opened or added to. */
  case_id: string | null;
}

const union = (lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())].sort();

export async function decide(deps: DecideDeps, principal: Principal, itemId: string, input: DecisionInput): Promise<DecisionResult> {
  const { es, prefix, clock } = deps.queue;
  const item = await getQueueItem(deps.queue, itemId);
  if (item === null) throw new HttpError(404, 'Item antrean tidak ditemukan.');
  const state = await getReview(es, prefix, itemId);
  if (heldByOther(state?.doc, principal.username, clock())) throw assignedConflict(state!.doc);

  // What the decision names must exist: labels of the model, a humas unit, a knowledge-base entry.
  const action = input.action;
  if (input.labels !== undefined && action !== 'relabel') throw new HttpError(400, 'labels: hanya untuk aksi relabel.');
  if (input.unit !== undefined && action !== 'escalate') throw new HttpError(400, 'unit: hanya untuk aksi escalate.');
  if (input.clarification_id !== undefined && action !== 'link') throw new HttpError(400, 'clarification_id: hanya untuk aksi link.');
  const modelLabels = deps.catalog.active.labels;
  const unknownLabels = (input.labels ?? []).filter((l) => !modelLabels.includes(l));
  if (unknownLabels.length > 0) throw new HttpError(400, `labels: label tidak dikenal: ${unknownLabels.join(', ')}. Label model: ${modelLabels.join(', ')}.`);
  const unit = input.unit === undefined ? undefined : deps.units.units.find((u) => u.id === input.unit);
  if (input.unit !== undefined && unit === undefined) throw new HttpError(400, `unit: unit humas "${input.unit}" tidak dikenal.`);
  const claimIds = [input.clarification_id, item.claim?.id].filter((x): x is string => x !== undefined);
  const clarifications = await getClarifications(es, prefix, claimIds);
  if (input.clarification_id !== undefined && !clarifications.has(input.clarification_id)) {
    throw new HttpError(400, `clarification_id: klarifikasi "${input.clarification_id}" tidak ada di basis pengetahuan.`);
  }

  const posts = await itemPosts(es, prefix, itemId);
  const wanted = input.post_ids === undefined ? null : new Set(input.post_ids);
  if (wanted !== null) {
    const foreign = [...wanted].filter((id) => !posts.some((p) => p.id === id));
    if (foreign.length > 0) throw new HttpError(400, `post_ids: bukan post item ini: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}.`);
  }
  const decided = wanted === null ? posts : posts.filter((p) => wanted.has(p.id));
  const labelsBefore = union(decided.map((p) => p.flags));
  if ((action === 'confirm' || action === 'dismiss') && labelsBefore.length === 0) {
    throw new HttpError(400, 'Post ini tidak ditandai pada titik peringatan: tidak ada label untuk dikonfirmasi atau ditolak. Gunakan relabel.');
  }
  const labelsAfter = action === 'dismiss' ? [] : action === 'relabel' ? [...new Set(input.labels)].sort() : labelsBefore;

  const escalation = unit
    ? await escalateToDesk({
        es,
        prefix,
        clock,
        unit,
        units: deps.units.units,
        item,
        posts: decided,
        clarification: item.claim ? (clarifications.get(item.claim.id) ?? null) : null,
        actor: principal.username,
        reason: input.reason?.trim() || null,
      })
    : null;

  // The thresholds of the model that scored most of the decided posts (a narrative is rarely split across models).
  const versions = decided.map((p) => p.model_version);
  const version = versions.sort((a, b) => versions.filter((v) => v === b).length - versions.filter((v) => v === a).length)[0];
  const thresholds = (version !== undefined ? deps.catalog.get(version) : null)?.thresholds ?? {};
  const audit: AuditEntry = {
    id: newAuditId(),
    at: isoNow(clock),
    actor: { username: principal.username, role: principal.role },
    action,
    item_id: itemId,
    narrative_id: item.narrative_id,
    reason_in_queue: item.reason,
    labels_before: labelsBefore,
    labels_after: labelsAfter,
    unit: input.unit ?? null,
    clarification_id: input.clarification_id ?? null,
    reason: input.reason?.trim() || null,
    posts: decided.map(
      (p): DecidedPost => ({ post_id: p.id, model_version: p.model_version, scores: p.scores, flags: p.flags, review_flags: p.review_flags ?? [], text: p.text }),
    ),
    thresholds,
  };
  await appendAudit(es, prefix, audit);

  const isLabelDecision = LABEL_DECISIONS.includes(action);
  await updateReview(es, prefix, itemId, clock, (current, now) => {
    // Checked again on the version written: someone may have claimed it since the check above.
    if (heldByOther(current, principal.username, clock())) throw assignedConflict(current!);
    const base = current ?? emptyReview(itemId, now);
    return {
      ...base,
      status: STATUS_OF_ACTION[action],
      ...(isLabelDecision ? { label_decision: action as 'confirm' | 'dismiss' | 'relabel', labels_after: labelsAfter } : {}),
      ...(escalation ? { unit: input.unit!, case_id: escalation.case_id } : {}),
      ...(action === 'link' ? { clarification_id: input.clarification_id! } : {}),
      decided_by: principal.username,
      decided_at: audit.at,
      updated_at: now,
    };
  });
  const after = await getQueueItem(deps.queue, itemId);
  return { item: after ?? item, audit, case_id: escalation?.case_id ?? null };
}
