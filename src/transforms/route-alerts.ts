/**
 * The alert router: delivers each alert once. The alerts index is the ledger: a document per alert
 * (`_id` = post id) created with op_type=create, so a replayed or re-ingested post finds its alert already
 * settled and sends nothing. States: pending → delivered | failed (4xx from the receiver) | not_sent
 * (no webhook configured). Every state is searchable: nothing is dropped silently.
 *
 * Works a batch at a time: one bulk request claims every alert of the batch, one bulk request records the
 * outcomes, so a burst of alerts costs two ledger writes, not two per alert.
 */
import type { Client } from '@elastic/elasticsearch';
import { describeError, isRetriable, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Alert } from '../core/post.ts';
import { backoffMs } from '../sinks/retry-policy.ts';
import { postAlert } from '../sinks/webhook.ts';
import { alertsIndex } from '../store/index-names.ts';

export type AlertStatus = 'pending' | 'delivered' | 'failed' | 'not_sent';
/** What routing did to one alert: its final status, or `duplicate` when an earlier run had settled it. */
export type RouteResult = Exclude<AlertStatus, 'pending'> | 'duplicate';

export interface RouteOptions {
  client: Client;
  prefix: string;
  webhookUrl: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  logger: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ledgerError(cause: unknown): PantauError {
  return new PantauError(`alerts ledger in Elasticsearch failed: ${(cause as Error).message ?? String(cause)}`, {
    stage: 'alerting',
    code: 'alerts_ledger',
    retriable: true,
    cause,
  });
}

/**
 * Routes a batch of alerts; results are in input order. Throws a retriable error when the ledger is
 * unreachable or the receiver stays unreachable after `maxAttempts` (those alerts stay pending and the
 * batch is retried later; alerts already delivered are recorded first).
 */
export async function routeAlerts(batch: Alert[], options: RouteOptions): Promise<RouteResult[]> {
  const { client, logger } = options;
  const index = alertsIndex(options.prefix);
  // The same post twice in one batch (a re-ingest read together with the original): route it once.
  const firstOf = new Map<string, number>();
  batch.forEach((a, i) => firstOf.has(a.post_id) || firstOf.set(a.post_id, i));
  const alerts = [...firstOf.values()].map((i) => batch[i]!);
  const statuses = await claim(client, index, alerts);
  const results: RouteResult[] = statuses.map((s) => (s === 'pending' ? 'not_sent' : 'duplicate'));
  const updates: Array<{ id: string; doc: Record<string, unknown> }> = [];
  let stillPending: unknown;

  for (const [i, alert] of alerts.entries()) {
    if (statuses[i] !== 'pending') continue;
    if (!options.webhookUrl) {
      updates.push({ id: alert.post_id, doc: { status: 'not_sent' } });
      logger.debug('alert recorded (no webhook configured)', { post: alert.post_id, flags: alert.flags });
      continue;
    }
    if (stillPending) continue; // the receiver is down: leave the rest pending for the retry
    for (let attempt = 1; ; attempt++) {
      try {
        await postAlert(options.webhookUrl, alert, options.timeoutMs);
        updates.push({ id: alert.post_id, doc: { status: 'delivered', attempts: attempt, delivered_at: new Date().toISOString() } });
        results[i] = 'delivered';
        logger.debug('alert delivered', { post: alert.post_id, flags: alert.flags, attempt });
        break;
      } catch (error) {
        if (!isRetriable(error)) {
          updates.push({ id: alert.post_id, doc: { status: 'failed', attempts: attempt, last_error: describeError(error) } });
          results[i] = 'failed';
          logger.error('alert refused by the receiver', { post: alert.post_id, error: describeError(error) });
          break;
        }
        if (attempt >= options.maxAttempts) {
          updates.push({ id: alert.post_id, doc: { attempts: attempt, last_error: describeError(error) } });
          stillPending = error;
          break;
        }
        await sleep(backoffMs(attempt, options.retryBaseMs));
      }
    }
  }

  await record(client, index, updates);
  if (stillPending) throw stillPending;
  const byPost = new Map(alerts.map((a, i) => [a.post_id, results[i]!]));
  return batch.map((a, i) => (firstOf.get(a.post_id) === i ? byPost.get(a.post_id)! : 'duplicate'));
}

/** Creates the ledger entries; for those that exist already, reads their status. */
async function claim(client: Client, index: string, alerts: Alert[]): Promise<AlertStatus[]> {
  if (alerts.length === 0) return [];
  try {
    const created = await client.bulk({
      operations: alerts.flatMap((a) => [
        { create: { _index: index, _id: a.post_id } },
        { alert_id: a.alert_id, post_id: a.post_id, flags: a.flags, status: 'pending', attempts: 0, raised_at: a.raised_at },
      ]),
    });
    const statuses: AlertStatus[] = [];
    const existing: number[] = [];
    created.items.forEach((item, i) => {
      const result = item.create;
      if (result && result.status === 409) existing.push(i);
      else if (result?.error) throw ledgerError(new Error(`${result.status} ${result.error.type}: ${result.error.reason ?? ''}`));
      statuses[i] = 'pending';
    });
    if (existing.length > 0) {
      const found = await client.mget<{ status: AlertStatus }>({ index, ids: existing.map((i) => alerts[i]!.post_id) });
      found.docs.forEach((doc, j) => {
        statuses[existing[j]!] = 'found' in doc && doc.found ? (doc._source?.status ?? 'pending') : 'pending';
      });
    }
    return statuses;
  } catch (error) {
    throw error instanceof PantauError ? error : ledgerError(error);
  }
}

async function record(client: Client, index: string, updates: Array<{ id: string; doc: Record<string, unknown> }>): Promise<void> {
  if (updates.length === 0) return;
  try {
    const response = await client.bulk({ operations: updates.flatMap((u) => [{ update: { _index: index, _id: u.id } }, { doc: u.doc }]) });
    const failed = response.items.find((item) => item.update?.error);
    if (failed) throw new Error(`${failed.update?.status} ${failed.update?.error?.type}: ${failed.update?.error?.reason ?? ''}`);
  } catch (error) {
    throw ledgerError(error);
  }
}
