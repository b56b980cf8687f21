/**
 * Admin routes of the analyst workspace (issue 12, /work/notes/api-contract.md "Admin"): the model registry
 * (list, promote, rollback) and the estimated precision of the alerts per label and week with drift warnings.
 * Every route is admin-only; the router does authentication, CSRF, rate limits and validation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { z } from 'zod';
import { MODEL_FILE } from '../classifier/model-format.ts';
import { ModelRegistry, type ActivePointer, type ModelRef } from '../classifier/registry.ts';
import { PantauError } from '../core/errors.ts';
import { DEFAULT_PRECISION_WEEKS, readWeeklyPrecision } from '../review/precision.ts';
import { HttpError, route, type RouteSpec } from './route.ts';

export interface AdminRouteDeps {
  es: Client;
  prefix: string;
  /** The model active while the registry is empty (PANTAU_MODEL_DIR or the shipped one). */
  shippedModelDir: string;
}

/** Registry errors as answers; anything else (Elasticsearch down: 502) goes to the router. */
function httpErrorOf(error: unknown): unknown {
  if (!(error instanceof PantauError)) return error;
  switch (error.code) {
    case 'model_unknown':
      return new HttpError(404, 'Versi model tidak ada di registri.');
    case 'model_already_active':
      return new HttpError(409, 'Versi model ini sudah aktif.');
    case 'model_invalid':
      return new HttpError(409, 'Folder versi model ini tidak dapat dibaca atau berisi versi lain; model tidak dipromosikan.');
    case 'registry_conflict':
      return new HttpError(409, 'Model aktif baru saja diubah oleh orang lain. Muat ulang daftar model lalu coba lagi.');
    case 'registry_no_previous':
      return new HttpError(409, 'Tidak ada model sebelumnya untuk dikembalikan.');
    default:
      return error.code.startsWith('elasticsearch') ? new HttpError(502, 'Elasticsearch tidak dapat dihubungi. Coba lagi sebentar lagi.') : error;
  }
}

const pointerJson = (p: ActivePointer) => ({ active: p.active, previous: p.previous });

/** The model card's estimated precision at the alert point, per label (null where it has none). */
export function alertPrecisionOf(modelDir: string): Record<string, number | null> {
  try {
    const json = JSON.parse(readFileSync(join(modelDir, MODEL_FILE), 'utf8')) as { operatingPoints?: Record<string, { alertPrecision?: number | null }> };
    return Object.fromEntries(Object.entries(json.operatingPoints ?? {}).map(([label, p]) => [label, p.alertPrecision ?? null]));
  } catch {
    return {};
  }
}

/** The routes by name (tests call their handlers) and `all` for the router. */
export function adminRoutes(deps: AdminRouteDeps) {
  const registryFor = (clock: () => number) => new ModelRegistry(deps.es, deps.prefix, { clock, shippedDir: deps.shippedModelDir });
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw httpErrorOf(error);
    }
  };
  const versionParam = z.string().regex(/^[A-Za-z0-9._-]{1,120}$/, 'versi model: huruf, angka, titik, garis bawah atau tanda hubung');

  const list = route({
    method: 'GET',
    path: '/api/admin/models',
    access: ['admin'],
    summary: 'Model registry: the active version, the previous one, every version with its side-by-side comparison.',
    query: z.object({}).strict(),
    handler: async (ctx) => {
      const listed = await run(() => registryFor(ctx.clock).list());
      const view = (r: ModelRef | null) => r;
      return {
        status: 200,
        json: {
          active: view(listed.active),
          previous: view(listed.previous),
          versions: listed.versions.map((v) => ({ version: v.version, status: v.status, created_at: v.created_at || null, comparison: v.comparison, promoted_at: v.promoted_at, promoted_by: v.promoted_by })),
        },
      };
    },
  });

  const promote = route({
    method: 'POST',
    path: '/api/admin/models/:version/promote',
    access: ['admin'],
    summary: 'Make a model version the active one (workers swap to it between batches within classify.modelRefreshMs).',
    params: { version: versionParam },
    rateLimit: 'write',
    handler: async (ctx) => {
      const pointer = await run(() => registryFor(ctx.clock).promote(ctx.params.version!, ctx.principal!.username));
      ctx.logger.info('model promoted', { version: pointer.active.version, previous: pointer.previous?.version ?? null, by: ctx.principal!.username });
      return { status: 200, json: pointerJson(pointer) };
    },
  });

  const rollback = route({
    method: 'POST',
    path: '/api/admin/models/rollback',
    access: ['admin'],
    summary: 'Return to the model version active before the current one.',
    rateLimit: 'write',
    handler: async (ctx) => {
      const pointer = await run(() => registryFor(ctx.clock).rollback(ctx.principal!.username));
      ctx.logger.info('model rolled back', { version: pointer.active.version, by: ctx.principal!.username });
      return { status: 200, json: pointerJson(pointer) };
    },
  });

  const precision = route({
    method: 'GET',
    path: '/api/admin/precision',
    access: ['admin'],
    summary: 'Estimated alert precision per label and ISO week (Asia/Jakarta) from analysts\' decisions, with drift warnings.',
    query: z.object({ weeks: z.coerce.number().int().min(1).max(52).default(DEFAULT_PRECISION_WEEKS) }).strict(),
    handler: async (ctx) => {
      const active = await run(() => registryFor(ctx.clock).active());
      const report = await run(() => readWeeklyPrecision(deps.es, deps.prefix, { weeks: ctx.query.weeks, clock: ctx.clock, modelAlertPrecision: alertPrecisionOf(active.active.path) }));
      return { status: 200, json: { ...report, model: active.active.version } };
    },
  });

  const all: RouteSpec<unknown, unknown>[] = [list, promote, rollback, precision];
  return { listModels: list, promote, rollback, precision, all };
}
