/**
 * One state file per cluster node under .services/cluster/run/ (the single-node services keep theirs in
 * .services/run/), in the same format: the pid plus a marker path that must be in the process's command
 * line, so a reused pid is never taken for ours. Each node's marker is its own config path, since the three
 * Elasticsearch nodes share one install.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isOurs, readPidFile, type ServiceState } from '../state-files.ts';
import { clusterRunDir } from './settings.ts';

/** kafka-1…kafka-3, es-1, es-2, es-tiebreaker. */
export type ClusterNodeKey = string;

const statePath = (key: ClusterNodeKey): string => join(clusterRunDir(), `${key}.json`);

export async function readNodeState(key: ClusterNodeKey): Promise<ServiceState | undefined> {
  try {
    const state = JSON.parse(await readFile(statePath(key), 'utf8')) as ServiceState;
    return Number.isInteger(state.pid) && typeof state.marker === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

export async function writeNodeState(key: ClusterNodeKey, state: ServiceState): Promise<void> {
  await mkdir(clusterRunDir(), { recursive: true });
  await writeFile(statePath(key), `${JSON.stringify(state, null, 2)}\n`);
}

export async function removeNodeState(key: ClusterNodeKey): Promise<void> {
  const state = await readNodeState(key);
  await rm(statePath(key), { force: true });
  if (state?.serverPidFile) await rm(state.serverPidFile, { force: true });
}

/** Our live processes of a node (Elasticsearch: launcher and server), and the one serving its port. */
export async function nodePids(key: ClusterNodeKey): Promise<{ state?: ServiceState; pids: number[]; mainPid?: number }> {
  const state = await readNodeState(key);
  if (!state) return { pids: [] };
  const server = state.serverPidFile ? await readPidFile(state.serverPidFile) : undefined;
  const candidates = server && server !== state.pid ? [state.pid, server] : [state.pid];
  const pids: number[] = [];
  for (const pid of candidates) if (await isOurs(pid, state.marker)) pids.push(pid);
  const mainPid = server && pids.includes(server) ? server : pids[0];
  return { state, pids, ...(mainPid !== undefined ? { mainPid } : {}) };
}
