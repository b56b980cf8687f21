/**
 * Hands one run's posts and dead letters to the sink, retrying while the bus is briefly away. A caller
 * advances its memory (seen ids, cursor) only after this resolved: a crash or a stop before then means the
 * items are read again, never skipped.
 */
import type { DeadLetter } from '../bus/dead-letter.ts';
import type { Post } from '../core/post.ts';
import { retrying, type RetryHooks, type RetryPolicy } from './retry.ts';
import type { SourceHealthTracker } from './source-health.ts';
import type { PostSink } from './source.ts';

export async function deliver(
  sink: PostSink,
  batch: { posts: Post[]; letters: DeadLetter[] },
  policy: RetryPolicy,
  hooks: RetryHooks & { health: SourceHealthTracker },
): Promise<void> {
  // Two steps, each retried on its own, so a dead-letter hiccup does not send the posts again.
  if (batch.posts.length > 0) await retrying(() => sink.publish(batch.posts), policy, hooks);
  if (batch.letters.length > 0) await retrying(() => sink.deadLetter(batch.letters), policy, hooks);
  hooks.health.posts('published', batch.posts.length);
  hooks.health.posts('dead_lettered', batch.letters.length);
}
