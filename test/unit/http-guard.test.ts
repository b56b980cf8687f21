/**
 * The shared HTTP guards (src/api/http-guard.ts): request targets parsed without throwing, handler failures
 * turned into logged 500s without details, parser errors answered by status, limits as configured.
 */
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientErrorStatus, createGuardedServer, parseRequestTarget, resolveLimits } from '../../src/api/http-guard.ts';
import { createLogger } from '../../src/core/log.ts';

describe('parseRequestTarget', () => {
  it.each([
    ['/healthz', '/healthz', ''],
    ['/api/flagged?label=hoax&page=2', '/api/flagged', 'label=hoax&page=2'],
    ['//[', '//[', ''],
    ['//evil.example/x', '//evil.example/x', ''],
    ['/a/../healthz', '/healthz', ''],
    ['/%2e%2e/package.json', '/package.json', ''],
    ['/api/flagged?label=%E0%A4%A4', '/api/flagged', 'label=%E0%A4%A4'],
    ['http://localhost:8080/healthz?x=1', '/healthz', 'x=1'],
    ['HTTPS://example.org/ingest', '/ingest', ''],
  ])('takes %s', (raw, pathname, search) => {
    const result = parseRequestTarget(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.target.pathname).toBe(pathname);
    expect(result.target.searchParams.toString()).toBe(search);
  });

  it.each([
    [undefined, /empty/],
    ['', /empty/],
    ['*', /must be a path/],
    ['localhost:80', /must be a path/],
    ['ftp://example.org/x', /must be a path/],
    ['http://[::1', /not a valid URL/],
    ['http://[zz]/x', /not a valid URL/],
    ['/api/flagged?label=%E0%A4%A', /percent-encoding/],
    ['/%zz', /percent-encoding/],
    ['/%', /percent-encoding/],
    ['/%ff%fe', /percent-encoding/],
    ['/\u00ff\u00fe', /visible ASCII/],
    ['/a b', /visible ASCII/],
    ['/a\u0000', /visible ASCII/],
    ['/' + 'a'.repeat(9000), /longer than/],
  ])('refuses %j', (raw, reason) => {
    const result = parseRequestTarget(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('limits', () => {
  it('keeps the headers timeout within the request timeout and checks often enough', () => {
    expect(resolveLimits({})).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, checkIntervalMs: 1000 });
    expect(resolveLimits({ headersTimeoutMs: 5000, requestTimeoutMs: 2000 })).toMatchObject({ headersTimeoutMs: 2000, requestTimeoutMs: 2000, checkIntervalMs: 200 });
    expect(resolveLimits({ headersTimeoutMs: 100 }).checkIntervalMs).toBe(50);
  });

  it('maps parser errors to 431, 408, 413 and 400', () => {
    expect(clientErrorStatus('HPE_HEADER_OVERFLOW').status).toBe(431);
    expect(clientErrorStatus('ERR_HTTP_REQUEST_TIMEOUT').status).toBe(408);
    expect(clientErrorStatus('HPE_CHUNK_EXTENSIONS_OVERFLOW').status).toBe(413);
    expect(clientErrorStatus('HPE_INVALID_METHOD').status).toBe(400);
    expect(clientErrorStatus(undefined).status).toBe(400);
  });
});

describe('createGuardedServer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((r) => (server!.closeAllConnections(), server!.close(() => r())));
    server = undefined;
  });

  async function serve(handler: Parameters<typeof createGuardedServer>[0], lines: string[] = []) {
    const logger = createLogger({}, { level: 'debug', json: true, write: (line) => lines.push(line) });
    server = createGuardedServer(handler, { logger, limits: { headersTimeoutMs: 500, requestTimeoutMs: 1000 } });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('turns a synchronous throw and a rejected promise into a 500 without details, logged', async () => {
    const lines: string[] = [];
    const base = await serve((_req, _res, { pathname }) => {
      if (pathname === '/throws') throw new Error('secret internals: connection to 10.0.0.7 refused');
      return Promise.reject(new Error('async internals'));
    }, lines);
    for (const path of ['/throws', '/rejects']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(500);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ error: 'internal_error', detail: 'internal error; the server log has the details' });
      expect(text).not.toMatch(/internals/);
    }
    const errors = lines.map((l) => JSON.parse(l) as { level: string; msg: string; error?: string }).filter((l) => l.level === 'error');
    expect(errors.map((e) => e.error)).toEqual(['secret internals: connection to 10.0.0.7 refused', 'async internals']);
    // The server still serves.
    expect((await fetch(base + '/throws')).status).toBe(500);
  });

  it('answers 400 for an unparseable target without calling the handler', async () => {
    let calls = 0;
    const base = await serve((_req, res) => {
      calls++;
      res.end('ok');
    });
    const port = Number(new URL(base).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET http://[::1 HTTP/1.1\r\nHost: t\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(answer).toContain('"error":"bad_request"');
    expect(calls).toBe(0);
  });

  it('cuts a request whose headers are slower than the headers timeout with 408', async () => {
    const base = await serve((_req, res) => void res.end('ok'));
    const port = Number(new URL(base).port);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: t\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('does not answer twice when the body stalls after the answer went out: the socket is cut', async () => {
    const base = await serve((_req, res) => void res.end('early'));
    const port = Number(new URL(base).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\n{"a"'));
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    expect([...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(['200']);
  });
});
