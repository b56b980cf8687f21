/**
 * The desk's alert channels against real local servers: node:http receivers on loopback for the webhook, Slack
 * and Telegram, and a real smtp-server for e-mail. Assertions are on the bytes the servers received.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { describeError, PantauError } from '../../src/core/errors.ts';
import { clearRegisteredSecrets } from '../../src/core/redact.ts';
import { deliver } from '../../src/desk/channels/deliver.ts';
import { createChannel, type Channel } from '../../src/desk/channels/index.ts';
import { RateLimiter } from '../../src/desk/channels/rate-limit.ts';
import { SLACK_MAX_BLOCKS, SLACK_SECTION_MAX, slackSections } from '../../src/desk/channels/slack.ts';
import { channelSpecSchema } from '../../src/desk/channels/spec.ts';
import { cutTelegramHtml } from '../../src/desk/channels/telegram.ts';
import { verifyDeskWebhook } from '../../src/desk/channels/webhook.ts';
import type { ChannelMessage } from '../../src/desk/types.ts';

const NOW = '2026-11-15T01:00:00.000Z';
const NOW_S = Date.parse(NOW) / 1000;

const message = (overrides: Partial<ChannelMessage> = {}): ChannelMessage => ({
  id: 'c-77~kpu-ri:new:1',
  subject: '[Pantau] Hoaks baru: surat suara sudah dicoblos',
  text: 'Hoaks baru: surat suara sudah dicoblos. Klarifikasi: https://kpu.example/klarifikasi',
  markdown: '*Hoaks baru*: surat suara sudah dicoblos\n<https://kpu.example/klarifikasi|Klarifikasi>',
  html: '<p><b>Hoaks baru</b>: surat suara sudah dicoblos</p>',
  telegram_html: '<b>Hoaks baru</b>: surat suara &amp; gudang KPU',
  payload: { case_id: 'c-77~kpu-ri', kind: 'new', summary: 'surat suara sudah dicoblos' },
  ...overrides,
});

/** A fake sleep that records the wait and moves the fixed clock, so nothing really waits. */
function fakeTime() {
  const clock = fixedClock(NOW);
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  return { clock, sleeps, sleep };
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP server on loopback that records every request and answers from a script (then 200 with `okBody`). */
async function startServer(okBody = '{"ok":true}') {
  const received: Received[] = [];
  const script: Array<{ status: number; body?: string; headers?: Record<string, string> }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const answer = script.shift() ?? { status: 200, body: okBody };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, received, script, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A loopback port nothing listens on. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const opened: Array<{ close(): Promise<void> }> = [];
const channelOf = (spec: unknown, env: Record<string, string>, clock = fixedClock(NOW)): Channel => {
  const channel = createChannel(channelSpecSchema.parse(spec), env, { timeoutMs: 3000, clock });
  opened.push(channel);
  return channel;
};

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});
afterAll(() => clearRegisteredSecrets());

describe('signed webhook', () => {
  const SECRET = 'whsec-desk-0123456789';

  it('POSTs the payload with idempotency key and a signature a receiver verifies; tampering and staleness fail', async () => {
    const server = await startServer();
    try {
      const env = { KPU_HOOK_URL: `${server.origin}/hooks/t0k3n-path-secret?key=abc123xyz`, KPU_HOOK_SECRET: SECRET };
      const channel = channelOf({ type: 'webhook', url_env: 'KPU_HOOK_URL', secret_env: 'KPU_HOOK_SECRET' }, env);
      expect(channel.target).toBe(`webhook ${server.origin}/***`);
      const time = fakeTime();
      const record = await deliver(channel, message(), { maxAttempts: 3, retryBaseMs: 10, clock: time.clock, sleep: time.sleep });
      expect(record).toEqual({ channel: 'webhook', target: `webhook ${server.origin}/***`, message_id: 'c-77~kpu-ri:new:1', status: 'delivered', attempts: 1, at: NOW });

      expect(server.received).toHaveLength(1);
      const req = server.received[0]!;
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/hooks/t0k3n-path-secret?key=abc123xyz');
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['user-agent']).toBe('pantau');
      expect(req.headers['idempotency-key']).toBe('c-77~kpu-ri:new:1');
      expect(req.headers['x-pantau-timestamp']).toBe(String(NOW_S));
      expect(JSON.parse(req.body.toString('utf8'))).toEqual(message().payload);

      const nowMs = Date.parse(NOW);
      expect(verifyDeskWebhook(req.body, req.headers, SECRET, nowMs)).toBe(true);
      expect(verifyDeskWebhook(req.body, req.headers, 'another-secret-456', nowMs)).toBe(false);
      const tampered = Buffer.from(req.body.toString('utf8').replace('dicoblos', 'dicoblos!'));
      expect(verifyDeskWebhook(tampered, req.headers, SECRET, nowMs)).toBe(false);
      // Ten minutes later the same request is a replay: refused with the default 300 s window.
      expect(verifyDeskWebhook(req.body, req.headers, SECRET, nowMs + 600_000)).toBe(false);
      expect(verifyDeskWebhook(req.body, req.headers, SECRET, nowMs + 600_000, 900)).toBe(true);
      expect(verifyDeskWebhook(req.body, { ...req.headers, 'x-pantau-timestamp': String(NOW_S + 1) }, SECRET, nowMs)).toBe(false);
      expect(verifyDeskWebhook(req.body, { ...req.headers, 'x-pantau-signature': undefined }, SECRET, nowMs)).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('retries a 503 and delivers on the second attempt; a 400 is not retried; neither error shows the URL path', async () => {
    const server = await startServer();
    try {
      const channel = channelOf({ type: 'webhook', url_env: 'U', secret_env: 'S' }, { U: `${server.origin}/hooks/t0k3n-path-secret`, S: SECRET });
      const time = fakeTime();
      const options = { maxAttempts: 4, retryBaseMs: 100, clock: time.clock, sleep: time.sleep, random: () => 0 };

      server.script.push({ status: 503 });
      const retried = await deliver(channel, message(), options);
      expect(retried.status).toBe('delivered');
      expect(retried.attempts).toBe(2);
      expect(time.sleeps).toEqual([50]); // backoffMs(1, 100) with no jitter
      expect(server.received).toHaveLength(2);
      // The retry is the same message: a receiver de-duplicates on the key.
      expect(server.received.map((r) => r.headers['idempotency-key'])).toEqual(['c-77~kpu-ri:new:1', 'c-77~kpu-ri:new:1']);

      server.script.push({ status: 400 });
      const refused = await deliver(channel, message({ id: 'c-77~kpu-ri:new:2' }), options);
      expect(refused).toMatchObject({ status: 'failed', attempts: 1, message_id: 'c-77~kpu-ri:new:2' });
      expect(refused.error).toContain('webhook_http_400');
      expect(refused.error).not.toContain('t0k3n-path-secret');
      expect(server.received).toHaveLength(3);

      server.script.push({ status: 400 });
      const thrown = await channel.send(message()).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(PantauError);
      expect((thrown as PantauError).message).not.toContain('t0k3n-path-secret');
      expect((thrown as PantauError).retriable).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('connection refused is retriable and ends gave_up after maxAttempts', async () => {
    const port = await refusedPort();
    const channel = channelOf({ type: 'webhook', url_env: 'U', secret_env: 'S' }, { U: `http://127.0.0.1:${port}/hooks/t0k3n-path-secret`, S: SECRET });
    const time = fakeTime();
    const record = await deliver(channel, message(), { maxAttempts: 3, retryBaseMs: 10, clock: time.clock, sleep: time.sleep, random: () => 0 });
    expect(record.status).toBe('gave_up');
    expect(record.attempts).toBe(3);
    expect(record.error).toContain('[alerting/webhook_unreachable]');
    expect(record.error).toContain('ECONNREFUSED');
    expect(record.error).not.toContain('t0k3n-path-secret');
    expect(time.sleeps).toEqual([5, 10]);
    expect(record.at).toBe(new Date(Date.parse(NOW) + 15).toISOString());
  });
});

describe('Slack', () => {
  it('sends text plus mrkdwn section blocks, a long markdown split into sections of at most 3000 characters', async () => {
    const server = await startServer('ok');
    try {
      const channel = channelOf({ type: 'slack', url_env: 'SLACK_URL' }, { SLACK_URL: `${server.origin}/services/T000/B000/slacktokenXYZ` });
      expect(channel.target).toBe(`slack ${server.origin}/***`);
      const paragraphs = Array.from({ length: 40 }, (_, i) => `*Paragraf ${i}* ` + 'narasi hoaks menyebar di grup WhatsApp. '.repeat(4).trim());
      const markdown = paragraphs.join('\n\n');
      expect(markdown.length).toBeGreaterThan(6000);
      const time = fakeTime();
      const record = await deliver(channel, message({ markdown }), { maxAttempts: 2, retryBaseMs: 10, clock: time.clock, sleep: time.sleep });
      expect(record.status).toBe('delivered');

      const body = JSON.parse(server.received[0]!.body.toString('utf8')) as { text: string; blocks: Array<{ type: string; text: { type: string; text: string } }> };
      expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
      expect(body.text).toBe(message().text);
      expect(body.blocks.length).toBeGreaterThanOrEqual(3);
      for (const block of body.blocks) {
        expect(block.type).toBe('section');
        expect(block.text.type).toBe('mrkdwn');
        expect(block.text.text.length).toBeLessThanOrEqual(3000);
        // Cut at paragraph breaks: each section starts a paragraph.
        expect(block.text.text).toMatch(/^\*Paragraf \d+\*/);
      }
      expect(body.blocks.map((b) => b.text.text).join('\n\n')).toBe(markdown);
    } finally {
      await server.close();
    }
  });

  it('caps at 50 blocks with a visible "…", and never cuts inside a <url|label> link', () => {
    const huge = 'kata '.repeat(60_000);
    const sections = slackSections(huge);
    expect(sections).toHaveLength(SLACK_MAX_BLOCKS);
    expect(sections.every((s) => s.text.text.length <= SLACK_SECTION_MAX)).toBe(true);
    expect(sections.at(-1)!.text.text.endsWith('…')).toBe(true);

    const link = '<https://turnbackhoax.example/artikel/12345|Baca klarifikasi lengkap>';
    const withLinks = Array.from({ length: 120 }, () => `lihat ${link}`).join(' ');
    for (const section of slackSections(withLinks, 500)) {
      expect(section.text.text.length).toBeLessThanOrEqual(500);
      expect(section.text.text.split('<').length).toBe(section.text.text.split('>').length);
    }
  });

  it('a refused payload is not retried and the reason is shown, not the token', async () => {
    const server = await startServer('ok');
    try {
      const channel = channelOf({ type: 'slack', url_env: 'SLACK_URL' }, { SLACK_URL: `${server.origin}/services/T000/B000/slacktokenXYZ` });
      server.script.push({ status: 400, body: 'invalid_blocks' });
      const time = fakeTime();
      const record = await deliver(channel, message(), { maxAttempts: 3, retryBaseMs: 10, clock: time.clock, sleep: time.sleep });
      expect(record).toMatchObject({ status: 'failed', attempts: 1 });
      expect(record.error).toContain('slack_http_400');
      expect(record.error).toContain('invalid_blocks');
      expect(record.error).not.toContain('slacktokenXYZ');
    } finally {
      await server.close();
    }
  });
});

/** Telegram's HTML rules: every tag complete and balanced, every & an entity. */
function expectValidTelegramHtml(html: string): void {
  expect(html).not.toMatch(/<[^>]*$/);
  expect(html).not.toMatch(/&(?!#?[A-Za-z0-9]+;)/);
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
}

describe('Telegram', () => {
  const TOKEN = '7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

  it('posts to /bot<token>/sendMessage with chat id, HTML parse mode and no link previews', async () => {
    const server = await startServer();
    try {
      const channel = channelOf({ type: 'telegram', api_base: server.origin, token_env: 'TG_TOKEN', chat_id: '-1001234567890' }, { TG_TOKEN: TOKEN });
      expect(channel.target).toBe('telegram chat -1001234567890');
      const time = fakeTime();
      expect((await deliver(channel, message(), { maxAttempts: 2, retryBaseMs: 10, clock: time.clock, sleep: time.sleep })).status).toBe('delivered');
      const req = server.received[0]!;
      expect(req.method).toBe('POST');
      expect(req.url).toBe(`/bot${TOKEN}/sendMessage`);
      expect(req.headers['content-type']).toBe('application/json');
      expect(JSON.parse(req.body.toString('utf8'))).toEqual({
        chat_id: '-1001234567890',
        text: '<b>Hoaks baru</b>: surat suara &amp; gudang KPU',
        parse_mode: 'HTML',
        disable_web_page_preview: true,
      });
    } finally {
      await server.close();
    }
  });

  it('waits at least retry_after on a 429, then delivers; a 400 is not retried; the token never shows', async () => {
    const server = await startServer();
    try {
      const channel = channelOf({ type: 'telegram', api_base: server.origin, token_env: 'TG_TOKEN', chat_id: 12345 }, { TG_TOKEN: TOKEN });
      const time = fakeTime();
      const options = { maxAttempts: 3, retryBaseMs: 100, clock: time.clock, sleep: time.sleep, random: () => 0 };

      server.script.push({ status: 429, body: JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } }) });
      const record = await deliver(channel, message(), options);
      expect(record).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(time.sleeps).toEqual([7000]);
      expect(JSON.parse(server.received[1]!.body.toString('utf8')).chat_id).toBe(12345);

      // A description that echoes the URL (as a proxy might) still does not carry the token out.
      server.script.push({ status: 400, body: JSON.stringify({ ok: false, error_code: 400, description: `Bad Request: chat not found (POST /bot${TOKEN}/sendMessage)` }) });
      const failed = await deliver(channel, message(), options);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed.error).toContain('telegram_400');
      expect(failed.error).toContain('chat not found');
      expect(failed.error).not.toContain(TOKEN);
      expect(failed.error).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
      expect(server.received).toHaveLength(3);
      server.script.push({ status: 400, body: JSON.stringify({ ok: false, error_code: 400, description: `Bad Request: chat not found (POST /bot${TOKEN}/sendMessage)` }) });
      // Not relying on the registered secrets (core/redact.ts): the channel itself keeps the token out.
      clearRegisteredSecrets();
      const raw = (await channel.send(message()).catch((e: unknown) => e)) as PantauError;
      expect(raw.message).toContain('chat not found');
      expect(raw.message).not.toContain(TOKEN);

      server.script.push({ status: 502, body: '<html>Bad Gateway</html>' });
      const thrown = (await channel.send(message()).catch((e: unknown) => e)) as PantauError;
      expect(thrown.code).toBe('telegram_502');
      expect(thrown.retriable).toBe(true);
      expect(thrown.message).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
    // No server at all: fetch's error is not passed on (its message could quote the URL).
    const port = await refusedPort();
    const channel = channelOf({ type: 'telegram', api_base: `http://127.0.0.1:${port}`, token_env: 'TG_TOKEN', chat_id: 12345 }, { TG_TOKEN: TOKEN });
    const thrown = (await channel.send(message()).catch((e: unknown) => e)) as PantauError;
    expect(thrown.code).toBe('telegram_unreachable');
    expect(thrown.retriable).toBe(true);
    expect(`${thrown.message} ${String(thrown.cause)} ${thrown.stack}`).not.toContain(TOKEN);
  });

  it('cuts a text over 4096 characters without breaking a tag or an entity', async () => {
    const server = await startServer();
    try {
      const channel = channelOf({ type: 'telegram', api_base: server.origin, token_env: 'TG_TOKEN', chat_id: 12345 }, { TG_TOKEN: TOKEN });
      const long = '<b>Ringkasan</b>\n' + Array.from({ length: 200 }, (_, i) => `<a href="https://x.example/${i}">pos ${i}</a> &amp; <i>kutipan &quot;${i}&quot;</i>`).join('\n');
      expect(long.length).toBeGreaterThan(4096);
      await channel.send(message({ telegram_html: long }));
      const sent = (JSON.parse(server.received[0]!.body.toString('utf8')) as { text: string }).text;
      expect(sent.length).toBeLessThanOrEqual(4096 + '</i></a></b>'.length);
      expect(sent).toContain('…');
      expectValidTelegramHtml(sent);
    } finally {
      await server.close();
    }
    // Every cut position over a text dense with tags and entities.
    const unit = '<b>hoaks &amp; <a href="https://x.example/?a=1&amp;b=2">tautan</a></b> &#128512; <i>miring</i> ';
    for (let pad = 0; pad < unit.length + 5; pad++) {
      const html = 'x'.repeat(pad) + unit.repeat(80);
      const cut = cutTelegramHtml(html, 400);
      expect(cut.endsWith('…') || /…(<\/[a-z]+>)+$/.test(cut)).toBe(true);
      expect(cut.replace(/(<\/[a-z]+>)+$/, '').length).toBeLessThanOrEqual(400);
      expectValidTelegramHtml(cut);
    }
    expect(cutTelegramHtml('<b>pendek</b>')).toBe('<b>pendek</b>');
  });
});

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

async function startSmtp(extra: Partial<SMTPServerOptions> = {}) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('tidak-ada@')) {
        callback(Object.assign(new Error('5.1.1 Mailbox tidak ada'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = session.envelope;
        mails.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        callback();
      });
    },
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('e-mail', () => {
  it('the server receives from, to, subject, the message id header and both text and HTML parts', async () => {
    const smtp = await startSmtp();
    try {
      const channel = channelOf(
        { type: 'email', smtp_url: smtp.url, from: 'Pantau <pantau@kominfo.example>', to: ['humas@kpu.example', 'piket@kpu.example'] },
        {},
      );
      expect(channel.target).toBe(`email smtp://127.0.0.1:${smtp.port} → humas@kpu.example, piket@kpu.example`);
      const time = fakeTime();
      const record = await deliver(channel, message(), { maxAttempts: 2, retryBaseMs: 10, clock: time.clock, sleep: time.sleep });
      expect(record).toMatchObject({ channel: 'email', status: 'delivered', attempts: 1 });
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail.from).toBe('pantau@kominfo.example');
      expect(mail.to).toEqual(['humas@kpu.example', 'piket@kpu.example']);
      expect(mail.raw).toMatch(/^From: Pantau <pantau@kominfo\.example>\r$/m);
      expect(mail.raw).toMatch(/^To: humas@kpu\.example, piket@kpu\.example\r$/m);
      expect(mail.raw).toMatch(/^Subject: \[Pantau\] Hoaks baru: surat suara sudah dicoblos\r$/m);
      // Header names are case-insensitive; nodemailer writes `X-Pantau-Message-ID`.
      expect(mail.raw).toMatch(/^X-Pantau-Message-Id: c-77~kpu-ri:new:1\r$/im);
      expect(mail.raw).toMatch(/^Content-Type: multipart\/alternative;/m);
      expect(mail.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8\r\n(?:.+\r\n)*\r\nHoaks baru: surat suara sudah dicoblos\./m);
      expect(mail.raw).toMatch(/^Content-Type: text\/html; charset=utf-8\r\n(?:.+\r\n)*\r\n<p><b>Hoaks baru<\/b>: surat suara sudah dicoblos<\/p>/m);
    } finally {
      await smtp.close();
    }
  });

  it('logs in with the password from the environment; a wrong password is refused and not retried, and never shown', async () => {
    const PASSWORD = 'smtp-Pa55word-desk';
    const smtp = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'pantau' && auth.password === PASSWORD) callback(null, { user: 'pantau' });
        else callback(Object.assign(new Error('Kredensial salah'), { responseCode: 535 }));
      },
    });
    try {
      const spec = { type: 'email', smtp_url: smtp.url, user_env: 'SMTP_USER', password_env: 'SMTP_PASSWORD', from: 'pantau@kominfo.example', to: ['humas@kpu.example'] };
      const time = fakeTime();
      const options = { maxAttempts: 3, retryBaseMs: 10, clock: time.clock, sleep: time.sleep };

      const ok = await deliver(channelOf(spec, { SMTP_USER: 'pantau', SMTP_PASSWORD: PASSWORD }), message(), options);
      expect(ok).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]!.user).toBe('pantau');

      const channel = channelOf(spec, { SMTP_USER: 'pantau', SMTP_PASSWORD: 'wrong-password-123' });
      const refused = await deliver(channel, message(), options);
      expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
      expect(refused.error).toContain('smtp_535');
      expect(refused.error).not.toContain('wrong-password-123');
      const thrown = (await channel.send(message()).catch((e: unknown) => e)) as PantauError;
      expect(thrown.message).not.toContain('wrong-password-123');
      expect(smtp.mails).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });

  it('a 550 for the recipient fails without retrying; an unreachable server is retriable', async () => {
    const smtp = await startSmtp();
    try {
      const channel = channelOf({ type: 'email', smtp_url: smtp.url, from: 'pantau@kominfo.example', to: ['tidak-ada@kpu.example'] }, {});
      const time = fakeTime();
      const record = await deliver(channel, message(), { maxAttempts: 3, retryBaseMs: 10, clock: time.clock, sleep: time.sleep });
      expect(record).toMatchObject({ status: 'failed', attempts: 1 });
      expect(record.error).toContain('[alerting/smtp_550]');
      expect(record.error).toContain('Mailbox tidak ada');
      expect(time.sleeps).toEqual([]);
      expect(smtp.mails).toHaveLength(0);

      // One address refused, one accepted: the mail went out, so no retry (it would duplicate), but the record says so.
      const partial = channelOf({ type: 'email', smtp_url: smtp.url, from: 'pantau@kominfo.example', to: ['tidak-ada@kpu.example', 'humas@kpu.example'] }, {});
      const mixed = await deliver(partial, message(), { maxAttempts: 3, retryBaseMs: 10, clock: time.clock, sleep: time.sleep });
      expect(mixed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(mixed.error).toContain('[alerting/smtp_550]');
      expect(mixed.error).toContain('refused tidak-ada@kpu.example');
      expect(smtp.mails.map((m) => m.to)).toEqual([['humas@kpu.example']]);
    } finally {
      await smtp.close();
    }
    const port = await refusedPort();
    const channel = channelOf({ type: 'email', smtp_url: `smtp://127.0.0.1:${port}`, from: 'pantau@kominfo.example', to: ['humas@kpu.example'] }, {});
    const thrown = (await channel.send(message()).catch((e: unknown) => e)) as PantauError;
    expect(thrown).toBeInstanceOf(PantauError);
    expect(thrown.code).toBe('smtp_unreachable');
    expect(thrown.retriable).toBe(true);
  });
});

describe('configuration', () => {
  it('refuses to build a channel whose secret is not set, naming the variable and the channel', () => {
    const cases: Array<[unknown, Record<string, string>, string]> = [
      [{ type: 'webhook', url_env: 'KPU_HOOK_URL', secret_env: 'KPU_HOOK_SECRET' }, { KPU_HOOK_URL: 'https://hooks.example/x' }, 'KPU_HOOK_SECRET'],
      [{ type: 'slack', url_env: 'KPU_SLACK_URL' }, { KPU_SLACK_URL: '  ' }, 'KPU_SLACK_URL'],
      [{ type: 'telegram', token_env: 'KPU_TG_TOKEN', chat_id: 1 }, {}, 'KPU_TG_TOKEN'],
      [{ type: 'email', smtp_url: 'smtp://mail:587', password_env: 'KPU_SMTP_PASSWORD', from: 'a@b.example', to: ['c@d.example'] }, { KPU_SMTP_PASSWORD: '' }, 'KPU_SMTP_PASSWORD'],
    ];
    for (const [spec, env, variable] of cases) {
      const parsed = channelSpecSchema.parse(spec);
      let thrown: unknown;
      try {
        createChannel(parsed, env, { timeoutMs: 1000, clock: fixedClock(NOW) });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PantauError);
      const error = thrown as PantauError;
      expect({ stage: error.stage, code: error.code, retriable: error.retriable }).toEqual({ stage: 'config', code: 'channel_secret_missing', retriable: false });
      expect(error.message).toContain(variable);
      expect(error.message).toContain(parsed.type);
      expect(describeError(error)).toContain(variable);
    }
  });
});

describe('rate limiting', () => {
  it('lets rate_per_minute through in any minute and makes the rest wait, in order, dropping none', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ ratePerMinute: 3, clock: time.clock, sleep: time.sleep });
    const start = time.clock();
    const granted: Array<[number, number]> = [];
    await Promise.all(Array.from({ length: 7 }, (_, i) => limiter.acquire().then(() => granted.push([i, time.clock() - start]))));
    expect(granted).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 60_000],
      [4, 60_000],
      [5, 60_000],
      [6, 120_000],
    ]);
    expect(time.sleeps).toEqual([60_000, 60_000]);
  });

  it('is a sliding window: a send 30 s into the minute frees its slot 30 s into the next', async () => {
    const time = fakeTime();
    const limiter = new RateLimiter({ ratePerMinute: 2, clock: time.clock, sleep: time.sleep });
    await limiter.acquire(); // t = 0
    time.clock.advance(30_000);
    await limiter.acquire(); // t = 30 s
    await limiter.acquire(); // waits for the first to leave the window: t = 60 s
    expect(time.sleeps).toEqual([30_000]);
    await limiter.acquire(); // the second leaves at 90 s
    expect(time.sleeps).toEqual([30_000, 30_000]);
    expect(time.clock() - Date.parse(NOW)).toBe(90_000);
  });

  it('deliver takes a place in the rate for every attempt', async () => {
    const server = await startServer();
    try {
      const channel = channelOf({ type: 'telegram', api_base: server.origin, token_env: 'TG_TOKEN', chat_id: 12345 }, { TG_TOKEN: '7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' });
      const time = fakeTime();
      const limiter = new RateLimiter({ ratePerMinute: 2, clock: time.clock, sleep: time.sleep });
      const options = { maxAttempts: 3, retryBaseMs: 1000, clock: time.clock, sleep: time.sleep, limiter, random: () => 0 };
      server.script.push({ status: 500, body: JSON.stringify({ ok: false, error_code: 500, description: 'Internal Server Error' }) });
      expect((await deliver(channel, message({ id: 'm1' }), options)).attempts).toBe(2);
      // Two requests went out at 0 s and 0.5 s: the next message waits until the first leaves the window.
      const second = await deliver(channel, message({ id: 'm2' }), options);
      expect(second).toMatchObject({ status: 'delivered', attempts: 1, at: new Date(Date.parse(NOW) + 60_000).toISOString() });
      expect(time.sleeps).toEqual([500, 59_500]);
      expect(server.received).toHaveLength(3);
    } finally {
      await server.close();
    }
  });
});
