/**
 * The alert router: delivers each alert once. The alerts index is the ledger: a document per alert
 * (`_id` = post id) created with op_type=create, so a replayed or re-ingested post finds its alert already
 * delivered and sends nothing. States: pending → delivered | failed (4xx from the receiver) | not_sent
 * (no webhook configured). Every state is searchable: nothing is dropped silently.
 */
import type { Client } from '@elastic/elasticsearch';
import { isRetriable, PantauError, describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Alert } from '../core/post.ts';
import { postAlert } from '../sinks/webhook.ts';
import { backoffMs } from '../sinks/retry-policy.ts';
import { alertsIndex } from '../store/index-names.ts';

export type AlertStatus = 'pending' | 'delivered' | 'failed' | 'not_sent';

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

/** What routing did: the final status, or `duplicate` when an earlier delivery had already settled it. */
export type RouteResult = Exclude<AlertStatus, 'pending'> | 'duplicate';

/** Throws a retriable error when the receiver stays unreachable (the ledger then still says pending). */
export async function routeAlert(alert: Alert, options: RouteOptions): Promise<RouteResult> {
  const { client } = options;
  const index = alertsIndex(options.prefix);
  const status = await claim(client, index, alert);
  if (status !== 'pending') return 'duplicate';

  if (!options.webhookUrl) {
    await mark(client, index, alert.post_id, { status: 'not_sent' });
    options.logger.info('alert recorded (no webhook configured)', { post: alert.post_id, flags: alert.flags });
    return 'not_sent';
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await postAlert(options.webhookUrl, alert, options.timeoutMs);
      await mark(client, index, alert.post_id, { status: 'delivered', attempts: attempt, delivered_at: new Date().toISOString() });
      options.logger.info('alert delivered', { post: alert.post_id, flags: alert.flags, attempt });
      return 'delivered';
    } catch (error) {
      if (!isRetriable(error)) {
        await mark(client, index, alert.post_id, { status: 'failed', attempts: attempt, last_error: describeError(error) });
        options.logger.error('alert refused by receiver', { post: alert.post_id, error: describeError(error) });
        return 'failed';
      }
      if (attempt >= options.maxAttempts) {
        await mark(client, index, alert.post_id, { attempts: attempt, last_error: describeError(error) });
        throw error; // the batch is retried later; the ledger still says pending
      }
      await sleep(backoffMs(attempt, options.retryBaseMs));
    }
  }
}

/** Creates the ledger entry, or reads the existing one's status. */
async function claim(client: Client, index: string, alert: Alert): Promise<AlertStatus> {
  try {
    await client.create({
      index,
      id: alert.post_id,
      refresh: false,
      document: { alert_id: alert.alert_id, post_id: alert.post_id, flags: alert.flags, status: 'pending', attempts: 0, raised_at: alert.raised_at },
    });
    return 'pending';
  } catch (error) {
    if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 409) throw asIndexingError(error);
    const existing = await client.get<{ status: AlertStatus }>({ index, id: alert.post_id });
    return existing._source?.status ?? 'pending';
  }
}

async function mark(client: Client, index: string, id: string, fields: Record<string, unknown>): Promise<void> {
  try {
    await client.update({ index, id, doc: fields });
  } catch (error) {
    throw asIndexingError(error);
  }
}

function asIndexingError(cause: unknown): PantauError {
  return new PantauError(`alerts ledger in Elasticsearch failed: ${(cause as Error).message}`, {
    stage: 'alerting',
    code: 'alerts_ledger',
    retriable: true,
    cause,
  });
}
