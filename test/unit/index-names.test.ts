import { describe, expect, it } from 'vitest';
import { postsIndexFor } from '../../src/store/index-names.ts';

describe('postsIndexFor', () => {
  it('uses the UTC month of the creation time', () => {
    expect(postsIndexFor('pantau', '2026-11-03T07:15:22+07:00')).toBe('pantau-posts-2026.11');
    // 1 Dec 05:00 in Jakarta is still 30 Nov in UTC: one post, one index, whatever the offset.
    expect(postsIndexFor('pantau', '2026-12-01T05:00:00+07:00')).toBe('pantau-posts-2026.11');
    expect(postsIndexFor('x', '2027-01-01T00:00:00Z')).toBe('x-posts-2027.01');
  });
});
