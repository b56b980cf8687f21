/** The post schema's `url` rule (src/core/post.ts): http(s) links only, so no source can carry a script link. */
import { describe, expect, it } from 'vitest';
import { formatIssues, postSchema } from '../../src/core/post.ts';

const post = (url: unknown) => ({ id: 'uji-1', platform: 'x', text: 'teks', created_at: '2026-11-20T10:00:00+07:00', url });

describe('post url', () => {
  it.each(['https://www.tiktok.example/@warga/video/1', 'http://portal.example/berita?id=3', 'HTTPS://PORTAL.EXAMPLE/'])('takes %s', (url) => {
    expect(postSchema.safeParse(post(url)).success).toBe(true);
  });

  it('takes no url at all', () => {
    expect(postSchema.parse(post(null)).url).toBeNull();
    expect(postSchema.parse({ ...post(null), url: undefined }).url).toBeNull();
  });

  it.each(['javascript:alert(document.cookie)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'ftp://files.example/a', 'mailto:humas@example.go.id', 'file:///etc/passwd', 'http:portal.example', 'https://', 'tautan'])(
    'refuses %s with a clear reason',
    (url) => {
      const parsed = postSchema.safeParse(post(url));
      expect(parsed.success).toBe(false);
      expect(formatIssues(parsed.error!)).toBe('url: url must be an http(s) URL');
    },
  );
});
