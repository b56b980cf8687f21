/**
 * The routes beyond the server's own (the analyst queue, admin) as the authorisation matrix mounts them,
 * and the data and matrix rows they need. Kept apart from the matrix so the rows sit beside their fixtures.
 */
import type { RouteSpec } from '../../src/api/route.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
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

export function matrixRoutes(_ctx: PipelineContext, _prefix: string): RouteSpec<any, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return [];
}

export async function seedMatrix(_ws: Workspace): Promise<MatrixSeed> {
  return { rows: () => [] };
}
