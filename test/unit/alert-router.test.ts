import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetriable, PantauError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { Alert } from '../../src/core/post.ts';
import { routeAlerts } from '../../src/sinks/alert-router.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const alert = (postId: string): Alert => ({
  kind: 'flag',
  claim: null,
  alert_id: `alert-${postId}`,
  post_id: postId,
  flags: ['sara'],
  scores: { sara: 0.9 },
  text: 'teks',
  url: null,
  platform: 'twitter',
  author: null,
  region: null,
  created_at: '2026-11-15T08:00:00+07:00',
  engagement: {},
  model_version: 'test',
  narrative_id: null,
  election_terms: [],
  raised_at: '2026-11-15T08:00:01+07:00',
});

/** The ledger in memory, behind the two bulk calls and the mget the router makes. */
function fakeLedger() {
  const docs = new Map<string, Record<string, unknown>>();
  const client = {
    bulk: async ({ operations }: { operations: Array<Record<string, { _id: string }> | Record<string, unknown>> }) => {
      const items: unknown[] = [];
      for (let i = 0; i < operations.length; i += 2) {
        const [action, meta] = Object.entries(operations[i]!)[0]! as [string, { _id: string }];
        const body = operations[i + 1] as Record<string, unknown>;
        if (action === 'create') {
          if (docs.has(meta._id)) items.push({ create: { status: 409 } });
          else {
            docs.set(meta._id, { ...body });
            items.push({ create: { status: 201 } });
          }
        } else {
          docs.set(meta._id, { ...docs.get(meta._id), ...(body.doc as Record<string, unknown>) });
          items.push({ update: { status: 200 } });
        }
      }
      return { items };
    },
    mget: async ({ ids }: { ids: string[] }) => ({ docs: ids.map((id) => (docs.has(id) ? { found: true, _source: docs.get(id) } : { found: false })) }),
  } as unknown as Client;
  return { client, docs };
}

describe('alert router when the partition may have gone to another member', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  it('stops delivering, records what it delivered, leaves the rest pending and fails retriably; the next owner delivers the rest once', async () => {
    const { client, docs } = fakeLedger();
    const batch = ['a', 'b', 'c', 'd', 'e'].map(alert);
    let delivered = 0;
    const options = { client, prefix: 'p', webhookUrl: receiver.url, timeoutMs: 2000, maxAttempts: 3, retryBaseMs: 10, logger: silentLogger };
    const error = await routeAlerts(batch, { ...options, isRunning: () => receiver.calls.length - delivered < 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PantauError);
    expect((error as PantauError).code).toBe('alerts_partition_lost');
    expect(isRetriable(error)).toBe(true);
    expect(receiver.calls.map((c) => c.alert.post_id)).toEqual(['a', 'b']);
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => docs.get(id)?.status)).toEqual(['delivered', 'delivered', 'pending', 'pending', 'pending']);
    delivered = receiver.calls.length;

    // The member that owns the partition now replays the batch: c, d and e, each once.
    expect(await routeAlerts(batch, options)).toEqual(['duplicate', 'duplicate', 'delivered', 'delivered', 'delivered']);
    expect(receiver.calls.map((c) => c.alert.post_id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('delivers the whole batch while the membership holds', async () => {
    const { client } = fakeLedger();
    const before = receiver.calls.length;
    const results = await routeAlerts(['x', 'y'].map(alert), { client, prefix: 'p', webhookUrl: receiver.url, timeoutMs: 2000, maxAttempts: 3, retryBaseMs: 10, logger: silentLogger, isRunning: () => true });
    expect(results).toEqual(['delivered', 'delivered']);
    expect(receiver.calls.length - before).toBe(2);
  });
});
