/**
 * Renders a PDF in real headless Chromium with pdf.js (pdfjs-dist): a loopback HTTP server serves pdf.js's build,
 * its standard fonts and the PDF; the page draws page 1 on a canvas and reads every page's text. Gives the page
 * count, the text per page, and a PNG of page 1.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/core/paths.ts';

const PDFJS = resolve(PROJECT_ROOT, 'node_modules', 'pdfjs-dist');

const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}canvas{display:block}</style></head><body>
<canvas id="page"></canvas>
<script type="module">
import * as pdfjs from '/pdfjs/build/pdf.mjs';
pdfjs.GlobalWorkerOptions.workerSrc = '/pdfjs/build/pdf.worker.mjs';
try {
  const doc = await pdfjs.getDocument({ url: '/file.pdf', standardFontDataUrl: '/pdfjs/standard_fonts/' }).promise;
  const texts = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    texts.push(content.items.map((it) => it.str + (it.hasEOL ? '\\n' : '')).join(''));
  }
  const page = await doc.getPage(1);
  const viewport = page.getViewport({ scale: 1.5 });
  const canvas = document.getElementById('page');
  canvas.width = viewport.width;
  canvas.height = viewport.height;
  await page.render({ canvas, canvasContext: canvas.getContext('2d'), viewport }).promise;
  // Share of pixels that are not white: a blank page is 0.
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let p = 0; p < data.length; p += 4) if (data[p] < 235 || data[p + 1] < 235 || data[p + 2] < 235) inked++;
  window.__result = { pages: doc.numPages, texts, inked: inked / (data.length / 4), width: canvas.width, height: canvas.height };
} catch (error) {
  window.__result = { error: String(error && error.stack || error) };
}
</script></body></html>`;

export interface RenderedPdf {
  pages: number;
  texts: string[];
  /** Share of page 1's pixels that are not white. */
  inked: number;
  width: number;
  height: number;
}

export async function renderPdfInBrowser(browser: Browser, pdf: Buffer, screenshot: string): Promise<RenderedPdf> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      if (path === '/file.pdf') return void res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
      if (path.startsWith('/pdfjs/') && !path.includes('..')) {
        const file = resolve(PDFJS, path.slice('/pdfjs/'.length));
        const type = file.endsWith('.mjs') ? 'text/javascript' : 'application/octet-stream';
        return void res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
      }
    } catch {
      // falls through to 404
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const context = await browser.newContext({ viewport: { width: 900, height: 1300 } });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const result = (await page.waitForFunction(() => (globalThis as unknown as { __result?: unknown }).__result, undefined, { timeout: 30_000 }).then((h) => h.jsonValue())) as RenderedPdf & { error?: string };
    if (result.error) throw new Error(`pdf.js could not render the PDF: ${result.error}`);
    if (problems.length > 0) throw new Error(`script errors: ${problems.join('; ')}`);
    await page.locator('#page').screenshot({ path: screenshot });
    return result;
  } finally {
    await context.close();
    server.close();
  }
}
