/**
 * The alerts ledger: index `<prefix>-alerts`, one document per alert (`_id` = post id). Created with
 * op_type=create, so a replayed or re-ingested post finds its alert already there and its state tells
 * whether it was settled. States: pending → delivered | failed (the receiver refused it) | not_sent (no
 * webhook configured). Written a batch at a time: one bulk request claims every alert of a batch, one
 * records the outcomes.
 */
import type { Client } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import { isRetriableHttpStatus } from '../core/retry.ts';
import type { Alert } from '../core/post.ts';
import { elasticsearchError } from './elasticsearch-errors.ts';

export type AlertStatus = 'pending' | 'delivered' | 'failed' | 'not_sent';

export interface LedgerUpdate {
  id: string;
  doc: Record<string, unknown>;
}

const ledgerError = (cause: unknown): PantauError => elasticsearchError('alerting', 'alerts ledger in Elasticsearch', cause);

/** One bulk item that failed: retriable or not by its status, like any Elasticsearch answer. */
function itemError(status: number, type: string | undefined, reason: string | undefined | null): PantauError {
  return new PantauError(`alerts ledger in Elasticsearch refused a write: ${status} ${type ?? ''}: ${reason ?? ''}`, {
    stage: 'alerting',
    code: `alerts_ledger_${status}`,
    retriable: isRetriableHttpStatus(status),
  });
}

/**
 * Creates the ledger entries of `alerts` (status pending); for those that exist already, reads their
 * status. Results are in input order. Throws a PantauError (stage `alerting`, retriable when Elasticsearch
 * is unreachable or overloaded).
 */
export async function claimAlerts(client: Client, index: string, alerts: readonly Alert[]): Promise<AlertStatus[]> {
  if (alerts.length === 0) return [];
  let created;
  try {
    created = await client.bulk({
      operations: alerts.flatMap((a) => [
        { create: { _index: index, _id: a.post_id } },
        { alert_id: a.alert_id, post_id: a.post_id, flags: a.flags, status: 'pending', attempts: 0, raised_at: a.raised_at },
      ]),
    });
  } catch (cause) {
    throw ledgerError(cause);
  }
  const statuses: AlertStatus[] = [];
  const existing: number[] = [];
  created.items.forEach((item, i) => {
    const result = item.create;
    if (result && result.status === 409) existing.push(i);
    else if (result?.error) throw itemError(result.status, result.error.type, result.error.reason);
    statuses[i] = 'pending';
  });
  if (existing.length > 0) {
    let found;
    try {
      found = await client.mget<{ status: AlertStatus }>({ index, ids: existing.map((i) => alerts[i]!.post_id) });
    } catch (cause) {
      throw ledgerError(cause);
    }
    found.docs.forEach((doc, j) => {
      statuses[existing[j]!] = 'found' in doc && doc.found ? (doc._source?.status ?? 'pending') : 'pending';
    });
  }
  return statuses;
}

/** Records outcomes (partial updates). Throws a PantauError like claimAlerts. */
export async function recordAlertOutcomes(client: Client, index: string, updates: readonly LedgerUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  let response;
  try {
    response = await client.bulk({ operations: updates.flatMap((u) => [{ update: { _index: index, _id: u.id } }, { doc: u.doc }]) });
  } catch (cause) {
    throw ledgerError(cause);
  }
  const failed = response.items.find((item) => item.update?.error);
  if (failed) throw itemError(failed.update!.status, failed.update!.error?.type, failed.update!.error?.reason);
}
