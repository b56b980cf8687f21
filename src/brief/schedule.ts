/**
 * The daily brief inside `pantau work`: a node-cron task on `brief.cron` in `brief.timezone` (07:00 WIB by
 * default) that sends the brief of the day before, "yesterday" by the injected clock in that time zone. Every
 * work process schedules it; the day's lock document (`<prefix>-briefs`, `_id` daily-YYYY-MM-DD, created with
 * op_type=create) lets exactly one of them send, as retention's does.
 *
 * A retriable SMTP failure (4xx, server unreachable) is tried again a few times within the run; a run that still
 * fails leaves its lock document `failed` with the reason, and `pantau brief --date D --send` sends it by hand.
 */
import { hostname } from 'node:os';
import cron from 'node-cron';
import type { Client } from '@elastic/elasticsearch';
import { addDays, dayIn } from '../api/dates.ts';
import type { ElectionStages } from '../config/election-stages.ts';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import { isoNow, type Clock } from '../core/clock.ts';
import { describeError, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { DashboardDefinition } from '../dashboard/definition.ts';
import { elasticsearchError, httpStatusOf } from '../store/elasticsearch-errors.ts';
import { smtpFromEnv, type BriefConfig, type SmtpSettings } from './config.ts';
import { produceBrief } from './produce.ts';
import { sendBrief } from './send.ts';

export const briefsIndex = (prefix: string) => `${prefix}-briefs`;

/** The day the brief sent at `nowMs` describes: the day before, in `timeZone`. */
export const briefDateFor = (nowMs: number, timeZone: string): string => addDays(dayIn(nowMs, timeZone), -1);

export type BriefRunResult =
  | { date: string; status: 'sent'; recipients: number; attempts: number; pdfBytes: number; collectMs: number; renderMs: number }
  | { date: string; status: 'skipped'; reason: 'already_sent_today' };

export interface BriefSchedule {
  /** Runs the scheduled job now (with the daily lock), as the cron task does; for tests and operators. */
  runNow(): Promise<BriefRunResult>;
  /** Stops the timer and waits for a run in progress (a retry's wait is cut short). */
  stop(): Promise<void>;
}

export interface BriefScheduleOptions {
  es: Client;
  prefix: string;
  config: BriefConfig;
  dashboard: DashboardDefinition;
  units?: HumasUnitsConfig | undefined;
  stages?: ElectionStages | undefined;
  clock: Clock;
  logger: Logger;
  /** The SMTP server; default: from the environment variable `config.smtpUrlEnv`. */
  smtp?: SmtpSettings;
  env?: NodeJS.ProcessEnv;
  /** Send attempts for retriable SMTP failures, and the first wait between them (doubles). */
  maxAttempts?: number;
  retryBaseMs?: number;
}

interface LockDoc {
  kind: 'daily';
  date: string;
  status: 'sending' | 'sent' | 'failed';
  host: string;
  started_at: string;
  finished_at?: string;
  recipients?: number;
  attempts?: number;
  pdf_bytes?: number;
  collect_ms?: number;
  render_ms?: number;
  error?: string;
}

/** Creates the day's lock; false when another process (or an earlier run) has it. */
async function takeLock(es: Client, prefix: string, id: string, doc: LockDoc): Promise<boolean> {
  try {
    await es.index({ index: briefsIndex(prefix), id, op_type: 'create', document: doc, refresh: 'wait_for' });
    return true;
  } catch (error) {
    if (httpStatusOf(error) === 409) return false;
    throw elasticsearchError('alerting', 'brief: daily lock', error);
  }
}

export function startBriefSchedule(options: BriefScheduleOptions): BriefSchedule {
  const { config } = options;
  if (!config.from || config.recipients.length === 0) {
    throw new PantauError('brief: enabled without recipients or sender (brief.recipients, brief.from)', { stage: 'config', code: 'brief_incomplete', retriable: false });
  }
  // Checked at start-up: an unset or malformed variable must not wait until 07:00 to be noticed.
  const smtp = options.smtp ?? smtpFromEnv(config, options.env);
  const from = config.from;
  const log = options.logger.child({ job: 'brief' });
  const maxAttempts = options.maxAttempts ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 60_000;
  const abort = new AbortController();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  const run = async (): Promise<BriefRunResult> => {
    const date = briefDateFor(options.clock(), config.timezone);
    const id = `daily-${date}`;
    const lock: LockDoc = { kind: 'daily', date, status: 'sending', host: `${hostname()}:${process.pid}`, started_at: isoNow(options.clock) };
    if (!(await takeLock(options.es, options.prefix, id, lock))) return { date, status: 'skipped', reason: 'already_sent_today' };
    const record = (doc: Partial<LockDoc>) =>
      options.es.index({ index: briefsIndex(options.prefix), id, document: { ...lock, ...doc, finished_at: isoNow(options.clock) }, refresh: 'wait_for' }).catch((error: unknown) => {
        log.warn('could not record the brief run', { date, error: describeError(error) });
      });
    let attempts = 0;
    try {
      const brief = await produceBrief({ es: options.es, prefix: options.prefix, units: options.units, stages: options.stages, clock: options.clock }, { date, dashboard: options.dashboard });
      for (;;) {
        attempts += 1;
        try {
          await sendBrief(brief, { smtp, from, to: config.recipients, subjectPrefix: config.subjectPrefix });
          break;
        } catch (error) {
          const retriable = error instanceof PantauError && error.retriable;
          if (!retriable || attempts >= maxAttempts || abort.signal.aborted) throw error;
          log.warn('brief not sent; trying again', { date, attempt: attempts, error: describeError(error) });
          await wait(retryBaseMs * 2 ** (attempts - 1));
          if (abort.signal.aborted) throw error;
        }
      }
      const result = { date, status: 'sent' as const, recipients: config.recipients.length, attempts, pdfBytes: brief.pdf.length, ...brief.timings };
      await record({ status: 'sent', recipients: result.recipients, attempts, pdf_bytes: result.pdfBytes, collect_ms: result.collectMs, render_ms: result.renderMs });
      return result;
    } catch (error) {
      await record({ status: 'failed', attempts, error: describeError(error).slice(0, 2_000) });
      throw error;
    }
  };

  let running: Promise<BriefRunResult> | undefined;
  const runNow = (): Promise<BriefRunResult> => {
    // One run at a time in this process: a call during a run joins it.
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const task = cron.schedule(
    config.cron,
    () => {
      runNow().then(
        (r) => {
          if (r.status === 'skipped') log.info('brief already sent today by another process', { date: r.date });
          else log.info('brief sent', { date: r.date, recipients: r.recipients, attempts: r.attempts, pdfBytes: r.pdfBytes, collectMs: r.collectMs, renderMs: r.renderMs });
        },
        (error: unknown) => log.error('brief not sent; send it with `pantau brief --date D --send`', { error: describeError(error) }),
      );
    },
    { timezone: config.timezone, name: 'brief' },
  );
  log.info('brief scheduled', { cron: config.cron, timezone: config.timezone, recipients: config.recipients.length, smtp: smtp.smtpUrl });
  return {
    runNow,
    stop: async () => {
      abort.abort();
      await task.stop();
      await running?.catch(() => {});
    },
  };
}
