/**
 * Runs the declared routes (api/route.ts): matches the path, authenticates, checks the role, CSRF and rate
 * limits, validates parameters, query and body, then calls the handler and writes its reply. Every check
 * lives here once, so a new route gets all of them by being declared; `routeTable` lets the authorisation
 * matrix test walk every route.
 *
 * Order matters: the caller is identified before anything about the request is validated, so an anonymous
 * client learns nothing of a route's parameters (401 first), and a signed-in one of the wrong role gets 403
 * before any lookup.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors as esErrors } from '@elastic/elasticsearch';
import type { Clock } from '../core/clock.ts';
import { describeError, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { formatIssues } from '../core/post.ts';
import { readBody } from '../sources/http-push/read-body.ts';
import type { AuthService, Authenticated } from '../auth/auth-service.ts';
import { DEFAULT_RATE_LIMITS, RequestLimiter, type RateLimits } from './rate-limit.ts';
import { HttpError, SAFE_PARAM, type Reply, type RouteSpec } from './route.ts';

/** Answers of JSON routes: never cached, never framed, nothing to run. */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export const UPSTREAM_ERROR_MESSAGE = 'could not read from Elasticsearch; try again shortly';
const DEFAULT_MAX_BODY = 64 * 1024;
const UNSAFE = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

type AnyRoute = RouteSpec<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Compiled {
  spec: AnyRoute;
  segments: string[];
}

export interface RouterOptions {
  routes: readonly AnyRoute[];
  auth: AuthService;
  clock: Clock;
  logger: Logger;
  rateLimits?: Partial<RateLimits>;
}

export interface Router {
  /** Handles the request when a route's path matches (answering 405 for another method); false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, searchParams: URLSearchParams): Promise<boolean>;
  readonly routeTable: readonly AnyRoute[];
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...API_HEADERS, ...headers });
  res.end(text);
}

function writeReply(res: ServerResponse, reply: Reply): void {
  if ('written' in reply) return;
  if ('json' in reply) return sendJson(res, reply.status, reply.json, reply.headers);
  if ('html' in reply) {
    res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(reply.html)), ...API_HEADERS, ...reply.headers });
    res.end(reply.html);
    return;
  }
  if ('text' in reply) {
    res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': String(Buffer.byteLength(reply.text)), ...API_HEADERS, ...reply.headers });
    res.end(reply.text);
    return;
  }
  res.writeHead(204, { ...API_HEADERS, ...reply.headers });
  res.end();
}

function matchPath(segments: readonly string[], path: readonly string[]): Record<string, string> | null {
  if (segments.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.startsWith(':')) params[s.slice(1)] = path[i]!;
    else if (s !== path[i]) return null;
  }
  return params;
}

/** The request's query as a plain object; a parameter given twice is refused (which one would count?). */
function queryObject(searchParams: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of searchParams) {
    if (Object.hasOwn(out, key)) throw new HttpError(400, `parameter "${key.slice(0, 40)}" is given more than once`);
    out[key] = value;
  }
  return out;
}

async function readJsonBody(req: IncomingMessage, maxBytes: number, form: boolean): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  const wanted = form ? /^application\/x-www-form-urlencoded\b/i : /^application\/json\b/i;
  if (!wanted.test(type)) throw new HttpError(415, form ? 'kirim formulir sebagai application/x-www-form-urlencoded' : 'send the body as application/json');
  const body = await readBody(req, maxBytes);
  if (!body.ok) throw new HttpError(body.reason === 'too_large' ? 413 : 400, body.reason === 'too_large' ? `the body may be at most ${maxBytes} bytes` : 'the request body was cut off');
  const text = body.body.toString('utf8');
  if (form) return Object.fromEntries(new URLSearchParams(text));
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

/** The client's address for rate limits (the socket's: a proxy in front must be trusted explicitly, and is not yet). */
const clientIp = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';

export function createRouter(options: RouterOptions): Router {
  const { auth, logger } = options;
  const limits: RateLimits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const limiter = new RequestLimiter(options.clock);
  const compiled: Compiled[] = options.routes.map((spec) => ({ spec, segments: spec.path.split('/') }));

  const limit = (key: string, perMinute: number) => {
    const wait = limiter.take(key, perMinute);
    if (wait !== null) throw new HttpError(429, 'Terlalu banyak permintaan; coba lagi sebentar lagi.', { 'retry-after': String(wait) });
  };

  async function run(spec: AnyRoute, params: Record<string, string>, req: IncomingMessage, res: ServerResponse, searchParams: URLSearchParams): Promise<void> {
    const ip = clientIp(req);
    limit(`ip:${ip}`, limits.perIp);
    if (spec.rateLimit === 'login') limit(`login:${ip}`, limits.login);
    let caller: Authenticated | null;
    try {
      caller = await auth.authenticate(req);
    } catch (error) {
      // A public route (health, the pages, alert links) must answer even when the users index cannot be read.
      if (spec.access !== 'public') throw error;
      logger.warn('could not check the caller of a public route; serving it anonymously', { path: spec.path, error: describeError(error) });
      caller = null;
    }
    const principal = caller?.principal ?? null;
    if (spec.access !== 'public') {
      if (principal === null) throw new HttpError(401, 'Silakan masuk terlebih dahulu.');
      if (!spec.access.includes(principal.role)) throw new HttpError(403, `Peran ${principal.role} tidak boleh membuka ini.`);
    }
    const unsafe = UNSAFE.has(req.method ?? 'GET');
    if (principal !== null) limit(`${unsafe ? 'write' : 'read'}:${principal.username}`, unsafe ? limits.write : limits.read);
    if (unsafe && caller?.sessionId !== undefined && !spec.noCsrf && !auth.csrfValid(req, caller.sessionId)) {
      throw new HttpError(403, 'Token CSRF tidak ada atau salah; muat ulang halaman lalu coba lagi.');
    }
    for (const [name, value] of Object.entries(params)) {
      const schema = spec.params?.[name];
      if (schema ? !schema.safeParse(value).success : !SAFE_PARAM.test(value)) throw new HttpError(400, `path parameter "${name}" is not valid`);
    }
    let query: unknown = {};
    const rawQuery = queryObject(searchParams);
    if (spec.query) {
      const parsed = spec.query.safeParse(rawQuery);
      if (!parsed.success) throw new HttpError(400, `invalid query: ${formatIssues(parsed.error)}`);
      query = parsed.data;
    } else if (Object.keys(rawQuery).length > 0) {
      throw new HttpError(400, 'this path takes no query parameters');
    }
    let body: unknown = undefined;
    if (spec.body) {
      const raw = await readJsonBody(req, spec.maxBodyBytes ?? DEFAULT_MAX_BODY, spec.bodyType === 'form');
      const parsed = spec.body.safeParse(raw);
      if (!parsed.success) throw new HttpError(400, `invalid body: ${formatIssues(parsed.error)}`);
      body = parsed.data;
    } else if (unsafe) {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > 0 || req.headers['transfer-encoding'] !== undefined) {
        const rest = await readBody(req, 1024);
        if (!rest.ok || rest.body.length > 0) throw new HttpError(400, 'this path takes no request body');
      }
    }
    const reply = await spec.handler({ req, res, params, query, body, principal, clock: options.clock, logger });
    writeReply(res, reply);
  }

  return {
    routeTable: options.routes,
    async handle(req, res, pathname, searchParams) {
      let path: string[];
      try {
        path = pathname.split('/').map((s) => decodeURIComponent(s));
      } catch {
        return false; // the guard refuses malformed escapes before this
      }
      const candidates = compiled.map((c) => ({ c, params: matchPath(c.segments, path) })).filter((m) => m.params !== null);
      if (candidates.length === 0) return false;
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
      // A literal segment beats a parameter: /api/queue/x/claim before /api/queue/:item/:other.
      const chosen = candidates.filter((m) => m.c.spec.method === method).sort((a, b) => Object.keys(a.params!).length - Object.keys(b.params!).length)[0];
      if (chosen === undefined) {
        const allow: string[] = [...new Set(candidates.map((m) => m.c.spec.method))];
        if (allow.includes('GET')) allow.push('HEAD');
        sendJson(res, 405, { error: `${req.method} is not allowed here` }, { allow: allow.join(', ') });
        return true;
      }
      const { spec } = chosen.c;
      try {
        await run(spec, chosen.params!, req, res, searchParams);
      } catch (error) {
        if (res.headersSent) throw error;
        if (error instanceof HttpError) {
          if (spec.errorPage) spec.errorPage(res, error);
          else sendJson(res, error.status, { error: error.message }, error.headers);
          return true;
        }
        if (error instanceof esErrors.ElasticsearchClientError || (error instanceof PantauError && error.retriable)) {
          logger.error('request failed upstream', { path: spec.path, error: describeError(error) });
          sendJson(res, 502, { error: UPSTREAM_ERROR_MESSAGE });
          return true;
        }
        throw error; // the guard answers 500 and logs it
      }
      return true;
    },
  };
}
