/**
 * Small process helpers: run a command to completion, start a detached daemon, tell whether a pid is alive,
 * stop pids politely then firmly. Linux /proc is used where it gives a better answer; elsewhere a signal-0
 * probe stands in.
 */
import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** "4.2 s", for progress lines. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion. Rejects only when it cannot start (e.g. ENOENT); a non-zero exit resolves. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: withRealClock(options.env ?? process.env), cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The environment without libfaketime: a service keeps the machine's real clock even when the process that
 * starts it runs under a fake one (the test suite's second run, at a month boundary, restarts services in
 * some tests). Elasticsearch, run as another user, would not even start under it.
 */
export function withRealClock(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  const preload = (clean.LD_PRELOAD ?? '')
    .split(/[:\s]+/)
    .filter((lib) => lib && !lib.includes('faketime'))
    .join(':');
  if (preload) clean.LD_PRELOAD = preload;
  else delete clean.LD_PRELOAD;
  for (const name of Object.keys(clean)) if (name.startsWith('FAKETIME')) delete clean[name];
  return clean;
}

/**
 * Starts a daemon in its own session (so Ctrl-C on the caller does not reach it), stdout and stderr appended
 * to `logFile`, and lets the caller exit without waiting for it. Resolves with its pid once it has started.
 */
export async function spawnDetached(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Promise<number> {
  const log = await open(options.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: options.cwd, env: withRealClock(options.env), detached: true, stdio: ['ignore', log.fd, log.fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid === undefined ? reject(new Error(`${command} has no pid`)) : resolve(child.pid)));
    });
    child.unref();
    return pid;
  } finally {
    await log.close();
  }
}

/**
 * The fields of a /proc/<pid>/stat line from field 3 (state) on: index 0 is the state, 1 the parent pid,
 * 11 and 12 user and system CPU time in clock ticks. The command name before them is skipped, since it may
 * itself contain spaces or parentheses.
 */
export function procStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** True when `pid` runs and is not a zombie (a zombie still answers signal 0 until its parent reaps it). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const state = procStatFields(await readFile(`/proc/${pid}/stat`, 'utf8'))[0];
    return state !== 'Z' && state !== 'X';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return signalZero(pid);
    return process.platform === 'linux' ? false : signalZero(pid);
  }
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The parent pid of `pid`, when /proc tells. */
export async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number(procStatFields(stat)[1]);
  return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
}

/** The command line of `pid`, or undefined when it is gone or unreadable. */
export async function commandLine(pid: number): Promise<string | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.replaceAll('\0', ' ').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM to every live pid, up to `graceMs` for them to exit, then SIGKILL. Resolves when all are gone. */
export async function terminate(pids: number[], graceMs: number): Promise<{ forced: boolean }> {
  const alive = async (): Promise<number[]> => (await Promise.all(pids.map(async (pid) => ((await isAlive(pid)) ? pid : 0)))).filter((p) => p > 0);
  const signal = (targets: number[], sig: NodeJS.Signals): void => {
    for (const pid of targets) {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone between the check and the signal.
      }
    }
  };
  signal(await alive(), 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if ((await alive()).length === 0) return { forced: false };
    await sleep(200);
  }
  signal(await alive(), 'SIGKILL');
  for (let i = 0; i < 50 && (await alive()).length > 0; i++) await sleep(100);
  return { forced: true };
}

/**
 * The last `lines` lines of a text file ('' when it does not exist), each cut to 300 characters, and only
 * those after the last line containing `after` when given. Reads at most the last 64 KiB.
 */
export async function tailFile(path: string, lines = 30, after?: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    let all = buffer.toString('utf8').replace(/\n+$/, '').split('\n');
    const start = after === undefined ? -1 : all.findLastIndex((line) => line.includes(after));
    if (start >= 0) all = all.slice(start + 1);
    return all
      .slice(-lines)
      .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
      .join('\n');
  } finally {
    await handle.close();
  }
}
