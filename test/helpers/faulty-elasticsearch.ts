/**
 * A tiny HTTP proxy in front of the real Elasticsearch that makes chosen documents fail: every bulk
 * `index` action whose `_id` is poisoned is answered with a 500 item (as a failing shard or a node-side
 * ingest failure would), and never reaches Elasticsearch; everything else is forwarded as it is and the
 * answers are merged back in order. Counts how often each poisoned document was tried.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultyElasticsearch {
  url: string;
  /** Bulk attempts per poisoned document id. */
  attempts: Map<string, number>;
  close(): Promise<void>;
}

const readAll = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

function forward(target: URL, req: IncomingMessage, path: string, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path, headers }, async (res) => {
      resolve({ status: res.statusCode ?? 502, headers: res.headers, body: await readAll(res) });
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

const POISON_ITEM = (id: string) => ({
  index: { _id: id, status: 500, error: { type: 'simulated_shard_failure', reason: `test proxy: document ${id} always fails` } },
});

export async function startFaultyElasticsearch(elasticsearchUrl: string, poisoned: ReadonlySet<string>): Promise<FaultyElasticsearch> {
  const target = new URL(elasticsearchUrl);
  const attempts = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const path = req.url ?? '/';
      const isBulk = req.method === 'POST' && /^\/(?:[^/]+\/)?_bulk(?:\?|$)/.test(path);
      if (!isBulk) {
        const answer = await forward(target, req, path, body);
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      // NDJSON: action line, then a source line for index/create/update (not for delete).
      const lines = body.toString('utf8').split('\n').filter((l) => l.length > 0);
      const kept: string[] = [];
      const slots: Array<string | null> = []; // per action: poisoned id, or null when forwarded
      for (let i = 0; i < lines.length; i++) {
        const action = JSON.parse(lines[i]!) as Record<string, { _id?: string }>;
        const [kind, meta] = Object.entries(action)[0]!;
        const hasSource = kind !== 'delete';
        const id = meta._id;
        if (kind === 'index' && id !== undefined && poisoned.has(id)) {
          attempts.set(id, (attempts.get(id) ?? 0) + 1);
          slots.push(id);
        } else {
          kept.push(lines[i]!);
          if (hasSource) kept.push(lines[i + 1]!);
          slots.push(null);
        }
        if (hasSource) i++;
      }
      let forwarded: { errors: boolean; items: unknown[] } = { errors: false, items: [] };
      if (kept.length > 0) {
        const answer = await forward(target, req, path, Buffer.from(kept.join('\n') + '\n'));
        if (answer.status >= 300) {
          res.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        }
        forwarded = JSON.parse(answer.body.toString('utf8')) as typeof forwarded;
      }
      let next = 0;
      const items = slots.map((id) => (id === null ? forwarded.items[next++] : POISON_ITEM(id)));
      const merged = JSON.stringify({ errors: forwarded.errors || slots.some((s) => s !== null), items });
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(merged);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
