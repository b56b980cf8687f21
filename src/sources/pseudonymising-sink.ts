/**
 * Author pseudonymisation for every source, in one place: a PostSink decorator that replaces each post's
 * author with its keyed pseudonym (src/core/pseudonymise.ts) before the post reaches the bus. createSource
 * puts it around the sink of every source when the deployment configures a key.
 *
 * The author's handle also sits inside `raw` (the source's own payload). Every string in `raw` that
 * contains it (case-insensitive) has it replaced by the same pseudonym, so the handle does not survive
 * there. Limits: a handle written differently in `raw` than in `author`, or mentioned in `text`, is kept;
 * so is `url`, even where the platform puts the handle in it (tiktok.com/@handle/...), because analysts
 * must be able to open the post; dead letters keep their original bytes untouched (that is their purpose).
 */
import type { Post } from '../core/post.ts';
import { pseudonymiseAuthor } from '../core/pseudonymise.ts';
import type { PostSink } from './source.ts';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function scrub(value: unknown, pattern: RegExp, pseudonym: string, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(pattern, pseudonym);
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, pattern, pseudonym, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, pattern, pseudonym, depth + 1)]));
}

/**
 * The post with its author pseudonymised under `key`. A post whose author already is a pseudonym (`anon:…`)
 * passes unchanged, so applying it twice (a source, then the classify stage's safety net) changes nothing.
 */
export function pseudonymisePost(post: Post, key: string): Post {
  if (post.author === null || post.author.trim() === '' || post.author.startsWith('anon:')) return post;
  const pseudonym = pseudonymiseAuthor(post.author, key);
  const pattern = new RegExp(escapeRegExp(post.author.trim()), 'gi');
  return { ...post, author: pseudonym, ...(post.raw === undefined ? {} : { raw: scrub(post.raw, pattern, pseudonym ?? '') }) };
}

/**
 * `sink` itself when there is no key; otherwise a sink that pseudonymises authors on the way through. Every
 * path that publishes posts uses it (the sources via createSource, `pantau ingest`, the demo's ingest);
 * the classify stage applies pseudonymisePost again for posts a foreign producer put on posts.raw.
 */
export function withPseudonymisedAuthors(sink: PostSink, key: string | undefined): PostSink {
  if (!key) return sink;
  return {
    publish: (posts) => sink.publish(posts.map((p) => pseudonymisePost(p, key))),
    deadLetter: (letters) => sink.deadLetter(letters),
    saturated: () => sink.saturated(),
  };
}
