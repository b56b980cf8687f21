/**
 * The contract between ingest sources and the bus. A source turns what it reads (a feed, a pushed batch,
 * an API page, a file) into posts and hands them to a PostSink; the sink decides where they go (Kafka in
 * production). A source never writes to Kafka itself.
 */
import type { DeadLetter } from '../bus/dead-letter.ts';
import type { Post } from '../core/post.ts';

export interface PostSink {
  /**
   * Resolves once every post is durably on the bus (broker acknowledged). Throws a retriable PantauError
   * when the bus is unreachable; the source keeps its cursor where it was and tries again later.
   */
  publish(posts: Post[]): Promise<void>;
  /** Resolves once the dead letters are durably on the dead-letter topic. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** True while the bus cannot take more right now (too many sends in flight): push endpoints answer 429. */
  saturated(): boolean;
}

export interface SourceHealth {
  name: string;
  /** ok: last attempt succeeded; failing: the last attempts failed (retrying with backoff); idle: not started. */
  state: 'ok' | 'failing' | 'idle';
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
}

export interface Source {
  readonly name: string;
  /** Starts polling / listening. Resolves once started; failures later are retried and reported by health(). */
  start(sink: PostSink): Promise<void>;
  /** Stops taking new work and waits for work in flight to reach the sink. */
  stop(): Promise<void>;
  health(): SourceHealth;
}
