/**
 * Review state of the analysts' queue (`<prefix>-reviews`, template pipelines/elasticsearch/reviews.template.json):
 * one document per queue item, `_id` = the item id (the narrative id, or `post:<post id>`). It holds the item's
 * status after its last decision and who holds it now.
 *
 * Assignment: an analyst who opens an item claims it for `CLAIM_MS`; the same analyst renews it, another one
 * gets a conflict until it expires. Every write is conditional (op_type=create for a new document, else
 * if_seq_no/if_primary_term of the version read), so of two simultaneous claims exactly one is written; the
 * loser re-reads and sees the winner.
 */
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import { elasticsearchError, httpStatusOf } from '../store/elasticsearch-errors.ts';
import { reviewsIndex } from '../store/index-names.ts';
import { HttpError } from '../api/route.ts';
import type { ReviewAction } from './decision.ts';

/** How long an opened item stays with the analyst who opened it (renewed by opening it again). */
export const CLAIM_MS = 5 * 60_000;

export const REVIEW_STATUSES = ['open', 'confirmed', 'dismissed', 'relabelled', 'escalated', 'linked'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const STATUS_OF_ACTION: Record<ReviewAction, ReviewStatus> = {
  confirm: 'confirmed',
  dismiss: 'dismissed',
  relabel: 'relabelled',
  escalate: 'escalated',
  link: 'linked',
};

export interface ReviewDoc {
  item_id: string;
  /** After the item's last decision; `open` before any. */
  status: ReviewStatus;
  /** The last label decision (confirm, dismiss, relabel), null while the labels are undecided: "open" in the queue. */
  label_decision: 'confirm' | 'dismiss' | 'relabel' | null;
  /** The labels after the last label decision (see AuditEntry.labels_after). */
  labels_after: string[];
  decided_by: string | null;
  decided_at: string | null;
  /** The humas unit and desk case of the last escalation. */
  unit: string | null;
  case_id: string | null;
  clarification_id: string | null;
  assigned_to: string | null;
  assigned_until: string | null;
  updated_at: string;
}

export interface VersionedReview {
  doc: ReviewDoc;
  seqNo: number;
  primaryTerm: number;
}

const reviewError = (what: string, cause: unknown) => elasticsearchError('serving', `review state ${what} in Elasticsearch`, cause);

export function emptyReview(itemId: string, now: string): ReviewDoc {
  return {
    item_id: itemId,
    status: 'open',
    label_decision: null,
    labels_after: [],
    decided_by: null,
    decided_at: null,
    unit: null,
    case_id: null,
    clarification_id: null,
    assigned_to: null,
    assigned_until: null,
    updated_at: now,
  };
}

/** The review documents of `ids` that exist, by item id (real-time gets: a claim just written is seen). */
export async function getReviews(es: Client, prefix: string, ids: readonly string[]): Promise<Map<string, VersionedReview>> {
  const out = new Map<string, VersionedReview>();
  if (ids.length === 0) return out;
  let r;
  try {
    r = await es.mget<ReviewDoc>({ index: reviewsIndex(prefix), ids: [...ids] });
  } catch (error) {
    if (httpStatusOf(error) === 404) return out; // no decision or claim yet: the index does not exist
    throw reviewError('read', error);
  }
  for (const d of r.docs) {
    if ('found' in d && d.found && d._source) out.set(d._id, { doc: d._source, seqNo: d._seq_no!, primaryTerm: d._primary_term! });
  }
  return out;
}

export async function getReview(es: Client, prefix: string, id: string): Promise<VersionedReview | undefined> {
  return (await getReviews(es, prefix, [id])).get(id);
}

/** The version changed since it was read (or the document was created meanwhile). */
export class ReviewConflict extends PantauError {
  constructor(itemId: string) {
    super(`review state of ${itemId} changed while it was being written`, { stage: 'serving', code: 'review_conflict', retriable: true });
  }
}

/** Writes `doc`: created when `version` is undefined, else only if unchanged since it was read. */
export async function putReview(es: Client, prefix: string, doc: ReviewDoc, version: VersionedReview | undefined): Promise<VersionedReview> {
  try {
    const r = await es.index({
      index: reviewsIndex(prefix),
      id: doc.item_id,
      document: doc,
      ...(version === undefined ? { op_type: 'create' as const } : { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm }),
    });
    return { doc, seqNo: r._seq_no!, primaryTerm: r._primary_term! };
  } catch (error) {
    if (httpStatusOf(error) === 409) throw new ReviewConflict(doc.item_id);
    throw reviewError('write', error);
  }
}

/** `HH:MM` in Asia/Jakarta, as the 409 message shows it. */
export function wibTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Jakarta', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** True when someone other than `username` holds the item at `nowMs`. */
export function heldByOther(doc: ReviewDoc | undefined, username: string, nowMs: number): boolean {
  return doc?.assigned_to != null && doc.assigned_to !== username && doc.assigned_until !== null && Date.parse(doc.assigned_until) > nowMs;
}

export function assignedConflict(doc: ReviewDoc): HttpError {
  return new HttpError(409, `Sedang ditangani ${doc.assigned_to} sampai ${wibTime(doc.assigned_until!)} WIB.`);
}

/**
 * Reads, changes and writes an item's state, retrying when another writer got there first (the change is
 * applied again to what it wrote; `change` may throw, e.g. the 409 for an item held by someone else).
 */
export async function updateReview(
  es: Client,
  prefix: string,
  itemId: string,
  clock: Clock,
  change: (current: ReviewDoc | undefined, now: string) => ReviewDoc | null,
  attempts = 4,
): Promise<ReviewDoc | null> {
  for (let attempt = 1; ; attempt++) {
    const current = await getReview(es, prefix, itemId);
    const next = change(current?.doc, isoNow(clock));
    if (next === null) return current?.doc ?? null;
    try {
      return (await putReview(es, prefix, next, current)).doc;
    } catch (error) {
      if (!(error instanceof ReviewConflict) || attempt >= attempts) {
        if (error instanceof ReviewConflict) throw new HttpError(409, 'Item ini baru saja diubah orang lain; muat ulang dan coba lagi.');
        throw error;
      }
    }
  }
}

export interface Assignment {
  assigned_to: string;
  assigned_until: string;
}

/** Claims the item for `username` for `claimMs` (renews the own claim); 409 while another analyst holds it. */
export async function claimItem(es: Client, prefix: string, itemId: string, username: string, clock: Clock, claimMs = CLAIM_MS): Promise<Assignment> {
  const doc = await updateReview(es, prefix, itemId, clock, (current, now) => {
    if (heldByOther(current, username, clock())) throw assignedConflict(current!);
    return { ...(current ?? emptyReview(itemId, now)), assigned_to: username, assigned_until: new Date(clock() + claimMs).toISOString(), updated_at: now };
  });
  return { assigned_to: doc!.assigned_to!, assigned_until: doc!.assigned_until! };
}

/** Gives the item back. Only its holder (or an admin: `force`) can; an expired or absent claim is a no-op. */
export async function releaseItem(es: Client, prefix: string, itemId: string, username: string, clock: Clock, force = false): Promise<void> {
  await updateReview(es, prefix, itemId, clock, (current, now) => {
    if (current === undefined || current.assigned_to === null) return null;
    if (!force && heldByOther(current, username, clock())) throw assignedConflict(current);
    return { ...current, assigned_to: null, assigned_until: null, updated_at: now };
  });
}

/** The assignment as the queue shows it: null once expired. */
export function activeAssignment(doc: ReviewDoc | undefined, nowMs: number): { assigned_to: string | null; assigned_until: string | null } {
  if (doc?.assigned_to == null || doc.assigned_until === null || Date.parse(doc.assigned_until) <= nowMs) return { assigned_to: null, assigned_until: null };
  return { assigned_to: doc.assigned_to, assigned_until: doc.assigned_until };
}
