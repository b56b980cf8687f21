/** Audit entries (src/review/decision.ts AuditEntry) for tests of feedback and precision. */
import type { AuditEntry, DecidedPost } from '../../src/review/decision.ts';

let counter = 0;

export function decidedPost(id: string, text: string, flags: string[] = [], extra: Partial<DecidedPost> = {}): DecidedPost {
  return { post_id: id, model_version: 'pantau-id-v2', scores: {}, flags, review_flags: [], text, ...extra };
}

/** A label decision; `labels_after` follows decision.ts from the action unless given. */
export function auditEntry(over: Partial<AuditEntry> & Pick<AuditEntry, 'action' | 'at' | 'posts'>): AuditEntry {
  counter++;
  const before = over.labels_before ?? [...new Set(over.posts.flatMap((p) => p.flags))];
  const after = over.labels_after ?? (over.action === 'dismiss' ? [] : before);
  return {
    id: over.id ?? `entry-${String(counter).padStart(6, '0')}`,
    actor: { username: 'analis1', role: 'analyst' },
    item_id: over.item_id ?? (over.narrative_id ? `narrative:${over.narrative_id}` : `post:${over.posts[0]!.post_id}`),
    narrative_id: null,
    reason_in_queue: 'flagged',
    unit: null,
    clarification_id: null,
    reason: over.action === 'dismiss' || over.action === 'relabel' ? 'alasan' : null,
    thresholds: {},
    ...over,
    labels_before: before,
    labels_after: after,
  };
}
