/**
 * Shared by the sources' integration tests: the real Kafka post sink on a test's own topics, a reader that
 * collects exactly what reached posts.raw and posts.dlq, and a scripted HTTP server on loopback that plays
 * a news portal or a platform API (including one that is slow, down or rude).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Consumer, IHeaders } from 'kafkajs';
import { sourceErrors } from '../../src/core/metrics.ts';
import type { Post } from '../../src/core/post.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { createKafkaPostSink } from '../../src/sources/kafka-post-sink.ts';
import type { PostSink } from '../../src/sources/source.ts';
import { isolatedConfig, openTestContext, waitFor } from './cluster.ts';

export interface Received {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

export interface SourceHarness {
  ctx: PipelineContext;
  sink: PostSink;
  rawTopic: string;
  dlqTopic: string;
  /** Everything on posts.raw, parsed. */
  posts(): Post[];
  /** Everything on posts.dlq. */
  letters(): Received[];
  /** Waits until the reader has every message the broker holds right now: after it, counts are exact. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const headerText = (headers: IHeaders | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]));

export async function openSourceHarness(label: string): Promise<SourceHarness> {
  const ctx = await openTestContext(isolatedConfig(label));
  const rawTopic = ctx.config.pipeline.kafka.topics.raw.name;
  const dlqTopic = ctx.config.pipeline.kafka.topics.deadLetter.name;
  const sink = createKafkaPostSink({ producer: ctx.producer, topic: rawTopic, deadLetterTopic: dlqTopic });
  const raw: Received[] = [];
  const dlq: Received[] = [];
  const consumer: Consumer = ctx.kafka.consumer({ groupId: `${ctx.config.pipeline.kafka.groups.classify}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topics: [rawTopic, dlqTopic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const received = { key: message.key?.toString('utf8') ?? null, value: message.value ?? Buffer.alloc(0), headers: headerText(message.headers) };
      (topic === rawTopic ? raw : dlq).push(received);
    },
  });
  const admin = ctx.kafka.admin();
  await admin.connect();
  const held = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  return {
    ctx,
    sink,
    rawTopic,
    dlqTopic,
    posts: () => raw.map((m) => JSON.parse(m.value.toString('utf8')) as Post),
    letters: () => [...dlq],
    settle: async () => {
      const [r, d] = [await held(rawTopic), await held(dlqTopic)];
      await waitFor(`reader at ${r} posts and ${d} dead letters`, async () => (raw.length >= r && dlq.length >= d ? true : undefined), 30_000);
    },
    close: async () => {
      await consumer.disconnect();
      await admin.disconnect();
      await ctx.close();
    },
  };
}

/** Posts of one source (ids start with `prefix`). */
export const postsWithPrefix = (h: SourceHarness, prefix: string) => h.posts().filter((p) => p.id.startsWith(prefix));

/** Current value of pantau_source_errors_total for one source and error type. */
export async function sourceErrorCount(source: string, errorType: string): Promise<number> {
  const metric = await sourceErrors.get();
  return metric.values.find((v) => v.labels.source === source && v.labels.error_type === errorType)?.value ?? 0;
}

export interface RecordedRequest {
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface ScriptedServer {
  base: string;
  requests: RecordedRequest[];
  /** Answers the n-th request (0-based); replace it to change the server's behaviour mid-test. */
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void;
  /** Most requests that were open at the same time. */
  maxConcurrent: number;
  close(): Promise<void>;
}

export async function startScriptedServer(handler: ScriptedServer['handler']): Promise<ScriptedServer> {
  let open = 0;
  const scripted: ScriptedServer = { base: '', requests: [], handler, maxConcurrent: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    scripted.requests.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    open++;
    scripted.maxConcurrent = Math.max(scripted.maxConcurrent, open);
    res.on('close', () => open--);
    scripted.handler(req, res, scripted.requests.length - 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  scripted.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  scripted.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return scripted;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
