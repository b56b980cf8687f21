/**
 * The daily brief as `pantau work` runs it: a real work process whose pipeline file enables the brief (its cron
 * every 2 seconds here instead of 07:00, so the test need not wait for a morning), a real SMTP server, the real
 * Elasticsearch. The process sends yesterday's brief once (the day's lock holds against its own later firings) and
 * stops cleanly on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { briefDateFor } from '../../src/brief/schedule.ts';
import { briefSubject } from '../../src/brief/send.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { cleanUp, isolatedConfig, openTestContext, waitFor } from '../helpers/cluster.ts';
import { decodeHeader, parseMime } from '../helpers/mime.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtp-receiver.ts';
import { spawnWorker, writePipelineFile, type WorkerProcess } from '../helpers/worker-process.ts';

describe('the daily brief in pantau work', () => {
  let ctx: PipelineContext;
  let smtp: SmtpReceiver;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    const config = isolatedConfig('brief-work');
    config.pipeline.brief = { ...config.pipeline.brief, enabled: true, cron: '*/2 * * * * *', recipients: ['pimpinan@example.go.id'], from: 'Pantau <pantau@example.go.id>' };
    ctx = await openTestContext(config);
    smtp = await startSmtpReceiver();
    worker = spawnWorker(writePipelineFile(config), 'index', { PANTAU_BRIEF_SMTP_URL: smtp.url });
    await worker.ready;
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await smtp?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it("sends yesterday's brief once to the configured list, and stops cleanly on SIGTERM", async () => {
    await waitFor('the brief e-mail', async () => (smtp.mails.length > 0 ? true : undefined), 30_000);
    const date = briefDateFor(systemClock(), 'Asia/Jakarta');
    const mail = parseMime(smtp.mails[0]!.raw);
    expect(smtp.mails[0]!.to).toEqual(['pimpinan@example.go.id']);
    expect(decodeHeader(mail.headers.subject ?? '')).toBe(briefSubject(date, '[Pantau]'));
    // The cron fires every 2 s: the day's lock lets no second brief out.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(smtp.mails).toHaveLength(1);

    worker!.child.kill('SIGTERM');
    const { code, signal } = await worker!.exited;
    expect({ code, signal }, worker!.output().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(worker!.output()).toContain('stopped cleanly');
  });
});
