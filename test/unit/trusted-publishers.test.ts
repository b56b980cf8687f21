/**
 * The trusted-publishers file: validation that names what is wrong, and matching by account, site and
 * pseudonymised author.
 */
import { describe, expect, it } from 'vitest';
import { loadTrustedPublishers, parseTrustedPublishers } from '../../src/config/trusted-publishers.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { pseudonymiseAuthor } from '../../src/core/pseudonymise.ts';
import { createTrustedPublisherMatcher } from '../../src/transforms/trusted-publisher.ts';
import { resolve } from 'node:path';

const config = parseTrustedPublishers({
  version: 1,
  publishers: [
    { name: 'KPU RI', accounts: [{ platform: 'twitter', handle: '@KPU_ID' }], domains: ['kpu.go.id'] },
    { name: 'Humas Kota Contoh', accounts: [{ platform: 'facebook', handle: 'humas.kotacontoh' }] },
  ],
});
const p = (platform: string, author: string | null, url: string | null = null) => ({ platform, author, url });

describe('trusted publishers', () => {
  it('the shipped file is valid', () => {
    expect(loadTrustedPublishers(resolve(PROJECT_ROOT, 'pipelines/trusted-publishers.json')).publishers.length).toBeGreaterThan(0);
  });

  it('refuses a bad handle, a publisher with nothing to match, a handle listed twice and unknown keys, naming each', () => {
    const bad = () =>
      parseTrustedPublishers({
        version: 1,
        publishers: [
          { name: 'A', accounts: [{ platform: 'twitter', handle: 'kpu id' }] },
          { name: 'B' },
          { name: 'C', accounts: [{ platform: 'twitter', handle: '@X' }] },
          { name: 'D', accounts: [{ platform: 'Twitter', handle: 'x' }], trusted: true },
        ],
      });
    expect(bad).toThrow(/publishers\.0\.accounts\.0\.handle/);
    expect(bad).toThrow(/at least one account or domain/);
    expect(bad).toThrow(/trusted/);
  });

  it('matches a listed account on its platform, with or without "@" and in any case', () => {
    const of = createTrustedPublisherMatcher(config);
    expect(of(p('twitter', '@kpu_id'))).toBe('KPU RI');
    expect(of(p('twitter', 'KPU_ID'))).toBe('KPU RI');
    expect(of(p('instagram', '@kpu_id'))).toBeNull();
    expect(of(p('facebook', 'humas.kotacontoh'))).toBe('Humas Kota Contoh');
    expect(of(p('twitter', '@kpu_id_asli'))).toBeNull();
  });

  it('matches a listed site and its subdomains, not a look-alike domain', () => {
    const of = createTrustedPublisherMatcher(config);
    expect(of(p('news', null, 'https://kpu.go.id/berita/1'))).toBe('KPU RI');
    expect(of(p('news', null, 'https://jatim.kpu.go.id/berita/1'))).toBe('KPU RI');
    expect(of(p('news', null, 'https://fakekpu.go.id/berita/1'))).toBeNull();
    expect(of(p('news', null, 'https://kpu.go.id.evil.example/x'))).toBeNull();
  });

  it('matches pseudonymised authors when the same key is configured', () => {
    const key = 'rahasia-uji';
    const of = createTrustedPublisherMatcher(config, key);
    expect(of(p('twitter', pseudonymiseAuthor('@KPU_ID', key)))).toBe('KPU RI');
    expect(of(p('twitter', pseudonymiseAuthor('kpu_id', key)))).toBe('KPU RI');
    expect(of(p('twitter', pseudonymiseAuthor('@someone', key)))).toBeNull();
  });
});
