/**
 * No request may stop or hold one of our HTTP servers. A corpus of malformed requests, sent as raw bytes
 * (a client library would normalise or refuse them), goes to each of the three servers, each running in a
 * child process of its own: the dashboard API server over the real Elasticsearch, the metrics server, and
 * the HTTP push source. After every case the process must still be alive and answer its health path.
 *
 * Every case must get a 4xx (a malformed request) or, for the slow ones, be closed within the configured
 * timeout; never a 5xx.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawExchange, startServerProcess, type RawExchange, type ServerKind, type ServerProcess } from '../helpers/http-server-process.ts';

const LIMITS = { headersTimeoutMs: 1000, requestTimeoutMs: 2000 };
/** How long past a timeout the server may take to close (Node checks for expired requests on a timer). */
const CLOSE_SLACK_MS = 1000;

interface Target {
  kind: ServerKind;
  /** A path that answers 200 (or 503 when a dependency is down) to a plain GET. */
  health: string;
  healthStatuses: number[];
  /** Request line and headers of a request whose body the server reads (no blank line yet). */
  bodyRequest: () => string;
}

const TARGETS: Target[] = [
  { kind: 'api', health: '/healthz', healthStatuses: [200, 503], bodyRequest: () => 'POST /api/flagged HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' },
  { kind: 'metrics', health: '/metrics', healthStatuses: [200], bodyRequest: () => 'POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n' },
  {
    kind: 'push',
    health: '/healthz',
    healthStatuses: [200],
    // Signed headers present (with a wrong digest) so the endpoint gets as far as reading the body.
    bodyRequest: () =>
      `POST /ingest HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-Pantau-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Pantau-Signature: sha256=${'0'.repeat(64)}\r\n`,
  },
];

interface Case {
  name: string;
  request: (target: Target) => Buffer | string;
  /** Slow cases: the server must close the connection within this after the first byte. */
  closesWithinMs?: number;
  dripMs?: number;
  /** A specific status the answer must be (otherwise any 4xx). */
  status?: number;
}

const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: t\r\n${extra}Connection: close\r\n\r\n`;
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const CORPUS: Case[] = [
  // Request targets
  { name: 'target //[ (not a URL when read against a base)', request: () => get('//[') },
  { name: 'target http://[::1 (absolute form, unterminated IPv6 host)', request: () => get('http://[::1') },
  { name: 'target http://[zz]/x (absolute form, bad host)', request: () => get('http://[zz]/x') },
  { name: 'target http://exa mple/ (space in the host)', request: () => get('http://exa mple/') },
  { name: 'target * with GET', request: () => get('*') },
  { name: 'target * with OPTIONS', request: () => 'OPTIONS * HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' },
  { name: 'authority-form target', request: () => get('localhost:80') },
  { name: 'empty target', request: () => 'GET  HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' },
  // Percent-encoding and bytes
  { name: 'truncated percent-escape in the query', request: () => get('/api/flagged?label=%E0%A4%A') },
  { name: 'non-hex percent-escape in the path', request: () => get('/%zz') },
  { name: 'lone percent sign', request: () => get('/%') },
  { name: 'percent-escapes that are not UTF-8', request: () => get('/%ff%fe') },
  { name: 'raw non-UTF-8 bytes 0xff 0xfe in the path', request: () => bytes('GET /', [0xff, 0xfe], ' HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n') },
  { name: 'raw non-ASCII bytes in the query', request: () => bytes('GET /healthz?x=', [0xc3, 0xa9], ' HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n') },
  // Headers
  { name: 'one header over 16 KiB', request: () => get('/healthz', `X-Big: ${'a'.repeat(17 * 1024)}\r\n`), status: 431 },
  { name: '3000 headers (over 16 KiB together)', request: () => get('/healthz', Array.from({ length: 3000 }, (_, i) => `X-H${i}: v\r\n`).join('')), status: 431 },
  { name: '1500 small headers on an unknown path', request: () => get('/nope', Array.from({ length: 1500 }, (_, i) => `X-${i}: v\r\n`).join('')) },
  { name: 'NUL in a header value', request: () => get('/healthz', 'X-A: a\0b\r\n') },
  { name: 'bare CR in a header value', request: () => get('/healthz', 'X-A: a\rb\r\n') },
  { name: 'header without a colon', request: () => get('/healthz', 'X-A\r\n') },
  { name: 'no Host header', request: () => 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n' },
  // Request line
  { name: 'unknown method', request: () => 'FOO /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' },
  { name: 'lower-case method', request: () => 'get /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' },
  { name: 'request line without a version', request: () => 'GET /nope\r\nHost: t\r\nConnection: close\r\n\r\n' },
  { name: 'HTTP/1.2', request: () => 'GET /healthz HTTP/1.2\r\nHost: t\r\nConnection: close\r\n\r\n' },
  { name: 'LF-only line ends', request: () => 'GET /healthz HTTP/1.1\nHost: t\n\n' },
  { name: 'HTTP/0.9-style line (never completed)', request: () => 'GET /\r\n', closesWithinMs: LIMITS.headersTimeoutMs + CLOSE_SLACK_MS },
  // Bodies
  { name: 'negative Content-Length', request: (t) => `${t.bodyRequest()}Content-Length: -1\r\n\r\n` },
  { name: 'non-numeric Content-Length', request: (t) => `${t.bodyRequest()}Content-Length: abc\r\n\r\n` },
  { name: 'two different Content-Lengths', request: (t) => `${t.bodyRequest()}Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc` },
  { name: 'body longer than its Content-Length', request: (t) => `${t.bodyRequest()}Content-Length: 2\r\n\r\n[]garbage that is no request` },
  { name: 'Transfer-Encoding and Content-Length together', request: (t) => `${t.bodyRequest()}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n` },
  { name: 'chunked body with a bad chunk size', request: (t) => `${t.bodyRequest()}Transfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n` },
  // Slow requests
  {
    name: 'slowloris: headers one byte at a time, slower than the headers timeout',
    request: () => `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`,
    dripMs: 150,
    closesWithinMs: LIMITS.headersTimeoutMs + CLOSE_SLACK_MS,
  },
  {
    name: 'a body that never completes',
    request: (t) => `${t.bodyRequest()}Content-Length: 100\r\n\r\n[{"id":`,
    closesWithinMs: LIMITS.requestTimeoutMs + CLOSE_SLACK_MS,
  },
];

const describeExchange = (x: RawExchange) => `statuses [${x.statuses.join(', ')}], ${x.closed ? `closed after ${x.elapsedMs} ms` : 'still open at the deadline'}; answer:\n${x.text.slice(0, 600)}`;

describe.each(TARGETS)('$kind server: malformed requests as raw bytes', (target) => {
  let server: ServerProcess | undefined;
  const started: ServerProcess[] = [];

  const ensureRunning = async () => {
    if (server?.alive()) return server;
    server = await startServerProcess(target.kind, LIMITS);
    started.push(server);
    return server;
  };

  beforeAll(async () => {
    await ensureRunning();
  });
  // A case that kills the server is reported by itself; the next case gets a fresh process.
  beforeEach(async () => {
    await ensureRunning();
  });
  afterAll(async () => {
    for (const s of started) await s.stop();
  });

  for (const c of CORPUS) {
    it(c.name, async () => {
      const s = server!;
      const deadlineMs = c.closesWithinMs ?? 5000;
      const answer = await rawExchange(s.port, c.request(target), { deadlineMs: deadlineMs + 500, ...(c.dripMs ? { dripMs: c.dripMs } : {}) });
      const context = `${target.kind}: ${describeExchange(answer)}\nserver output:\n${s.output()}`;

      expect(answer.statuses.filter((status) => status >= 500), context).toEqual([]);
      if (c.closesWithinMs !== undefined) {
        expect(answer.closed, context).toBe(true);
        expect(answer.elapsedMs, context).toBeLessThanOrEqual(c.closesWithinMs);
        // Either cut, or answered with a client error (408, or the route's 4xx before the body stalled).
        expect(answer.statuses.every((status) => status >= 400 && status < 500), context).toBe(true);
      } else if (c.status !== undefined) {
        expect(answer.statuses[0], context).toBe(c.status);
      } else {
        expect(answer.statuses.some((status) => status >= 400 && status < 500), context).toBe(true);
      }

      // Still alive, and still serving.
      await new Promise((r) => setTimeout(r, 50));
      expect(s.alive(), `the ${target.kind} server process died:\n${s.output()}`).toBe(true);
      const health = await rawExchange(s.port, get(target.health), { deadlineMs: 10_000 });
      expect(target.healthStatuses, `${target.kind} GET ${target.health}: ${describeExchange(health)}\n${s.output()}`).toContain(health.statuses[0]);
    });
  }
});
