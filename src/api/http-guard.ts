/**
 * What every HTTP server of pantau (the dashboard API, the metrics server, the push endpoint) shares so that
 * no request can stop it or hold it:
 *
 * - the request target is parsed without ever throwing: anything that is not an origin-form path
 *   (`/a/b?c=d`) or an absolute http(s) URL, that holds bytes other than visible ASCII, or whose
 *   percent-encoding is malformed or not UTF-8, is answered 400 before the server's own handler runs;
 * - the handler is wrapped: a synchronous throw or a rejected promise becomes a logged 500 whose body says
 *   nothing of the cause (never an uncaught exception, which would end the process);
 * - limits: the request line and headers must arrive within `headersTimeoutMs` (slowloris), the whole
 *   request within `requestTimeoutMs`, idle keep-alive connections close after `keepAliveTimeoutMs`;
 *   headers stay within Node's 16 KiB (431 above);
 * - requests the HTTP parser refuses (bad method, bad header bytes, bad Content-Length or chunk, too large,
 *   too slow) get 400 / 413 / 431 / 408 when the connection can still take an answer, and are cut otherwise.
 *
 * Every answer carries `X-Content-Type-Options: nosniff`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

export interface HttpLimits {
  /** The request line and headers must arrive within this; slower requests get 408 and are closed. */
  headersTimeoutMs?: number;
  /** The whole request, body included, must arrive within this (at least headersTimeoutMs); 408 after. */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs?: number;
}

export const DEFAULT_HTTP_LIMITS: Required<HttpLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

/** Headers on every answer of every server. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = { 'x-content-type-options': 'nosniff' };

export interface RequestTarget {
  /** The path as the WHATWG URL parser normalised it (dot segments resolved); still percent-encoded. */
  pathname: string;
  searchParams: URLSearchParams;
}

export type TargetResult = { ok: true; target: RequestTarget } | { ok: false; reason: string };

/** Longer targets are refused (Node's header limit already bounds them at 16 KiB). */
const MAX_TARGET_LENGTH = 8192;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const ABSOLUTE_HTTP = /^https?:\/\//i;

/**
 * The request target of `req.url`, or why it is not one. Never throws. Accepts the origin form (`/path?q`)
 * and the absolute form with an http(s) URL (`http://host/path?q`, which proxies send); refuses the asterisk
 * form (`*`), the authority form and anything else.
 */
export function parseRequestTarget(raw: string | undefined): TargetResult {
  if (raw === undefined || raw === '') return { ok: false, reason: 'the request target is empty' };
  if (raw.length > MAX_TARGET_LENGTH) return { ok: false, reason: `the request target is longer than ${MAX_TARGET_LENGTH} characters` };
  if (!VISIBLE_ASCII.test(raw)) return { ok: false, reason: 'the request target holds bytes other than visible ASCII' };
  try {
    // Throws on a % not followed by two hex digits and on escapes that do not decode as UTF-8.
    decodeURIComponent(raw);
  } catch {
    return { ok: false, reason: 'the request target has malformed percent-encoding (or escapes that are not UTF-8)' };
  }
  let url: URL;
  try {
    if (raw.startsWith('/')) {
      // Appended to a fixed origin, never resolved against it: `//host` is a path here, not a host.
      url = new URL(`http://localhost${raw}`);
    } else if (ABSOLUTE_HTTP.test(raw)) {
      url = new URL(raw);
    } else {
      return { ok: false, reason: 'the request target must be a path such as /healthz' };
    }
  } catch {
    return { ok: false, reason: 'the request target is not a valid URL' };
  }
  return { ok: true, target: { pathname: url.pathname, searchParams: url.searchParams } };
}

export type GuardedHandler = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => void | Promise<void>;

export interface GuardOptions {
  logger: Logger;
  limits?: HttpLimits | undefined;
  /**
   * The JSON body of the guard's own answers (400 bad target, 500, and the parser's 400/408/413/431), so
   * they look like the server's other errors. Default: `{error: code, detail: message}`.
   */
  errorBody?: ((status: number, code: string, message: string) => unknown) | undefined;
}

const defaultErrorBody = (_status: number, code: string, message: string) => ({ error: code, detail: message });

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 413: 'Content Too Large', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error' };

/** After answering a request the parser refused, how long the client gets to read it before the socket is cut. */
const CLIENT_ERROR_LINGER_MS = 1000;

/** The answer to a request Node's HTTP parser refused, by its error code. */
export function clientErrorStatus(code: string | undefined): { status: number; code: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'headers_too_large', message: 'the request line and headers may take at most 16 KiB' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'chunk_extensions_too_large', message: 'chunk extensions too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request did not arrive in time' };
    default:
      return { status: 400, code: 'bad_request', message: 'the request is not valid HTTP/1.1' };
  }
}

/** The raw bytes of a complete, closing HTTP/1.1 answer with a JSON body. */
function rawAnswer(status: number, body: unknown): string {
  const text = JSON.stringify(body);
  const headers = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    'cache-control: no-store',
    ...Object.entries(COMMON_HEADERS).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${headers.join('\r\n')}\r\n\r\n${text}`;
}

/** Node requires headersTimeout ≤ requestTimeout; and checks both every connectionsCheckingInterval. */
export function resolveLimits(limits: HttpLimits = {}): Required<HttpLimits> & { checkIntervalMs: number } {
  const requestTimeoutMs = limits.requestTimeoutMs ?? DEFAULT_HTTP_LIMITS.requestTimeoutMs;
  const headersTimeoutMs = Math.min(limits.headersTimeoutMs ?? DEFAULT_HTTP_LIMITS.headersTimeoutMs, requestTimeoutMs);
  const keepAliveTimeoutMs = limits.keepAliveTimeoutMs ?? DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs;
  // Node looks for expired requests on a timer (30 s by default): a tenth of the shortest timeout keeps the
  // enforcement close to the configured value.
  const checkIntervalMs = Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 10)));
  return { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, checkIntervalMs };
}

/**
 * An http.Server that runs `handler` for every request whose target parses, behind the guards above.
 * The handler gets the parsed target; it may throw or reject (the client gets a 500 without details, the
 * log gets the error).
 */
export function createGuardedServer(handler: GuardedHandler, options: GuardOptions): Server {
  const { logger } = options;
  const errorBody = options.errorBody ?? defaultErrorBody;
  const limits = resolveLimits(options.limits);
  // The exchange in progress on each connection, so a parser error after an answer started is not answered
  // a second time on the same connection.
  const exchanges = new WeakMap<object, { req: IncomingMessage; res: ServerResponse }>();

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      exchanges.set(req.socket, { req, res });
      // Without listeners these would be thrown as uncaught exceptions (a write after end, a reset socket).
      req.on('error', (error) => logger.debug('HTTP request stream error', { error: describeError(error) }));
      res.on('error', (error) => logger.debug('HTTP response stream error', { error: describeError(error) }));
      for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);

      const fail = (error: unknown) => {
        try {
          logger.error('HTTP request failed', { method: req.method, path: parseRequestTarget(req.url).ok ? req.url : '(unparseable)', error: describeError(error) });
          if (!res.headersSent && !res.writableEnded) {
            const text = JSON.stringify(errorBody(500, 'internal_error', 'internal error; the server log has the details'));
            res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close', 'cache-control': 'no-store' });
            res.end(text);
          } else {
            res.destroy();
          }
        } catch {
          req.socket.destroy();
        }
      };

      const parsed = parseRequestTarget(req.url);
      if (!parsed.ok) {
        try {
          const text = JSON.stringify(errorBody(400, 'bad_request', parsed.reason));
          res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close', 'cache-control': 'no-store' });
          res.end(text);
        } catch (error) {
          fail(error);
        }
        return;
      }
      try {
        const result = handler(req, res, parsed.target);
        if (result !== undefined) result.then(undefined, fail);
      } catch (error) {
        fail(error);
      }
    },
  );

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    try {
      const exchange = exchanges.get(socket);
      // An answer may go out only when none is half-sent on this connection: no exchange yet, one whose
      // answer has not started, or one that is complete both ways.
      const free = exchange === undefined || !exchange.res.headersSent || (exchange.req.complete && exchange.res.writableFinished);
      if (!socket.writable || !free || error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        socket.destroy();
        return;
      }
      const answer = clientErrorStatus(error.code);
      logger.debug('refused a request the HTTP parser could not take', { status: answer.status, parser_error: error.code ?? error.message });
      socket.end(rawAnswer(answer.status, errorBody(answer.status, answer.code, answer.message)));
      const timer = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    } catch {
      socket.destroy();
    }
  });

  return server;
}
