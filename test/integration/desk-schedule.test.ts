/**
 * The desk's clocks, on the real Elasticsearch with a fixed clock: a message that arrives in a unit's quiet
 * hours waits for their end (across a month end), the daily digest goes out once per unit and day however
 * often it is asked for, and a unit is alerted once per case however often its posts arrive.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Alert } from '../../src/core/post.ts';
import { parseHumasUnits } from '../../src/config/humas-units.ts';
import { listen } from '../../src/api/server.ts';
import { Desk } from '../../src/desk/desk.ts';
import { buildUnitChannels } from '../../src/pipeline/stages/desk-stage.ts';
import { ensureIndexTemplates } from '../../src/store/index-templates.ts';
import { refreshCases, searchCases } from '../../src/store/desk-store.ts';
import { deskDeliveriesIndex } from '../../src/store/index-names.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';

// 23:30 WIB on 28 February 2027: inside 22:00–06:00 quiet hours, which end on 1 March.
const IN_QUIET_HOURS = '2027-02-28T16:30:00.000Z';
const QUIET_END = '2027-02-28T23:00:00.000Z'; // 06:00 WIB on 1 March

describe('desk schedule: quiet hours, digests, one alert per case', () => {
  let ctx: PipelineContext;
  let prefix: string;
  let hook: Server;
  const received: Array<{ kind: string; id: string }> = [];
  const clock = fixedClock(IN_QUIET_HOURS);
  let desk: Desk;
  // Deliveries run beside the desk: wait for them before looking at what the receiver got.
  const handle = async (alerts: Alert[]) => {
    const stats = await desk.handle(alerts);
    await desk.drain();
    return stats;
  };
  const release = async () => {
    const n = await desk.releaseHeld();
    await desk.drain();
    return n;
  };
  const digest = async (unit: string) => {
    const sent = await desk.sendDigest(unit);
    await desk.drain();
    return sent;
  };
  const cases = async (q: Parameters<typeof searchCases>[2]) => {
    await refreshCases(ctx.es, prefix);
    return searchCases(ctx.es, prefix, q);
  };

  const alert = (id: string, narrative: string, shares: number): Alert => ({
    kind: 'flag',
    claim: null,
    alert_id: `alert-${id}`,
    post_id: id,
    flags: ['sara'],
    scores: { sara: 0.9 },
    text: 'Jangan pilih calon itu, dia bukan dari suku kita. Usir pendatang dari kampung ini sebelum pilkada!',
    url: `https://example.com/p/${id}`,
    platform: 'twitter',
    author: '@anon',
    region: '3578',
    created_at: new Date(clock() - 60_000).toISOString(),
    engagement: { shares },
    model_version: 'test',
    narrative_id: narrative,
    election_terms: ['pilkada'],
    raised_at: new Date(clock()).toISOString(),
  });

  beforeAll(async () => {
    const config = isolatedConfig('desk-schedule');
    prefix = config.pipeline.elasticsearch.indexPrefix;
    ctx = await openTestContext(config);
    await ensureIndexTemplates(ctx.es, { files: config.pipeline.elasticsearch.templates, baseDir: config.pipelineDir, prefix, logger: silentLogger });
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; kind?: string };
        received.push({ kind: body.type === 'pantau.digest' ? 'digest' : String(body.kind), id: String(req.headers['idempotency-key']) });
        res.writeHead(204).end();
      });
    });
    const address = await listen(hook, '127.0.0.1', 0);
    const units = parseHumasUnits({
      version: 1,
      timezone: 'Asia/Jakarta',
      units: [
        {
          id: 'diskominfo-jatim',
          name: 'Diskominfo Jawa Timur',
          channels: [{ type: 'webhook', url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET' }],
          answers_for: { labels: ['sara'], regions: ['35'] },
          quiet_hours: { start: '22:00', end: '06:00' },
          digest_cron: '0 7 * * *',
        },
        { id: 'komdigi', name: 'Komdigi', fallback: true, channels: [], answers_for: { labels: ['sara', 'hoax'] } },
      ],
    });
    desk = new Desk({
      es: ctx.es,
      prefix,
      units,
      channels: buildUnitChannels(units, { HOOK_URL: `http://127.0.0.1:${address.port}/h`, HOOK_SECRET: 'schedule-test-secret' }, { timeoutMs: 2_000, clock, logger: silentLogger }),
      clock,
      logger: silentLogger,
      links: { baseUrl: 'http://127.0.0.1:8080', secret: 'schedule-test-link-secret-0123456789abcdef', ttlHours: 24 },
      delivery: { maxAttempts: 2, retryBaseMs: 10 },
      clusterWindowDays: 14,
      nearDuplicateJaccard: 0.7,
      escalationMinIntervalMs: 3_600_000,
    });
  }, 60_000);

  afterAll(async () => {
    hook?.close();
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
  });

  it('holds a new case in quiet hours and sends it when they end, the next month', async () => {
    const stats = await handle([alert('p1', 'nar-0000000000000001', 10)]);
    expect(stats.casesOpened).toBe(1);
    expect(stats.held).toBe(1);
    expect(received).toHaveLength(0);
    const [held] = (await cases({ unit: 'diskominfo-jatim' })).cases;
    expect(held!.doc.held_until).toBe(QUIET_END);
    expect(held!.doc.held_kind).toBe('new');

    clock.set('2027-02-28T22:59:00.000Z'); // 05:59 WIB: still quiet
    expect(await release()).toBe(0);
    expect(received).toHaveLength(0);
    clock.set('2027-02-28T23:00:30.000Z'); // 06:00:30 WIB on 1 March
    expect(await release()).toBe(1);
    expect(received.map((r) => r.kind)).toEqual(['new']);
    const [sent] = (await cases({ unit: 'diskominfo-jatim' })).cases;
    expect(sent!.doc.held_until).toBeNull();
    expect(sent!.doc.history.map((h) => h.event)).toEqual(['opened', 'held', 'alerted']);
    // Nothing left to release.
    expect(await release()).toBe(0);
  });

  it('alerts a unit once per case however often its posts come back', async () => {
    await handle([alert('p1', 'nar-0000000000000001', 10), alert('p2', 'nar-0000000000000001', 10)]);
    await handle([alert('p1', 'nar-0000000000000001', 10)]);
    expect(received.filter((r) => r.kind === 'new')).toHaveLength(1);
    // Only the unit for the region and no fallback: one case.
    expect((await cases({})).total).toBe(1);
  });

  it('escalates when the reach doubles, but not within the interval after the last message', async () => {
    await handle([alert('p3', 'nar-0000000000000001', 5_000)]);
    expect(received.filter((r) => r.kind === 'escalation')).toHaveLength(0);
    clock.advance(3_600_000);
    await handle([alert('p4', 'nar-0000000000000001', 5_000)]);
    expect(received.filter((r) => r.kind === 'escalation')).toHaveLength(1);
  });

  it('sends the daily digest once per unit and day, with its open cases', async () => {
    clock.set('2027-03-01T00:00:00.000Z'); // 07:00 WIB
    expect(await digest('diskominfo-jatim')).toBe(true);
    expect(await digest('diskominfo-jatim')).toBe(false);
    const digests = received.filter((r) => r.kind === 'digest');
    expect(digests).toHaveLength(1);
    expect(digests[0]!.id).toBe('diskominfo-jatim:digest:2027-03-01');
    // A unit without channels or a digest schedule gets none.
    expect(await digest('komdigi')).toBe(false);
    await ctx.es.indices.refresh({ index: deskDeliveriesIndex(prefix) });
    const log = await ctx.es.search<{ kind: string; status: string }>({ index: deskDeliveriesIndex(prefix), size: 50, query: { term: { kind: 'digest' } } });
    expect(log.hits.hits.map((h) => h._source!.status).sort()).toEqual(['claimed', 'delivered']);
  });
});
