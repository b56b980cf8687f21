/**
 * The HTTP side for people: the review list of flagged posts, the dashboard's data, and the dashboard page
 * itself (dashboards/overview.html). Read-only over Elasticsearch; plain node:http, since four routes need
 * no framework.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { PROJECT_ROOT } from '../core/paths.ts';
import { describeError, PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { registry } from '../core/metrics.ts';
import { dailyCounts, listFlagged } from '../store/queries.ts';

export interface ApiOptions {
  es: Client;
  prefix: string;
  labels: readonly string[];
  logger: Logger;
  /** Reports Kafka / Elasticsearch reachability for /healthz. */
  health?: () => Promise<Record<string, string>>;
  dashboardFile?: string;
}

export const DEFAULT_DASHBOARD_FILE = resolve(PROJECT_ROOT, 'dashboards/overview.html');
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_PAGE_SIZE = 200;

class BadRequest extends PantauError {
  constructor(message: string) {
    super(message, { stage: 'serving', code: 'bad_request', retriable: false });
  }
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadRequest(`parameter "${name}" must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function dateParam(params: URLSearchParams, name: string, fallback: string): string {
  const raw = params.get(name) ?? fallback;
  if (!DATE.test(raw) || Number.isNaN(Date.parse(raw))) throw new BadRequest(`parameter "${name}" must be a date YYYY-MM-DD, got "${raw}"`);
  return raw;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export function createApiServer(options: ApiOptions): Server {
  const { es, prefix, logger } = options;
  const dashboardFile = options.dashboardFile ?? DEFAULT_DASHBOARD_FILE;

  const routes: Record<string, (params: URLSearchParams, res: ServerResponse) => Promise<void>> = {
    '/': async (_params, res) => {
      const html = await readFile(dashboardFile, 'utf8');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    },
    '/api/flagged': async (params, res) => {
      const label = params.get('label') ?? undefined;
      if (label !== undefined && !options.labels.includes(label)) {
        throw new BadRequest(`unknown label "${label}"; known: ${options.labels.join(', ')}`);
      }
      const page = intParam(params, 'page', 1, 1, 10_000);
      const size = intParam(params, 'size', 20, 1, MAX_PAGE_SIZE);
      if (page * size > 10_000) throw new BadRequest('page × size may not exceed 10000; narrow the list with "label"');
      sendJson(res, 200, await listFlagged(es, prefix, { page, size, label }));
    },
    '/api/dashboard/daily': async (params, res) => {
      const today = new Date();
      const to = dateParam(params, 'to', isoDay(today));
      const from = dateParam(params, 'from', isoDay(new Date(Date.parse(to) - 29 * 86_400_000)));
      if (from > to) throw new BadRequest('"from" must not be after "to"');
      if (Date.parse(to) - Date.parse(from) > 366 * 86_400_000) throw new BadRequest('the range may span at most 366 days');
      sendJson(res, 200, await dailyCounts(es, prefix, { from, to, labels: options.labels }));
    },
    '/metrics': async (_params, res) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
    },
    '/healthz': async (_params, res) => {
      const checks = options.health ? await options.health() : {};
      const ok = Object.values(checks).every((v) => v === 'ok');
      sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', checks });
    },
  };

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    if (!route) return sendJson(res, 404, { error: `no such path: ${url.pathname}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: `${req.method} is not allowed here` });
    }
    route(url.searchParams, res).catch((error: unknown) => {
      if (error instanceof BadRequest) return sendJson(res, 400, { error: error.message });
      logger.error('request failed', { path: url.pathname, error: describeError(error) });
      sendJson(res, 502, { error: 'Elasticsearch did not answer; try again shortly', detail: describeError(error) });
    });
  });
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
