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
import type { Post } from '../../core/post.ts';
import { decodeDocument } from '../decode-text.ts';
import { deliver } from '../deliver.ts';
import type { SourceDeps } from '../deps.ts';
import { toPostOrDeadLetter } from '../edge-validate.ts';
import { fetchBody } from '../http-fetch.ts';
import { retrying } from '../retry.ts';
import { PolledSource } from '../polled-source.ts';
import type { RssSourceConfig } from './config.ts';
import { absoluteLink, entryKey, entryPostId, entryToCandidate } from './map-entry.ts';
import { parseFeed, type ParsedFeed } from './parse-feed.ts';

const rssStateSchema = z.object({
  seen: z.array(z.string()),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
});
type RssState = z.infer<typeof rssStateSchema>;

export class RssSource extends PolledSource<RssState> {
  private readonly config: RssSourceConfig;

  constructor(config: RssSourceConfig, deps: SourceDeps) {
    super(config, deps, { type: 'rss', noun: 'feed', schema: rssStateSchema, initial: () => ({ seen: [], etag: null, lastModified: null }) });
    this.config = config;
  }

  protected override startFields(): Record<string, unknown> {
    return { url: this.config.url };
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

  protected async poll(signal: AbortSignal): Promise<void> {
    const sink = this.sink!;
    const fetchedAt = new Date(this.clock());
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
