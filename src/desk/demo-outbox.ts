/**
 * The demo's outbox: a real SMTP server on loopback that keeps every e-mail the desk sends to the demo units
 * (pipelines/humas-units.json points their e-mail channels at smtp://127.0.0.1:2525) as an .eml file, so
 * `npm start` shows the alerts a humas unit would receive without a mail server. Only `pantau demo` starts it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface DemoOutbox {
  dir: string;
  /** E-mails received so far. */
  readonly received: number;
  close(): Promise<void>;
}

export async function startDemoOutbox(dir: string, port = 2525, host = '127.0.0.1'): Promise<DemoOutbox> {
  mkdirSync(dir, { recursive: true });
  let received = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 5 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received++;
        const to = session.envelope.rcptTo.map((r) => r.address).join(',').replace(/[^A-Za-z0-9@._,-]/g, '_');
        writeFileSync(join(dir, `${String(received).padStart(4, '0')}-${to}.eml`), Buffer.concat(chunks));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    dir,
    get received() {
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
