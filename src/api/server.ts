/**
 * The HTTP side for people: the review list of flagged posts, the dashboard's data, and the dashboard page
 * itself (dashboards/overview.html with its script and style sheet). Read-only over Elasticsearch; plain
 * node:http behind the shared guards of http-guard.ts (no request can crash or hold the server).
 *
 *   GET /                      the page (text/html, with a strict Content-Security-Policy)
 *   GET /overview.js, .css     its script and style sheet (only these files are served)
 *   GET /api/flagged           ?label=&level=&page=&size=   flagged posts (level=alert, the default) or posts
 *                              between the review and the alert point (level=review), newest first
 *   GET /api/dashboard/daily   ?from=&to=            counts per day (Asia/Jakarta); default: the 30 days to today
 *   GET /metrics, /healthz
 *   the desk's cases, alert-link pages and write API when `desk` is given (api/desk-routes.ts)
 *
 * Errors: 400 {error: "<what is wrong>"} for bad parameters or an unparseable target, 404, 405, 502 {error}
 * when Elasticsearch failed, 500 {error} for anything else; 5xx bodies never carry the cause (it is logged).
 * Every answer has `X-Content-Type-Options: nosniff`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { errors as esErrors, type Client } from '@elastic/elasticsearch';
import { systemClock, type Clock } from '../core/clock.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { describeError, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { registry } from '../core/metrics.ts';
import { dailyCounts, listFlagged } from '../store/queries.ts';
import { addDays, daysBetween, isCalendarDay, today } from './dates.ts';
import { createGuardedServer, type HttpLimits } from './http-guard.ts';
import { createDeskRoutes, type DeskApiOptions } from './desk-routes.ts';

export interface ApiOptions {
  es: Client;
  prefix: string;
  labels: readonly string[];
  logger: Logger;
  /** Reports Kafka / Elasticsearch reachability for /healthz. */
  health?: () => Promise<Record<string, string>>;
  /** Folder of overview.html, overview.js and overview.css (default: dashboards/ of the project). */
  dashboardDir?: string;
  /** "Now", for the default range of the dashboard (the 30 days up to today in Asia/Jakarta). */
  clock?: Clock;
  /** Header, request and keep-alive timeouts (defaults in http-guard.ts). */
  limits?: HttpLimits;
  /** The counter-narrative desk's pages and API (api/desk-routes.ts); absent: those paths are 404. */
  desk?: Omit<DeskApiOptions, 'es' | 'prefix' | 'logger' | 'clock'>;
}

export const DEFAULT_DASHBOARD_DIR = resolve(PROJECT_ROOT, 'dashboards');
const MAX_PAGE_SIZE = 200;
const DEFAULT_DAYS = 30;
const MAX_RANGE_DAYS = 366;

/** The page's Content-Security-Policy: its own script, style and API only; no inline code, no framing. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const HTML_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The only files served from the dashboard folder, by path. Nothing of the request names a file. */
const STATIC_FILES: Record<string, { file: string; type: string; headers?: Record<string, string> }> = {
  '/': { file: 'overview.html', type: 'text/html; charset=utf-8', headers: HTML_HEADERS },
  '/overview.js': { file: 'overview.js', type: 'text/javascript; charset=utf-8' },
  '/overview.css': { file: 'overview.css', type: 'text/css; charset=utf-8' },
};

/** What a client sees when Elasticsearch failed; the cause goes to the log only. */
export const UPSTREAM_ERROR_MESSAGE = 'could not read from Elasticsearch; try again shortly';

class BadRequest extends PantauError {
  constructor(message: string) {
    super(message, { stage: 'serving', code: 'bad_request', retriable: false });
  }
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(value) || value < min || value > max) {
    throw new BadRequest(`parameter "${name}" must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function dateParam(params: URLSearchParams, name: string, fallback: string): string {
  const raw = params.get(name) ?? fallback;
  if (!isCalendarDay(raw)) throw new BadRequest(`parameter "${name}" must be a calendar date YYYY-MM-DD, got "${raw}"`);
  return raw;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

type Route = (params: URLSearchParams, res: ServerResponse, req: IncomingMessage) => Promise<void>;

export function createApiServer(options: ApiOptions): Server {
  const { es, prefix, logger } = options;
  const dashboardDir = options.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
  const clock = options.clock ?? systemClock;

  const routes: Record<string, Route> = {
    '/api/flagged': async (params, res) => {
      const label = params.get('label') ?? undefined;
      if (label !== undefined && !options.labels.includes(label)) {
        throw new BadRequest(`unknown label "${label}"; known: ${options.labels.join(', ')}`);
      }
      const level = params.get('level') ?? 'alert';
      if (level !== 'alert' && level !== 'review') throw new BadRequest(`parameter "level" must be "alert" (flagged posts) or "review" (posts for analysts to check), got "${level}"`);
      const page = intParam(params, 'page', 1, 1, 10_000);
      const size = intParam(params, 'size', 20, 1, MAX_PAGE_SIZE);
      if (page * size > 10_000) throw new BadRequest('page × size may not exceed 10000; narrow the list with "label"');
      sendJson(res, 200, await listFlagged(es, prefix, { page, size, label, level }));
    },
    '/api/dashboard/daily': async (params, res) => {
      const to = dateParam(params, 'to', today(clock));
      const from = dateParam(params, 'from', addDays(to, -(DEFAULT_DAYS - 1)));
      if (from > to) throw new BadRequest('"from" must not be after "to"');
      if (daysBetween(from, to) > MAX_RANGE_DAYS) throw new BadRequest(`the range may span at most ${MAX_RANGE_DAYS} days`);
      sendJson(res, 200, await dailyCounts(es, prefix, { from, to, labels: options.labels }));
    },
    '/metrics': async (_params, res) => {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    },
    '/healthz': async (_params, res) => {
      const checks = options.health ? await options.health() : {};
      const ok = Object.values(checks).every((v) => v === 'ok');
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', checks });
    },
  };
  for (const [path, { file, type, headers }] of Object.entries(STATIC_FILES)) {
    routes[path] = async (_params, res) => {
      const body = await readFile(resolve(dashboardDir, file));
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-length': String(body.length), ...headers });
      res.end(body);
    };
  }

  const desk = options.desk ? createDeskRoutes({ ...options.desk, es, prefix, logger, clock }) : undefined;

  return createGuardedServer(
    async (req, res, { pathname, searchParams }) => {
      if (desk) {
        try {
          if (await desk(req, res, pathname, searchParams)) return;
        } catch (error) {
          // Elasticsearch down or a case changed under us: the client may retry; anything else is a 500.
          if (!(error instanceof PantauError && error.retriable)) throw error;
          logger.error('desk request failed', { path: pathname, error: describeError(error) });
          return sendJson(res, error.code === 'desk_conflict' ? 409 : 502, { error: error.code === 'desk_conflict' ? 'the case changed meanwhile; try again' : UPSTREAM_ERROR_MESSAGE });
        }
      }
      const route = Object.hasOwn(routes, pathname) ? routes[pathname] : undefined;
      if (!route) return sendJson(res, 404, { error: `no such path: ${pathname}` });
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return sendJson(res, 405, { error: `${req.method} is not allowed here` }, { allow: 'GET, HEAD' });
      }
      try {
        await route(searchParams, res, req);
      } catch (error) {
        if (error instanceof BadRequest) return sendJson(res, 400, { error: error.message });
        if (!(error instanceof esErrors.ElasticsearchClientError)) throw error; // the guard answers 500 and logs it
        logger.error('Elasticsearch request failed', { path: pathname, error: describeError(error) });
        sendJson(res, 502, { error: UPSTREAM_ERROR_MESSAGE });
      }
    },
    { logger, limits: options.limits, errorBody: (_status, _code, message) => ({ error: message }) },
  );
}

/** Starts listening; resolves with the bound address (port 0 picks a free one). */
export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new PantauError(
          error.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is taken; set PANTAU_HTTP_PORT to another port`
            : `cannot listen on ${host}:${port}: ${error.message}`,
          { stage: 'serving', code: error.code === 'EADDRINUSE' ? 'port_taken' : 'listen_failed', retriable: false, cause: error },
        ),
      ),
    );
    server.listen(port, host, () => resolveListen());
  });
  return server.address() as AddressInfo;
}
