/**
 * The authorisation matrix: every route of the API server × every role (and nobody signed in), with the
 * exact status each must get, on the real Elasticsearch. Roles sign in with a session cookie (and CSRF
 * token), and again with an API token: both must give the same answers. The table must name every route
 * the server has, so a new route cannot ship without its row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCase, signLinkToken } from '../../src/desk/lifecycle.ts';
import { caseIdOf, createCase, putCluster, type ClusterDoc } from '../../src/store/desk-store.ts';
import { systemClock } from '../../src/core/clock.ts';
import { startWorkspace, TEST_PASSWORD, type SignedIn, type Workspace } from '../helpers/workspace.ts';
import { seedMatrix, type MatrixSeed } from '../helpers/matrix-routes.ts';

const SECRET = 'matrix-test-link-secret-0123456789abcdef';
type Caller = 'anonymous' | 'analyst' | 'humas' | 'leadership' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'analyst', 'humas', 'leadership', 'admin'];

interface Request {
  path: string;
  json?: unknown;
  form?: Record<string, string>;
  /** Sign in afresh for this request (signing out ends the session it runs in). */
  freshSession?: boolean;
  /** The body of POST /api/session: each caller's own credentials. */
  credentials?: boolean;
}

interface Row {
  route: string;
  request: (caller: Caller) => Promise<Request> | Request;
  expect: Record<Caller, number>;
}

const all = (status: number): Record<Caller, number> => ({ anonymous: status, analyst: status, humas: status, leadership: status, admin: status });
const signedIn = (roles: Partial<Record<Exclude<Caller, 'anonymous'>, number>>, otherwise = 403): Record<Caller, number> => ({
  anonymous: 401,
  analyst: roles.analyst ?? otherwise,
  humas: roles.humas ?? otherwise,
  leadership: roles.leadership ?? otherwise,
  admin: roles.admin ?? otherwise,
});

let serial = 0;
/** Claims are keyed without digits, so a distinct claim needs distinct letters. */
const letters = (n: number) => n.toString(26).split('').map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
function clusterDoc(id: string): ClusterDoc {
  const now = new Date(systemClock()).toISOString();
  return { cluster_id: id, claim_id: null, narratives: [], representative: 'Surat suara sudah dicoblos', summary: 'Surat suara sudah dicoblos', labels: ['hoax'], regions: [], institutions: [], topics: [], examples: [], clarification: null, post_ids: [], known_engagement: 0, counter_post_ids: [], counter_examples: [], first_counter_at: null, first_seen: now, last_seen: now, updated_at: now };
}
async function freshCase(ws: Workspace, unit: string): Promise<string> {
  const clusterId = `narr-matrix-${++serial}`;
  await putCluster(ws.ctx.es, ws.prefix, clusterDoc(clusterId));
  const now = new Date(systemClock()).toISOString();
  const doc = newCase({ caseId: caseIdOf(clusterId, unit), clusterId, unitId: unit, labels: ['hoax'], summary: 'Surat suara sudah dicoblos', at: now, engagement: 0, via: 'desk' });
  await createCase(ws.ctx.es, ws.prefix, doc);
  await ws.ctx.es.indices.refresh({ index: `${ws.prefix}-desk-*` });
  return doc.case_id;
}

describe('authorisation matrix', () => {
  let ws: Workspace;
  let seed: MatrixSeed;
  let komdigiCase: string;
  const sessions = new Map<Caller, SignedIn>();

  beforeAll(async () => {
    ws = await startWorkspace({ name: 'matrix', linkSecret: SECRET });
    seed = await seedMatrix(ws);
    komdigiCase = await freshCase(ws, 'komdigi');
    for (const c of CALLERS) if (c !== 'anonymous') sessions.set(c, await ws.login(c));
  }, 180_000);

  afterAll(async () => {
    await ws?.close();
  });

  const rows = (): Row[] => [
    { route: 'GET /', request: () => ({ path: '/' }), expect: all(200) },
    { route: 'GET /dashboard.js', request: () => ({ path: '/dashboard.js' }), expect: all(200) },
    { route: 'GET /dashboard.css', request: () => ({ path: '/dashboard.css' }), expect: all(200) },
    { route: 'GET /geo/indonesia-provinces.geojson', request: () => ({ path: '/geo/indonesia-provinces.geojson' }), expect: all(200) },
    { route: 'GET /geo/bps-code-fallback.json', request: () => ({ path: '/geo/bps-code-fallback.json' }), expect: all(200) },
    { route: 'GET /vendor/echarts.min.js', request: () => ({ path: '/vendor/echarts.min.js' }), expect: all(200) },
    { route: 'GET /app', request: () => ({ path: '/app' }), expect: all(200) },
    { route: 'GET /app.js', request: () => ({ path: '/app.js' }), expect: all(200) },
    { route: 'GET /app.css', request: () => ({ path: '/app.css' }), expect: all(200) },
    { route: 'GET /client.js', request: () => ({ path: '/client.js' }), expect: all(200) },
    { route: 'POST /api/session', request: () => ({ path: '/api/session', credentials: true }), expect: { ...all(200), anonymous: 401 } },
    { route: 'GET /api/session', request: () => ({ path: '/api/session' }), expect: signedIn({ analyst: 200, humas: 200, leadership: 200, admin: 200 }) },
    { route: 'DELETE /api/session', request: () => ({ path: '/api/session', freshSession: true }), expect: signedIn({ analyst: 204, humas: 204, leadership: 204, admin: 204 }) },
    { route: 'GET /api/flagged', request: () => ({ path: '/api/flagged' }), expect: signedIn({ analyst: 200, admin: 200 }) },
    { route: 'GET /api/dashboard/daily', request: () => ({ path: '/api/dashboard/daily' }), expect: signedIn({ analyst: 200, humas: 200, leadership: 200, admin: 200 }) },
    { route: 'GET /api/dashboards/:id', request: () => ({ path: '/api/dashboards/leadership' }), expect: signedIn({ analyst: 200, humas: 200, leadership: 200, admin: 200 }) },
    { route: 'GET /api/dashboards/:id/data', request: () => ({ path: '/api/dashboards/leadership/data?region=35' }), expect: signedIn({ analyst: 200, humas: 200, leadership: 200, admin: 200 }) },
    { route: 'GET /api/dashboards/:id/panels/:panel/csv', request: () => ({ path: '/api/dashboards/leadership/panels/top_narratives/csv' }), expect: signedIn({ analyst: 200, humas: 200, leadership: 200, admin: 200 }) },
    { route: 'GET /metrics', request: () => ({ path: '/metrics' }), expect: signedIn({ admin: 200 }) },
    { route: 'GET /healthz', request: () => ({ path: '/healthz' }), expect: all(200) },
    { route: 'GET /api/cases', request: () => ({ path: '/api/cases' }), expect: signedIn({ analyst: 200, humas: 200, admin: 200 }) },
    { route: 'GET /api/cases/:id', request: () => ({ path: `/api/cases/${encodeURIComponent(komdigiCase)}` }), expect: signedIn({ analyst: 200, humas: 200, admin: 200 }) },
    { route: 'POST /api/cases/:id/:action', request: async () => ({ path: `/api/cases/${encodeURIComponent(await freshCase(ws, 'komdigi'))}/acknowledge`, json: {} }), expect: signedIn({ humas: 200, admin: 200 }) },
    { route: 'POST /api/clarifications', request: () => ({ path: '/api/clarifications', json: { claim: `Klaim uji matriks ${letters(++serial)} tentang surat suara`, verdict: 'hoaks', publisher: 'Uji', url: 'https://contoh.example.go.id/k' } }), expect: signedIn({ analyst: 201, humas: 201, admin: 201 }) },
    { route: 'GET /kasus', request: async () => ({ path: `/kasus?t=${encodeURIComponent(signLinkToken(await freshCase(ws, 'komdigi'), 'view', systemClock() + 3_600_000, SECRET))}` }), expect: all(200) },
    { route: 'POST /kasus', request: async () => ({ path: '/kasus', form: { t: signLinkToken(await freshCase(ws, 'komdigi'), 'acknowledge', systemClock() + 3_600_000, SECRET) } }), expect: all(200) },
    ...seed.rows(),
  ];

  async function send(caller: Caller, via: 'session' | 'token', method: string, req: Request): Promise<Response> {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    if (req.credentials) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(caller === 'anonymous' ? { username: 'nobody', password: TEST_PASSWORD } : ws.users[caller]);
      return fetch(`${ws.base}${req.path}`, { method, headers, body });
    }
    if (caller !== 'anonymous') {
      if (via === 'token') headers.authorization = `Bearer ${ws.tokens[caller]}`;
      else {
        const s = req.freshSession ? await ws.login(caller) : sessions.get(caller)!;
        headers.cookie = s.cookie;
        if (method !== 'GET') headers['x-csrf-token'] = s.csrf;
      }
    }
    return fetch(`${ws.base}${req.path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  }

  it('names every route of the server', () => {
    const table = new Set(rows().map((r) => r.route));
    const routes = ws.server.router.routeTable.map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((r) => !table.has(r)), 'routes without a row in the matrix').toEqual([]);
    expect([...table].filter((r) => !routes.includes(r)), 'rows for routes the server does not have').toEqual([]);
  });

  for (const via of ['session', 'token'] as const) {
    it(`answers every route × role with the exact status (${via === 'session' ? 'cookie sessions' : 'API tokens'})`, async () => {
      const wrong: string[] = [];
      for (const row of rows()) {
        const [method, path] = row.route.split(' ') as [string, string];
        // Signing in and out are about sessions; tokens have no session to end.
        if (via === 'token' && path === '/api/session' && method !== 'GET') continue;
        for (const caller of CALLERS) {
          const res = await send(caller, via, method, await row.request(caller));
          const text = await res.text();
          if (res.status !== row.expect[caller]) wrong.push(`${row.route} as ${caller}: ${res.status}, expected ${row.expect[caller]} — ${text.slice(0, 160)}`);
          expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        }
      }
      expect(wrong).toEqual([]);
    }, 300_000);
  }
});
