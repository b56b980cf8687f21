/**
 * The dashboard API server against the real Elasticsearch: security headers on every answer, the page and
 * its two static files, calendar-date validation, "today" in Asia/Jakarta from an injected clock, and 5xx
 * answers that say nothing of the backend.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@elastic/elasticsearch';
import { createApiServer, listen } from '../../src/api/server.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { createLogger, silentLogger } from '../../src/core/log.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { checkHealth } from '../../src/pipeline/health.ts';
import { postsIndexFor } from '../../src/store/index-names.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';
import { AuthService } from '../../src/auth/auth-service.ts';
import { addToken } from '../../src/auth/accounts.ts';
import type { Logger } from '../../src/core/log.ts';

const LABELS = ['hate_speech', 'abusive', 'sara', 'hoax'];

async function start(server: Server): Promise<{ base: string; close: () => Promise<void> }> {
  const address: AddressInfo = await listen(server, '127.0.0.1', 0);
  return {
    base: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('dashboard API server', () => {
  let ctx: PipelineContext;
  let prefix: string;
  let token: string;
  /** fetch as an admin (the API needs a sign-in; static files do not, the token changes nothing there). */
  const fetch = (url: string, init: RequestInit = {}) => globalThis.fetch(url, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });
  const auth = (es: Client | PipelineContext['es'], logger: Logger) => new AuthService({ es, prefix, clock, logger });
  let api: { base: string; close: () => Promise<void> };
  // 01:30 WIB on 1 April 2026 is still 31 March in UTC: "today" must be the Jakarta day.
  const clock = fixedClock('2026-03-31T18:30:00Z');

  beforeAll(async () => {
    const config = isolatedConfig('api');
    prefix = config.pipeline.elasticsearch.indexPrefix;
    ctx = await openTestContext(config);
    const createdAt = '2026-03-20T10:00:00+07:00';
    await ctx.es.index({
      index: postsIndexFor(prefix, createdAt),
      id: 'uji-api-1',
      refresh: true,
      document: {
        id: 'uji-api-1',
        schema_version: 1,
        platform: 'x',
        text: 'Surat suara sudah dicoblos sebelum hari pemungutan',
        url: 'javascript:alert(1)',
        created_at: createdAt,
        scores: { hoax: 0.9 },
        flags: ['hoax'],
        flagged: true,
      },
    });
    token = (await addToken(ctx.es, prefix, clock, { name: 'api test', role: 'admin', createdBy: 'test' })).token;
    api = await start(createApiServer({ es: ctx.es, prefix, labels: LABELS, logger: silentLogger, clock, auth: auth(ctx.es, silentLogger) }));
  });

  afterAll(async () => {
    await api?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('serves the page with a strict Content-Security-Policy, and its script and style sheet', async () => {
    const page = await fetch(`${api.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    // Nothing inline that the policy would block: no inline script or style, no style attributes.
    expect(html).toContain('<html lang="id">');
    expect(html).toContain('<script src="/vendor/echarts.min.js" defer></script>');
    expect(html).toContain('<script type="module" src="/dashboard.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/dashboard.css">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    // Nothing from another origin: every script, style sheet and link is the project's own.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);

    const script = await fetch(`${api.base}/dashboard.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await script.text();
    expect(js).toContain('/api/dashboards/');
    // Text is written with textContent; no HTML or style attributes built from strings, no eval.
    expect(js).not.toMatch(/style=|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML\(|\beval\(|new Function\(/);
    expect(js).not.toMatch(/https?:\/\//);

    const style = await fetch(`${api.base}/dashboard.css`);
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(style.headers.get('x-content-type-options')).toBe('nosniff');
    const css = await style.text();
    expect(css).toContain('.tag-hoax');
    expect(css).not.toMatch(/@import|url\(/);

    for (const [path, type] of [
      ['/vendor/echarts.min.js', 'text/javascript; charset=utf-8'],
      ['/geo/indonesia-provinces.geojson', 'application/geo+json'],
      ['/geo/bps-code-fallback.json', 'application/json'],
    ] as const) {
      const res = await fetch(`${api.base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      await res.arrayBuffer();
    }
  });

  it('serves only its allow-listed files, whatever the path says', async () => {
    for (const path of ['/leadership.html', '/dashboards/dashboard.js', '/dashboards/leadership.json', '/overview.js', '/../package.json', '/%2e%2e/package.json', '/dashboard.js/', '/geo/build/extract.js', '/README.md']) {
      const res = await fetch(`${api.base}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('puts nosniff on every answer: data, errors, metrics, health', async () => {
    for (const [path, status] of [
      ['/api/flagged', 200],
      ['/api/dashboard/daily', 200],
      ['/api/flagged?size=0', 400],
      ['/nope', 404],
      ['/metrics', 200],
      ['/healthz', 200],
      ['/%zz', 400],
    ] as const) {
      const res = await fetch(`${api.base}${path}`);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      await res.arrayBuffer();
    }
    const post = await fetch(`${api.base}/api/flagged`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lists posts for analysts to check (between the review and the alert point) apart from flagged ones', async () => {
    const createdAt = '2026-03-21T10:00:00+07:00';
    await ctx.es.index({
      index: postsIndexFor(prefix, createdAt),
      id: 'uji-api-review',
      refresh: true,
      document: { id: 'uji-api-review', schema_version: 1, platform: 'x', text: 'Capres itu kerjanya cuma pencitraan', created_at: createdAt, scores: { hate_speech: 0.4 }, flags: [], flagged: false, review_flags: ['hate_speech'] },
    });
    const ids = async (query: string) => ((await (await fetch(`${api.base}/api/flagged?${query}`)).json()) as { items: Array<{ id: string }> }).items.map((i) => i.id);
    expect(await ids('level=review')).toEqual(['uji-api-review']);
    expect(await ids('level=review&label=hate_speech')).toEqual(['uji-api-review']);
    expect(await ids('level=review&label=hoax')).toEqual([]);
    expect(await ids('')).not.toContain('uji-api-review');
    const bad = await fetch(`${api.base}/api/flagged?level=semua`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid query: level: /);
  });

  it('refuses impossible calendar dates with 400 and a clear message', async () => {
    for (const query of ['from=2026-02-30', 'to=2026-13-01', 'from=2025-02-29&to=2025-03-10', 'to=2026-04-31', 'from=2026-00-10', 'from=2026-2-3', 'to=tomorrow']) {
      const res = await fetch(`${api.base}/api/dashboard/daily?${query}`);
      const body = (await res.json()) as { error: string; detail?: unknown };
      expect(res.status, query).toBe(400);
      expect(body.error, query).toMatch(/^invalid query: (from|to): must be a calendar date YYYY-MM-DD, got "/);
      expect(body.detail, query).toBeUndefined();
    }
    // A leap day that exists is a day like any other.
    const leap = await fetch(`${api.base}/api/dashboard/daily?from=2028-02-29&to=2028-03-01`);
    expect(leap.status).toBe(200);
    expect(((await leap.json()) as { days: unknown[] }).days).toHaveLength(2);
  });

  it('takes "today" from its clock, in Asia/Jakarta: the default range is the 30 days up to it', async () => {
    const res = await fetch(`${api.base}/api/dashboard/daily`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { timeZone: string; days: Array<{ date: string; total: number; flagged: number; labels: Record<string, number> }> };
    expect(body.timeZone).toBe('Asia/Jakarta');
    expect(body.days).toHaveLength(30);
    expect(body.days[0]!.date).toBe('2026-03-03');
    expect(body.days[29]!.date).toBe('2026-04-01');
    expect(body.days.find((d) => d.date === '2026-03-20')).toMatchObject({ total: 1, flagged: 1, labels: { hoax: 1 } });

    clock.set('2026-03-31T16:59:59Z'); // 23:59:59 WIB: still 31 March in Jakarta
    const before = (await (await fetch(`${api.base}/api/dashboard/daily`)).json()) as { days: Array<{ date: string }> };
    expect(before.days.at(-1)!.date).toBe('2026-03-31');
    clock.set('2026-03-31T18:30:00Z');
  });

  it('answers 502 without backend details when Elasticsearch fails, and logs the cause', async () => {
    const lines: string[] = [];
    const logger = createLogger({}, { level: 'error', json: true, write: (line) => lines.push(line) });
    // A real client pointed at a port where nothing listens (no retries, to keep the test short).
    const es = new Client({ node: 'http://127.0.0.1:9', maxRetries: 0, requestTimeout: 2000 });
    const down = await start(createApiServer({ es, prefix, labels: LABELS, logger, clock, auth: auth(es, logger) }));
    try {
      for (const path of ['/api/flagged', '/api/dashboard/daily?from=2026-03-01&to=2026-03-02']) {
        const res = await fetch(`${down.base}${path}`);
        expect(res.status, path).toBe(502);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        const body = (await res.json()) as Record<string, unknown>;
        expect(Object.keys(body), path).toEqual(['error']);
        expect(body.error, path).toBe('could not read from Elasticsearch; try again shortly');
      }
      expect(lines).toHaveLength(2);
      const logged = JSON.parse(lines[0]!) as { level: string; msg: string; path: string; error: string };
      expect(logged).toMatchObject({ level: 'error', msg: 'request failed upstream' });
      expect(logged.error.length).toBeGreaterThan(0);
    } finally {
      await down.close();
      await es.close();
    }
  });

  it('/healthz says which cluster is unreachable and nothing more; the cause goes to the log', async () => {
    const lines: string[] = [];
    const logger = createLogger({}, { level: 'warn', json: true, write: (line) => lines.push(line) });
    const es = new Client({ node: 'http://127.0.0.1:9', maxRetries: 0, requestTimeout: 2000 });
    const down = await start(createApiServer({ es, prefix, labels: LABELS, logger, clock, auth: auth(es, logger), health: () => checkHealth(ctx.kafka, es, logger) }));
    try {
      const res = await fetch(`${down.base}/healthz`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ status: 'degraded', checks: { kafka: 'ok', elasticsearch: 'unreachable' } });
      expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      expect(lines.some((l) => l.includes('ECONNREFUSED'))).toBe(true);
    } finally {
      await down.close();
      await es.close();
    }
  });

  it('answers 400 to a request target it cannot parse, without crashing', async () => {
    const res = await fetch(`${api.base}/api/flagged?label=%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/percent-encoding/);
  });
});
