/**
 * The one error type of pantau. Every error says which stage raised it and whether retrying can help,
 * so callers decide between "retry with backoff", "dead-letter the input" and "stop and tell the operator"
 * without parsing messages.
 */
import { redact } from './redact.ts';

/** Where in the flow an error arose. A bounded set, so it can be a metric label. */
export type Stage =
  | 'config'
  | 'services'
  | 'receiving'
  | 'decoding'
  | 'classifying'
  | 'indexing'
  | 'alerting'
  | 'serving'
  | 'auth'
  | 'training';

export interface PantauErrorOptions {
  stage: Stage;
  /** A short, stable machine code such as `kafka_unreachable`; bounded so it can be a metric label. */
  code: string;
  /** True when the same call may succeed later (timeouts, 429, 5xx, broker re-election). */
  retriable: boolean;
  cause?: unknown;
}

export class PantauError extends Error {
  readonly stage: Stage;
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, options: PantauErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PantauError';
    this.stage = options.stage;
    this.code = options.code;
    this.retriable = options.retriable;
  }
}

/** True when `err` is known to be worth retrying; unknown errors are not. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof PantauError) return err.retriable;
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}

/** A one-line description for logs, CLI output and stored errors, including the cause chain; secrets removed (core/redact.ts). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof PantauError) parts.push(`[${current.stage}/${current.code}] ${current.message}`);
    else if (current instanceof Error) parts.push(current.message);
    else parts.push(String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return redact(parts.join(' ← '));
}
