/**
 * One redaction helper for everything pantau logs, stores or answers (core/redact.ts), tested with each
 * kind of secret that used to leak: webhook URLs (the token is the path), source URLs with credentials or
 * tokens, an Elasticsearch URL with user:password, and configured secrets wherever a library repeats them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { describeError, PantauError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/log.ts';
import { clearRegisteredSecrets, displayUrl, redact, redactValue, registerSecret } from '../../src/core/redact.ts';
import { splitCredentials } from '../../src/core/url-credentials.ts';

afterEach(() => clearRegisteredSecrets());

describe('redact', () => {
  it.each([
    ['user:password in any URL', 'cannot reach http://elastic:s3cr3t-pw@es.internal:9200/_bulk', 'http://***@es.internal:9200/_bulk', 's3cr3t-pw'],
    ['a token-only userinfo', 'GET https://ghp_abcdef123456@api.example/feed', 'https://***@api.example/feed', 'ghp_abcdef123456'],
    ['secret query parameters', 'https://feeds.example/rss?access_token=AbC123xyz&lang=id', 'access_token=***&lang=id', 'AbC123xyz'],
    ['api keys in query parameters', 'https://api.example/posts?apiKey=K3Y-VALUE&since=5', 'apiKey=***&since=5', 'K3Y-VALUE'],
    ['Slack hook paths', 'webhook https://hooks.slack.com/services/T0123/B0456/XyZsecretTOKEN answered 500', 'https://hooks.slack.com/***', 'XyZsecretTOKEN'],
    ['Discord hook paths', 'POST https://discord.com/api/webhooks/123456/tokenVALUE-xyz failed', 'https://discord.com/api/webhooks/***', 'tokenVALUE-xyz'],
    ['Authorization values in text', 'upstream said: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'Bearer ***', 'eyJhbGciOiJIUzI1NiJ9'],
  ])('removes %s', (_what, text, kept, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(kept);
    expect(redact(out)).toBe(out); // idempotent
  });

  it('leaves ordinary text and URLs alone', () => {
    const text = 'Hoaks: https://turnbackhoax.id/2024/01/02/salah-kpu?page=2 — kata kunci: token listrik, password wifi';
    expect(redact(text)).toBe(text);
  });

  it('removes a registered secret wherever it appears, also JSON-escaped and as a URL variant', () => {
    registerSecret('p@ss"word\\with-quote');
    registerSecret('https://hooks.example.org/pantau/8f9e7d6c5b4a');
    expect(redact('login failed for p@ss"word\\with-quote')).toBe('login failed for ***');
    expect(redact(JSON.stringify({ msg: 'x', detail: 'p@ss"word\\with-quote' }))).not.toContain('word');
    expect(redact('POST https://hooks.example.org/pantau/8f9e7d6c5b4a failed')).toBe('POST https://hooks.example.org/*** failed');
    expect(redact('POST https://hooks.example.org/pantau/8f9e7d6c5b4a/ failed')).not.toContain('8f9e7d6c5b4a');
  });

  it('ignores values too short to be secrets (redacting them would mangle text)', () => {
    registerSecret('abc');
    expect(redact('abc def')).toBe('abc def');
  });

  it('redacts every string of a stored document', () => {
    expect(redactValue({ last_error: 'https://u:pw123456@h/x', nested: ['https://hooks.slack.com/services/A/B/C'], n: 3 })).toEqual({
      last_error: 'https://***@h/x',
      nested: ['https://hooks.slack.com/***'],
      n: 3,
    });
  });

  it('shows a webhook URL by its origin only', () => {
    expect(displayUrl('https://hooks.example.org/t/0123456789abcdef?x=1', { pathIsSecret: true })).toBe('https://hooks.example.org/***');
    expect(displayUrl('https://user:pw@feeds.example/rss?token=abc')).toBe('https://***@feeds.example/rss?token=***');
  });
});

describe('where text leaves the process', () => {
  it('describeError redacts the whole cause chain (CLI output, /healthz, the alerts ledger)', () => {
    const cause = new Error('connect ECONNREFUSED for http://elastic:hunter2secret@10.0.0.5:9200');
    const error = new PantauError('Elasticsearch is not healthy', { stage: 'services', code: 'elasticsearch_unhealthy', retriable: true, cause });
    const described = describeError(error);
    expect(described).not.toContain('hunter2secret');
    expect(described).toContain('10.0.0.5:9200');
  });

  it('the logger redacts the message and every field, nested or not', () => {
    const lines: string[] = [];
    for (const json of [true, false]) {
      const logger = createLogger({ app: 'test' }, { write: (l) => lines.push(l), json });
      logger.error('webhook https://hooks.slack.com/services/T1/B2/tok3nVALUE failed', { url: 'https://a:b4dpassw0rd@x.example', nested: { q: 'https://x.example/?token=zzz999zzz' } });
    }
    for (const line of lines) {
      expect(line).not.toMatch(/tok3nVALUE|b4dpassw0rd|zzz999zzz/);
    }
  });

  it('loadConfig registers the configured secrets', () => {
    loadConfig({
      ELASTICSEARCH_URL: 'https://elastic:from-url-pw99@es.example:9200',
      KAFKA_BROKERS: 'k:9092',
      ELASTICSEARCH_API_KEY: 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==',
      PANTAU_WEBHOOK_URL: 'https://chat.example.go.id/hooks/abcdef0123456789',
      PANTAU_AUTHOR_KEY: 'author-key-0123456789',
    });
    const text = 'key VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw== pw from-url-pw99 hook https://chat.example.go.id/hooks/abcdef0123456789 author-key-0123456789';
    const out = redact(text);
    for (const secret of ['VnVhQ2ZHY0JD', 'from-url-pw99', 'abcdef0123456789', 'author-key-0123456789']) expect(out).not.toContain(secret);
    expect(out).toContain('https://chat.example.go.id/***');
  });
});

describe('credentials in a URL', () => {
  it('travel as a Basic Authorization header (fetch refuses them in the URL)', () => {
    expect(splitCredentials('https://user:p%40ss@feeds.example/rss')).toEqual({ url: 'https://feeds.example/rss', authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}` });
    expect(splitCredentials('https://feeds.example/rss')).toEqual({ url: 'https://feeds.example/rss' });
  });
});
