/**
 * Runs one of pantau's HTTP servers, alone, in this process (started by http-server-process.ts):
 *
 *   node test/helpers/http-server-child.ts api|metrics|push
 *
 * api: the dashboard API server over the real Elasticsearch (ELASTICSEARCH_URL) with an index prefix of
 * its own (no data needed); metrics: the metrics server with a health report; push: the HTTP push source
 * with a sink that keeps nothing (these runs are about HTTP parsing, not delivery). Timeouts come from
 * PANTAU_TEST_HEADERS_TIMEOUT_MS / PANTAU_TEST_REQUEST_TIMEOUT_MS. Prints `{"port":N}` once listening;
 * an uncaught exception ends the process, which is what the tests look for.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createMetricsServer } from '../../src/api/metrics-server.ts';
import { createApiServer, listen } from '../../src/api/server.ts';
import { createLogger } from '../../src/core/log.ts';
import { AuthService } from '../../src/auth/auth-service.ts';
import { systemClock } from '../../src/core/clock.ts';
import { httpPushSourceSchema, type HttpPushSourceConfig } from '../../src/sources/http-push/config.ts';
import { HttpPushSource } from '../../src/sources/http-push/http-push-source.ts';
import { createElasticsearchClient } from '../../src/store/elasticsearch-client.ts';

const kind = process.argv[2];
const headersTimeoutMs = Number(process.env.PANTAU_TEST_HEADERS_TIMEOUT_MS ?? 1000);
const requestTimeoutMs = Number(process.env.PANTAU_TEST_REQUEST_TIMEOUT_MS ?? 2000);
const limits = { headersTimeoutMs, requestTimeoutMs };
const logger = createLogger({ server: kind }, { json: true });

async function main(): Promise<number> {
  switch (kind) {
    case 'api': {
      const es = createElasticsearchClient(process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200');
      const prefix = `test-malformed-${randomBytes(4).toString('hex')}`;
      const server = createApiServer({
        es,
        prefix,
        auth: new AuthService({ es, prefix, clock: systemClock, logger }),
        labels: ['hate_speech', 'abusive', 'sara', 'hoax'],
        logger,
        health: async () => ({
          elasticsearch: await es.cluster.health({ timeout: '2s' }).then(
            (h) => (h.status === 'red' ? 'cluster status red' : 'ok'),
            () => 'unreachable',
          ),
        }),
        limits,
      });
      return (await listen(server, '127.0.0.1', 0)).port;
    }
    case 'metrics': {
      const server = createMetricsServer(async () => ({ ok: true, checks: [] }), { logger, limits });
      return (await listen(server, '127.0.0.1', 0)).port;
    }
    case 'push': {
      const config: HttpPushSourceConfig = {
        ...httpPushSourceSchema.parse({ type: 'http_push', name: 'malformed', port: 0, secret: 'rahasia-uji-permintaan-rusak-0123456789' }),
        requestTimeoutMs,
        headersTimeoutMs,
      };
      const source = new HttpPushSource(config, { logger });
      await source.start({ publish: async () => {}, deadLetter: async () => {}, saturated: () => false });
      return (source.address() as AddressInfo).port;
    }
    default:
      throw new Error(`usage: http-server-child.ts api|metrics|push (got ${kind})`);
  }
}

main().then(
  (port) => process.stdout.write(`${JSON.stringify({ port })}\n`),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  },
);
