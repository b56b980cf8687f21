/**
 * The matrix rows of the routes beyond the server's own (the analyst queue, audit, units; admin), and the
 * data they need. Kept apart from the matrix so the rows sit beside
 * their fixtures. Every state-changing row works on a fresh queue item, so the order of callers cannot
 * change an answer (a claim by one caller would make the next one's a 409).
 */
import { systemClock } from '../../src/core/clock.ts';
import { scoredPostSchema } from '../../src/core/post.ts';
import { indexPosts } from '../../src/sinks/elasticsearch-posts.ts';
import { postsAlias } from '../../src/store/index-names.ts';
import type { Workspace } from './workspace.ts';

type Caller = 'anonymous' | 'analyst' | 'humas' | 'leadership' | 'admin';

export interface MatrixRow {
  route: string;
  request: (caller: Caller) => Promise<{ path: string; json?: unknown }> | { path: string; json?: unknown };
  expect: Record<Caller, number>;
}

export interface MatrixSeed {
  rows(): MatrixRow[];
}

const analysts = (ok: number): Record<Caller, number> => ({ anonymous: 401, analyst: ok, humas: 403, leadership: 403, admin: ok });
const adminOnly = (ok: number): Record<Caller, number> => ({ anonymous: 401, analyst: 403, humas: 403, leadership: 403, admin: ok });
const everyRole = (ok: number): Record<Caller, number> => ({ anonymous: 401, analyst: ok, humas: ok, leadership: ok, admin: ok });

let serial = 0;

/** A flagged narrative of two posts, indexed and searchable; returns its item id. */
async function freshItem(ws: Workspace): Promise<string> {
  const narrative = `nar-matrix${String(++serial).padStart(4, '0')}`;
  const at = new Date(systemClock() - 3_600_000).toISOString();
  const posts = [1, 2].map((n) =>
    scoredPostSchema.parse({
      id: `matrix-${serial}-${n}`,
      platform: 'x',
      author: `akun_matrix_${n}`,
      text: `Surat suara di TPS ${serial} sudah dicoblos sebelum hari pemungutan, sebarkan!`,
      url: null,
      created_at: at,
      scores: { hoax: 0.93, hate_speech: 0.02, abusive: 0.01, sara: 0.01 },
      flags: ['hoax'],
      flagged: true,
      sentiment: 'negative',
      model_version: 'pantau-id-v2',
      classified_at: at,
      narrative_id: narrative,
    }),
  );
  const rejected = await indexPosts(ws.ctx.es, posts, { prefix: ws.prefix, maxAttempts: 3, retryBaseMs: 50 });
  if (rejected.length > 0) throw new Error(`matrix fixture refused: ${JSON.stringify(rejected)}`);
  await ws.ctx.es.indices.refresh({ index: postsAlias(ws.prefix) });
  return narrative;
}

export async function seedMatrix(ws: Workspace): Promise<MatrixSeed> {
  const readable = await freshItem(ws);
  const item = (id: string) => `/api/queue/${encodeURIComponent(id)}`;
  return {
    rows: () => [
      { route: 'GET /api/queue', request: () => ({ path: '/api/queue' }), expect: analysts(200) },
      { route: 'GET /api/queue/:item', request: () => ({ path: item(readable) }), expect: analysts(200) },
      { route: 'POST /api/queue/:item/claim', request: async () => ({ path: `${item(await freshItem(ws))}/claim` }), expect: analysts(200) },
      { route: 'POST /api/queue/:item/release', request: async () => ({ path: `${item(await freshItem(ws))}/release` }), expect: analysts(204) },
      { route: 'POST /api/queue/:item/decision', request: async () => ({ path: `${item(await freshItem(ws))}/decision`, json: { action: 'confirm' } }), expect: analysts(200) },
      { route: 'GET /api/audit', request: () => ({ path: '/api/audit' }), expect: analysts(200) },
      { route: 'GET /api/units', request: () => ({ path: '/api/units' }), expect: everyRole(200) },
      { route: 'GET /api/admin/models', request: () => ({ path: '/api/admin/models' }), expect: adminOnly(200) },
      // Promoting and rolling back succeed in model-registry.test.ts; here, where nothing is registered, the admin's
      // exact answers are "no such version" and "nothing to roll back to".
      { route: 'POST /api/admin/models/:version/promote', request: () => ({ path: '/api/admin/models/pantau-id-tidak-ada/promote' }), expect: adminOnly(404) },
      { route: 'POST /api/admin/models/rollback', request: () => ({ path: '/api/admin/models/rollback' }), expect: adminOnly(409) },
      { route: 'GET /api/admin/precision', request: () => ({ path: '/api/admin/precision' }), expect: adminOnly(200) },
    ],
  };
}
