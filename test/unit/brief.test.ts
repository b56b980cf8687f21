/**
 * The daily brief's renderings and clocks without Elasticsearch: the e-mail's sections and escaping, the PDF
 * staying one page with the longest inputs, Helvetica-safe text, "yesterday" across a month end, the config's
 * start-up errors.
 */
import { describe, expect, it } from 'vitest';
import { cleanText, describeChange, SECTIONS } from '../../src/brief/brief-data.ts';
import { briefSchema, smtpFromEnv } from '../../src/brief/config.ts';
import { renderBriefHtml, renderBriefText } from '../../src/brief/render-html.ts';
import { pdfSafe, renderBriefPdf } from '../../src/brief/render-pdf.ts';
import { briefDateFor } from '../../src/brief/schedule.ts';
import { briefSubject } from '../../src/brief/send.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { redact } from '../../src/core/redact.ts';
import { longBrief, ordinaryBrief, XSS_NARRATIVE } from '../helpers/brief-fixture.ts';

/** Page objects in the PDF's bytes (pdfkit writes its object dictionaries uncompressed). */
const pageObjects = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;

describe('brief e-mail', () => {
  it('has every section, the date in Indonesian, the stage and numbers formatted id-ID', () => {
    const html = renderBriefHtml(ordinaryBrief());
    for (const title of Object.values(SECTIONS)) expect(html).toContain(`>${title}</h2>`);
    expect(html).toContain('Senin, 30 November 2026');
    expect(html).toContain('Tahapan: Masa kampanye');
    expect(html).toContain('12.480');
    expect(html).toContain('▲ naik 20 %');
    expect(html).toContain('sudah dilawan');
    expect(html).toContain('belum ada kasus');
    expect(html).toContain('href="https://kpu.example.go.id/klarifikasi/surat-suara"');
    expect(html).toContain('Dibuat 1 Des 2026 07.00 WIB');
  });

  it('escapes a narrative that holds markup: no script element, the text shown as text', () => {
    const html = renderBriefHtml(ordinaryBrief());
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Surat suara &amp; kotak &quot;dibuka&quot;');
    expect(renderBriefText(ordinaryBrief())).toContain(XSS_NARRATIVE);
  });

  it('has the same sections in the plain-text alternative', () => {
    const text = renderBriefText(ordinaryBrief());
    for (const title of Object.values(SECTIONS)) expect(text).toContain(title.toUpperCase());
    expect(text).toContain('Status: sudah dilawan');
  });

  it('says when there is nothing, instead of empty sections', () => {
    const empty = { ...ordinaryBrief(), narratives: [], clarifications: [], provinces: [], precision: null, labels: { rows: [], flagged: 0, multiLabel: 0 }, openAlerts: { total: 0, new: 0, acknowledged: 0, units: [], sinceDays: 90 } };
    const html = renderBriefHtml(empty);
    expect(html).toContain('Tidak ada narasi yang ditandai pada hari itu.');
    expect(html).toContain('Tidak ada klarifikasi yang terbit pada hari itu.');
    expect(html).toContain('presisi belum bisa diperkirakan');
  });

  it('keeps handles, post links, e-mail addresses and phone numbers out of texts', () => {
    const t = cleanText('@kabar_tps12 Surat suara dicoblos! https://x.example/status/123 hubungi 0812-3456-7890 atau a.b@mail.example ya');
    expect(t).toBe('Surat suara dicoblos! hubungi atau ya');
    expect(cleanText('x'.repeat(500), 100)).toHaveLength(100);
  });

  it('describes changes against the day before', () => {
    expect(describeChange({ value: 120, previous: 100, change: 0.2 })).toBe('naik 20 %');
    expect(describeChange({ value: 95, previous: 100, change: -0.05 })).toBe('turun 5 %');
    expect(describeChange({ value: 3, previous: 0, change: null })).toBe('naik dari 0');
    expect(describeChange({ value: 3, previous: null, change: null })).toBe('tanpa pembanding');
    expect(briefSubject('2026-11-30', '[Pantau]')).toBe('[Pantau] Ringkasan harian Senin, 30 November 2026');
  });
});

describe('brief PDF', () => {
  it('is one A4 page for an ordinary day', async () => {
    const { pdf, pages } = await renderBriefPdf(ordinaryBrief());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toBe(1);
    expect(pageObjects(pdf)).toBe(1);
    expect(pdf.toString('latin1')).toContain('/MediaBox [0 0 595.28 841.89]');
  });

  it('stays one page with long narratives, forty clarifications and a dozen units', async () => {
    const { pdf, pages } = await renderBriefPdf(longBrief());
    expect(pages).toBe(1);
    expect(pageObjects(pdf)).toBe(1);
  });

  it('stays one page when every list is longer still', async () => {
    const b = longBrief();
    const huge = { ...b, stages: Array.from({ length: 10 }, () => 'Tahapan yang sangat panjang namanya'), clarifications: [...b.clarifications, ...b.clarifications, ...b.clarifications], openAlerts: { ...b.openAlerts, units: [...b.openAlerts.units, ...b.openAlerts.units] } };
    expect((await renderBriefPdf(huge)).pages).toBe(1);
  });

  it('draws only what Helvetica has: emoji dropped, styled letters and signs mapped', () => {
    expect(pdfSafe('Hoaks 😡🔥 𝐒𝐄𝐁𝐀𝐑𝐊𝐀𝐍 → sekarang − ṡ “kutip” café')).toBe('Hoaks SEBARKAN -> sekarang - s “kutip” café');
    expect(pdfSafe('漢字 only')).toBe('only');
  });
});

describe('brief clock', () => {
  it('sends the brief of the day before, in Jakarta, across a month end', () => {
    // 00:30 WIB on 1 December 2026 is still 30 November in UTC.
    const clock = fixedClock('2026-11-30T17:30:00.000Z');
    expect(briefDateFor(clock(), 'Asia/Jakarta')).toBe('2026-11-30');
    // 07:00 WIB on 1 March 2027 (no 29 February in 2027).
    clock.set('2027-03-01T00:00:00.000Z');
    expect(briefDateFor(clock(), 'Asia/Jakarta')).toBe('2027-02-28');
    // 07:00 WIB on 1 January: the brief of New Year's Eve.
    clock.set('2027-01-01T00:00:00.000Z');
    expect(briefDateFor(clock(), 'Asia/Jakarta')).toBe('2026-12-31');
  });
});

describe('brief config', () => {
  it('defaults to off at 07:00 Asia/Jakarta', () => {
    const c = briefSchema.parse({});
    expect(c).toMatchObject({ enabled: false, cron: '0 7 * * *', timezone: 'Asia/Jakarta', recipients: [], smtpUrlEnv: 'PANTAU_BRIEF_SMTP_URL' });
  });

  it('refuses to be enabled without recipients or sender, and bad addresses', () => {
    const r = briefSchema.safeParse({ enabled: true });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('no recipients');
    expect(JSON.stringify(r.error?.issues)).toContain('no sender');
    expect(briefSchema.safeParse({ recipients: ['bukan-alamat'] }).success).toBe(false);
    expect(briefSchema.safeParse({ cron: 'setiap pagi' }).success).toBe(false);
  });

  it('reads the SMTP server from the named variable, and keeps its password out of logs', () => {
    expect(() => smtpFromEnv({ smtpUrlEnv: 'PANTAU_BRIEF_SMTP_URL' }, {})).toThrow(/PANTAU_BRIEF_SMTP_URL is not set/);
    expect(() => smtpFromEnv({ smtpUrlEnv: 'X_SMTP' }, { X_SMTP: 'http://mail.example:25' })).toThrow(/smtp:\/\/ or smtps:\/\//);
    const s = smtpFromEnv({ smtpUrlEnv: 'X_SMTP' }, { X_SMTP: 'smtp://pimpinan%40kominfo:rahasia-sekali-42@mail.example.go.id:587' });
    expect(s).toEqual({ smtpUrl: 'smtp://mail.example.go.id:587', user: 'pimpinan@kominfo', password: 'rahasia-sekali-42' });
    expect(redact('login failed for rahasia-sekali-42')).not.toContain('rahasia-sekali-42');
  });
});
