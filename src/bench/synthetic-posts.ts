/** Many distinct posts made from the hand-written samples, for load tests and benchmarks. */
import { readFileSync } from 'node:fs';
import { SAMPLE_POSTS_FILE } from '../cli/paths.ts';
import type { Post } from '../core/post.ts';
import { matchTokens } from '../transforms/relevance.ts';
import { seededRandom } from '../core/random.ts';
import { bandKeys, featuresOfTokens, hamming, NARRATIVE_MAX_DISTANCE, probeKeys, simhashHex, tokensSimhash, type SimHash } from '../transforms/narrative.ts';

interface Samples {
  texts: string[];
  /** Distinct content words of each text (what the narrative SimHash is made of). */
  featureCounts: number[];
  /** The distinct content words of all samples. */
  vocabulary: string[];
}

let samples: Samples | undefined;

function loadSamples(): Samples {
  const texts = readFileSync(SAMPLE_POSTS_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const features = texts.map((t) => featuresOfTokens(matchTokens(t)));
  return { texts, featureCounts: features.map((f) => f.length), vocabulary: [...new Set(features.flat())] };
}

/** Words added to a `unique` text per content word of its sample, and at least this many. */
const ADDED_WORDS_PER_FEATURE = 2;
const MIN_ADDED_WORDS = 8;


function seedOf(tag: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * N distinct posts built from the sample texts; ids `gen-<tag>-<i>`, spread over November 2026.
 * `repost` texts are a sample text plus a numbered hashtag: near-duplicates, as reposts of a few hundred
 * messages. `unique` texts are a sample text followed by words drawn (by a PRNG seeded with the tag) from
 * the samples' content words, twice as many as the sample has and at least 8: every post a new message in
 * what the narrative SimHash keys on (its distinct content words), the worst case for the narrative
 * registry. Measured over 130,000 posts: no text and no SimHash repeats, and about 0.03 % of the posts fall
 * within the narrative distance of an earlier one (`describeTexts` counts it for a given set). Texts of
 * another tag are other texts. Post i is the same whatever N.
 */
export function generatePosts(n: number, tag: string, texts: 'repost' | 'unique' = 'repost'): Post[] {
  samples ??= loadSamples();
  const { texts: sampleTexts, featureCounts, vocabulary } = samples;
  const k = sampleTexts.length;
  const random = seededRandom(seedOf(tag));
  const uniqueText = (i: number) => {
    const words: string[] = [sampleTexts[i % k]!];
    const added = Math.max(MIN_ADDED_WORDS, ADDED_WORDS_PER_FEATURE * featureCounts[i % k]!);
    for (let w = 0; w < added; w++) words.push(vocabulary[Math.floor(random() * vocabulary.length)]!);
    return words.join(' ');
  };
  const textFor = (i: number) => (texts === 'repost' ? `${sampleTexts[i % k]} #${i}` : uniqueText(i));
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

export interface TextStats {
  posts: number;
  /** Posts whose exact text an earlier post had. */
  repeatedTexts: number;
  /** Posts whose SimHash an earlier post had: what a worker's narrative cache answers without the registry. */
  repeatedSimhashes: number;
  /** Posts with a new SimHash within the narrative distance of an earlier one: they join its narrative. */
  nearDuplicates: number;
  /** Posts with too few content words for a SimHash (no narrative). */
  withoutSimhash: number;
}

/**
 * How much of a stream repeats what the narrative stage keys on, counted in order (add every post a run
 * produces, in produce order): the registry's exact and near-duplicate rules (transforms/narrative.ts), in
 * memory.
 */
export class TextRepeats {
  private readonly texts = new Set<string>();
  private readonly hashes = new Set<string>();
  private readonly bands = new Map<number, SimHash[]>();
  private readonly counts: TextStats = { posts: 0, repeatedTexts: 0, repeatedSimhashes: 0, nearDuplicates: 0, withoutSimhash: 0 };

  add(text: string): void {
    this.counts.posts++;
    if (this.texts.has(text)) this.counts.repeatedTexts++;
    else this.texts.add(text);
    const hash = tokensSimhash(matchTokens(text));
    if (hash === null) {
      this.counts.withoutSimhash++;
      return;
    }
    const hex = simhashHex(hash);
    if (this.hashes.has(hex)) {
      this.counts.repeatedSimhashes++;
      return;
    }
    this.hashes.add(hex);
    if (probeKeys(hash).some((key) => this.bands.get(key)?.some((c) => hamming(hash, c) <= NARRATIVE_MAX_DISTANCE))) {
      this.counts.nearDuplicates++;
      return;
    }
    for (const key of bandKeys(hash)) {
      const list = this.bands.get(key);
      if (list) list.push(hash);
      else this.bands.set(key, [hash]);
    }
  }

  /** The counts so far. */
  stats(): TextStats {
    return { ...this.counts };
  }
}

/** The counts for a set of posts, in order. */
export function describeTexts(posts: Iterable<Pick<Post, 'text'>>): TextStats {
  const repeats = new TextRepeats();
  for (const post of posts) repeats.add(post.text);
  return repeats.stats();
}
