/**
 * The alert router, a sink: delivers each alert once, to the webhook, with the alerts ledger
 * (store/alerts-ledger.ts) as its memory. A replayed or re-ingested post finds its alert already settled and
 * sends nothing. Every state is searchable in the ledger: nothing is dropped silently.
 *
 * Works a batch at a time: one bulk request claims every alert of the batch, one records the outcomes.
 * Delivery can take long (a receiver that hangs costs `timeoutMs` per attempt); the stage's consumer keeps
 * heartbeating meanwhile (bus/batch-consumer.ts), so a slow receiver never costs it its group membership.
 */
import { isoNow, systemClock, type Clock } from '../core/clock.ts';
import { describeError, isRetriable, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { Alert } from '../core/post.ts';
import { backoffMs } from '../core/retry.ts';
import { claimAlerts, recordAlertOutcomes, type AlertStatus, type LedgerUpdate } from '../store/alerts-ledger.ts';
import { alertsIndex } from '../store/index-names.ts';
import type { Client } from '@elastic/elasticsearch';
import { postAlert } from './webhook.ts';

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
  clock?: Clock;
  /** False once the stage is stopping or may have lost the partition: the rest of the batch is left pending (and the batch fails retriably). */
  isRunning?: () => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Routes a batch of alerts; results are in input order. Throws a retriable error when the ledger is
 * unreachable or the receiver stays unreachable after `maxAttempts` (those alerts stay pending and the
 * batch is retried later; alerts already delivered are recorded first).
 */
export async function routeAlerts(batch: Alert[], options: RouteOptions): Promise<RouteResult[]> {
  const { client, logger } = options;
  const clock = options.clock ?? systemClock;
  const running = options.isRunning ?? (() => true);
  const index = alertsIndex(options.prefix);
  // The same post twice in one batch (a re-ingest read together with the original): route it once.
  const firstOf = new Map<string, number>();
  batch.forEach((a, i) => firstOf.has(a.post_id) || firstOf.set(a.post_id, i));
  const alerts = [...firstOf.values()].map((i) => batch[i]!);
  const statuses = await claimAlerts(client, index, alerts);
  const results: RouteResult[] = statuses.map((s) => (s === 'pending' ? 'not_sent' : 'duplicate'));
  const updates: LedgerUpdate[] = [];
  let stillPending: unknown;

  for (const [i, alert] of alerts.entries()) {
    if (statuses[i] !== 'pending') continue;
    if (!options.webhookUrl) {
      updates.push({ id: alert.post_id, doc: { status: 'not_sent' } });
      logger.debug('alert recorded (no webhook configured)', { post: alert.post_id, flags: alert.flags });
      continue;
    }
    // The partition may be another member's now (a rebalance, a lost group coordinator): that member claims
    // the same alerts, finds them pending and delivers them. Sending them here as well would deliver twice.
    if (!stillPending && !running()) {
      stillPending = new PantauError('alert routing stopped: the stage is stopping or its partition may have gone to another member; the rest stays pending', {
        stage: 'alerting',
        code: 'alerts_partition_lost',
        retriable: true,
      });
    }
    if (stillPending) continue; // the receiver is down, or the partition went elsewhere: leave the rest pending for the retry
    for (let attempt = 1; ; attempt++) {
      try {
        await postAlert(options.webhookUrl, alert, options.timeoutMs);
        updates.push({ id: alert.post_id, doc: { status: 'delivered', attempts: attempt, delivered_at: isoNow(clock) } });
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
        if (attempt >= options.maxAttempts || !running()) {
          updates.push({ id: alert.post_id, doc: { attempts: attempt, last_error: describeError(error) } });
          stillPending = error;
          break;
        }
        await sleep(backoffMs(attempt, options.retryBaseMs));
      }
    }
  }

  await recordAlertOutcomes(client, index, updates);
  if (stillPending) throw stillPending;
  const byPost = new Map(alerts.map((a, i) => [a.post_id, results[i]!]));
  return batch.map((a, i) => (firstOf.get(a.post_id) === i ? byPost.get(a.post_id)! : 'duplicate'));
}
