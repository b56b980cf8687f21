/**
 * Is a TCP port taken, and by whom. The owner is looked up in /proc (listening socket inode → process fd),
 * which needs no extra tool; when it cannot be found the caller just says "another process".
 */
import { Socket } from 'node:net';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { HOST } from './settings.ts';
import { commandLine } from './process.ts';

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = HOST, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

export interface PortOwner {
  pid: number;
  /** The full command line (long for a JVM). */
  command: string;
}

/** The process listening on `port` (any address), when /proc tells. */
export async function portOwner(port: number): Promise<PortOwner | undefined> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // State 0A is LISTEN; the local address ends with the port in hex.
      if (local && fields[3] === '0A' && parseInt(local.split(':')[1] ?? '', 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        return { pid: Number(pid), command: (await commandLine(Number(pid))) ?? '?' };
      }
    }
  }
  return undefined;
}
