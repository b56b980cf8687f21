import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from '../helpers/delay-proxy.ts';

describe('delay proxy', () => {
  let echo: Server;
  const served = new Set<Socket>();
  let echoPort: number;
  let proxy: DelayProxy | undefined;
  const clients: Socket[] = [];

  beforeEach(async () => {
    echo = createServer((s) => {
      served.add(s);
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as AddressInfo).port;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proxy?.close();
    proxy = undefined;
    for (const s of served) s.destroy();
    served.clear();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  async function open(port: number): Promise<Socket> {
    const socket = connect({ port, host: '127.0.0.1' });
    clients.push(socket);
    await new Promise<void>((r, reject) => socket.once('connect', r).once('error', reject));
    return socket;
  }

  /** Sends `chunks` one by one and resolves with everything echoed back once `total` bytes came. */
  function roundTrip(socket: Socket, chunks: Buffer[]): Promise<{ data: Buffer; firstByteMs: number }> {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const started = performance.now();
    let firstByteMs = -1;
    const received: Buffer[] = [];
    let size = 0;
    return new Promise((resolve) => {
      socket.on('data', (c: Buffer) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - started;
        received.push(c);
        size += c.length;
        if (size >= total) resolve({ data: Buffer.concat(received), firstByteMs });
      });
      for (const c of chunks) socket.write(c);
    });
  }

  it('forwards bytes intact and in order, both ways, at least the latency later each way', async () => {
    proxy = await startDelayProxy({ targetPort: echoPort, latencyMs: 150, jitterMs: 40 });
    const socket = await open(proxy.port);
    const chunks = Array.from({ length: 200 }, (_, i) => Buffer.concat([Buffer.from(`#${i}:`), randomBytes(1 + (i * 37) % 5000)]));
    const { data, firstByteMs } = await roundTrip(socket, chunks);
    expect(data.equals(Buffer.concat(chunks))).toBe(true);
    // There and back: the latency twice (timers may fire a millisecond early; allow for it).
    expect(firstByteMs).toBeGreaterThanOrEqual(2 * 150 - 2);
    expect(proxy.connections()).toBe(1);
    expect(proxy.bytes()).toBe(2 * data.length);
  });

  it('is measurably slower than the direct connection', async () => {
    proxy = await startDelayProxy({ targetPort: echoPort, latencyMs: 100 });
    const payload = [Buffer.from('ping')];
    const direct = await roundTrip(await open(echoPort), payload);
    const proxied = await roundTrip(await open(proxy.port), payload);
    expect(proxied.data.toString()).toBe('ping');
    expect(proxied.firstByteMs).toBeGreaterThanOrEqual(direct.firstByteMs);
    expect(proxied.firstByteMs).toBeGreaterThanOrEqual(2 * 100 - 2);
  });

  it('carries a large stream intact (backpressure) and keeps several connections apart', async () => {
    proxy = await startDelayProxy({ targetPort: echoPort, latencyMs: 20, jitterMs: 20 });
    const big = randomBytes(8 * 1024 * 1024);
    const a = await open(proxy.port);
    const b = await open(proxy.port);
    const [ra, rb] = await Promise.all([roundTrip(a, [big]), roundTrip(b, [Buffer.from('other connection')])]);
    expect(ra.data.equals(big)).toBe(true);
    expect(rb.data.toString()).toBe('other connection');
    expect(proxy.connections()).toBe(2);
  });

  it('setLatency(0) heals the link for what follows', async () => {
    proxy = await startDelayProxy({ targetPort: echoPort, latencyMs: 300 });
    proxy.setLatency(0);
    const { data } = await roundTrip(await open(proxy.port), [Buffer.from('fast')]);
    expect(data.toString()).toBe('fast');
  });

  it('close() tears down open connections', async () => {
    proxy = await startDelayProxy({ targetPort: echoPort, latencyMs: 50 });
    const socket = await open(proxy.port);
    socket.write('in flight');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    await proxy.close();
    proxy = undefined;
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
