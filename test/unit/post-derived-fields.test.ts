import { describe, expect, it } from 'vitest';
import { derivedPostFields, provinceOf, sourceOf } from '../../src/store/post-derived-fields.ts';

describe('fields derived from a post for search and the dashboard', () => {
  it('takes the province from a 2- or 4-digit BPS code and nothing from anything else', () => {
    expect(provinceOf('35')).toBe('35');
    expect(provinceOf('3578')).toBe('35');
    expect(provinceOf('357')).toBeNull();
    expect(provinceOf('Jawa Timur')).toBeNull();
    expect(provinceOf(null)).toBeNull();
    expect(provinceOf(undefined)).toBeNull();
  });

  it('takes the source from the id before its first dash', () => {
    expect(sourceOf('tw-2116791337669299002')).toBe('tw');
    expect(sourceOf('rss-kompas-123')).toBe('rss');
    expect(sourceOf('tanpa_sumber')).toBe('tanpa_sumber');
    expect(derivedPostFields({ id: 'ig-1', text: 'Pencoblosan', region: '7371' })).toMatchObject({ province: '73', source: 'ig' });
  });
});
