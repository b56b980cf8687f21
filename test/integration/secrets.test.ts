/**
 * Secrets never reach a log line, a stored document or an answer. Each place that used to leak, driven
 * for real: a webhook whose path is its token (error messages, logs, the alerts ledger's last_error), a
 * source URL with credentials and a token (the sources' unauthenticated /healthz), and an Elasticsearch URL
 * with user:password (what the CLI prints when it cannot connect).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsServer } from '../../src/api/metrics-server.ts';
import { listen } from '../../src/api/server.ts';
import { createLogger } from '../../src/core/log.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import type { Alert } from '../../src/core/post.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { routeAlerts } from '../../src/sinks/alert-router.ts';
import { alertsIndex } from '../../src/store/index-names.ts';
import { rssSourceSchema } from '../../src/sources/rss/config.ts';
import { RssSource } from '../../src/sources/rss/rss-source.ts';
import { cleanUp, isolatedConfig, KAFKA_BROKERS, openTestContext, waitFor } from '../helpers/cluster.ts';
import { openSourceHarness, startScriptedServer, type SourceHarness } from '../helpers/sources.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';

const alert = (postId: string): Alert => ({
  kind: 'flag',
  claim: null,
  alert_id: `alert-${postId}`,
  post_id: postId,
  flags: ['hoax'],
  scores: { hoax: 0.95 },
  text: 'Surat suara tercoblos di gudang',
  url: null,
  platform: 'whatsapp',
  author: null,
  region: null,
  created_at: '2026-11-15T08:00:00+07:00',
  engagement: {},
  model_version: 'test',
  narrative_id: null,
  election_terms: [],
  raised_at: '2026-11-15T08:00:01Z',
});

describe('secrets stay out of logs, stored documents and answers', () => {
  let ctx: PipelineContext;
  let h: SourceHarness;

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('secrets'));
    h = await openSourceHarness('secrets-src');
  });

  afterAll(async () => {
    await h?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('a Slack-style webhook token is in no error, log line or ledger entry, whether the receiver refuses or is down', async () => {
    const TOKEN = 'XoXbT0k3nInThePath42';
    const receiver = await startWebhookReceiver(`/services/T0PANTAU/B0ALERTS/${TOKEN}`);
    const lines: string[] = [];
    const logger = createLogger({ app: 'test' }, { write: (l) => lines.push(l), json: true, level: 'debug' });
    const options = { client: ctx.es, prefix: ctx.config.pipeline.elasticsearch.indexPrefix, webhookUrl: receiver.url, timeoutMs: 1000, maxAttempts: 1, retryBaseMs: 10, logger };
    try {
      receiver.failures.push(400);
      expect(await routeAlerts([alert('wa-refused')], options)).toEqual(['failed']);
    } finally {
      await receiver.close();
    }
    // Now the receiver is gone: the delivery error is a connection failure, left pending.
    const error = await routeAlerts([alert('wa-down')], options).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const ledger = await ctx.es.mget<{ last_error?: string }>({ index: alertsIndex(options.prefix), ids: ['wa-refused', 'wa-down'] });
    const stored = ledger.docs.map((d) => ('_source' in d ? (d._source?.last_error ?? '') : ''));
    expect(stored[0]).toContain('answered 400');
    expect(stored[1]).toMatch(/unreachable/);
    for (const text of [...stored, (error as Error).message, ...lines]) expect(text).not.toContain(TOKEN);
    expect(stored[0]).toContain(`http://127.0.0.1:${new URL(receiver.url).port}/***`);
  });

  it("a source URL's credentials and token are in neither the source's health nor the /healthz answer; the credentials still work", async () => {
    const server = await startScriptedServer((_req, res) => void res.writeHead(503).end());
    const url = `${server.base.replace('http://', 'http://monitor:S3cretFeedPw@')}/feed.xml?token=FeedT0ken77&lang=id`;
    const rss = new RssSource(rssSourceSchema.parse({ type: 'rss', name: 'secret-feed', url, schedule: '*/30 * * * * *', maxAttempts: 1 }), {
      stateDir: mkdtempSync(join(tmpdir(), 'pantau-secret-state-')),
      logger: createLogger({}, { write: () => {} }),
    });
    const metrics = createMetricsServer(async () => ({ ok: rss.health().state !== 'failing', checks: [rss.health()] }));
    const address = await listen(metrics, '127.0.0.1', 0);
    try {
      await rss.start(h.sink);
      await waitFor('the source to fail', async () => (rss.health().state === 'failing' ? true : undefined), 20_000);
      const answer = await fetch(`http://127.0.0.1:${address.port}/healthz`);
      const body = await answer.text();
      expect(answer.status).toBe(503);
      expect(body).toContain('answered 503');
      for (const text of [body, rss.health().lastError ?? '']) {
        expect(text).not.toContain('S3cretFeedPw');
        expect(text).not.toContain('FeedT0ken77');
      }
      // The credentials were sent as Basic auth (fetch refuses them inside the URL).
      expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('monitor:S3cretFeedPw').toString('base64')}`);
    } finally {
      await rss.stop();
      metrics.close();
      await server.close();
    }
  });

  it('an Elasticsearch URL with user:password is not printed when pantau cannot connect', async () => {
    const child = spawn(process.execPath, [resolve(PROJECT_ROOT, 'src/cli/main.ts'), 'setup'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, KAFKA_BROKERS: KAFKA_BROKERS.join(','), ELASTICSEARCH_URL: 'http://elastic:Es-Passw0rd-123@127.0.0.1:1', LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(out).toContain('http://***@127.0.0.1:1');
    expect(out).not.toContain('Es-Passw0rd-123');
  });
});
