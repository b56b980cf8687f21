/**
 * The daily brief as leadership sees it, in real headless Chromium: the PDF drawn by pdf.js (pdfjs-dist) is one
 * page, not blank, and its text holds every section heading; the HTML e-mail at desktop and phone width has every
 * section and no horizontal overflow on a 390 px phone. Screenshots go to test/artifacts/screenshots/
 * (brief.png, brief-long.png, brief-email-desktop.png, brief-email-phone.png).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIEF_TITLE, SECTIONS } from '../../src/brief/brief-data.ts';
import { renderBriefHtml } from '../../src/brief/render-html.ts';
import { renderBriefPdf } from '../../src/brief/render-pdf.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { longBrief, ordinaryBrief } from '../helpers/brief-fixture.ts';
import { renderPdfInBrowser } from '../helpers/pdf-in-browser.ts';

// The page's globals, as far as the callbacks given to page.evaluate use them (the tsconfig has no DOM lib).
declare const document: { documentElement: { scrollWidth: number; clientWidth: number }; body: { innerText: string }; querySelectorAll(s: string): { length: number } };

const SHOTS = resolve(PROJECT_ROOT, 'test', 'artifacts', 'screenshots');
/** pdf.js puts spaces and line ends where the PDF positions text: compare on single spaces. */
const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('daily brief in the browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders the PDF as one page with every section, drawn (not blank)', async () => {
    const { pdf } = await renderBriefPdf(ordinaryBrief());
    const r = await renderPdfInBrowser(browser, pdf, resolve(SHOTS, 'brief.png'));
    expect(r.pages).toBe(1);
    // A4 (595 × 842 pt) at 1.5 × 72 dpi.
    expect([r.width, r.height]).toEqual([892, 1262]);
    expect(r.inked).toBeGreaterThan(0.05);
    const text = flat(r.texts[0]!);
    for (const heading of [BRIEF_TITLE, ...Object.values(SECTIONS)]) expect(text).toContain(heading);
    expect(text).toContain('Senin, 30 November 2026');
    expect(text).toContain('Tahapan: Masa kampanye');
    expect(text).toContain('sudah dilawan');
    expect(text).toContain('Surat suara di TPS 12 sudah dicoblos');
    expect(text).toContain('Perkiraan presisi');
  });

  it('keeps the longest brief on one page with every section, without undrawable characters', async () => {
    const long = longBrief();
    long.narratives[0]!.text = 'Awas 😡🔥 𝐒𝐄𝐁𝐀𝐑𝐊𝐀𝐍 sekarang → grup keluarga';
    const { pdf } = await renderBriefPdf(long);
    const r = await renderPdfInBrowser(browser, pdf, resolve(SHOTS, 'brief-long.png'));
    expect(r.pages).toBe(1);
    const text = flat(r.texts[0]!);
    for (const heading of Object.values(SECTIONS)) expect(text).toContain(heading);
    expect(text).toMatch(/dan \d+ klarifikasi lainnya/);
    expect(text).toContain('dan 6 unit lainnya');
    expect(text).toContain('Awas SEBARKAN sekarang -> grup keluarga');
    expect(text).not.toMatch(/[\u{1F300}-\u{1FAFF}]|𝐒|\uFFFD/u);
  });

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`shows the HTML e-mail at ${name} width with every section and no horizontal overflow`, async () => {
      const context = await browser.newContext({ viewport, locale: 'id-ID', javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await page.setContent(renderBriefHtml(ordinaryBrief()), { waitUntil: 'load' });
        const text = await page.evaluate(() => document.body.innerText);
        for (const heading of [BRIEF_TITLE, ...Object.values(SECTIONS)]) expect(text).toContain(heading);
        // The narrative holding markup shows as text: no script element was made of it.
        expect(text).toContain('<script>alert("x")</script>');
        expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
        expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
        await page.screenshot({ path: resolve(SHOTS, `brief-email-${name}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
