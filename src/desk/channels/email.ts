/**
 * E-mail over SMTP with nodemailer: one message to all the unit's addresses, plain text and HTML parts, and the
 * desk's message id in `X-Pantau-Message-Id` so a duplicate after a retry can be recognised.
 *
 * Retry rule: a 4xx reply (greylisting, mailbox busy, too many connections) and a failure to reach or talk to the
 * server may succeed later; a 5xx reply (no such mailbox, bad credentials, policy) never will.
 */
import { createTransport } from 'nodemailer';
import { PantauError } from '../../core/errors.ts';
import { redact } from '../../core/redact.ts';
import type { ChannelMessage } from '../types.ts';
import type { Channel } from './index.ts';

export interface EmailChannelConfig {
  /** smtp://host:port or smtps://host:port, without credentials (spec.ts). */
  smtpUrl: string;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  to: string[];
  timeoutMs: number;
}

/** Nodemailer's error codes for "the server could not be reached or the conversation broke off". */
const UNREACHABLE = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);

/** A nodemailer SMTP transport for `smtpUrl` (no credentials in it), and the server as it may be printed. */
export function smtpTransport(config: Pick<EmailChannelConfig, 'smtpUrl' | 'user' | 'password' | 'timeoutMs'>): { transport: ReturnType<typeof createTransport>; server: string } {
  const url = new URL(config.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const server = `${url.protocol}//${url.hostname}:${port}`;
  const transport = createTransport({
    host: url.hostname,
    port,
    secure,
    ...(config.user !== undefined || config.password !== undefined ? { auth: { user: config.user ?? '', pass: config.password ?? '' } } : {}),
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
  });
  return { transport, server };
}

export function createEmailChannel(config: EmailChannelConfig): Channel {
  const { transport, server } = smtpTransport(config);
  return {
    type: 'email',
    target: `email ${server} → ${config.to.join(', ')}`,
    async send(message: ChannelMessage): Promise<void> {
      let info: { rejected?: unknown[]; rejectedErrors?: Array<{ responseCode?: number; response?: string }> | undefined };
      try {
        info = await transport.sendMail({
          from: config.from,
          to: config.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: { 'X-Pantau-Message-Id': message.id },
        });
      } catch (cause) {
        throw smtpError(cause, server);
      }
      // Some recipients refused, others accepted: the message went out, so a retry would duplicate it for those
      // who got it. Reported as a failure that is not retried, naming the refused addresses.
      if (info.rejected && info.rejected.length > 0) {
        const first = info.rejectedErrors?.[0];
        throw new PantauError(`email ${server} refused ${info.rejected.map(String).join(', ')}${first?.response ? `: ${redact(first.response)}` : ''} (others accepted)`, {
          stage: 'alerting',
          code: first?.responseCode ? `smtp_${first.responseCode}` : 'smtp_rejected',
          retriable: false,
        });
      }
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}

/** A failed SMTP conversation as a PantauError: retriable for 4xx and unreachable servers, not for 5xx. */
export function smtpError(cause: unknown, server: string): PantauError {
  const error = cause as Error & { code?: unknown; responseCode?: unknown; response?: unknown };
  const responseCode = typeof error.responseCode === 'number' ? error.responseCode : undefined;
  if (responseCode !== undefined) {
    const reply = typeof error.response === 'string' ? error.response : String(responseCode);
    return new PantauError(`email ${server} answered ${redact(reply.slice(0, 300))}`, {
      stage: 'alerting',
      code: `smtp_${responseCode}`,
      retriable: responseCode >= 400 && responseCode < 500,
    });
  }
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code === 'ETIMEDOUT') return new PantauError(`email ${server}: no answer in time`, { stage: 'alerting', code: 'smtp_timeout', retriable: true });
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new PantauError(`email ${server} unreachable: ${redact(error.message)}`, { stage: 'alerting', code: 'smtp_unreachable', retriable: true });
  }
  // TLS failures, missing credentials, a message nodemailer cannot build: configuration or bugs, not retried.
  return new PantauError(`email ${server} failed: ${redact(error.message)}`, {
    stage: 'alerting',
    code: code ? `smtp_${code.toLowerCase()}` : 'smtp_failed',
    retriable: false,
  });
}
