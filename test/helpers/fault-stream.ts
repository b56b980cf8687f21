/**
 * What the cluster fault tests share: a pipeline config isolated per scenario that talks TLS + SASL to the
 * local cluster, a producer paced over a stretch of time (so a fault lands mid-stream), a sampler of the
 * indexed count (for the figures), and the end-of-test check that the stream and the alerts came through
 * exactly once.
 *
 * The alerts promise checked here, as store/alerts-ledger.ts and sinks/alert-router.ts make it: the ledger
 * (`<prefix>-alerts`) holds one document per flagged post (`_id` = post id, created with op_type create, so a
 * replay can never add a second one); the webhook gets each alert POSTed with `Idempotency-Key` = alert id
 * (`alert-<post id>`) until one POST is acknowledged, so a second POST of the same alert happens only when the
 * pipeline could not learn or record the outcome of an earlier one: a POST that timed out after the receiver
 * had it (then the ledger entry shows more than one attempt or a last error), or a worker dying between the
 * receiver's 2xx and the ledger update (none of these faults kills a worker). Checked: every flagged post has
 * exactly one ledger entry, `delivered`; the receiver saw every flagged post's alert id and no other; and each
 * alert id it saw twice has a failed attempt in its ledger entry. A duplicate without one (two members
 * delivering the same batch after a rebalance) fails the test.
 */
import type { Client } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import { Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import { expect } from 'vitest';
import type { AppConfig } from '../../src/config/config.ts';
import type { Post } from '../../src/core/post.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { alertsIndex, postsAlias } from '../../src/store/index-names.ts';
import { isolatedConfig, waitFor } from './cluster.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

export type Log = (line: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** test/helpers/cluster.ts isolatedConfig with the cluster's env (TLS, SASL, both data nodes): 3 partitions per topic. */
export function clusterIsolatedConfig(label: string, env: Record<string, string>): AppConfig {
  const config = isolatedConfig(label, env);
  for (const topic of Object.values(config.pipeline.kafka.topics)) topic.partitions = 3;
  return config;
}

export interface ProduceFigures {
  sent: number;
  ms: number;
  /** Sends that threw (after KafkaJS's own retries) and were sent again. */
  resends: number;
  /** The longest single send, retries included: how long the producer was held up at most. */
  longestSendMs: number;
}

/**
 * Sends `posts` in chunks spread evenly over `durationMs` with acks=-1, each chunk when its time comes (or
 * as soon as fewer than `maxInFlight` chunks are unacknowledged, when they are held up). A send that fails after KafkaJS's retries is sent again (the
 * sinks are idempotent: a post twice in the topic is still one document and one alert).
 *
 * Each chunk goes out as one send per partition (partition chosen as the default partitioner would), never
 * one send spanning several leaders: KafkaJS 2.2.4 (producer/sendMessages.js) remembers responses per
 * broker across its retries, so when a leader dies mid-send and its partition moves to a broker that had
 * already answered for its own partitions, the moved partition is never re-sent and send() still resolves:
 * those messages are silently lost (seen here: 73 posts of one chunk, the partition whose leader was killed).
 * A response that does not name the partition is treated as a failure too.
 */
export async function producePaced(
  producer: Producer,
  admin: Admin,
  topic: string,
  posts: Post[],
  options: { durationMs: number; chunk?: number; maxInFlight?: number; log: Log; onProgress?: (sent: number) => void },
): Promise<ProduceFigures> {
  const chunk = options.chunk ?? 200;
  const maxInFlight = options.maxInFlight ?? 8;
  const chunks = Math.ceil(posts.length / chunk);
  const interval = options.durationMs / chunks;
  const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  const partitionMetadata = metadata!.partitions;
  const partitioner = Partitioners.DefaultPartitioner();
  const started = Date.now();
  let sent = 0;
  let resends = 0;
  let longestSendMs = 0;

  const sendPartition = async (partition: number, messages: Message[], label: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const answers = await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, partition })) });
        if (!answers.some((a) => a.partition === partition && a.errorCode === 0)) throw new Error(`no acknowledgement for partition ${partition} in ${JSON.stringify(answers)}`);
        return;
      } catch (error) {
        if (attempt >= 10) throw error;
        resends++;
        options.log(`producer: ${label} partition ${partition} failed (${(error as Error).message}); sending it again`);
        await sleep(1000);
      }
    }
  };

  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < chunks; i++) {
    const wait = started + i * interval - Date.now();
    if (wait > 0) await sleep(wait);
    // Chunks overlap (a slow broker must not slow the stream down by itself), up to a bound.
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const byPartition = new Map<number, Message[]>();
    for (const p of posts.slice(i * chunk, (i + 1) * chunk)) {
      const message: Message = { key: p.id, value: JSON.stringify(p) };
      const partition = partitioner({ topic, partitionMetadata, message });
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), message]);
    }
    const sendStarted = Date.now();
    const size = Math.min(chunk, posts.length - i * chunk);
    const sending = Promise.all([...byPartition].map(([partition, messages]) => sendPartition(partition, messages, `chunk ${i}`))).then(() => {
      longestSendMs = Math.max(longestSendMs, Date.now() - sendStarted);
      sent += size;
      options.onProgress?.(sent);
    });
    const tracked: Promise<void> = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    tracked.catch(() => {}); // awaited below
  }
  await Promise.all(inFlight);
  return { sent, ms: Date.now() - started, resends, longestSendMs };
}

/** Polls the posts count (what is searchable; no forced refresh) every `everyMs`, for the figures. */
export class IndexSampler {
  readonly samples: Array<{ at: number; count: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  private readonly es: Client;
  private readonly index: string;
  private readonly everyMs: number;

  constructor(es: Client, index: string, everyMs = 500) {
    this.es = es;
    this.index = index;
    this.everyMs = everyMs;
  }

  start(): this {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.es
        .count({ index: this.index, ignore_unavailable: true, allow_no_indices: true }, { requestTimeout: 5_000, maxRetries: 0 })
        .then((r) => this.samples.push({ at: Date.now(), count: r.count }))
        .catch(() => {})
        .finally(() => (this.busy = false));
    }, this.everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  last(): number {
    return this.samples.at(-1)?.count ?? 0;
  }

  /** When the count first reached `n`. */
  reached(n: number): number | undefined {
    return this.samples.find((s) => s.count >= n)?.at;
  }

  /** The longest time (after `from`) the count stood still while below `n`: how long indexing was held up. */
  longestStallMs(n: number, from = 0): number {
    let longest = 0;
    let since: number | undefined;
    let previous = -1;
    for (const s of this.samples) {
      if (s.at < from) {
        previous = s.count;
        continue;
      }
      if (s.count >= n) break;
      if (s.count === previous) {
        since ??= s.at;
        longest = Math.max(longest, s.at - since);
      } else {
        since = undefined;
      }
      previous = s.count;
    }
    return longest;
  }
}

/** Every value of `field` among the documents matching `query` (exact: a composite aggregation, paged). */
export async function distinctValues(es: Client, index: string, field: string, query: estypes.QueryDslQueryContainer = { match_all: {} }): Promise<string[]> {
  const values: string[] = [];
  let after: Record<string, estypes.FieldValue> | undefined;
  for (;;) {
    const r = await es.search({
      index,
      size: 0,
      query,
      aggs: { v: { composite: { size: 10_000, sources: [{ v: { terms: { field } } }], ...(after ? { after } : {}) } } },
    });
    const agg = r.aggregations?.v as estypes.AggregationsCompositeAggregate & { buckets: Array<{ key: Record<string, string>; doc_count: number }> };
    for (const b of agg.buckets) values.push(b.key.v!);
    if (agg.buckets.length < 10_000 || !agg.after_key) return values;
    after = agg.after_key;
  }
}

export interface StreamOutcome {
  documents: number;
  alerts: number;
  webhookCalls: number;
  /** Alerts POSTed more than once (each explained by a failed attempt). */
  duplicates: number;
}

/**
 * Waits until the posts index holds `n` documents and every alert is settled, then checks: exactly the `n`
 * generated ids (no strangers, none twice), one ledger entry per flagged post, all delivered, and the
 * receiver saw each alert id, twice only after a failed attempt (see the top of this file).
 */
export async function expectExactlyOnce(ctx: PipelineContext, receiver: WebhookReceiver, tag: string, n: number, log: Log, timeoutMs = 180_000): Promise<StreamOutcome> {
  const { es } = ctx;
  const prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
  const posts = postsAlias(prefix);
  const ledger = alertsIndex(prefix);
  const count = async (index: string, query?: estypes.QueryDslQueryContainer) => {
    await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    return (await es.count({ index, ignore_unavailable: true, allow_no_indices: true, ...(query ? { query } : {}) })).count;
  };

  await waitFor(`${n} documents in ${posts}`, async () => ((await count(posts)) >= n ? true : undefined), timeoutMs).catch(async (error: unknown) => {
    throw new Error(`${String(error)} (have ${await count(posts).catch(() => '?')})`);
  });
  const flaggedQuery: estypes.QueryDslQueryContainer = { bool: { filter: [{ term: { flagged: true } }, { term: { 'relevance.relevant': true } }] } };
  // The index and the ledger are written by different stages: both are read until the ledger holds exactly one
  // delivered entry per flagged post, or the time is up (then the posts they disagree on are shown).
  let flagged: string[] = [];
  await waitFor(`one delivered alert per flagged post in ${ledger}`, async () => {
    await es.indices.refresh({ index: posts, ignore_unavailable: true, allow_no_indices: true });
    flagged = await distinctValues(es, posts, 'id', flaggedQuery);
    const entries = await count(ledger);
    const delivered = await count(ledger, { term: { status: 'delivered' } });
    return entries === flagged.length && delivered === flagged.length ? true : undefined;
  }, timeoutMs).catch(async (error: unknown) => {
    const flaggedSet = new Set(flagged);
    const strays = (await distinctValues(es, ledger, 'post_id')).filter((id) => !flaggedSet.has(id));
    const docs = strays.length === 0 ? [] : (await es.search<Record<string, unknown>>({ index: posts, size: 5, query: { ids: { values: strays.slice(0, 5) } } })).hits.hits.map((h) => h._source);
    const shown = docs.map((d) => JSON.stringify({ id: d?.id, flagged: d?.flagged, flags: d?.flags, relevance: d?.relevance, classified_at: d?.classified_at, indexed_at: d?.indexed_at, model_version: d?.model_version }));
    throw new Error(`${String(error)} (${flagged.length} flagged posts in the index, ${await count(ledger).catch(() => '?')} ledger entries, ${receiver.calls.length} webhook calls; ${strays.length} ledger posts not flagged in the index, e.g. ${shown.join(' ')})`);
  });
  await sleep(2_000); // room for a late duplicate (a document, a ledger entry or a webhook call) to show up

  // The posts: exactly the generated ids.
  expect(await count(posts)).toBe(n);
  expect(await count(posts, { bool: { must_not: { prefix: { id: `gen-${tag}-` } } } })).toBe(0);
  expect((await distinctValues(es, posts, 'id')).length).toBe(n);

  // The ledger: one entry per flagged post, each delivered, alert id derived from the post id.
  const flaggedSet = new Set(flagged);
  expect(await count(ledger)).toBe(flagged.length);
  const ledgerPosts = await distinctValues(es, ledger, 'post_id');
  expect(ledgerPosts.length).toBe(flagged.length);
  expect(ledgerPosts.filter((id) => !flaggedSet.has(id))).toEqual([]);
  expect(await count(ledger, { bool: { must_not: { term: { status: 'delivered' } } } })).toBe(0);
  expect((await distinctValues(es, ledger, 'alert_id')).length).toBe(flagged.length);

  // The receiver: each alert id (its Idempotency-Key) at least once, only for flagged posts, and a second
  // POST only of an alert whose delivery failed on our side first (a timeout after the receiver had it): its
  // ledger entry shows more than one attempt or a last error. Anything else (two members delivering the same
  // batch, say) is a duplicate the pipeline does not allow.
  const seen = new Map<string, number>();
  for (const call of receiver.calls) seen.set(call.alert.alert_id, (seen.get(call.alert.alert_id) ?? 0) + 1);
  expect(receiver.calls.every((c) => c.idempotencyKey === c.alert.alert_id && c.alert.alert_id === `alert-${c.alert.post_id}`)).toBe(true);
  expect(receiver.calls.filter((c) => !flaggedSet.has(c.alert.post_id)).map((c) => c.alert.post_id)).toEqual([]);
  expect(seen.size).toBe(flagged.length);
  const retriedQuery: estypes.QueryDslQueryContainer = { bool: { should: [{ range: { attempts: { gt: 1 } } }, { exists: { field: 'last_error' } }], minimum_should_match: 1 } };
  const retried = new Set(await distinctValues(es, ledger, 'post_id', retriedQuery));
  const duplicates = [...seen].filter(([, times]) => times > 1);
  const unexplained = duplicates.filter(([alertId]) => !retried.has(alertId.slice('alert-'.length)));
  expect(unexplained, `alerts POSTed more than once without a failed attempt to explain it: ${unexplained.slice(0, 10).join('; ')}`).toEqual([]);
  if (duplicates.length > 0) log(`${duplicates.length} alerts POSTed twice after an attempt that failed on our side (same Idempotency-Key): ${duplicates.slice(0, 5).join('; ')}`);
  log(`checked: ${n} documents, ${flagged.length} flagged posts = ${flagged.length} ledger entries delivered = ${seen.size} distinct alerts at the webhook, ${receiver.calls.length} calls (${retried.size} alerts needed more than one attempt)`);
  return { documents: n, alerts: flagged.length, webhookCalls: receiver.calls.length, duplicates: duplicates.length };
}
