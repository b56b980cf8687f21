/**
 * The daily brief end to end on the real Elasticsearch and a real SMTP server (smtp-server on loopback): the
 * dashboard's hand-worked data set (test/helpers/dashboard-fixture.ts) plus clarifications published around a
 * Jakarta midnight are collected for 1 December 2026, rendered, mailed and read back from the received bytes.
 * Two schedules racing for the same morning send one e-mail; a failed send is recorded without its password.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@elastic/elasticsearch';
import { SECTIONS } from '../../src/brief/brief-data.ts';
import { briefSchema } from '../../src/brief/config.ts';
import { collectBrief } from '../../src/brief/collect.ts';
import { loadBriefInputs, produceBrief } from '../../src/brief/produce.ts';
import { briefsIndex, startBriefSchedule } from '../../src/brief/schedule.ts';
import { sendBrief } from '../../src/brief/send.ts';
import { loadHumasUnits } from '../../src/config/humas-units.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/log.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { claimKey, type ClarificationDoc } from '../../src/kb/entry.ts';
import { storeClarifications } from '../../src/kb/store.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { clarificationsIndex } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';
import { DASHBOARD_SEEDS, seedDashboardData } from '../helpers/dashboard-fixture.ts';
import { decodeHeader, leaves, parseMime } from '../helpers/mime.ts';
import { startSmtpReceiver } from '../helpers/smtp-receiver.ts';

const DATE = '2026-12-01';
/** 07:00 WIB on 2 December: the morning the brief of 1 December goes out. */
const MORNING = '2026-12-02T00:00:00.000Z';
const units = loadHumasUnits(resolve(PROJECT_ROOT, 'pipelines/humas-units.json'));
const { dashboard, stages } = loadBriefInputs('leadership');

/** Clarifications around 1 December in Jakarta: two inside it, one just before and one just after. */
const CLARIFICATIONS: Array<{ claim: string; published_at: string; inside: boolean }> = [
  { claim: 'Surat suara sudah dicoblos sebelum hari pemungutan di TPS Surabaya', published_at: '2026-12-01T03:00:00.000Z', inside: true },
  { claim: 'Pemungutan suara diundur seminggu karena banjir', published_at: '2026-12-01T16:59:00.000Z', inside: true }, // 23:59 WIB
  { claim: 'KPU menghapus jutaan pemilih dari DPT secara diam-diam', published_at: '2026-11-30T16:30:00.000Z', inside: false }, // 23:30 WIB on 30 Nov
  { claim: 'Kotak suara dibawa pulang oleh petugas KPPS', published_at: '2026-12-01T17:10:00.000Z', inside: false }, // 00:10 WIB on 2 Dec
];

const startSmtp = startSmtpReceiver;

async function refusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function lockDoc(es: Client, prefix: string, date: string) {
  const r = await es.get<{ status: string; error?: string; attempts?: number }>({ index: briefsIndex(prefix), id: `daily-${date}` });
  return r._source!;
}

describe('daily brief on the real Elasticsearch and SMTP server', () => {
  let ctx: PipelineContext;
  let prefix: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('brief'));
    prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
    await seedDashboardData(ctx.es, prefix);
    const docs: ClarificationDoc[] = CLARIFICATIONS.map((c, i) => ({
      claim: c.claim,
      claim_key: claimKey(c.claim),
      verdict: 'hoaks',
      publisher: 'KPU RI',
      url: `https://kpu.example.go.id/klarifikasi/kb-${i}`,
      published_at: c.published_at,
      origins: ['test'],
      imported_at: c.published_at,
    }));
    await storeClarifications(ctx.es, clarificationsIndex(prefix), docs);
    await ctx.es.indices.refresh({ index: clarificationsIndex(prefix) });
    smtp = await startSmtp();
  }, 120_000);

  afterAll(async () => {
    await smtp?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('collects the day in Asia/Jakarta: figures against the day before, categories, provinces, narratives, clarifications, open alerts, precision', async () => {
    const b = await collectBrief({ es: ctx.es, prefix, units, stages, clock: fixedClock(MORNING) }, { date: DATE, dashboard });
    expect(b.stages).toEqual(['Masa kampanye']);
    // 1 December (WIB): tw-1, tw-2, fb-3, fb-4, rss-5 and tw-8 (00:30 WIB); 30 November: tw-9 alone.
    expect(Object.fromEntries(b.figures.map((f) => [f.key, [f.value, f.previous]]))).toEqual({ posts: [6, 1], flagged: [5, 1], narratives: [4, 1] });
    expect(b.figures.find((f) => f.key === 'flagged')!.change).toBe(4);
    expect(b.labels).toEqual({
      flagged: 5,
      multiLabel: 2,
      rows: [
        { key: 'hoax', name: 'Hoaks', posts: 3 },
        { key: 'hate_speech', name: 'Ujaran kebencian', posts: 2 },
        { key: 'sara', name: 'Provokasi SARA', posts: 2 },
        { key: 'abusive', name: 'Kata kasar', posts: 1 },
      ],
    });
    expect(b.provinces).toEqual([
      { name: 'Jawa Timur', flagged: 2 },
      { name: 'DKI Jakarta', flagged: 1 },
      { name: 'Jawa Barat', flagged: 1 },
    ]);
    expect(b.narratives).toHaveLength(4);
    expect(b.narratives[0]).toMatchObject({ accounts: 2, posts: 2, shares: 15, status: 'countered', labels: ['Hoaks', 'Provokasi SARA'] });
    expect(b.narratives[0]!.text).toContain('Surat suara sudah dicoblos duluan di TPS Surabaya');
    expect(b.narratives.map((n) => n.status).sort()).toEqual(['countered', 'new', 'none', 'none']);
    // Knowledge-base entries inside the Jakarta day, and the desk case countered that day with its counter link.
    expect(b.clarifications.map((c) => [c.source, c.title, c.by, c.url])).toEqual([
      ['kb', CLARIFICATIONS[1]!.claim, 'KPU RI', 'https://kpu.example.go.id/klarifikasi/kb-1'],
      ['desk', expect.stringContaining('Surat suara sudah dicoblos duluan'), 'Humas KPU RI', 'https://kpu.example.go.id/klarifikasi/1'],
      ['kb', CLARIFICATIONS[0]!.claim, 'KPU RI', 'https://kpu.example.go.id/klarifikasi/kb-0'],
    ]);
    expect(b.openAlerts).toMatchObject({ total: 2, new: 1, acknowledged: 1 });
    expect(b.openAlerts.units.map((u) => u.name).sort()).toEqual(['Humas Bawaslu RI', 'Humas KPU RI'].sort());
    // Decisions of the 30 days up to 1 December: the confirm of 1 December only.
    expect(b.precision).toMatchObject({ confirmed: 1, dismissed: 0, n: 1, precision: 1 });
    expect(b.generatedAt).toBe(MORNING);
  });

  it('mails the brief: subject with the date, HTML and text with every section, the one-page PDF attached, nothing that names a post or person', async () => {
    const made = await produceBrief({ es: ctx.es, prefix, units, stages, clock: fixedClock(MORNING) }, { date: DATE, dashboard });
    const before = smtp.mails.length;
    const sent = await sendBrief(made, { smtp: { smtpUrl: smtp.url }, from: 'Pantau <pantau@kominfo.example.go.id>', to: ['pimpinan@kominfo.example.go.id', 'wakil@kominfo.example.go.id'], subjectPrefix: '[Pantau]' });
    expect(sent.accepted).toEqual(['pimpinan@kominfo.example.go.id', 'wakil@kominfo.example.go.id']);
    expect(smtp.mails).toHaveLength(before + 1);
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['pimpinan@kominfo.example.go.id', 'wakil@kominfo.example.go.id']);
    const message = parseMime(mail.raw);
    expect(decodeHeader(message.headers.subject!)).toBe('[Pantau] Ringkasan harian Selasa, 1 Desember 2026');
    expect(message.headers['x-pantau-brief-date']).toBe(DATE);
    const parts = leaves(message);
    const html = parts.find((p) => p.headers['content-type']?.startsWith('text/html'))!.body.toString('utf8');
    const text = parts.find((p) => p.headers['content-type']?.startsWith('text/plain'))!.body.toString('utf8');
    const pdf = parts.find((p) => p.headers['content-type']?.startsWith('application/pdf'))!;
    for (const title of Object.values(SECTIONS)) {
      expect(html).toContain(`>${title}</h2>`);
      expect(text).toContain(title.toUpperCase());
    }
    expect(html).toContain('Tahapan: Masa kampanye');
    expect(html).toContain('sudah dilawan');
    expect(html).toContain('href="https://kpu.example.go.id/klarifikasi/1"');
    expect(pdf.headers['content-disposition']).toMatch(/attachment; filename=ringkasan-2026-12-01\.pdf/);
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.body.equals(made.pdf)).toBe(true);
    expect((pdf.body.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length).toBe(1);
    // Aggregates only: no post id, author handle, post URL, mention or phone number anywhere in the message.
    const everything = [html, text, mail.raw].join('\n');
    for (const s of DASHBOARD_SEEDS) {
      expect(everything).not.toContain(`example.com/${s.platform}/${s.id}`);
      expect(everything).not.toMatch(new RegExp(`\\b${s.id}\\b`));
    }
    expect(everything).not.toMatch(/@saksi_tps|t\.co\/abc|081234567890|\ba[1-7]\b/);
  });

  it('sends once when two work processes race for the same morning, records it, and does not send again', async () => {
    const config = briefSchema.parse({ enabled: true, recipients: ['pimpinan@kominfo.example.go.id'], from: 'Pantau <pantau@kominfo.example.go.id>' });
    const make = () => startBriefSchedule({ es: ctx.es, prefix, config, dashboard, units, stages, clock: fixedClock(MORNING), logger: silentLogger, smtp: { smtpUrl: smtp.url } });
    const a = make();
    const b = make();
    try {
      const before = smtp.mails.length;
      const results = await Promise.all([a.runNow(), b.runNow()]);
      expect(results.map((r) => r.status).sort()).toEqual(['sent', 'skipped']);
      expect(results.every((r) => r.date === DATE)).toBe(true);
      expect(smtp.mails).toHaveLength(before + 1);
      expect(await lockDoc(ctx.es, prefix, DATE)).toMatchObject({ status: 'sent', recipients: 1, attempts: 1 });
      expect(await a.runNow()).toEqual({ date: DATE, status: 'skipped', reason: 'already_sent_today' });
      expect(smtp.mails).toHaveLength(before + 1);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('retries an unreachable server, then records the failure without the password', async () => {
    const config = briefSchema.parse({ enabled: true, recipients: ['pimpinan@kominfo.example.go.id'], from: 'pantau@kominfo.example.go.id', smtpUrlEnv: 'BRIEF_TEST_SMTP' });
    const port = await refusedPort();
    const schedule = startBriefSchedule({
      es: ctx.es,
      prefix,
      config,
      dashboard,
      units,
      stages,
      clock: fixedClock('2026-12-03T00:00:00.000Z'),
      logger: silentLogger,
      env: { BRIEF_TEST_SMTP: `smtp://pantau:sandi-rahasia-smtp-99@127.0.0.1:${port}` },
      maxAttempts: 2,
      retryBaseMs: 20,
    });
    try {
      const error = (await schedule.runNow().catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/unreachable/);
      expect(error.message).not.toContain('sandi-rahasia-smtp-99');
      const doc = await lockDoc(ctx.es, prefix, '2026-12-02');
      expect(doc).toMatchObject({ status: 'failed', attempts: 2 });
      expect(JSON.stringify(doc)).not.toContain('sandi-rahasia-smtp-99');
    } finally {
      await schedule.stop();
    }
  });

  it('refuses to start without the SMTP variable, naming it', () => {
    const config = briefSchema.parse({ enabled: true, recipients: ['pimpinan@kominfo.example.go.id'], from: 'pantau@kominfo.example.go.id' });
    expect(() => startBriefSchedule({ es: ctx.es, prefix, config, dashboard, clock: fixedClock(MORNING), logger: silentLogger, env: {} })).toThrow(/PANTAU_BRIEF_SMTP_URL is not set/);
  });
});
