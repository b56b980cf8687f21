/**
 * Sends the daily brief over SMTP with nodemailer (the desk's e-mail transport and error rules): one message to
 * every recipient, HTML with a plain-text alternative, the PDF attached as `ringkasan-YYYY-MM-DD.pdf`. The
 * server's password comes from the environment (config.ts) and never appears in logs or errors.
 */
import { PantauError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import { smtpError, smtpTransport } from '../desk/channels/email.ts';
import { formatDay } from './brief-data.ts';
import type { SmtpSettings } from './config.ts';
import type { RenderedBrief } from './produce.ts';

export const briefFileName = (date: string, ext: 'pdf' | 'html') => `ringkasan-${date}.${ext}`;

/** "[Pantau] Ringkasan harian Senin, 30 November 2026". */
export const briefSubject = (date: string, prefix: string) => `${prefix ? `${prefix} ` : ''}Ringkasan harian ${formatDay(date)}`;

export interface SendBriefOptions {
  smtp: SmtpSettings;
  from: string;
  to: string[];
  subjectPrefix: string;
  timeoutMs?: number;
}

export interface SentBrief {
  server: string;
  accepted: string[];
  messageId: string;
}

export async function sendBrief(brief: RenderedBrief, options: SendBriefOptions): Promise<SentBrief> {
  if (options.to.length === 0) throw new PantauError('brief: no recipients', { stage: 'config', code: 'brief_no_recipients', retriable: false });
  const { transport, server } = smtpTransport({ ...options.smtp, timeoutMs: options.timeoutMs ?? 30_000 });
  try {
    let info: { accepted?: unknown[]; rejected?: unknown[]; rejectedErrors?: Array<{ responseCode?: number; response?: string }> | undefined; messageId?: string };
    try {
      info = await transport.sendMail({
        from: options.from,
        to: options.to,
        subject: briefSubject(brief.data.date, options.subjectPrefix),
        text: brief.text,
        html: brief.html,
        attachments: [{ filename: briefFileName(brief.data.date, 'pdf'), content: brief.pdf, contentType: 'application/pdf' }],
        headers: { 'X-Pantau-Brief-Date': brief.data.date },
      });
    } catch (cause) {
      throw smtpError(cause, server);
    }
    if (info.rejected && info.rejected.length > 0) {
      const first = info.rejectedErrors?.[0];
      throw new PantauError(`brief: ${server} refused ${info.rejected.map(String).join(', ')}${first?.response ? `: ${redact(first.response)}` : ''} (others accepted)`, {
        stage: 'alerting',
        code: first?.responseCode ? `smtp_${first.responseCode}` : 'smtp_rejected',
        retriable: false,
      });
    }
    return { server, accepted: (info.accepted ?? []).map(String), messageId: info.messageId ?? '' };
  } finally {
    transport.close();
  }
}
