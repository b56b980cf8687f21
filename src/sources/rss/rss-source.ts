/**
 * RSS 2.0 / Atom feed source: polls one feed on a cron schedule and publishes the items it has not seen
 * before. What it has seen (a bounded set of post ids) and the feed's validators (ETag, Last-Modified, for
 * a cheap 304 when nothing changed) survive restarts in the source's state file.
 *
 * Per poll: fetch (retried with backoff on timeouts, 429, 5xx and bad XML) → map new items → publish valid
 * posts and dead-letter the rest (`schema_mismatch` with the item as parsed, in JSON) → only then remember
 * the items as seen and save the state. A crash between publishing and saving publishes those items again
 * on the next poll; the post id makes that harmless downstream.
 */
import { z } from 'zod';
import type { DeadLetter } from '../../bus/dead-letter.ts';
import type { Logger } from '../../core/log.ts';
import type { Post } from '../../core/post.ts';
import { decodeDocument } from '../decode-text.ts';
import { deliver } from '../deliver.ts';
import type { SourceDeps } from '../deps.ts';
import { toPostOrDeadLetter } from '../edge-validate.ts';
import { fetchBody } from '../http-fetch.ts';
import { retrying, type RetryHooks, type RetryPolicy } from '../retry.ts';
import { ScheduledPoller } from '../scheduled-poller.ts';
import { SeenSet } from '../seen-set.ts';
import { errorCode, SourceHealthTracker } from '../source-health.ts';
import type { PostSink, Source, SourceHealth } from '../source.ts';
import { openStateStore, type StateStore } from '../state-store.ts';
import type { RssSourceConfig } from './config.ts';
import { absoluteLink, entryKey, entryPostId, entryToCandidate } from './map-entry.ts';
import { parseFeed, type ParsedFeed } from './parse-feed.ts';

const rssStateSchema = z.object({
  seen: z.array(z.string()),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
});
type RssState = z.infer<typeof rssStateSchema>;

export class RssSource implements Source {
  readonly name: string;
  private readonly config: RssSourceConfig;
  private readonly logger: Logger;
  private readonly health_: SourceHealthTracker;
  private readonly store: StateStore<RssState>;
  private readonly policy: RetryPolicy;
  private state: RssState = { seen: [], etag: null, lastModified: null };
  private seen = new SeenSet(1);
  private sink: PostSink | null = null;
  private poller: ScheduledPoller | null = null;

  constructor(config: RssSourceConfig, deps: SourceDeps) {
    this.name = config.name;
    this.config = config;
    this.logger = deps.logger.child({ source: config.name, source_type: 'rss' });
    this.health_ = new SourceHealthTracker(config.name);
    this.store = openStateStore({
      dir: deps.stateDir,
      key: `rss-${config.name}`,
      schema: rssStateSchema,
      initial: () => ({ seen: [], etag: null, lastModified: null }),
      logger: this.logger,
    });
    this.policy = { maxAttempts: config.maxAttempts, baseMs: config.retryBaseMs, maxMs: config.retryMaxMs };
  }

  async start(sink: PostSink): Promise<void> {
    if (this.sink) throw new Error(`source ${this.name} is already started`);
    this.state = await this.store.load();
    this.seen = new SeenSet(this.config.maxSeenIds, this.state.seen);
    this.sink = sink;
    this.poller = new ScheduledPoller({
      name: this.name,
      schedule: this.config.schedule,
      timezone: this.config.timezone,
      logger: this.logger,
      health: this.health_,
      poll: (signal) => this.poll(signal),
    });
    this.poller.start();
    if (this.config.runOnStart) void this.poller.runNow();
    this.logger.info('feed source started', { url: this.config.url, schedule: this.config.schedule, remembered: this.seen.size });
  }

  /** Polls now (or joins the poll in flight) and resolves when it has finished; never rejects. */
  pollNow(): Promise<void> {
    return this.poller ? this.poller.runNow() : Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.poller?.stop();
  }

  health(): SourceHealth {
    return this.health_.snapshot();
  }

  private hooks(signal: AbortSignal): RetryHooks & { health: SourceHealthTracker } {
    return {
      signal,
      health: this.health_,
      onRetry: (error, attempt, delayMs) => {
        this.health_.attemptFailed(error);
        this.logger.warn('feed attempt failed; retrying', { attempt, delayMs, error_type: errorCode(error), error: (error as Error).message });
      },
    };
  }

  private async fetchFeed(signal: AbortSignal): Promise<{ feed: ParsedFeed; etag: string | null; lastModified: string | null } | null> {
    const headers: Record<string, string> = {
      'user-agent': this.config.userAgent,
      accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
    };
    if (this.state.etag) headers['if-none-match'] = this.state.etag;
    if (this.state.lastModified) headers['if-modified-since'] = this.state.lastModified;
    return retrying(
      async () => {
        const response = await fetchBody(this.config.url, { timeoutMs: this.config.timeoutMs, maxBytes: this.config.maxBytes, headers, signal });
        if (response.status === 304) return null;
        // Parsing is inside the retried step: a truncated or garbled download is worth fetching again.
        const feed = parseFeed(decodeDocument(response.body, response.headers.get('content-type')));
        return { feed, etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
      },
      this.policy,
      this.hooks(signal),
    );
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const sink = this.sink!;
    const fetchedAt = new Date();
    const fetched = await this.fetchFeed(signal);
    if (fetched === null) {
      this.logger.debug('feed not modified since the last poll');
      return;
    }
    const posts: Post[] = [];
    const letters: DeadLetter[] = [];
    const fresh: string[] = [];
    let duplicates = 0;
    const ctx = {
      sourceName: this.name,
      baseUrl: absoluteLink(fetched.feed.link, this.config.url) ?? this.config.url,
      platform: this.config.platform,
      language: this.config.language,
      region: this.config.region,
      fetchedAt,
    };
    for (const entry of fetched.feed.entries) {
      const id = entryPostId(this.name, entry);
      if (this.seen.has(id) || fresh.includes(id)) {
        duplicates++;
        this.seen.add(id); // still listed: keep it among the remembered
        continue;
      }
      fresh.push(id);
      const result = toPostOrDeadLetter(entryToCandidate(entry, ctx), {
        source: `rss:${this.name}`,
        label: `item ${entryKey(entry).slice(0, 300)}`,
        bytes: Buffer.from(JSON.stringify(entry.raw)),
        key: id,
      });
      if (result.ok) posts.push(result.post);
      else letters.push(result.letter);
    }
    await deliver(sink, { posts, letters }, this.policy, this.hooks(signal));
    this.health_.posts('duplicate', duplicates);
    for (const id of fresh) this.seen.add(id);
    this.state = { seen: this.seen.toArray(), etag: fetched.etag, lastModified: fetched.lastModified };
    await this.store.save(this.state);
    const fields = { format: fetched.feed.format, items: fetched.feed.entries.length, published: posts.length, deadLettered: letters.length, duplicates };
    if (posts.length + letters.length > 0) this.logger.info('feed polled', fields);
    else this.logger.debug('feed polled, nothing new', fields);
  }
}
