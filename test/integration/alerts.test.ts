import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import type { Alert } from '../../src/core/post.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { alertsIndex } from '../../src/store/index-names.ts';
import { routeAlerts, type RouteOptions } from '../../src/sinks/alert-router.ts';
import { isRetriable } from '../../src/core/errors.ts';
import type { RunningConsumer } from '../../src/bus/batch-consumer.ts';
import { startAlertsStage } from '../../src/pipeline/stages/alerts-stage.ts';
import { cleanUp, isolatedConfig, openTestContext, waitFor } from '../helpers/cluster.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const alert = (postId: string): Alert => ({
  kind: 'flag',
  claim: null,
  alert_id: `alert-${postId}`,
  post_id: postId,
  flags: ['hoax'],
  scores: { hoax: 0.97 },
  text: 'SEBARKAN!!! Surat suara sudah dicoblos duluan di gudang KPU',
  url: null,
  platform: 'whatsapp',
  author: null,
  region: '32',
  created_at: '2026-11-15T08:00:00+07:00',
  engagement: { shares: 900 },
  model_version: 'test',
  narrative_id: null,
  election_terms: ['surat suara', 'KPU'],
  raised_at: new Date().toISOString(),
});

describe('alert routing against the real alerts ledger', () => {
  let ctx: PipelineContext;
  let receiver: WebhookReceiver;
  let options: RouteOptions;

  const status = async (postId: string) =>
    (await ctx.es.get<{ status: string; attempts: number; last_error?: string }>({ index: alertsIndex(options.prefix), id: postId }))._source!;

  beforeAll(async () => {
    ctx = await openTestContext(isolatedConfig('alerts'));
    receiver = await startWebhookReceiver();
    options = { client: ctx.es, prefix: ctx.config.pipeline.elasticsearch.indexPrefix, webhookUrl: receiver.url, timeoutMs: 2000, maxAttempts: 3, retryBaseMs: 20, logger: silentLogger };
  });

  afterAll(async () => {
    await receiver?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('delivers once, and a replay of the same alert sends nothing', async () => {
    expect(await routeAlerts([alert('wa-1')], options)).toEqual(['delivered']);
    expect(await routeAlerts([alert('wa-1')], options)).toEqual(['duplicate']);
    expect(receiver.calls.filter((c) => c.alert.post_id === 'wa-1')).toHaveLength(1);
    expect((await status('wa-1')).status).toBe('delivered');
  });

  it('sends a post that appears twice in one batch once', async () => {
    expect(await routeAlerts([alert('wa-2'), alert('wa-3'), alert('wa-2')], options)).toEqual(['delivered', 'delivered', 'duplicate']);
    expect(receiver.calls.filter((c) => c.alert.post_id === 'wa-2')).toHaveLength(1);
  });

  it('retries 503 and 429 until the receiver accepts', async () => {
    receiver.failures.push(503, 429);
    expect(await routeAlerts([alert('wa-4')], options)).toEqual(['delivered']);
    expect((await status('wa-4')).attempts).toBe(3);
  });

  it('records a 4xx refusal as failed, without retrying', async () => {
    receiver.failures.push(400);
    const before = receiver.calls.length;
    expect(await routeAlerts([alert('wa-5')], options)).toEqual(['failed']);
    const s = await status('wa-5');
    expect(s.status).toBe('failed');
    expect(s.last_error).toContain('400');
    expect(receiver.calls.length).toBe(before);
  });

  it('leaves the alert pending and throws a retriable error while the receiver is down; the retry delivers it', async () => {
    receiver.failures.push(502, 502, 502);
    let error: unknown;
    try {
      await routeAlerts([alert('wa-6')], options);
    } catch (e) {
      error = e;
    }
    expect(isRetriable(error)).toBe(true);
    expect((await status('wa-6')).status).toBe('pending');
    expect(await routeAlerts([alert('wa-6')], options)).toEqual(['delivered']);
    expect(receiver.calls.filter((c) => c.alert.post_id === 'wa-6')).toHaveLength(1);
  });

  it('records alerts as not_sent when no webhook is configured', async () => {
    expect(await routeAlerts([alert('wa-7')], { ...options, webhookUrl: undefined })).toEqual(['not_sent']);
    expect((await status('wa-7')).status).toBe('not_sent');
  });
});

describe('a webhook receiver that hangs does not cost the alerts consumer its group membership', () => {
  let ctx: PipelineContext;
  let receiver: WebhookReceiver;
  let stage: RunningConsumer | undefined;

  beforeAll(async () => {
    const config = isolatedConfig('alerts-hang');
    // Each delivery attempt waits the full timeout; three of them outlast the session timeout.
    config.pipeline.kafka.sessionTimeoutMs = 8_000;
    config.pipeline.alerts.webhookTimeoutMs = 4_000;
    config.pipeline.alerts.maxAttempts = 3;
    ctx = await openTestContext(config);
    receiver = await startWebhookReceiver();
    receiver.hangMs = 60_000;
  });

  afterAll(async () => {
    await stage?.stop();
    await receiver?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('heartbeats while deliveries time out, then delivers the alert once when the receiver answers again', async () => {
    const counters = { classified: 0, flagged: 0, indexed: 0, alerts: 0, deadLettered: 0 };
    stage = await startAlertsStage({ ctx, counters }, receiver.url);
    const joins: string[] = [];
    stage.consumer.on(stage.consumer.events.GROUP_JOIN, (e) => void joins.push(e.payload.memberId));
    const { groups, topics } = ctx.config.pipeline.kafka;
    const members = async () => {
      const group = await stage!.consumer.describeGroup();
      return group.state === 'Stable' && group.members.length === 1 ? group.members.map((m) => m.memberId) : undefined;
    };
    const [member] = await waitFor('the alerts consumer in its group', members);
    const joinsBefore = joins.length;

    await ctx.producer.send({ topic: topics.alerts.name, messages: [{ key: 'wa-hang', value: JSON.stringify(alert('wa-hang')) }] });
    // The receiver hangs (each request held 60 s; each attempt gives up after 4 s) for 3 session timeouts.
    await waitFor('the first delivery attempts', async () => (receiver.requests >= 3 ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 24_000 - 3 * 4_000));
    receiver.hangMs = 0;
    await waitFor('the alert delivered', async () => (receiver.calls.some((c) => c.alert.post_id === 'wa-hang') ? true : undefined), 60_000);

    expect(receiver.requests).toBeGreaterThan(3);
    expect(joins.length - joinsBefore, `rejoined the group ${joins.length - joinsBefore} times (group ${groups.alerts})`).toBe(0);
    expect(await members()).toEqual([member]);
    expect(receiver.calls.filter((c) => c.alert.post_id === 'wa-hang')).toHaveLength(1);
    // The ledger is updated after the POST is answered: the receiver may have the alert a moment before.
    const ledgerStatus = async () => (await ctx.es.get<{ status: string }>({ index: alertsIndex(ctx.config.pipeline.elasticsearch.indexPrefix), id: 'wa-hang' }))._source!.status;
    await expect.poll(ledgerStatus, { timeout: 20_000, interval: 200 }).toBe('delivered');
    expect(receiver.calls.filter((c) => c.alert.post_id === 'wa-hang')).toHaveLength(1);
  });
});
