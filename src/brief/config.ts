/**
 * The pipeline file's `brief` section: the daily brief for leadership (one PDF page and an HTML e-mail in
 * Bahasa Indonesia) that `pantau work` sends every morning, and `pantau brief` makes on demand.
 */
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { isTimeZone } from '../core/time-zone.ts';
import { PantauError } from '../core/errors.ts';
import { registerSecret } from '../core/redact.ts';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as PANTAU_BRIEF_SMTP_URL');

export const BRIEF_DEFAULTS = {
  enabled: false,
  cron: '0 7 * * *',
  timezone: 'Asia/Jakarta',
  recipients: [] as string[],
  from: null,
  smtpUrlEnv: 'PANTAU_BRIEF_SMTP_URL',
  subjectPrefix: '[Pantau]',
  dashboard: 'leadership',
};

export const briefSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Send the daily brief from `pantau work` (one process sends it per day). Needs `recipients`, `from` and the SMTP URL in the `smtpUrlEnv` variable.'),
    cron: z
      .string()
      .refine((expr) => isValidCron(expr), 'a node-cron expression: 5 fields ("0 7 * * *"), or 6 with seconds first')
      .default('0 7 * * *')
      .describe('When `pantau work` sends the brief of the day before (node-cron, in `timezone`); at most once per day across every worker process.'),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Jakarta').default('Asia/Jakarta').describe('Time zone of `cron`, and of the day "yesterday" is.'),
    recipients: z.array(z.email()).max(100).default([]).describe('E-mail addresses the brief goes to (leadership); aggregates only, no post, author or post link is in it.'),
    from: z.string().min(3).max(200).nullable().default(null).describe('Sender of the brief, e.g. "Pantau <pantau@kominfo.example.go.id>".'),
    smtpUrlEnv: envName
      .default('PANTAU_BRIEF_SMTP_URL')
      .describe('Name of the environment variable holding the SMTP server, smtp://[user:password@]host:port or smtps://…:465; the password never appears in logs.'),
    subjectPrefix: z.string().max(40).default('[Pantau]').describe('Start of the e-mail subject, before "Ringkasan harian <tanggal>".'),
    dashboard: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('leadership').describe('Dashboard (dashboards/<id>.json) whose panels give the figures.'),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (!b.enabled) return;
    if (b.recipients.length === 0) ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'the brief is enabled but has no recipients: list at least one address, or set enabled to false' });
    if (b.from === null) ctx.addIssue({ code: 'custom', path: ['from'], message: 'the brief is enabled but has no sender: set "from", e.g. "Pantau <pantau@example.go.id>"' });
  });

export type BriefConfig = z.infer<typeof briefSchema>;

export interface SmtpSettings {
  /** smtp://host:port or smtps://host:port, without credentials (safe to print). */
  smtpUrl: string;
  user?: string;
  password?: string;
}

/**
 * The SMTP server from the environment variable `config.smtpUrlEnv`; its password (and the whole URL) are
 * registered as secrets, so no log line or error shows them. Throws a config error naming the variable.
 */
export function smtpFromEnv(config: Pick<BriefConfig, 'smtpUrlEnv'>, env: NodeJS.ProcessEnv = process.env): SmtpSettings {
  const name = config.smtpUrlEnv;
  const raw = env[name];
  const fail = (why: string) => new PantauError(`brief: ${name} ${why}`, { stage: 'config', code: 'brief_smtp_invalid', retriable: false });
  if (!raw) throw fail('is not set: set it to the SMTP server, smtp://user:password@host:587 or smtps://…:465 (or set brief.enabled to false)');
  registerSecret(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('is not a URL: expected smtp://[user:password@]host:port or smtps://…');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw fail(`must start with smtp:// or smtps://, not ${url.protocol}//`);
  if (!url.hostname) throw fail('names no host');
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  registerSecret(password);
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  return { smtpUrl: `${url.protocol}//${url.host}`, ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}) };
}
