/**
 * The desk's HTTP side against bad input, on the real Elasticsearch: every wrong request gets a clear 4xx and
 * changes nothing; a unit's clarification goes into the knowledge base once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { signLinkToken } from '../../src/desk/lifecycle.ts';
import { claimKey } from '../../src/kb/entry.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { clarificationsIndex } from '../../src/store/index-names.ts';
import { startWorkspace, type Workspace } from '../helpers/workspace.ts';

const SECRET = 'desk-api-test-link-secret-0123456789abcdef';

describe('desk API: bad input and unit clarifications', () => {
  let ws: Workspace;
  let keylessWs: Workspace;
  let ctx: PipelineContext;
  let prefix: string;
  let base: string;
  let keylessBase: string;
  let KEY: string;
  const clock = fixedClock('2026-11-30T16:59:59Z');

  beforeAll(async () => {
    ws = await startWorkspace({ name: 'desk-api', clock, linkSecret: SECRET });
    keylessWs = await startWorkspace({ name: 'desk-api-nolinks', clock });
    ({ ctx, prefix, base } = ws);
    keylessBase = keylessWs.base;
    KEY = ws.tokens.admin;
  }, 120_000);

  afterAll(async () => {
    await ws?.close();
    await keylessWs?.close();
  });

  const post = (url: string, body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers } });
  const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { authorization: `Bearer ${KEY}` } });

  it('refuses wrong list parameters with what to send', async () => {
    for (const [query, fragment] of [
      ['status=bogus', 'status'],
      ['unit=nobody', 'unknown unit'],
      ['size=1000', 'size'],
      ['page=0', 'page'],
      ['size=-1', 'size'],
    ] as const) {
      const r = await get(`${base}/api/cases?${query}`);
      expect(r.status, query).toBe(400);
      expect(((await r.json()) as { error: string }).error).toContain(fragment);
    }
    const empty = await get(`${base}/api/cases`);
    expect(empty.status).toBe(200);
    expect(await empty.json()).toMatchObject({ total: 0, cases: [] });
  });

  it('answers lifecycle calls on a missing case, a bad body, a missing token, a wrong role and a wrong method clearly', async () => {
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, '{}')).status).toBe(404);
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, '{not json')).status).toBe(400);
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, '[]')).status).toBe(400);
    expect((await post(`${base}/api/cases/nope~komdigi/counter`, JSON.stringify({ counter_url: 5 }))).status).toBe(400);
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, '{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, '{}', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, '{}', { authorization: '' })).status).toBe(401);
    const explode = await post(`${base}/api/cases/nope~komdigi/explode`, '{}');
    expect(explode.status).toBe(400);
    expect(((await explode.json()) as { error: string }).error).toBe('path parameter "action" is not valid');
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, 'x'.repeat(70_000))).status).toBe(413);
    expect((await get(`${base}/api/cases/nope~komdigi/acknowledge`)).status).toBe(405);
    expect((await get(`${base}/api/cases/nope~komdigi`, { method: 'DELETE' })).status).toBe(405);
    expect((await get(`${base}/api/cases/${encodeURIComponent('a b<c>')}`)).status).toBe(400);
    // Leadership sees aggregates only; an analyst reads cases but does not move them.
    const leader = await post(`${base}/api/cases/nope~komdigi/acknowledge`, '{}', { authorization: `Bearer ${ws.tokens.leadership}` });
    expect(leader.status).toBe(403);
    expect((await post(`${base}/api/cases/nope~komdigi/acknowledge`, '{}', { authorization: `Bearer ${ws.tokens.analyst}` })).status).toBe(403);
  });

  it('answers alert links that are garbage, forged, expired or for a missing case with a page that says so', async () => {
    const page = async (url: string) => {
      const r = await fetch(url);
      return { status: r.status, html: await r.text(), csp: r.headers.get('content-security-policy') };
    };
    const garbage = await page(`${base}/kasus?t=garbage`);
    expect(garbage.status).toBe(400);
    expect(garbage.html).toContain('Tautan tidak berlaku');
    expect(garbage.csp).toContain("default-src 'none'");
    expect((await page(`${base}/kasus`)).status).toBe(400);
    const forged = signLinkToken('nope~komdigi', 'acknowledge', clock() + 3_600_000, 'another-secret-0123456789abcdef0123');
    expect((await page(`${base}/kasus?t=${encodeURIComponent(forged)}`)).status).toBe(400);
    // Expired one second ago, across a month end (16:59:59 UTC on 30 November is 23:59:59 WIB).
    const expired = signLinkToken('nope~komdigi', 'acknowledge', clock() - 1_000, SECRET);
    const gone = await page(`${base}/kasus?t=${encodeURIComponent(expired)}`);
    expect(gone.status).toBe(410);
    expect(gone.html).toContain('kedaluwarsa');
    const missing = signLinkToken('nope~komdigi', 'acknowledge', clock() + 3_600_000, SECRET);
    expect((await page(`${base}/kasus?t=${encodeURIComponent(missing)}`)).status).toBe(404);
    const wrongForm = await fetch(`${base}/kasus`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(wrongForm.status).toBe(415);
    const noLinks = await page(`${keylessBase}/kasus?t=${encodeURIComponent(missing)}`);
    expect(noLinks.status).toBe(503);
  });

  it('stores a unit clarification once, and refuses one that is not an entry', async () => {
    const entry = { claim: 'Pemungutan suara di Kecamatan Sukamaju diundur satu minggu karena banjir', verdict: 'hoaks', publisher: 'Diskominfo Contoh', url: 'https://contoh.example.go.id/klarifikasi/1' };
    const bad = await post(`${base}/api/clarifications`, JSON.stringify({ ...entry, verdict: 'mungkin' }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('verdict');
    expect((await post(`${base}/api/clarifications`, JSON.stringify({ ...entry, url: 'javascript:alert(1)' }))).status).toBe(400);
    expect((await post(`${base}/api/clarifications`, JSON.stringify(entry), { authorization: 'Bearer nope' })).status).toBe(401);
    const created = await post(`${base}/api/clarifications`, JSON.stringify(entry));
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ claim_key: claimKey(entry.claim), created: true });
    const again = await post(`${base}/api/clarifications`, JSON.stringify({ ...entry, claim: `[HOAKS] ${entry.claim}` }));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ claim_key: claimKey(entry.claim), created: false });
    const stored = await ctx.es.get<{ claim: string; origins: string[]; verdict: string }>({ index: clarificationsIndex(prefix), id: claimKey(entry.claim) });
    expect(stored._source).toMatchObject({ claim: entry.claim, verdict: 'hoaks', origins: ['api'] });
  });
});
