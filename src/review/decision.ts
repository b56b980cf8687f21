/**
 * What an analyst decides about a queue item, and the audit entry every decision appends. Shared by the
 * queue (review/), the audit log (<prefix>-audit, append-only), the feedback export for training and the
 * precision estimate: one definition, so they cannot disagree on what "dismiss" meant.
 *
 * A queue item is a narrative (near-duplicate cluster, `narrative_id`) with its posts; a post without a
 * narrative is an item of its own (`post:<id>`). A decision covers the item's posts (`post_ids`), or a subset.
 *
 * Meaning for training and precision, per label:
 *   confirm  — every label in `labels_before` is right (true positive);
 *   dismiss  — every label in `labels_before` is wrong (false positive); the post is none of them;
 *   relabel  — `labels_after` is the full, correct set: labels in it are positive, every other label negative;
 *   escalate — sends the item to a humas unit (`unit`); says nothing about labels by itself;
 *   link     — links a knowledge-base clarification (`clarification_id`); says nothing about labels.
 */
import { z } from 'zod';

export const REVIEW_ACTIONS = ['confirm', 'dismiss', 'relabel', 'escalate', 'link'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/** Actions that decide the labels: they end the item's open state and feed training and precision. */
export const LABEL_DECISIONS: readonly ReviewAction[] = ['confirm', 'dismiss', 'relabel'];

/** Why an item is in the queue: flagged at an alert point, or sampled near the thresholds to learn from. */
export const QUEUE_REASONS = ['flagged', 'uncertain'] as const;
export type QueueReason = (typeof QUEUE_REASONS)[number];

export const decisionInputSchema = z
  .object({
    action: z.enum(REVIEW_ACTIONS),
    /** relabel: the correct labels (may be empty: "none of them"). */
    labels: z.array(z.string().min(1).max(40)).max(20).optional(),
    /** escalate: the humas unit id. */
    unit: z.string().min(1).max(100).optional(),
    /** link: the knowledge-base clarification id. */
    clarification_id: z.string().min(1).max(300).optional(),
    /** Why, in the analyst's words; required for dismiss and relabel. */
    reason: z.string().max(2000).optional(),
    /** The posts decided; absent: every post of the item (a bulk action on the whole narrative). */
    post_ids: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.action === 'relabel' && d.labels === undefined) ctx.addIssue({ code: 'custom', path: ['labels'], message: 'relabel needs "labels" (the correct labels, may be empty)' });
    if (d.action === 'escalate' && !d.unit) ctx.addIssue({ code: 'custom', path: ['unit'], message: 'escalate needs "unit" (a humas unit id)' });
    if (d.action === 'link' && !d.clarification_id) ctx.addIssue({ code: 'custom', path: ['clarification_id'], message: 'link needs "clarification_id"' });
    if ((d.action === 'dismiss' || d.action === 'relabel') && !d.reason?.trim()) ctx.addIssue({ code: 'custom', path: ['reason'], message: `${d.action} needs a "reason"` });
  });
export type DecisionInput = z.infer<typeof decisionInputSchema>;

/** The model's view of one decided post, kept with the decision: what flagged it and how sure it was. */
export interface DecidedPost {
  post_id: string;
  model_version: string;
  scores: Record<string, number>;
  flags: string[];
  review_flags: string[];
  /** The text as the model read it: feedback training reads it from here, so retention cannot break it. */
  text: string;
}

/** One line of the audit log (<prefix>-audit). Written once with op_type=create; the product never edits it. */
export interface AuditEntry {
  /** Random id (also the document _id). */
  id: string;
  /** ISO time of the decision (the server's clock). */
  at: string;
  actor: { username: string; role: string };
  action: ReviewAction;
  item_id: string;
  narrative_id: string | null;
  reason_in_queue: QueueReason;
  /** Union of the decided posts' flags (alert level) before the decision. */
  labels_before: string[];
  /** The labels after it: confirm = labels_before, dismiss = [], relabel = the chosen ones; escalate/link = labels_before. */
  labels_after: string[];
  unit: string | null;
  clarification_id: string | null;
  reason: string | null;
  posts: DecidedPost[];
  /** Alert and review points per label of the model that scored the posts, at decision time. */
  thresholds: Record<string, { alert: number; review: number }>;
}
