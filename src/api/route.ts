/**
 * How an HTTP route of the API is declared: method, path (with `:name` parameters), who may call it, the
 * zod schemas of its query and JSON body, and a handler that returns a reply. The router (api/router.ts)
 * does everything else in one place, so no route can forget it:
 *
 * - authentication (session cookie or `Authorization: Bearer <API token>`) → 401 without a principal;
 * - the role check (`access`) → 403 for a signed-in principal of another role;
 * - CSRF for cookie sessions on every method but GET/HEAD → 403 without the session's `X-CSRF-Token`;
 * - rate limits → 429 with Retry-After;
 * - validation: path parameters, query (unknown parameters refused) and body → 400 naming the field;
 * - errors: HttpError → its status and message; anything else → 500 without internals (logged).
 *
 * Finer checks (a humas principal may only see its own unit) belong in the handler: throw HttpError(403|404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

export const ROLES = ['analyst', 'humas', 'leadership', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a signed-in user (cookie session) or a machine with an API token. */
export interface Principal {
  username: string;
  role: Role;
  /** The humas unit (pipelines/humas-units.json id) a `humas` principal answers for; null for other roles. */
  unit: string | null;
  via: 'session' | 'token';
}

export type Access = 'public' | readonly Role[];

export interface RouteContext<Q, B> {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters, already checked against `params` when given, else against SAFE_PARAM. */
  params: Record<string, string>;
  query: Q;
  body: B;
  /** Null only on public routes without a session. */
  principal: Principal | null;
  clock: Clock;
  logger: Logger;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; html: string; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string; headers?: Record<string, string> }
  | { status: 204; headers?: Record<string, string> }
  /** The handler wrote the response itself (streams, files). */
  | { written: true };

export interface RouteSpec<Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/api/queue/:item/decision`: segments starting with ":" are parameters. */
  path: string;
  access: Access;
  /** What the route is for, in one line: the route table in the README and `--help` come from it. */
  summary: string;
  /** Schemas of the path parameters; a parameter without one must match SAFE_PARAM. */
  params?: Record<string, z.ZodType<string>>;
  /** The query string as an object of strings; unknown keys must be refused (use .strict()). */
  query?: z.ZodType<Q>;
  /** The JSON body (application/json, at most `maxBodyBytes`); absent: a body is refused. */
  body?: z.ZodType<B>;
  maxBodyBytes?: number;
  /** `json` (default) or an HTML form (application/x-www-form-urlencoded, fields as strings). */
  bodyType?: 'json' | 'form';
  /** Writes an HttpError as a page instead of JSON (routes people open in a browser). */
  errorPage?: (res: ServerResponse, error: HttpError) => void;
  /** Skip the CSRF check (only the login route: there is no session yet). */
  noCsrf?: boolean;
  /** Rate limit bucket: `login` is strict, `write` for changes, default `read`. */
  rateLimit?: 'login' | 'write' | 'read';
  handler(ctx: RouteContext<Q, B>): Promise<Reply>;
}

/** Path parameters without a schema: ids of our documents. */
export const SAFE_PARAM = /^[A-Za-z0-9._:~@-]{1,300}$/;

/** Declares a route with its types inferred from the schemas. */
export function route<Q = Record<string, never>, B = undefined>(spec: RouteSpec<Q, B>): RouteSpec<Q, B> {
  return spec;
}

/** An answer with a status and a message for the client (in Bahasa Indonesia where people read it). */
export class HttpError extends PantauError {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message, { stage: 'serving', code: `http_${status}`, retriable: status === 429 || status === 503 });
    this.status = status;
    this.headers = headers;
  }
}

/** The principal's unit when it is a humas principal; other roles see every unit. */
export function unitScope(principal: Principal | null): string | null {
  return principal?.role === 'humas' ? principal.unit : null;
}
