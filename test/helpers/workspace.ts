/**
 * A running workspace server for integration and browser tests: the real API server on an isolated index
 * prefix of the real Elasticsearch, with one user of every role (and a second analyst and a humas user of
 * another unit), their passwords, an API token per role, and a signed-in fetch for each.
 */
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import { reviewRoutes } from '../../src/api/review-routes.ts';
import { adminRoutes } from '../../src/api/admin-routes.ts';
import { DEFAULT_MODEL_DIR } from '../../src/classifier/index.ts';
import { ModelCatalog, readModelView } from '../../src/review/explain.ts';
import { createApiServer, listen, type ApiOptions } from '../../src/api/server.ts';
import type { RouteSpec } from '../../src/api/route.ts';
import { addToken, addUser } from '../../src/auth/accounts.ts';
import { AuthService, type AuthSettings } from '../../src/auth/auth-service.ts';
import { parseHumasUnits, type HumasUnitsConfig } from '../../src/config/humas-units.ts';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { cleanUp, isolatedConfig, openTestContext } from './cluster.ts';

/** What `pantau serve` mounts beyond the server's own routes: the analyst queue, audit and units, and the admin routes (shipped model). */
export function workspaceRoutes(ctx: PipelineContext, prefix: string, units: HumasUnitsConfig): RouteSpec<any, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const view = readModelView(DEFAULT_MODEL_DIR);
  return [
    ...reviewRoutes({ queue: { es: ctx.es, prefix, labels: view.labels, uncertainSampleRate: 0.2, clock: ctx.clock }, catalog: new ModelCatalog(dirname(DEFAULT_MODEL_DIR), view), units }),
    ...adminRoutes({ es: ctx.es, prefix, shippedModelDir: DEFAULT_MODEL_DIR }).all,
  ];
}

export const TEST_PASSWORD = 'kata-sandi-uji-yang-panjang-1';

export const TEST_UNITS: HumasUnitsConfig = parseHumasUnits({
  version: 1,
  units: [
    { id: 'komdigi', name: 'Humas Komdigi', fallback: true, answers_for: { labels: ['hoax', 'hate_speech', 'abusive', 'sara'] } },
    { id: 'bawaslu', name: 'Humas Bawaslu', answers_for: { labels: ['hoax'], topics: ['pemilu'] } },
  ],
});

export const TEST_USERS = {
  analyst: { username: 'analis', role: 'analyst', unit: null, displayName: 'Analis Satu' },
  analyst2: { username: 'analis2', role: 'analyst', unit: null, displayName: 'Analis Dua' },
  humas: { username: 'humas-komdigi', role: 'humas', unit: 'komdigi', displayName: 'Humas Komdigi' },
  humasOther: { username: 'humas-bawaslu', role: 'humas', unit: 'bawaslu', displayName: 'Humas Bawaslu' },
  leadership: { username: 'pimpinan', role: 'leadership', unit: null, displayName: 'Pimpinan' },
  admin: { username: 'admin', role: 'admin', unit: null, displayName: 'Admin' },
} as const;

export type TestUser = keyof typeof TEST_USERS;

export interface SignedIn {
  cookie: string;
  csrf: string;
  /** fetch relative to the server, with the session cookie (and the CSRF header on changes). */
  fetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

export interface Workspace {
  base: string;
  server: Server & { router: ReturnType<typeof createApiServer>['router'] };
  ctx: PipelineContext;
  prefix: string;
  units: HumasUnitsConfig;
  auth: AuthService;
  users: Record<TestUser, { username: string; password: string }>;
  /** An API token per role (humas: the first unit). */
  tokens: Record<'analyst' | 'humas' | 'leadership' | 'admin', string>;
  login(user: TestUser): Promise<SignedIn>;
  close(): Promise<void>;
}

export interface WorkspaceOptions {
  name: string;
  /** Serve over this context (its prefix, e.g. where real workers index); it is left open and uncleaned on close. */
  context?: PipelineContext;
  labels?: readonly string[];
  clock?: Clock;
  units?: HumasUnitsConfig;
  authSettings?: Partial<AuthSettings>;
  rateLimits?: ApiOptions['rateLimits'];
  linkSecret?: string;
  /** The routes beyond the server's own, made once the context exists; default: what `pantau serve` mounts (workspaceRoutes). */
  routes?: (ctx: PipelineContext, prefix: string, units: HumasUnitsConfig) => readonly RouteSpec<any, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function startWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const own = options.context === undefined;
  const ctx = options.context ?? (await openTestContext(isolatedConfig(options.name)));
  const prefix = ctx.config.pipeline.elasticsearch.indexPrefix;
  const clock = options.clock ?? systemClock;
  const units = options.units ?? TEST_UNITS;
  const unitIds = new Set(units.units.map((u) => u.id));
  // The two humas users belong to the first two units (komdigi and bawaslu of TEST_UNITS).
  const unitOf = (u: (typeof TEST_USERS)[TestUser]) => (u.unit === null ? null : units.units[u.username === TEST_USERS.humas.username ? 0 : 1]!.id);
  const users = {} as Workspace['users'];
  for (const [key, u] of Object.entries(TEST_USERS) as Array<[TestUser, (typeof TEST_USERS)[TestUser]]>) {
    await addUser(ctx.es, prefix, clock, { username: u.username, role: u.role, unit: unitOf(u), displayName: u.displayName, password: TEST_PASSWORD }, unitIds);
    users[key] = { username: u.username, password: TEST_PASSWORD };
  }
  const tokens = {} as Workspace['tokens'];
  for (const role of ['analyst', 'humas', 'leadership', 'admin'] as const) {
    tokens[role] = (await addToken(ctx.es, prefix, clock, { name: `test ${role}`, role, unit: role === 'humas' ? units.units[0]!.id : null, createdBy: 'test' }, unitIds)).token;
  }
  const auth = new AuthService({ es: ctx.es, prefix, clock, logger: silentLogger, settings: options.authSettings ?? {} });
  const server = createApiServer({
    es: ctx.es,
    prefix,
    labels: options.labels ?? ['hoax', 'hate_speech', 'abusive', 'sara'],
    logger: silentLogger,
    clock,
    auth,
    rateLimits: options.rateLimits ?? { perIp: 100_000, read: 100_000, write: 100_000, login: 10_000 },
    desk: { units, linkSecret: options.linkSecret },
    routes: (options.routes ?? workspaceRoutes)(ctx, prefix, units),
  });
  const base = `http://127.0.0.1:${(await listen(server, '127.0.0.1', 0)).port}`;

  async function login(user: TestUser): Promise<SignedIn> {
    const r = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(users[user]) });
    if (r.status !== 200) throw new Error(`login of ${user} failed: ${r.status} ${await r.text()}`);
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrf_token: csrf } = (await r.json()) as { csrf_token: string };
    return {
      cookie,
      csrf,
      fetch: (path, init = {}) => {
        const { json, ...rest } = init;
        const headers = new Headers(rest.headers);
        headers.set('cookie', cookie);
        if ((rest.method ?? 'GET') !== 'GET') headers.set('x-csrf-token', csrf);
        if (json !== undefined) headers.set('content-type', 'application/json');
        return fetch(`${base}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
      },
    };
  }

  return {
    base,
    server,
    ctx,
    prefix,
    units,
    auth,
    users,
    tokens,
    login,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      if (own) {
        await cleanUp(ctx);
        await ctx.close();
      }
    },
  };
}
