/**
 * The signed webhook channel, and the HTTP plumbing the Slack and Telegram channels share.
 *
 * Each POST carries the project's push signature (sources/http-push/signature.ts): `x-pantau-timestamp` and
 * `x-pantau-signature: sha256=<HMAC of "<timestamp>.<body>">`, so a receiver verifies desk alerts exactly as
 * pantau verifies pushes it receives (`verifyDeskWebhook`). `idempotency-key` is the message id: a receiver
 * drops the rare duplicate that a retry after a lost 2xx produces.
 *
 * The URL is a secret (its path or query may be the token): errors name the receiver by origin only.
 */
import type { Clock } from '../../core/clock.ts';
import { PantauError } from '../../core/errors.ts';
import { displayUrl } from '../../core/redact.ts';
import { isRetriableHttpStatus } from '../../core/retry.ts';
import { splitCredentials } from '../../core/url-credentials.ts';
import { checkTimestamp, signRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyRequest } from '../../sources/http-push/signature.ts';
import type { ChannelMessage } from '../types.ts';
import type { Channel } from './index.ts';

/** A channel's failure that also says how long the receiver asked us to wait (Retry-After, Telegram's retry_after). */
export class ChannelError extends PantauError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { code: string; retriable: boolean; retryAfterMs?: number | undefined }) {
    super(message, { stage: 'alerting', code: options.code, retriable: options.retriable });
    this.name = 'ChannelError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface PostJsonOptions {
  /** Error code prefix and message subject: `webhook`, `slack`, `telegram`. */
  channel: string;
  /** How errors name the receiver; never the secret URL itself. */
  receiver: string;
  headers?: Record<string, string>;
  timeoutMs: number;
}

/**
 * POSTs `body` and returns the answer whatever its status. Only the failure to get an answer throws: a
 * timeout or a network error (retriable, like sinks/webhook.ts), or a URL fetch cannot use (not retriable).
 * The thrown error never carries fetch's own error, whose message may quote the URL.
 */
export async function postJson(url: string, body: string, options: PostJsonOptions): Promise<Response> {
  const target = splitCredentials(url);
  try {
    return await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'pantau',
        ...(target.authorization ? { authorization: target.authorization } : {}),
        ...options.headers,
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
      // A redirect would re-send the signed alert somewhere the operator did not configure.
      redirect: 'error',
    });
  } catch (cause) {
    const error = cause as Error & { cause?: { code?: unknown } };
    if (error.name === 'TimeoutError') {
      throw new ChannelError(`${options.channel} ${options.receiver}: no answer within ${options.timeoutMs} ms`, { code: `${options.channel}_timeout`, retriable: true });
    }
    // undici: TypeError('fetch failed') with the socket error (ECONNREFUSED…) as its cause; that code is safe to show.
    const socketCode = typeof error.cause?.code === 'string' ? error.cause.code : undefined;
    if (error instanceof TypeError && socketCode !== undefined) {
      throw new ChannelError(`${options.channel} ${options.receiver} unreachable: ${socketCode}`, { code: `${options.channel}_unreachable`, retriable: true });
    }
    throw new ChannelError(`${options.channel} ${options.receiver}: request failed (${error.name})`, { code: `${options.channel}_request_failed`, retriable: false });
  }
}

/** `Retry-After` in seconds (the HTTP-date form is ignored: backoff covers it). */
export function retryAfterHeaderMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

/** The error for a non-2xx answer: 408/429/5xx retriable (core/retry.ts), other statuses not. */
export function httpStatusError(response: Response, options: { channel: string; receiver: string; detail?: string }): ChannelError {
  const detail = options.detail ? `: ${options.detail}` : '';
  return new ChannelError(`${options.channel} ${options.receiver} answered ${response.status}${detail}`, {
    code: `${options.channel}_http_${response.status}`,
    retriable: isRetriableHttpStatus(response.status),
    retryAfterMs: retryAfterHeaderMs(response),
  });
}

export function createWebhookChannel(config: { url: string; secret: string; timeoutMs: number; clock: Clock }): Channel {
  const receiver = displayUrl(config.url, { pathIsSecret: true });
  return {
    type: 'webhook',
    target: `webhook ${receiver}`,
    async send(message: ChannelMessage): Promise<void> {
      const body = JSON.stringify(message.payload);
      const response = await postJson(config.url, body, {
        channel: 'webhook',
        receiver,
        timeoutMs: config.timeoutMs,
        headers: { 'idempotency-key': message.id, ...signRequest(body, config.secret, { clock: config.clock }) },
      });
      await response.body?.cancel();
      if (!response.ok) throw httpStatusError(response, { channel: 'webhook', receiver });
    },
    async close(): Promise<void> {},
  };
}

/**
 * For receivers (and tests): true when the request carries a timestamp within `maxSkewSeconds` of `nowMs`
 * and a signature, under `secret`, of that timestamp and exactly these body bytes.
 */
export function verifyDeskWebhook(
  body: Buffer | string,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  nowMs: number,
  maxSkewSeconds = 300,
): boolean {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (!checkTimestamp(timestamp, nowMs, maxSkewSeconds).ok) return false;
  return verifyRequest(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), timestamp, signature, secret);
}
