/**
 * What a worker process serves for operators: Prometheus metrics on /metrics and, when given, a health
 * report on /healthz (200 when every check is ok, 503 otherwise).
 */
import { createServer, type Server } from 'node:http';
import { registry } from '../core/metrics.ts';

export type HealthReport = () => Promise<{ ok: boolean; checks: unknown }>;

export function createMetricsServer(health?: HealthReport): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const fail = (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    if (path === '/metrics') {
      registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text), fail);
    } else if (path === '/healthz' && health) {
      health().then(
        ({ ok, checks }) => res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'degraded', checks })),
        fail,
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('here: /metrics, /healthz\n');
    }
  });
}
