/** Which key pseudonymises authors: environment, generated file, explicitly off, the demo. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.ts';
import { clearRegisteredSecrets, redact } from '../../src/core/redact.ts';
import { AUTHOR_KEY_FILE, applyAuthorKey, describeAuthorKey, resolveAuthorKey } from '../../src/privacy/author-key.ts';

const stateDir = () => mkdtempSync(join(tmpdir(), 'pantau-key-'));

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({}, { level: 'debug', write: (l: string) => lines.push(l) }) };
}

describe('author key resolution', () => {
  it('generates a key once into <state dir>/author-key with mode 0600, and reuses it', () => {
    const dir = stateDir();
    const first = resolveAuthorKey({ env: {}, stateDir: join(dir, 'nested'), mode: 'run' });
    expect(first.source).toBe('file');
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^[0-9a-f]{64}$/);
    const file = join(dir, 'nested', AUTHOR_KEY_FILE);
    expect(first.file).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = resolveAuthorKey({ env: {}, stateDir: join(dir, 'nested'), mode: 'run' });
    expect(second).toMatchObject({ source: 'file', created: false, key: first.key });
    // Another machine (another state dir) would get another key: hence PANTAU_AUTHOR_KEY for several machines.
    expect(resolveAuthorKey({ env: {}, stateDir: stateDir(), mode: 'run' }).key).not.toBe(first.key);
  });

  it('uses PANTAU_AUTHOR_KEY when set, and creates no file', () => {
    const dir = stateDir();
    const r = resolveAuthorKey({ env: { PANTAU_AUTHOR_KEY: 'kunci-rahasia-bersama-0123' }, stateDir: dir, mode: 'run' });
    expect(r).toEqual({ key: 'kunci-rahasia-bersama-0123', source: 'env' });
    expect(() => statSync(join(dir, AUTHOR_KEY_FILE))).toThrow();
  });

  it('is off with PANTAU_AUTHOR_PSEUDONYMS=off, with a warning, and refuses off together with a key', () => {
    const { lines, logger } = capturingLogger();
    expect(resolveAuthorKey({ env: { PANTAU_AUTHOR_PSEUDONYMS: 'off' }, stateDir: stateDir(), mode: 'run', logger })).toEqual({ key: undefined, source: 'off' });
    expect(lines.join('\n')).toMatch(/"level":"warn".*pseudonymisation is off/);
    expect(() => resolveAuthorKey({ env: { PANTAU_AUTHOR_PSEUDONYMS: 'off', PANTAU_AUTHOR_KEY: 'kunci-rahasia-bersama-0123' }, stateDir: stateDir(), mode: 'run' })).toThrow(/both set/);
    expect(() => resolveAuthorKey({ env: { PANTAU_AUTHOR_PSEUDONYMS: 'maybe' }, stateDir: stateDir(), mode: 'run' })).toThrow(/on or off/);
  });

  it('keeps handles in the demo unless a key is set explicitly', () => {
    const dir = stateDir();
    expect(resolveAuthorKey({ env: {}, stateDir: dir, mode: 'demo' })).toEqual({ key: undefined, source: 'demo' });
    expect(() => statSync(join(dir, AUTHOR_KEY_FILE))).toThrow();
    expect(resolveAuthorKey({ env: { PANTAU_AUTHOR_KEY: 'kunci-rahasia-bersama-0123' }, stateDir: dir, mode: 'demo' }).source).toBe('env');
  });

  it('refuses a missing file when asked not to create one (export, retention), and an unusable file', () => {
    const dir = stateDir();
    expect(() => resolveAuthorKey({ env: {}, stateDir: dir, mode: 'run', create: false })).toThrow(/no author key here.*PANTAU_AUTHOR_KEY/);
    writeFileSync(join(dir, AUTHOR_KEY_FILE), 'short\n', { mode: 0o600 });
    expect(() => resolveAuthorKey({ env: {}, stateDir: dir, mode: 'run' })).toThrow(/no usable key/);
  });

  it('tightens a key file others can read', () => {
    const dir = stateDir();
    writeFileSync(join(dir, AUTHOR_KEY_FILE), 'a'.repeat(64) + '\n', { mode: 0o644 });
    const { lines, logger } = capturingLogger();
    expect(resolveAuthorKey({ env: {}, stateDir: dir, mode: 'run', logger }).key).toBe('a'.repeat(64));
    expect(statSync(join(dir, AUTHOR_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(lines.join('\n')).toContain('mode is now 0600');
  });

  it('never shows the key: the description names its origin only, and the key is redacted from logs', () => {
    clearRegisteredSecrets();
    const dir = stateDir();
    const config = { authorKey: undefined as string | undefined, authorPseudonyms: 'on' as const, stateDir: dir };
    const r = applyAuthorKey(config, { mode: 'run', defaultStateDir: '/nonexistent' });
    const key = readFileSync(join(dir, AUTHOR_KEY_FILE), 'utf8').trim();
    expect(config.authorKey).toBe(key);
    expect(describeAuthorKey(r)).toContain(join(dir, AUTHOR_KEY_FILE));
    expect(describeAuthorKey(r)).not.toContain(key);
    expect(redact(`key=${key}`)).toBe('key=***');
    clearRegisteredSecrets();
  });
});

describe('pseudonymising a post twice', () => {
  it('changes nothing the second time (a source, then the classify stage)', async () => {
    const { pseudonymisePost } = await import('../../src/sources/pseudonymising-sink.ts');
    const post = { schema_version: 1 as const, id: 'x-1', platform: 'twitter', author: '@Budi', text: 'halo', url: null, created_at: '2026-01-01T00:00:00Z', region: null, engagement: {}, language: null, raw: { user: '@budi' } };
    const once = pseudonymisePost(post, 'kunci-uji-0123456789');
    expect(once.author).toMatch(/^anon:/);
    expect(once.raw).toEqual({ user: once.author });
    expect(pseudonymisePost(once, 'kunci-uji-0123456789')).toBe(once);
  });
});

describe('the environment', () => {
  it('reads PANTAU_AUTHOR_PSEUDONYMS (default on) and PANTAU_STATE_DIR, and names a bad value', async () => {
    const { loadConfig } = await import('../../src/config/config.ts');
    expect(loadConfig({})).toMatchObject({ authorPseudonyms: 'on', stateDir: undefined, authorKey: undefined });
    expect(loadConfig({ PANTAU_AUTHOR_PSEUDONYMS: 'off', PANTAU_STATE_DIR: '/var/lib/pantau' })).toMatchObject({ authorPseudonyms: 'off', stateDir: '/var/lib/pantau' });
    expect(() => loadConfig({ PANTAU_AUTHOR_PSEUDONYMS: 'nein' })).toThrow(/PANTAU_AUTHOR_PSEUDONYMS: on or off/);
  });
});
