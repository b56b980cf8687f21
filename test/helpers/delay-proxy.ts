/**
 * A TCP proxy on loopback that forwards to a target port and holds every chunk, in both directions, for a
 * latency (plus optional jitter) before passing it on: a slow network link for the fault tests. Order is
 * preserved per direction (a chunk never overtakes the one before it, jitter or not); backpressure is
 * kept (the source is paused while the destination's buffer is full). `close()` stops listening and
 * destroys every socket it opened.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface DelayProxyOptions {
  /** Where to forward. */
  targetPort: number;
  targetHost?: string;
  /** Port to listen on (0: any free port). */
  listenPort?: number;
  listenHost?: string;
  /** Delay added to every chunk, in each direction. */
  latencyMs: number;
  /** A random extra delay in [0, jitterMs) per chunk (order still preserved). */
  jitterMs?: number;
}

export interface DelayProxy {
  port: number;
  /** Connections accepted so far. */
  connections: () => number;
  /** Bytes forwarded so far, both directions. */
  bytes: () => number;
  /** The latency for chunks read from now on (e.g. 0 to heal the link without closing connections). */
  setLatency(latencyMs: number, jitterMs?: number): void;
  close(): Promise<void>;
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const targetHost = options.targetHost ?? '127.0.0.1';
  let latencyMs = options.latencyMs;
  let jitterMs = options.jitterMs ?? 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  let forwarded = 0;
  let closing = false;

  /** Pipes `from` into `to`, each chunk at max(its arrival + delay, the previous chunk's release): one queue per direction. */
  function delayedPipe(from: Socket, to: Socket): void {
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let lastDue = 0;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      if (timer) timers.delete(timer);
      timer = undefined;
      while (queue.length > 0 && queue[0]!.due <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (to.destroyed) continue;
        forwarded += chunk.length;
        if (!to.write(chunk) && !from.isPaused()) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      }
      if (queue.length > 0) schedule();
      else if (ended && !to.destroyed) to.end();
    };
    const schedule = () => {
      if (timer || closing) return;
      timer = setTimeout(release, Math.max(0, queue[0]!.due - Date.now()));
      timers.add(timer);
    };
    from.on('data', (chunk: Buffer) => {
      lastDue = Math.max(Date.now() + latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0), lastDue);
      queue.push({ due: Math.ceil(lastDue), chunk });
      schedule();
    });
    from.on('end', () => {
      ended = true;
      if (queue.length === 0 && !to.destroyed) to.end();
    });
  }

  const server: Server = createServer((client) => {
    if (closing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect({ port: options.targetPort, host: targetHost });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => {
        sockets.delete(s);
        // One side gone: the other goes too, once the chunks still held for it had time to be released.
        const other = s === client ? upstream : client;
        setTimeout(() => other.destroy(), latencyMs + jitterMs + 10).unref();
      });
      s.on('error', () => {});
    }
    delayedPipe(client, upstream);
    delayedPipe(upstream, client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort ?? 0, options.listenHost ?? '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});

  return {
    port: (server.address() as AddressInfo).port,
    connections: () => accepted,
    bytes: () => forwarded,
    setLatency(latency, jitter = 0) {
      latencyMs = latency;
      jitterMs = jitter;
    },
    close: async () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
