/**
 * One of pantau's HTTP servers in a child process of its own, so a test can send it anything and then ask
 * whether the process is still alive: an uncaught exception in a request listener ends the process, which
 * an in-process test could not tell apart from a failed request.
 *
 * The child is test/helpers/http-server-child.ts; it prints `{"port": N}` once listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { ELASTICSEARCH_URL } from './cluster.ts';

export type ServerKind = 'api' | 'metrics' | 'push';

export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface ServerProcess {
  kind: ServerKind;
  port: number;
  child: ChildProcess;
  /** stdout and stderr of the child so far (the end of it). */
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

const CHILD = resolve(PROJECT_ROOT, 'test/helpers/http-server-child.ts');

export async function startServerProcess(kind: ServerKind, limits: ServerLimits): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CHILD, kind], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      ELASTICSEARCH_URL,
      PANTAU_TEST_HEADERS_TIMEOUT_MS: String(limits.headersTimeoutMs),
      PANTAU_TEST_REQUEST_TIMEOUT_MS: String(limits.requestTimeoutMs),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 100_000) out = out.slice(-50_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited before listening:\n${out}`));
    });
  });
  return {
    kind,
    port,
    child,
    output: () => out.slice(-5000),
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface RawExchange {
  /** Status codes of every response the server wrote, in order. */
  statuses: number[];
  /** True when the server closed the connection before the deadline. */
  closed: boolean;
  /** From the first byte sent to the close (or the deadline). */
  elapsedMs: number;
  /** What came back, as latin1 text (for failure messages). */
  text: string;
}

/**
 * Sends `request` as raw bytes (no client library normalises anything) and collects what comes back until
 * the server closes the connection or `deadlineMs` passes. With `dripMs`, the bytes go one at a time with
 * that pause between them (a slowloris), until the server closes or the bytes run out.
 */
export function rawExchange(port: number, request: Buffer | string, options: { deadlineMs: number; dripMs?: number }): Promise<RawExchange> {
  const bytes = Buffer.isBuffer(request) ? request : Buffer.from(request, 'latin1');
  return new Promise((resolveExchange) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let started = Date.now();
    let done = false;
    let drip: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearInterval(drip);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolveExchange({ statuses, closed, elapsedMs: Date.now() - started, text: text.slice(0, 2000) });
    };
    const deadline = setTimeout(() => finish(false), options.deadlineMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      started = Date.now();
      if (options.dripMs === undefined) {
        socket.write(bytes);
        return;
      }
      let i = 0;
      drip = setInterval(() => {
        if (i >= bytes.length || socket.destroyed || !socket.writable) return clearInterval(drip);
        socket.write(bytes.subarray(i, i + 1));
        i++;
      }, options.dripMs);
    });
  });
}
