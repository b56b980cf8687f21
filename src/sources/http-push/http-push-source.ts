/**
 * HTTP push endpoint for social-listening tools and platform webhooks (node:http, no framework).
 *
 *   POST <path> (default /ingest)   body: a JSON array of posts, or {"posts": [...]}, in the post schema
 *     header X-Pantau-Signature: sha256=<HMAC-SHA256 of the raw body under the shared secret>
 *   GET /healthz                    this source's health (503 while the bus refuses batches)
 *
 * Answers, checked in this order so that cheap refusals cost no body reading:
 *   415 not application/json · 413 Content-Length above maxBodyBytes · 401 no signature ·
 *   429 + Retry-After while the bus is saturated · 413 body passed the limit while arriving ·
 *   401 wrong signature · 400 body not UTF-8 / not JSON / not a list (the whole body is dead-lettered) ·
 *   202 {accepted, deadLettered}: valid posts published, invalid ones dead-lettered one by one ·
 *   503 + Retry-After when the bus is unavailable (retriable), 500 otherwise.
 *
 * 202 is sent only after the sink resolved, i.e. the broker acknowledged every post and dead letter: a 2xx
 * means durable, anything else means "send it again". A resent batch produces the same post ids, so
 * retrying is safe for the sender.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeadLetter } from '../../bus/dead-letter.ts';
import { isRetriable, PantauError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { sourceFetchSeconds } from '../../core/metrics.ts';
import type { Post } from '../../core/post.ts';
import { decodePost } from '../../transforms/decode.ts';
import type { SourceDeps } from '../deps.ts';
import { errorCode, SourceHealthTracker } from '../source-health.ts';
import type { PostSink, Source, SourceHealth } from '../source.ts';
import type { HttpPushSourceConfig } from './config.ts';
import { declaredTooLarge, readBody } from './read-body.ts';
import { SIGNATURE_HEADER, verifySignature } from './signature.ts';

/** After refusing a request whose body is still arriving, how long the client gets to read the answer. */
const REFUSED_LINGER_MS = 1000;

type DecodedBatch = { ok: true; posts: Post[]; letters: DeadLetter[] } | { ok: false; letter: DeadLetter };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  const charset = params.find((p) => p.startsWith('charset='));
  return charset === undefined || /^charset="?utf-8"?$/.test(charset);
}

export function resolvePushSecret(config: HttpPushSourceConfig, env: NodeJS.ProcessEnv = process.env): string {
  const secret = config.secret ?? (config.secretEnv ? env[config.secretEnv] : undefined);
  if (!secret || secret.length < 32) {
    throw new PantauError(
      `source ${config.name}: ${config.secretEnv ? `environment variable ${config.secretEnv}` : '"secret"'} must hold an HMAC key of at least 32 characters`,
      { stage: 'config', code: 'push_secret_missing', retriable: false },
    );
  }
  return secret;
}

export class HttpPushSource implements Source {
  readonly name: string;
  private readonly config: HttpPushSourceConfig;
  private readonly secret: string;
  private readonly logger: Logger;
  private readonly health_: SourceHealthTracker;
  private readonly inFlight = new Set<Promise<void>>();
  private server: Server | null = null;
  private sink: PostSink | null = null;

  constructor(config: HttpPushSourceConfig, deps: Pick<SourceDeps, 'logger'>, env: NodeJS.ProcessEnv = process.env) {
    this.name = config.name;
    this.config = config;
    this.secret = resolvePushSecret(config, env);
    this.logger = deps.logger.child({ source: config.name, source_type: 'http_push' });
    this.health_ = new SourceHealthTracker(config.name);
  }

  async start(sink: PostSink): Promise<void> {
    if (this.server) throw new Error(`source ${this.name} is already started`);
    this.sink = sink;
    const server = createServer((req, res) => {
      const work = this.handle(req, res).catch((error: unknown) => {
        this.logger.error('push request failed unexpectedly', { error: (error as Error).message });
        if (!res.headersSent) this.reply(res, 500, { error: 'internal' });
      });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    server.requestTimeout = this.config.requestTimeoutMs;
    server.headersTimeout = Math.min(this.config.requestTimeoutMs, 60_000);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new PantauError(`source ${this.name} cannot listen on ${this.config.host}:${this.config.port}: ${cause.message}`, { stage: 'receiving', code: 'listen_failed', retriable: false, cause })),
      );
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    server.on('error', (error) => this.logger.error('push server error', { error: error.message }));
    this.server = server;
    this.health_.succeeded();
    this.logger.info('push endpoint listening', { url: this.url() });
  }

  /** The bound address (port resolved when configured as 0). */
  address(): AddressInfo {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error(`source ${this.name} is not listening`);
    return address;
  }

  /** URL of the ingest path. */
  url(): string {
    const { address, port, family } = this.address();
    return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}${this.config.path}`;
  }

  /** Stops accepting connections, lets requests in flight finish (their batches reach the sink), then closes. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...this.inFlight]);
    server.closeAllConnections();
    await closed;
  }

  health(): SourceHealth {
    return this.health_.snapshot();
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }

  /**
   * Refuses a request whose body may still be arriving: the answer goes out with `Connection: close`, then
   * the socket is cut shortly after, so a sender cannot make us read (or hold) a body we refused.
   */
  private refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
    this.health_.refused(code);
    this.reply(res, status, { error: code }, { connection: 'close', ...headers });
    res.once('finish', () => {
      if (req.complete) return;
      const timer = setTimeout(() => req.socket.destroy(), REFUSED_LINGER_MS);
      timer.unref();
      req.socket.once('close', () => clearTimeout(timer));
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return this.reply(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, HEAD' });
      const health = this.health();
      return this.reply(res, health.state === 'failing' ? 503 : 200, health);
    }
    if (path !== this.config.path) return this.refuse(req, res, 404, 'not_found');
    if (req.method !== 'POST') return this.refuse(req, res, 405, 'method_not_allowed', { allow: 'POST' });
    if (!isJsonContentType(req.headers['content-type'])) return this.refuse(req, res, 415, 'unsupported_media_type');
    if (declaredTooLarge(req, this.config.maxBodyBytes)) return this.refuse(req, res, 413, 'body_too_large');
    const signature = req.headers[SIGNATURE_HEADER];
    if (typeof signature !== 'string') return this.refuse(req, res, 401, 'unauthorized');
    const sink = this.sink!;
    const retryAfter = { 'retry-after': String(this.config.retryAfterSeconds) };
    if (sink.saturated()) return this.refuse(req, res, 429, 'saturated', retryAfter);

    const read = await readBody(req, this.config.maxBodyBytes);
    if (!read.ok) {
      if (read.reason === 'too_large') return this.refuse(req, res, 413, 'body_too_large');
      this.health_.refused('client_aborted');
      return;
    }
    if (!verifySignature(read.body, signature, this.secret)) return this.refuse(req, res, 401, 'unauthorized');

    const endTimer = sourceFetchSeconds.startTimer({ source: this.name });
    const batch = this.decodeBatch(read.body);
    try {
      if (!batch.ok) {
        await sink.deadLetter([batch.letter]);
        this.health_.posts('dead_lettered', 1);
        this.health_.succeeded();
        this.health_.refused(batch.letter.reason);
        return this.reply(res, 400, { error: batch.letter.reason, detail: batch.letter.detail, accepted: 0, deadLettered: 1 });
      }
      await sink.publish(batch.posts);
      await sink.deadLetter(batch.letters);
      this.health_.posts('published', batch.posts.length);
      this.health_.posts('dead_lettered', batch.letters.length);
      this.health_.succeeded();
      this.reply(res, 202, { accepted: batch.posts.length, deadLettered: batch.letters.length });
    } catch (error) {
      this.health_.failed(error);
      this.logger.warn('pushed batch not accepted: the bus refused it', { error_type: errorCode(error), error: (error as Error).message });
      if (isRetriable(error)) this.reply(res, 503, { error: 'unavailable' }, retryAfter);
      else this.reply(res, 500, { error: 'internal' });
    } finally {
      endTimer();
    }
  }

  /** The body into posts and per-item dead letters, or one dead letter for a body that is not a list. */
  private decodeBatch(body: Buffer): DecodedBatch {
    const source = `http_push:${this.name}`;
    const whole = (reason: DeadLetter['reason'], detail: string): DecodedBatch => ({
      ok: false,
      letter: { reason, detail, stage: 'receiving', key: null, value: body, source },
    });
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return whole('invalid_utf8', 'body is not valid UTF-8');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return whole('malformed_json', (error as Error).message);
    }
    const items = Array.isArray(json)
      ? json
      : json !== null && typeof json === 'object' && Array.isArray((json as { posts?: unknown }).posts)
        ? ((json as { posts: unknown[] }).posts)
        : null;
    if (items === null) return whole('schema_mismatch', 'body must be a JSON array of posts or {"posts": [...]}');
    const posts: Post[] = [];
    const letters: DeadLetter[] = [];
    items.forEach((item, index) => {
      // Each item is judged exactly as the bus's decode stage would judge it, with the same reasons.
      const bytes = Buffer.from(JSON.stringify(item) ?? 'null');
      const decoded = decodePost(bytes);
      if (decoded.ok) posts.push(decoded.post);
      else {
        const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
        letters.push({ reason: decoded.reason, detail: `item ${index}: ${decoded.detail}`, stage: 'receiving', key: typeof id === 'string' ? id : null, value: bytes, source });
      }
    });
    return { ok: true, posts, letters };
  }
}
