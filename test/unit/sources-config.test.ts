import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssues } from '../../src/core/post.ts';
import { silentLogger } from '../../src/core/log.ts';
import { createSource, sourceDefinitionSchema, sourceListSchema } from '../../src/sources/index.ts';
import { pseudonymisePost } from '../../src/sources/pseudonymising-sink.ts';
import { signBody, verifySignature } from '../../src/sources/http-push/signature.ts';

const example = JSON.parse(readFileSync(new URL('../../pipelines/sources.example.json', import.meta.url), 'utf8')) as { sources: unknown[] };
const rss = { type: 'rss', name: 'antara-politik', url: 'https://www.antaranews.example/rss/politik.xml', schedule: '*/5 * * * *' };

describe('source definitions', () => {
  it('accepts the example file, one source of each type', () => {
    const parsed = sourceListSchema.safeParse(example.sources);
    expect(parsed.success ? 'ok' : formatIssues(parsed.error)).toBe('ok');
    expect(parsed.data!.map((s) => s.type).sort()).toEqual(['csv_file', 'http_push', 'json_api', 'jsonl_file', 'rss', 'rss']);
  });

  it('fills documented defaults', () => {
    expect(sourceDefinitionSchema.parse(rss)).toMatchObject({ platform: 'news', language: 'id', timeoutMs: 15_000, maxSeenIds: 10_000, runOnStart: true, timezone: 'Asia/Jakarta' });
  });

  it.each([
    ['an unknown key', { ...rss, intervalMs: 1000 }],
    ['an unknown type', { ...rss, type: 'telegram' }],
    ['a bad cron expression', { ...rss, schedule: 'every 5 minutes' }],
    ['a source name with capitals', { ...rss, name: 'Antara' }],
    ['a non-http url', { ...rss, url: 'ftp://antaranews.example/feed' }],
    ['a push endpoint without a secret', { type: 'http_push', name: 'push', port: 8090 }],
    ['a push endpoint with two secrets', { type: 'http_push', name: 'push', port: 8090, secret: 'x'.repeat(32), secretEnv: 'PANTAU_PUSH_SECRET' }],
    ['a short push secret', { type: 'http_push', name: 'push', port: 8090, secret: 'rahasia' }],
  ])('refuses %s', (_what, definition) => {
    expect(sourceDefinitionSchema.safeParse(definition).success).toBe(false);
  });

  it('accepts seconds-resolution schedules', () => {
    expect(sourceDefinitionSchema.safeParse({ ...rss, schedule: '*/2 * * * * *' }).success).toBe(true);
  });

  it('refuses two sources with one name', () => {
    const parsed = sourceListSchema.safeParse([rss, { ...rss, url: 'https://lain.example/feed' }]);
    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error!)).toContain('used twice');
  });

  it('makes every kind of source, and says which secret is missing', () => {
    const deps = { stateDir: '/tmp/pantau-unused', logger: silentLogger, env: { PANTAU_PUSH_SECRET: 's'.repeat(40) } };
    for (const definition of sourceListSchema.parse(example.sources)) {
      const source = createSource(definition, deps);
      expect(source.name).toBe(definition.name);
      expect(source.health()).toMatchObject({ name: definition.name, state: 'idle', consecutiveFailures: 0 });
    }
    const push = sourceDefinitionSchema.parse(example.sources.find((s) => (s as { type: string }).type === 'http_push'));
    expect(() => createSource(push, { ...deps, env: {} })).toThrow(/PANTAU_PUSH_SECRET/);
  });
});

describe('push signatures', () => {
  const secret = 'k'.repeat(32);
  const body = Buffer.from('[{"id":"tw-1"}]');

  it('accepts the right signature only', () => {
    expect(verifySignature(body, signBody(body, secret), secret)).toBe(true);
    expect(verifySignature(body, signBody(body, secret).toUpperCase().replace('SHA256', 'sha256'), secret)).toBe(true);
    expect(verifySignature(Buffer.from('[{"id":"tw-2"}]'), signBody(body, secret), secret)).toBe(false);
    expect(verifySignature(body, signBody(body, 'z'.repeat(32)), secret)).toBe(false);
    expect(verifySignature(body, undefined, secret)).toBe(false);
    expect(verifySignature(body, 'sha256=abc', secret)).toBe(false);
    expect(verifySignature(body, signBody(body, secret).replace('sha256=', 'sha1='), secret)).toBe(false);
  });
});

describe('author pseudonyms', () => {
  const post = {
    schema_version: 1 as const,
    id: 'tw-1',
    platform: 'twitter',
    author: '@Saksi_TPS',
    text: 'Rekap aman',
    url: null,
    created_at: '2026-11-20T10:00:00+07:00',
    region: null,
    engagement: {},
    language: 'id',
    raw: { user: { screen_name: '@saksi_tps', name: 'Saksi' }, quoted: ['via @Saksi_TPS'] },
  };

  it('replaces the author, the same way every time, and scrubs the handle from raw', () => {
    const a = pseudonymisePost(post, 'kunci');
    expect(a.author).toMatch(/^anon:[0-9a-f]{20}$/);
    expect(pseudonymisePost(post, 'kunci').author).toBe(a.author);
    expect(pseudonymisePost(post, 'kunci-lain').author).not.toBe(a.author);
    expect(JSON.stringify(a.raw)).not.toMatch(/saksi_tps/i);
    expect(a.raw).toEqual({ user: { screen_name: a.author, name: 'Saksi' }, quoted: [`via ${a.author}`] });
    expect(pseudonymisePost({ ...post, author: null }, 'kunci').author).toBeNull();
  });
});
