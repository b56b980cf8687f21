/**
 * Which trusted publisher wrote a post, if any: its author is a listed account on the same platform, or its
 * URL is on a listed site (or a subdomain). With pseudonymised authors (PANTAU_AUTHOR_KEY) the listed handles
 * are pseudonymised with the same key, so the match still works and no handle is kept in clear.
 */
import type { TrustedPublishers } from '../config/trusted-publishers.ts';
import { pseudonymiseAuthor } from '../core/pseudonymise.ts';

export type TrustedPublisherOf = (post: { platform: string; author: string | null; url: string | null }) => string | null;

export function createTrustedPublisherMatcher(config: TrustedPublishers, authorKey?: string): TrustedPublisherOf {
  const accounts = new Map<string, string>();
  const domains = new Map<string, string>();
  for (const p of config.publishers) {
    for (const a of p.accounts) {
      const plain = a.handle.replace(/^@/, '').toLowerCase();
      // Sources write handles with or without "@"; pseudonyms are keyed on the handle as the source wrote it.
      for (const form of [plain, `@${plain}`]) accounts.set(`${a.platform.toLowerCase()}:${authorKey ? pseudonymiseAuthor(form, authorKey)! : form}`, p.name);
    }
    for (const d of p.domains) domains.set(d, p.name);
  }
  return (post) => {
    if (post.author !== null) {
      const author = authorKey && post.author.startsWith('anon:') ? post.author : post.author.trim().toLowerCase();
      const hit = accounts.get(`${post.platform.toLowerCase()}:${author}`);
      if (hit !== undefined) return hit;
    }
    if (post.url !== null) {
      let host: string;
      try {
        host = new URL(post.url).hostname.toLowerCase();
      } catch {
        return null;
      }
      // kpu.go.id matches kpu.go.id and jatim.kpu.go.id, not fakekpu.go.id.
      for (let at = host; at.length > 0; ) {
        const hit = domains.get(at);
        if (hit !== undefined) return hit;
        const dot = at.indexOf('.');
        if (dot < 0) break;
        at = at.slice(dot + 1);
      }
    }
    return null;
  };
}
