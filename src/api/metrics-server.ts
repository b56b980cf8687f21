/** Serves the process's Prometheus metrics on /metrics (what `pantau work` exposes for scraping). */
import { createServer, type Server } from 'node:http';
import { registry } from '../core/metrics.ts';

export function createMetricsServer(): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
    );
  });
}
