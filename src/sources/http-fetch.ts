/**
 * One HTTP GET for a polling source, with the limits a source needs against a misbehaving server: a
 * deadline for the whole exchange (headers and body), a body size limit enforced while reading, and every
 * failure turned into a PantauError whose code is bounded and whose `retriable` follows the sinks' policy
 * (timeouts, network errors, 408/429/5xx may succeed later; other 4xx never will).
 */
import { PantauError } from '../core/errors.ts';
import { displayUrl } from '../core/redact.ts';
import { splitCredentials } from '../core/url-credentials.ts';
import { isRetriableHttpStatus } from '../core/retry.ts';

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
  /** The source's stop signal: aborting it ends the request with code `stopped`. */
  signal?: AbortSignal;
}

export interface FetchedBody {
  status: number;
  headers: Headers;
  /** Empty for 304 Not Modified. */
  body: Buffer;
}

/** A failed fetch; `retryAfterMs` carries the server's Retry-After, which `retrying` honours. */
export class SourceFetchError extends PantauError {
  readonly status: number | null;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { code: string; retriable: boolean; status?: number; retryAfterMs?: number; cause?: unknown }) {
    super(message, { stage: 'receiving', code: options.code, retriable: options.retriable, cause: options.cause });
    this.name = 'SourceFetchError';
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Retry-After as milliseconds: either delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function statusCode(status: number): string {
  if (status === 429) return 'http_429';
  if (status >= 500) return 'http_5xx';
  return 'http_4xx';
}

export async function fetchBody(url: string, options: FetchOptions): Promise<FetchedBody> {
  // Messages name the URL without credentials or secret parameters: they reach logs and /healthz.
  const shown = displayUrl(url);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const failure = (cause: unknown): SourceFetchError => {
    if (options.signal?.aborted) return new SourceFetchError(`request to ${shown} cancelled: the source is stopping`, { code: 'stopped', retriable: false, cause });
    if (deadline.aborted) return new SourceFetchError(`${shown} did not answer within ${options.timeoutMs} ms`, { code: 'fetch_timeout', retriable: true, cause });
    const detail = (cause as Error & { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
    return new SourceFetchError(`cannot fetch ${shown}: ${detail}`, { code: 'fetch_network', retriable: true, cause });
  };

  let response: Response;
  try {
    const target = splitCredentials(url);
    const headers = target.authorization ? { ...options.headers, authorization: target.authorization } : options.headers;
    response = await fetch(target.url, { headers, signal, redirect: 'follow' });
  } catch (cause) {
    throw failure(cause);
  }
  if (response.status === 304) {
    await response.body?.cancel().catch(() => {});
    return { status: 304, headers: response.headers, body: Buffer.alloc(0) };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new SourceFetchError(`${shown} answered ${response.status} ${response.statusText}`, {
      code: statusCode(response.status),
      retriable: isRetriableHttpStatus(response.status),
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  }
  const tooLarge = (size: number) =>
    new SourceFetchError(`${shown} sent more than ${options.maxBytes} bytes (${size}+)`, { code: 'body_too_large', retriable: false, status: response.status });
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        // Checked per chunk, so a server streaming without end costs at most one chunk beyond the limit.
        // Leaving the loop by throwing cancels the stream (the iterator's return), which frees the socket.
        if (size > options.maxBytes) throw tooLarge(size);
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (cause) {
    if (cause instanceof SourceFetchError) throw cause;
    throw failure(cause);
  }
  return { status: response.status, headers: response.headers, body: Buffer.concat(chunks, size) };
}
