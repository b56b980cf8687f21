/**
 * One small JSON "pid file" per running service under .services/run/. Besides the pid it records a marker
 * that must appear in the process command line, so a pid reused by an unrelated process after a reboot or
 * crash is never mistaken for ours (and never signalled).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runDir } from './paths.ts';
import { commandLine, isAlive } from './process.ts';

export type ServiceName = 'kafka' | 'elasticsearch';

export interface ServiceState {
  /** The process we started (for Elasticsearch: its launcher, which forks the server). */
  pid: number;
  /** A path that appears in the command line of every process of this service. */
  marker: string;
  version: string;
  startedAt: string;
  /** Elasticsearch only: its own pid file, holding the server pid. */
  serverPidFile?: string;
  /** Elasticsearch only: the folder holding its install, data and logs. */
  root?: string;
}

const statePath = (name: ServiceName): string => join(runDir(), `${name}.json`);

export async function readState(name: ServiceName): Promise<ServiceState | undefined> {
  try {
    const state = JSON.parse(await readFile(statePath(name), 'utf8')) as ServiceState;
    return Number.isInteger(state.pid) && typeof state.marker === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

export async function writeState(name: ServiceName, state: ServiceState): Promise<void> {
  await mkdir(runDir(), { recursive: true });
  await writeFile(statePath(name), `${JSON.stringify(state, null, 2)}\n`);
}

export async function removeState(name: ServiceName): Promise<void> {
  await rm(statePath(name), { force: true });
}

/** True when `pid` is alive and its command line carries our marker. */
export async function isOurs(pid: number, marker: string): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  const command = await commandLine(pid);
  // Without /proc (not Linux) the command line is unknown: trust the live pid.
  return command === undefined ? process.platform !== 'linux' : command.includes(marker);
}

/** Reads a plain pid file such as the one Elasticsearch writes. */
export async function readPidFile(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
