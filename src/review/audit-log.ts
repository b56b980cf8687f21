/**
 * The audit log of decisions (`<prefix>-audit`, template pipelines/elasticsearch/audit.template.json): one
 * AuditEntry (review/decision.ts) per decision, written with op_type=create under its random id. This module
 * has no update or delete: the product appends and reads, nothing else (an entry written twice under one id is
 * refused by Elasticsearch, not overwritten).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import { elasticsearchError, httpStatusOf } from '../store/elasticsearch-errors.ts';
import { auditIndex } from '../store/index-names.ts';
import { totalHits } from '../store/queries.ts';
import type { AuditEntry, ReviewAction } from './decision.ts';

export const newAuditId = (): string => randomUUID();

/**
 * Appends `entry`. Waits until it is searchable (refresh=wait_for, at most a second): the analyst sees the
 * decision in the item's history right after making it. Throws (not retriable) when the id exists.
 */
export async function appendAudit(es: Client, prefix: string, entry: AuditEntry): Promise<void> {
  try {
    await es.index({ index: auditIndex(prefix), id: entry.id, op_type: 'create', refresh: 'wait_for', document: entry });
  } catch (error) {
    if (httpStatusOf(error) === 409) {
      throw new PantauError(`audit entry ${entry.id} exists already; the audit log is append-only`, { stage: 'serving', code: 'audit_exists', retriable: false, cause: error });
    }
    throw elasticsearchError('serving', 'audit log write in Elasticsearch', error);
  }
}

export interface AuditQuery {
  item?: string | undefined;
  actor?: string | undefined;
  action?: ReviewAction | undefined;
  /** Calendar days (YYYY-MM-DD) in `timeZone`, both included. */
  from?: string | undefined;
  to?: string | undefined;
  timeZone?: string;
  page: number;
  size: number;
}

/** Entries matching every given filter, newest first (id breaks ties, so pages are stable). */
export async function searchAudit(es: Client, prefix: string, q: AuditQuery): Promise<{ total: number; page: number; size: number; items: AuditEntry[] }> {
  const filter: object[] = [];
  if (q.item !== undefined) filter.push({ term: { item_id: q.item } });
  if (q.actor !== undefined) filter.push({ term: { 'actor.username': q.actor } });
  if (q.action !== undefined) filter.push({ term: { action: q.action } });
  if (q.from !== undefined || q.to !== undefined) {
    filter.push({
      range: { at: { ...(q.from ? { gte: `${q.from}||/d` } : {}), ...(q.to ? { lte: `${q.to}||/d` } : {}), time_zone: q.timeZone ?? 'Asia/Jakarta' } },
    });
  }
  try {
    const r = await es.search<AuditEntry>({
      index: auditIndex(prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      from: (q.page - 1) * q.size,
      size: q.size,
      track_total_hits: true,
      sort: [{ at: 'desc' }, { id: 'asc' }],
      query: { bool: { filter } },
    });
    return { total: totalHits(r), page: q.page, size: q.size, items: r.hits.hits.map((h) => h._source!) };
  } catch (error) {
    throw elasticsearchError('serving', 'audit log search in Elasticsearch', error);
  }
}
