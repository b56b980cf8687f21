/**
 * The HTTP side for people: the analyst workspace (/app), the dashboard page (/), the review list, the
 * dashboard's data, the desk's cases and alert-link pages, behind access control. Plain node:http behind
 * the shared guards of http-guard.ts (no request can crash or hold the server); every route is declared
 * with its roles and schemas (api/route.ts) and run by api/router.ts, which authenticates, authorises,
 * checks CSRF and rate limits and validates before any handler runs.
 *
 *   GET /, /dashboard.js, .css     the leadership dashboard page (public shell; its data needs a sign-in),
 *   GET /geo/…, /vendor/echarts…   its province map and charting library, served from the project
 *   GET /app, /app.js, /app.css    the workspace page (src/web/), and /client.js, which both pages import
 *   POST|GET|DELETE /api/session   sign in / who am I / sign out (api/session-routes.ts)
 *   GET /api/flagged               ?label=&level=&page=&size=   flagged posts (analyst, admin)
 *   GET /api/dashboard/daily       ?from=&to=   counts per day (Asia/Jakarta); every role
 *   GET /api/dashboards/:id[/data|/panels/:panel/csv]   dashboards as data (api/dashboard-routes.ts); every role
 *   GET /metrics (admin), /healthz (public)
 *   the desk's routes (api/desk-routes.ts) and any `routes` given (the analyst queue, admin)
 *
 * Errors: {error: "<what is wrong>"} with 400, 401, 403, 404, 405, 409, 413, 415, 429, 502 when
 * Elasticsearch failed, 500 for anything else; 5xx bodies never carry the cause (it is logged).
 */
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { registry } from '../core/metrics.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { dailyCounts, listFlagged } from '../store/queries.ts';
import { addDays, daysBetween, isCalendarDay, today } from './dates.ts';
import { createGuardedServer, type HttpLimits } from './http-guard.ts';
import { createDeskRoutes, type DeskApiOptions } from './desk-routes.ts';
import { createRouter, sendJson, type Router } from './router.ts';
import type { RateLimits } from './rate-limit.ts';
import { HttpError, ROLES, route, type RouteSpec } from './route.ts';
import { sessionRoutes } from './session-routes.ts';
import { dashboardRoutes } from './dashboard-routes.ts';
import { loadDashboards } from '../dashboard/definition.ts';
import { loadElectionStages, type ElectionStages } from '../config/election-stages.ts';

export { UPSTREAM_ERROR_MESSAGE } from './router.ts';

export interface ApiOptions {
  es: Client;
  /** The dashboard routes' client: a read-only API key in production (ELASTICSEARCH_DASHBOARD_API_KEY); default `es`. */
  dashboardEs?: Client;
  prefix: string;
  labels: readonly string[];
  logger: Logger;
  /** Who is calling: sessions, API tokens, lockout (auth/auth-service.ts). */
  auth: AuthService;
  /** Reports Kafka / Elasticsearch reachability for /healthz. */
  health?: () => Promise<Record<string, string>>;
  /** Folder of the dashboard definitions (*.json), the page (leadership.html, dashboard.js, .css) and geo/ (default: dashboards/ of the project). */
  dashboardDir?: string;
  /** The election stages the dashboard marks (default: pipelines/election-stages.json). */
  stages?: ElectionStages;
  /** Folder of app.html, app.js and app.css (default: src/web/ of the project). */
  webDir?: string;
  /** "Now", for the default range of the dashboard (the 30 days up to today in Asia/Jakarta). */
  clock?: Clock;
  /** Header, request and keep-alive timeouts (defaults in http-guard.ts). */
  limits?: HttpLimits;
  rateLimits?: Partial<RateLimits>;
  /** The counter-narrative desk's pages and API (api/desk-routes.ts); absent: those paths are 404. */
  desk?: Omit<DeskApiOptions, 'es' | 'prefix' | 'logger' | 'clock'>;
  /** More routes: the analyst queue (api/review-routes.ts), admin (api/admin-routes.ts). */
  routes?: readonly RouteSpec<any, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const DEFAULT_DASHBOARD_DIR = resolve(PROJECT_ROOT, 'dashboards');
export const DEFAULT_WEB_DIR = resolve(PROJECT_ROOT, 'src', 'web');
const ECHARTS_DIST = resolve(dirname(createRequire(import.meta.url).resolve('echarts/package.json')), 'dist');
const MAX_PAGE_SIZE = 200;
const DEFAULT_DAYS = 30;
const MAX_RANGE_DAYS = 366;

/** The pages' Content-Security-Policy: their own script, style and API only; no inline code, no framing. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The only files served, by path. Nothing of the request names a file. */
const STATIC_FILES: Array<{ path: string; dir: 'dashboard' | 'web' | 'echarts'; file: string; type: string }> = [
  { path: '/', dir: 'dashboard', file: 'leadership.html', type: 'text/html; charset=utf-8' },
  { path: '/dashboard.js', dir: 'dashboard', file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  { path: '/dashboard.css', dir: 'dashboard', file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  { path: '/geo/indonesia-provinces.geojson', dir: 'dashboard', file: 'geo/indonesia-provinces.geojson', type: 'application/geo+json' },
  { path: '/geo/bps-code-fallback.json', dir: 'dashboard', file: 'geo/bps-code-fallback.json', type: 'application/json' },
  // The charting library, from the project's own dependency: the pages load nothing from another origin.
  { path: '/vendor/echarts.min.js', dir: 'echarts', file: 'echarts.min.js', type: 'text/javascript; charset=utf-8' },
  { path: '/app', dir: 'web', file: 'app.html', type: 'text/html; charset=utf-8' },
  { path: '/app.js', dir: 'web', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { path: '/app.css', dir: 'web', file: 'app.css', type: 'text/css; charset=utf-8' },
  // What both pages share: API calls and the sign-in form (an ES module both scripts import).
  { path: '/client.js', dir: 'web', file: 'client.js', type: 'text/javascript; charset=utf-8' },
];

/** A whole number in a query string, within bounds, with a default. */
export const intQuery = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, `a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `a whole number from ${min} to ${max}`)
    .optional()
    .transform((n) => n ?? fallback);

export const dayQuery = z.string().superRefine((value, ctx) => {
  if (!isCalendarDay(value)) ctx.addIssue({ code: 'custom', message: `must be a calendar date YYYY-MM-DD, got "${value.slice(0, 40)}"` });
});

export function createApiServer(options: ApiOptions): Server & { router: Router } {
  const { es, prefix, logger } = options;
  const dashboardDir = options.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  const clock = options.clock ?? systemClock;

  const routes: RouteSpec<any, any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ...STATIC_FILES.map((f) =>
      route({
        method: 'GET',
        path: f.path,
        access: 'public',
        summary: `The page file ${f.file}`,
        handler: async () => {
          const body = await readFile(resolve(f.dir === 'web' ? webDir : f.dir === 'echarts' ? ECHARTS_DIST : dashboardDir, f.file), 'utf8');
          return { status: 200, text: body, contentType: f.type, headers: f.type.startsWith('text/html') ? { 'content-security-policy': DASHBOARD_CSP } : ({} as Record<string, string>) };
        },
      }),
    ),
    ...sessionRoutes(options.auth),
    route({
      method: 'GET',
      path: '/api/flagged',
      access: ['analyst', 'admin'],
      summary: 'Flagged posts (level=alert) or posts for analysts to check (level=review), newest first',
      query: z
        .object({
          label: z.string().max(40).optional(),
          level: z.enum(['alert', 'review']).default('alert'),
          page: intQuery(1, 10_000, 1),
          size: intQuery(1, MAX_PAGE_SIZE, 20),
        })
        .strict(),
      handler: async ({ query }) => {
        if (query.label !== undefined && !options.labels.includes(query.label)) throw new HttpError(400, `unknown label "${query.label}"; known: ${options.labels.join(', ')}`);
        if (query.page * query.size > 10_000) throw new HttpError(400, 'page × size may not exceed 10000; narrow the list with "label"');
        return { status: 200, json: await listFlagged(es, prefix, { page: query.page, size: query.size, label: query.label, level: query.level }) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/dashboard/daily',
      access: ROLES,
      summary: 'Posts and flagged posts per day and label (Asia/Jakarta); aggregates only',
      query: z.object({ from: dayQuery.optional(), to: dayQuery.optional() }).strict(),
      handler: async ({ query }) => {
        const to = query.to ?? today(clock);
        const from = query.from ?? addDays(to, -(DEFAULT_DAYS - 1));
        if (from > to) throw new HttpError(400, '"from" must not be after "to"');
        if (daysBetween(from, to) > MAX_RANGE_DAYS) throw new HttpError(400, `the range may span at most ${MAX_RANGE_DAYS} days`);
        return { status: 200, json: await dailyCounts(es, prefix, { from, to, labels: options.labels }) };
      },
    }),
    route({
      method: 'GET',
      path: '/metrics',
      access: ['admin'],
      summary: 'Prometheus metrics (the metrics port serves them without sign-in, on 127.0.0.1)',
      handler: async () => ({ status: 200, text: await registry.metrics(), contentType: registry.contentType }),
    }),
    route({
      method: 'GET',
      path: '/healthz',
      access: 'public',
      summary: 'Whether Kafka and Elasticsearch answer',
      handler: async () => {
        const checks = options.health ? await options.health() : {};
        const ok = Object.values(checks).every((v) => v === 'ok');
        return { status: ok ? 200 : 503, json: { status: ok ? 'ok' : 'degraded', checks } };
      },
    }),
    ...dashboardRoutes({ es: options.dashboardEs ?? es, prefix, dashboards: loadDashboards(dashboardDir), units: options.desk?.units, stages: options.stages ?? loadElectionStages(), clock }),
    ...(options.desk ? createDeskRoutes({ ...options.desk, es, prefix, logger, clock }) : []),
    ...(options.routes ?? []),
  ];
  const router = createRouter({ routes, auth: options.auth, clock, logger, ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}) });

  const server = createGuardedServer(
    async (req, res, { pathname, searchParams }) => {
      if (await router.handle(req, res, pathname, searchParams)) return;
      sendJson(res, 404, { error: `no such path: ${pathname}` });
    },
    { logger, limits: options.limits, errorBody: (_status, _code, message) => ({ error: message }) },
  );
  return Object.assign(server, { router });
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
