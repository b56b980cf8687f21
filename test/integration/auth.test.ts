/**
 * Signing in, sessions, CSRF, lockout, tokens and rate limits of the workspace API, on the real
 * Elasticsearch, with an injected clock (expiry and lockout are tested by moving it, across a month end).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken, setDisabled, setPassword } from '../../src/auth/accounts.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { usersIndex } from '../../src/store/index-names.ts';
import { ELASTICSEARCH_URL, KAFKA_BROKERS } from '../helpers/cluster.ts';
import { startWorkspace, TEST_PASSWORD, type Workspace } from '../helpers/workspace.ts';

describe('access control', () => {
  // 23:50 WIB on 31 January: sessions and lockouts run past midnight into February.
  const clock = fixedClock('2027-01-31T16:50:00Z');
  let ws: Workspace;
  let limited: Workspace;

  beforeAll(async () => {
    ws = await startWorkspace({ name: 'auth', clock });
    limited = await startWorkspace({ name: 'auth-limits', clock, rateLimits: { perIp: 100_000, login: 3, read: 5, write: 2 } });
  }, 180_000);

  afterAll(async () => {
    await ws?.close();
    await limited?.close();
  });

  const login = (base: string, username: string, password: string) => fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

  it('signs in with a session cookie that scripts cannot read and other sites do not send', async () => {
    const r = await login(ws.base, 'analis', TEST_PASSWORD);
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^pantau_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const body = (await r.json()) as { user: { username: string; role: string; unit: string | null }; csrf_token: string; expires_at: string };
    expect(body.user).toEqual({ username: 'analis', role: 'analyst', unit: null, display_name: 'Analis Satu' });
    expect(body.csrf_token).toMatch(/^[0-9a-f]{64}$/);
    expect(body.expires_at).toBe('2027-02-01T04:50:00.000Z');
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('says the same for an unknown user and a wrong password, and stores only slow hashes', async () => {
    const unknown = await login(ws.base, 'siapa', TEST_PASSWORD);
    const wrong = await login(ws.base, 'admin', 'salah-kata-sandi-123');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await unknown.json()).toEqual(await wrong.json());
    const stored = JSON.stringify((await ws.ctx.es.search({ index: usersIndex(ws.prefix), size: 100 })).hits.hits);
    expect(stored).not.toContain(TEST_PASSWORD);
    expect(stored).toMatch(/scrypt\$15\$8\$1\$/);
    // The secret is everything after "pantau_<id>_" (base64url, so it may itself hold "_").
    for (const token of Object.values(ws.tokens)) expect(stored).not.toContain(token.split('_').slice(2).join('_'));
  });

  it('locks an account after 5 wrong passwords, even against the right one, until the lockout ends', async () => {
    for (let i = 0; i < 5; i++) expect((await login(ws.base, 'analis2', `salah-${i}-kata-sandi`)).status).toBe(401);
    const locked = await login(ws.base, 'analis2', TEST_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBe(900);
    expect(((await locked.json()) as { error: string }).error).toContain('dikunci');
    clock.advance(15 * 60_000 + 1_000); // past midnight WIB, into February
    expect((await login(ws.base, 'analis2', TEST_PASSWORD)).status).toBe(200);
    clock.set('2027-01-31T16:50:00Z');
  });

  it('ends a session after 30 idle minutes and after 12 hours in any case, and on sign-out', async () => {
    const s = await ws.login('humas');
    expect((await s.fetch('/api/session')).status).toBe(200);
    clock.advance(29 * 60_000);
    expect((await s.fetch('/api/session')).status).toBe(200); // a request renews the idle time
    clock.advance(29 * 60_000);
    expect((await s.fetch('/api/session')).status).toBe(200);
    clock.advance(31 * 60_000);
    expect((await s.fetch('/api/session')).status).toBe(401);
    clock.set('2027-01-31T16:50:00Z');

    const long = await ws.login('humas');
    for (let h = 0; h < 12; h++) {
      clock.advance(25 * 60_000);
      await long.fetch('/api/session');
      clock.advance(25 * 60_000);
      await long.fetch('/api/session');
      clock.advance(10 * 60_000);
    }
    expect((await long.fetch('/api/session')).status).toBe(401);
    clock.set('2027-01-31T16:50:00Z');

    const out = await ws.login('humas');
    const bye = await out.fetch('/api/session', { method: 'DELETE' });
    expect(bye.status).toBe(204);
    expect(bye.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await out.fetch('/api/session')).status).toBe(401);
  });

  it('refuses changes from a cookie session without the right CSRF token; tokens need none', async () => {
    const s = await ws.login('admin');
    const clar = { claim: 'Kotak suara di Desa Contoh dibawa pulang petugas', verdict: 'hoaks', publisher: 'Uji', url: 'https://contoh.example.go.id/k/2' };
    const noCsrf = await fetch(`${ws.base}/api/clarifications`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json' }, body: JSON.stringify(clar) });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { error: string }).error).toContain('CSRF');
    const wrongCsrf = await fetch(`${ws.base}/api/clarifications`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': '0'.repeat(64) }, body: JSON.stringify(clar) });
    expect(wrongCsrf.status).toBe(403);
    // Another user's CSRF token does not fit this session either.
    const other = await ws.login('analyst');
    expect((await fetch(`${ws.base}/api/clarifications`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': other.csrf }, body: JSON.stringify(clar) })).status).toBe(403);
    expect((await s.fetch('/api/clarifications', { method: 'POST', json: clar })).status).toBe(201);
    const viaToken = await fetch(`${ws.base}/api/clarifications`, { method: 'POST', headers: { authorization: `Bearer ${ws.tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(clar) });
    expect(viaToken.status).toBe(200);
  });

  it('ends sessions of a disabled user or a changed password; a revoked token stops working', async () => {
    const s = await ws.login('leadership');
    await setDisabled(ws.ctx.es, ws.prefix, clock, 'pimpinan', true);
    expect((await s.fetch('/api/dashboard/daily')).status).toBe(401);
    expect((await login(ws.base, 'pimpinan', TEST_PASSWORD)).status).toBe(401);
    await setDisabled(ws.ctx.es, ws.prefix, clock, 'pimpinan', false);
    const again = await ws.login('leadership');
    await setPassword(ws.ctx.es, ws.prefix, clock, 'pimpinan', 'kata-sandi-baru-yang-panjang');
    expect((await again.fetch('/api/dashboard/daily')).status).toBe(401);
    await setPassword(ws.ctx.es, ws.prefix, clock, 'pimpinan', TEST_PASSWORD);

    const token = ws.tokens.leadership;
    const id = token.split('_')[1]!;
    const auth = { headers: { authorization: `Bearer ${token}` } };
    expect((await fetch(`${ws.base}/api/dashboard/daily`, auth)).status).toBe(200);
    await revokeToken(ws.ctx.es, ws.prefix, clock, id);
    expect((await fetch(`${ws.base}/api/dashboard/daily`, auth)).status).toBe(401);
    expect((await fetch(`${ws.base}/api/dashboard/daily`, { headers: { authorization: `Bearer ${token.slice(0, -2)}xx` } })).status).toBe(401);
    expect((await fetch(`${ws.base}/api/dashboard/daily`, { headers: { authorization: 'Basic YTpi' } })).status).toBe(401);
  });

  it('limits request rates per caller with 429 and Retry-After', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await login(limited.base, 'siapa', 'x-salah-kata-sandi')).status);
    expect(codes).toEqual([401, 401, 401, 429]);
    const limitedLogin = await login(limited.base, 'siapa', 'x-salah-kata-sandi');
    expect(Number(limitedLogin.headers.get('retry-after'))).toBeGreaterThan(0);
    const auth = { headers: { authorization: `Bearer ${limited.tokens.analyst}` } };
    const reads: number[] = [];
    for (let i = 0; i < 6; i++) reads.push((await fetch(`${limited.base}/api/flagged`, auth)).status);
    expect(reads).toEqual([200, 200, 200, 200, 200, 429]);
    // Another caller has its own budget.
    expect((await fetch(`${limited.base}/api/flagged`, { headers: { authorization: `Bearer ${limited.tokens.admin}` } })).status).toBe(200);
    clock.advance(60_000);
    expect((await fetch(`${limited.base}/api/flagged`, auth)).status).toBe(200);
    clock.set('2027-01-31T16:50:00Z');
  });

  it('validates every input: unknown query parameters, duplicates, bad JSON, wrong types; errors carry no internals', async () => {
    const s = await ws.login('analyst');
    for (const [path, fragment] of [
      ['/api/flagged?sort=_id', 'sort'],
      ['/api/flagged?label=hoax&label=sara', 'more than once'],
      ['/api/flagged?size=1e3', 'size'],
      ['/api/flagged?q=*:*', 'q'],
    ] as const) {
      const r = await s.fetch(path);
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { error: string }).error, path).toContain(fragment);
    }
    const bad = await s.fetch('/api/clarifications', { method: 'POST', body: '{"claim": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'the body is not valid JSON' });
    const html = await s.fetch('/api/session', { method: 'DELETE', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(html.status).toBe(400);
    expect(html.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(html.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('pantau serve', () => {
  it('refuses to listen beyond 127.0.0.1 while no user exists, and says what to do', async () => {
    const env = { ...process.env, KAFKA_BROKERS: KAFKA_BROKERS.join(','), ELASTICSEARCH_URL, PANTAU_INDEX_PREFIX: `test-nouser-${process.pid}`, PANTAU_HTTP_HOST: '0.0.0.0', PANTAU_HTTP_PORT: '0', LOG_LEVEL: 'error' };
    const child = spawn(resolve('node_modules/.bin/node'), ['src/cli/main.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(output).toContain('refusing to serve on 0.0.0.0: no user or API token exists yet');
    expect(output).toContain('users add NAME --role admin');
  }, 120_000);
});
