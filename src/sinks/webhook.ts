/**
 * Delivers one alert as a JSON POST. The `Idempotency-Key` header lets a receiver drop the rare duplicate
 * that at-least-once delivery can produce (crash between the receiver's 2xx and our bookkeeping).
 */
import { PantauError } from '../core/errors.ts';
import type { Alert } from '../core/post.ts';
import { isRetriableStatus } from './retry-policy.ts';

export async function postAlert(url: string, alert: Alert, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': alert.alert_id, 'user-agent': 'pantau' },
      body: JSON.stringify(alert),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new PantauError(`webhook ${url} unreachable: ${(cause as Error).message}`, {
      stage: 'alerting',
      code: 'webhook_unreachable',
      retriable: true,
      cause,
    });
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new PantauError(`webhook ${url} answered ${response.status}`, {
      stage: 'alerting',
      code: `webhook_http_${response.status}`,
      retriable: isRetriableStatus(response.status),
    });
  }
}
