/** Many distinct posts made from the hand-written samples, for load tests and benchmarks. */
import { readFileSync } from 'node:fs';
import { SAMPLE_POSTS_FILE } from '../cli/paths.ts';
import type { Post } from '../core/post.ts';

let sampleTexts: string[] | undefined;

/**
 * N distinct posts built from the sample texts; ids `gen-<tag>-<i>`, spread over November 2026.
 * `repost` texts are a sample text plus a numbered hashtag: near-duplicates, as reposts of a few hundred
 * messages. `unique` texts join two sample texts, so nearly every post is a narrative of its own: the
 * worst case for the narrative registry.
 */
export function generatePosts(n: number, tag: string, texts: 'repost' | 'unique' = 'repost'): Post[] {
  sampleTexts ??= readFileSync(SAMPLE_POSTS_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const samples = sampleTexts;
  const k = samples.length;
  const textFor = (i: number) =>
    texts === 'repost' ? `${samples[i % k]} #${i}` : `${samples[i % k]} ${samples[(Math.floor(i / k) * 7 + 3) % k]} #${i}`;
  return Array.from({ length: n }, (_, i) => ({
    schema_version: 1 as const,
    id: `gen-${tag}-${i}`,
    platform: 'twitter',
    author: `@akun_${i % 997}`,
    text: textFor(i),
    url: null,
    created_at: new Date(Date.UTC(2026, 10, 1 + (i % 26), i % 24, i % 60)).toISOString(),
    region: null,
    engagement: { likes: i % 50 },
    language: 'id',
  }));
}
