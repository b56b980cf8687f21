/**
 * What a worker process serves for operators: Prometheus metrics on /metrics and, when given, a health
 * report on /healthz (200 when every check is ok, 503 otherwise). Behind the shared guards of http-guard.ts:
 * a malformed or slow request gets a 4xx (or is cut), a failure a 500 without details (logged).
 */
import type { Server, ServerResponse } from 'node:http';
import { createLogger, type Logger } from '../core/log.ts';
import { registry } from '../core/metrics.ts';
import { createGuardedServer, type HttpLimits } from './http-guard.ts';

export type HealthReport = () => Promise<{ ok: boolean; checks: unknown }>;

export interface MetricsServerOptions {
  /** Where failures are logged (default: a logger of its own). */
  logger?: Logger;
  /** Header, request and keep-alive timeouts (defaults in http-guard.ts). */
  limits?: HttpLimits;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function createMetricsServer(health?: HealthReport, options: MetricsServerOptions = {}): Server {
  const logger = options.logger ?? createLogger({ app: 'pantau', component: 'metrics-server' });
  return createGuardedServer(
    async (req, res, { pathname }) => {
      if (pathname !== '/metrics' && !(pathname === '/healthz' && health)) {
        return send(res, 404, 'text/plain; charset=utf-8', 'here: /metrics, /healthz\n');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'GET or HEAD\n', { allow: 'GET, HEAD' });
      if (pathname === '/metrics') return send(res, 200, registry.contentType, await registry.metrics());
      const { ok, checks } = await health!();
      send(res, ok ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify({ status: ok ? 'ok' : 'degraded', checks }));
    },
    { logger, limits: options.limits },
  );
}
