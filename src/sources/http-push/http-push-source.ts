/**
 * HTTP push endpoint for social-listening tools and platform webhooks (node:http behind the shared guards of
 * src/api/http-guard.ts: a malformed, oversized or slow request gets a 4xx or is cut, never a crash).
 *
 *   POST <path> (default /ingest)   body: a JSON array of posts, or {"posts": [...]}, in the post schema;
 *                                   each post's `id` is the sender's own id for it
 *     header X-Pantau-Timestamp: <Unix time in seconds>
 *     header X-Pantau-Signature: sha256=<HMAC-SHA256 under the shared secret of `<timestamp>.` + the raw body>
 *   GET /healthz                    this source's health (503 while the bus refuses batches)
 *
 * Stored post ids are scoped by the source: `<source name>-<sender's id>`, so a sender can never overwrite
 * another source's posts. An id that makes a stored id the post schema refuses (over 200 characters,
 * characters other than letters, digits, . _ : -) rejects that post.
 *
 * Answers, checked in this order so that cheap refusals cost no body reading (error bodies are
 * `{"error": "<code>"}`, some with a `detail`):
 *   404 not_found · 405 method_not_allowed · 415 unsupported_media_type (not application/json) ·
 *   413 body_too_large (Content-Length above maxBodyBytes) · 401 unauthorized (no signature) ·
 *   401 missing_timestamp (no or malformed X-Pantau-Timestamp) · 401 stale_timestamp (more than
 *   maxClockSkewSeconds from this server's clock) · 429 saturated + Retry-After while the bus is saturated ·
 *   413 body_too_large (the body passed the limit while arriving) · 401 unauthorized (wrong signature) ·
 *   400 invalid_utf8 / malformed_json / schema_mismatch (body not UTF-8, not JSON, not a list: the whole body
 *     is dead-lettered) ·
 *   202 {accepted, deadLettered, ids, rejected}: the valid posts published (their stored ids in `ids`, in
 *     input order), the invalid ones dead-lettered one by one with their original bytes and listed in
 *     `rejected` as {index, id, reason, detail} ·
 *   422 {error: "no_valid_posts", accepted: 0, deadLettered, ids: [], rejected}: not one post was valid (all
 *     are dead-lettered before the answer) ·
 *   503 unavailable + Retry-After when the bus is unavailable (retriable), 500 internal_error otherwise.
 *   The HTTP layer adds 400 (unparseable request), 408 (headers or body too slow), 431 (headers over 16 KiB).
 *
 * 202 and 422 are sent only after the sink resolved, i.e. the broker acknowledged every post and dead
 * letter: a 2xx or a 422 means durable, anything else means "send it again". A resent batch produces the
 * same post ids, so retrying is safe for the sender.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGuardedServer } from '../../api/http-guard.ts';
import type { DeadLetter } from '../../bus/dead-letter.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { describeError, isRetriable, PantauError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { registerSecret } from '../../core/redact.ts';
import { sourceFetchSeconds } from '../../core/metrics.ts';
import type { Post } from '../../core/post.ts';
import type { SourceDeps } from '../deps.ts';
import { toPostOrDeadLetter } from '../edge-validate.ts';
import { errorCode, SourceHealthTracker } from '../source-health.ts';
import type { PostSink, Source, SourceHealth } from '../source.ts';
import type { HttpPushSourceConfig } from './config.ts';
import { batchItemSpans } from './json-spans.ts';
import { declaredTooLarge, readBody } from './read-body.ts';
import { checkTimestamp, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyRequest } from './signature.ts';

/** After refusing a request whose body is still arriving, how long the client gets to read the answer. */
const REFUSED_LINGER_MS = 1000;
/** Longest `detail` of one rejected post in an answer (the dead letter keeps up to 2000 characters). */
const MAX_REJECTED_DETAIL = 500;

/** One post of a batch that was not taken, as the sender is told about it. */
export interface RejectedItem {
  /** Position in the batch, from 0. */
  index: number;
  /** The sender's id of the post, when it gave a string. */
  id: string | null;
  reason: DeadLetter['reason'];
  detail: string;
}

type DecodedBatch =
  | { ok: true; posts: Post[]; letters: DeadLetter[]; rejected: RejectedItem[] }
  | { ok: false; letter: DeadLetter };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  const charset = params.find((p) => p.startsWith('charset='));
  return charset === undefined || /^charset="?utf-8"?$/.test(charset);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const MAX_POST_ID_LENGTH = 200;
const ID_CHARACTERS = /^[A-Za-z0-9._:-]+$/;

/**
 * The stored id of a pushed post: `<source>-<sender's id>` (the project's id convention), or why the
 * sender's id cannot make one that the post schema takes.
 */
export function scopedPostId(source: string, nativeId: unknown): { ok: true; id: string } | { ok: false; detail: string } {
  if (typeof nativeId !== 'string' || nativeId === '') return { ok: false, detail: 'id: the sender\'s id of the post must be a non-empty string' };
  if (!ID_CHARACTERS.test(nativeId)) {
    return { ok: false, detail: `id: "${nativeId.slice(0, 80)}" may hold only letters, digits, ".", "_", ":" and "-"` };
  }
  const id = `${source}-${nativeId}`;
  if (id.length > MAX_POST_ID_LENGTH) {
    return {
      ok: false,
      detail: `id: the stored id "${source}-<id>" would have ${id.length} characters, more than ${MAX_POST_ID_LENGTH}; this source takes ids of at most ${MAX_POST_ID_LENGTH - source.length - 1}`,
    };
  }
  return { ok: true, id };
}

export function resolvePushSecret(config: HttpPushSourceConfig, env: NodeJS.ProcessEnv = process.env): string {
  const secret = config.secret ?? (config.secretEnv ? env[config.secretEnv] : undefined);
  if (!secret || secret.length < 32) {
    throw new PantauError(
      `source ${config.name}: ${config.secretEnv ? `environment variable ${config.secretEnv}` : '"secret"'} must hold an HMAC key of at least 32 characters`,
      { stage: 'config', code: 'push_secret_missing', retriable: false },
    );
  }
  registerSecret(secret);
  return secret;
}

export class HttpPushSource implements Source {
  readonly name: string;
  private readonly config: HttpPushSourceConfig;
  private readonly secret: string;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly health_: SourceHealthTracker;
  private readonly inFlight = new Set<Promise<void>>();
  private server: Server | null = null;
  private sink: PostSink | null = null;

  /** `deps.clock` is "now" for the timestamp window (default: the system clock). */
  constructor(config: HttpPushSourceConfig, deps: Pick<SourceDeps, 'logger'> & { clock?: Clock }, env: NodeJS.ProcessEnv = process.env) {
    this.name = config.name;
    this.config = config;
    this.secret = resolvePushSecret(config, env);
    this.logger = deps.logger.child({ source: config.name, source_type: 'http_push' });
    this.clock = deps.clock ?? systemClock;
    this.health_ = new SourceHealthTracker(config.name, deps.clock);
  }

  async start(sink: PostSink): Promise<void> {
    if (this.server) throw new Error(`source ${this.name} is already started`);
    this.sink = sink;
    const server = createGuardedServer(
      (req, res, target) => {
        const work = this.handle(req, res, target.pathname);
        this.inFlight.add(work);
        const forget = () => this.inFlight.delete(work);
        work.then(forget, forget);
        // A rejection reaches the guard, which logs it and answers 500 without details.
        return work;
      },
      {
        logger: this.logger,
        limits: { requestTimeoutMs: this.config.requestTimeoutMs, headersTimeoutMs: this.config.headersTimeoutMs },
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new PantauError(`source ${this.name} cannot listen on ${this.config.host}:${this.config.port}: ${cause.message}`, { stage: 'receiving', code: 'listen_failed', retriable: false, cause })),
      );
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    server.on('error', (error) => this.logger.error('push server error', { error: describeError(error) }));
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
  private refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}, detail?: string): void {
    this.health_.refused(code);
    this.reply(res, status, detail === undefined ? { error: code } : { error: code, detail }, { connection: 'close', ...headers });
    res.once('finish', () => {
      if (req.complete) return;
      const timer = setTimeout(() => req.socket.destroy(), REFUSED_LINGER_MS);
      timer.unref();
      req.socket.once('close', () => clearTimeout(timer));
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
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
    const timestamp = checkTimestamp(req.headers[TIMESTAMP_HEADER], this.clock(), this.config.maxClockSkewSeconds);
    if (!timestamp.ok) return this.refuse(req, res, 401, timestamp.code, {}, timestamp.detail);
    const sink = this.sink!;
    const retryAfter = { 'retry-after': String(this.config.retryAfterSeconds) };
    if (sink.saturated()) return this.refuse(req, res, 429, 'saturated', retryAfter);

    const read = await readBody(req, this.config.maxBodyBytes);
    if (!read.ok) {
      if (read.reason === 'too_large') return this.refuse(req, res, 413, 'body_too_large');
      this.health_.refused('client_aborted');
      return;
    }
    if (!verifyRequest(read.body, req.headers[TIMESTAMP_HEADER] as string, signature, this.secret)) return this.refuse(req, res, 401, 'unauthorized');

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
      if (batch.posts.length > 0) await sink.publish(batch.posts);
      await sink.deadLetter(batch.letters);
      this.health_.posts('published', batch.posts.length);
      this.health_.posts('dead_lettered', batch.letters.length);
      this.health_.succeeded();
      const answer = { accepted: batch.posts.length, deadLettered: batch.letters.length, ids: batch.posts.map((p) => p.id), rejected: batch.rejected };
      if (batch.posts.length === 0 && batch.letters.length > 0) {
        this.health_.refused('no_valid_posts');
        return this.reply(res, 422, { error: 'no_valid_posts', ...answer });
      }
      this.reply(res, 202, answer);
    } catch (error) {
      this.health_.failed(error);
      this.logger.warn('pushed batch not accepted: the bus refused it', { error_type: errorCode(error), error: describeError(error) });
      if (isRetriable(error)) this.reply(res, 503, { error: 'unavailable' }, retryAfter);
      else this.reply(res, 500, { error: 'internal_error' });
    } finally {
      endTimer();
    }
  }

  /**
   * The body into posts and per-item dead letters, or one dead letter for a body that is not a list. An
   * invalid item's dead letter holds the item's bytes exactly as they were sent.
   */
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
    const items = Array.isArray(json) ? json : isPlainObject(json) && Array.isArray(json.posts) ? (json.posts as unknown[]) : null;
    if (items === null) return whole('schema_mismatch', 'body must be a JSON array of posts or {"posts": [...]}');

    let spans = batchItemSpans(body);
    if (spans === null || spans.length !== items.length) {
      // Cannot happen for a body JSON.parse took; if it ever does, the letters are re-serialised, and we say so.
      this.logger.error('could not locate the posts in a pushed body; dead letters hold re-serialised items', { items: items.length, spans: spans?.length ?? null });
      spans = null;
    }
    const posts: Post[] = [];
    const letters: DeadLetter[] = [];
    const rejected: RejectedItem[] = [];
    items.forEach((item, index) => {
      const span = spans?.[index];
      const bytes = span ? body.subarray(span[0], span[1]) : Buffer.from(JSON.stringify(item) ?? 'null');
      const nativeId = isPlainObject(item) ? item.id : undefined;
      const reject = (letter: DeadLetter, detail: string) => {
        letters.push(letter);
        rejected.push({ index, id: typeof nativeId === 'string' ? nativeId : null, reason: letter.reason, detail: detail.slice(0, MAX_REJECTED_DETAIL) });
      };
      const label = `item ${index}`;
      const scoped = isPlainObject(item) ? scopedPostId(this.name, nativeId) : null;
      if (scoped && !scoped.ok) {
        return reject({ reason: 'schema_mismatch', detail: `${label}: ${scoped.detail}`, stage: 'receiving', key: null, value: bytes, source }, scoped.detail);
      }
      // Each item is judged by the post schema with the same reasons and size limit as every other source.
      const candidate = scoped ? { ...(item as Record<string, unknown>), id: scoped.id } : item;
      const result = toPostOrDeadLetter(candidate, { source, label, bytes, key: scoped?.id ?? null });
      if (result.ok) posts.push(result.post);
      else reject(result.letter, result.letter.detail.slice(label.length + 2));
    });
    return { ok: true, posts, letters, rejected };
  }
}
