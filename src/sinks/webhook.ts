/**
 * Delivers one alert as a JSON POST. The `Idempotency-Key` header lets a receiver drop the rare duplicate
 * that at-least-once delivery can produce (crash between the receiver's 2xx and our bookkeeping).
 *
 * A webhook URL is a secret: Slack-style hooks carry their token in the path. Errors name the receiver by
 * its origin only (`https://hooks.example/***`), never the whole URL.
 */
import { PantauError } from '../core/errors.ts';
import type { Alert } from '../core/post.ts';
import { displayUrl } from '../core/redact.ts';
import { isRetriableHttpStatus } from '../core/retry.ts';
import { splitCredentials } from '../core/url-credentials.ts';

/** What went wrong with one delivery: the receiver's answer, or what fetch threw. */
export type WebhookFailure = { status: number } | { thrown: unknown };

/**
 * The webhook retry rule: no answer (timeout, connection refused or reset, name not resolved) and
 * 408/429/5xx answers may succeed later; other answers never will; any other error (a bug, a URL fetch
 * cannot use) is not retried.
 */
export function isRetriableWebhookFailure(failure: WebhookFailure): boolean {
  if ('status' in failure) return isRetriableHttpStatus(failure.status);
  const error = failure.thrown as (Error & { cause?: { code?: unknown } }) | null;
  if (error?.name === 'TimeoutError') return true;
  // undici reports network failures as TypeError('fetch failed') with the socket error as its cause.
  return error instanceof TypeError && typeof error.cause?.code === 'string';
}

export async function postAlert(url: string, alert: Alert, timeoutMs: number): Promise<void> {
  const receiver = displayUrl(url, { pathIsSecret: true });
  let response: Response;
  try {
    const target = splitCredentials(url);
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': alert.alert_id,
        'user-agent': 'pantau',
        ...(target.authorization ? { authorization: target.authorization } : {}),
      },
      body: JSON.stringify(alert),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const timedOut = (cause as Error).name === 'TimeoutError';
    // fetch's own message is "fetch failed"; the reason (ECONNREFUSED…) is in its cause, without the URL.
    const reason = timedOut ? `no answer within ${timeoutMs} ms` : String((cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message);
    throw new PantauError(`webhook ${receiver} unreachable: ${reason}`, {
      stage: 'alerting',
      code: timedOut ? 'webhook_timeout' : 'webhook_unreachable',
      retriable: isRetriableWebhookFailure({ thrown: cause }),
    });
  }
  await response.body?.cancel();
  if (!response.ok) {
    throw new PantauError(`webhook ${receiver} answered ${response.status}`, {
      stage: 'alerting',
      code: `webhook_http_${response.status}`,
      retriable: isRetriableWebhookFailure({ status: response.status }),
    });
  }
}
