/** A real HTTP receiver on loopback that records every alert POSTed to it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../../src/core/post.ts';

export interface WebhookReceiver {
  url: string;
  calls: Array<{ alert: Alert; idempotencyKey: string | undefined }>;
  /** Status codes to answer with, one per call, before answering 204. */
  failures: number[];
  /** While above 0, every request is held this long before it is answered (a receiver that hangs). */
  hangMs: number;
  /** Requests received, answered or not. */
  requests: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks/pantau'): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', calls: [], failures: [], hangMs: 0, requests: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    receiver.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.hangMs > 0) {
        const timer = setTimeout(() => res.writeHead(204).end(), receiver.hangMs);
        res.once('close', () => clearTimeout(timer));
        return;
      }
      const failure = receiver.failures.shift();
      if (failure !== undefined) {
        res.writeHead(failure).end();
        return;
      }
      const key = req.headers['idempotency-key'];
      receiver.calls.push({ alert: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Alert, idempotencyKey: typeof key === 'string' ? key : undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}${path}`;
  receiver.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return receiver;
}
