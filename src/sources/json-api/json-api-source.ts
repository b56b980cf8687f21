/**
 * Generic JSON API poller: on each cron tick, reads pages of a platform's API from where it left off and
 * publishes the new items, mapped to posts by the source's field mapping.
 *
 * Where it left off survives restarts (state file): the next-page `cursor` of a run in progress, the
 * `since_id` (newest id published) between runs, and a bounded set of published ids. The cursor moves only
 * after the sink resolved the page it came with, so a crash or stop re-reads a page, never skips one.
 *
 *   run: page = GET url(cursor, since_id) → map → publish + dead-letter → remember ids
 *        next cursor on the page?  → save cursor = next, read it (up to maxPagesPerRun per run)
 *        no next cursor (caught up) → with {since_id}: save since_id = newest seen, cursor = none;
 *                                    without: keep the last cursor, so the next run asks from there
 *
 * Timeouts, 429 (Retry-After honoured) and 5xx are retried with backoff within a run; a longer Retry-After
 * pauses the source's polls until it has passed.
 */
import { z } from 'zod';
import type { DeadLetter } from '../../bus/dead-letter.ts';
import { PantauError } from '../../core/errors.ts';
import { registerSecret } from '../../core/redact.ts';
import type { Post } from '../../core/post.ts';
import { deliver } from '../deliver.ts';
import type { SourceDeps } from '../deps.ts';
import { fetchBody } from '../http-fetch.ts';
import { retrying } from '../retry.ts';
import { PolledSource } from '../polled-source.ts';
import type { JsonApiSourceConfig } from './config.ts';
import { newerId, readPage, renderUrl } from './read-page.ts';

const jsonApiStateSchema = z.object({
  /** Cursor of the next page to read; null: start a new query (with since_id). */
  cursor: z.string().nullable(),
  /** Newest id published by a finished run. */
  sinceId: z.string().nullable(),
  /** Newest id seen by the run in progress; becomes sinceId when that run is caught up. */
  pendingSinceId: z.string().nullable(),
  seen: z.array(z.string()),
});
export type JsonApiState = z.infer<typeof jsonApiStateSchema>;

export function resolveHeaders(config: JsonApiSourceConfig, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': config.userAgent, ...config.headers };
  for (const [header, variable] of Object.entries(config.headersFromEnv)) {
    const value = env[variable];
    if (!value) {
      throw new PantauError(`source ${config.name}: environment variable ${variable} (for header ${header}) is not set`, {
        stage: 'config',
        code: 'source_env_missing',
        retriable: false,
      });
    }
    headers[header] = value;
    registerSecret(value); // a token: never in a log line or a health answer
  }
  return headers;
}

export class JsonApiSource extends PolledSource<JsonApiState> {
  private readonly config: JsonApiSourceConfig;
  private readonly headers: Record<string, string>;
  private readonly usesSinceId: boolean;

  constructor(config: JsonApiSourceConfig, deps: SourceDeps, env: NodeJS.ProcessEnv = process.env) {
    super(config, deps, {
      type: 'json_api',
      noun: 'API',
      schema: jsonApiStateSchema,
      initial: () => ({ cursor: null, sinceId: null, pendingSinceId: null, seen: [] }),
    });
    this.config = config;
    this.headers = resolveHeaders(config, env);
    this.usesSinceId = config.url.includes('{since_id}');
  }

  /** Where the source stands (for operators and tests). */
  position(): Readonly<Omit<JsonApiState, 'seen'>> {
    const { cursor, sinceId, pendingSinceId } = this.state;
    return { cursor, sinceId, pendingSinceId };
  }

  protected override startFields(): Record<string, unknown> {
    return { cursor: this.state.cursor, sinceId: this.state.sinceId };
  }

  private fetchPage(url: string, signal: AbortSignal): Promise<unknown> {
    return retrying(
      async () => {
        const response = await fetchBody(url, { timeoutMs: this.config.timeoutMs, maxBytes: this.config.maxBytes, headers: this.headers, signal });
        try {
          return JSON.parse(response.body.toString('utf8')) as unknown;
        } catch (cause) {
          // Retried: a cut-off or proxy-mangled answer is often fine on the next attempt.
          throw new PantauError(`${url} did not answer JSON: ${(cause as Error).message}`, { stage: 'receiving', code: 'bad_json', retriable: true, cause });
        }
      },
      this.policy,
      this.hooks(signal),
    );
  }

  private async save(next: Omit<JsonApiState, 'seen'>): Promise<void> {
    this.state = { ...next, seen: this.seen.toArray() };
    await this.store.save(this.state);
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const sink = this.sink!;
    let cursor = this.state.cursor;
    let pending = this.state.pendingSinceId;
    const totals = { pages: 0, published: 0, deadLettered: 0, duplicates: 0 };
    for (let page = 1; page <= this.config.maxPagesPerRun; page++) {
      const url = renderUrl(this.config.url, { cursor, sinceId: this.state.sinceId });
      const read = readPage(await this.fetchPage(url, signal), this.config, url);
      const posts: Post[] = [];
      const letters: DeadLetter[] = [];
      const fresh: string[] = [];
      let duplicates = 0;
      for (const item of read.items) {
        if (this.seen.has(item.seenKey) || fresh.includes(item.seenKey)) {
          duplicates++;
          continue;
        }
        fresh.push(item.seenKey);
        if (item.result.ok) posts.push(item.result.post);
        else letters.push(item.result.letter);
      }
      await deliver(sink, { posts, letters }, this.policy, this.hooks(signal));
      // The page is on the bus: only now may the source's position move past it.
      this.health_.posts('duplicate', duplicates);
      for (const id of fresh) this.seen.add(id);
      pending = newerId(pending, read.newestId);
      totals.pages++;
      totals.published += posts.length;
      totals.deadLettered += letters.length;
      totals.duplicates += duplicates;

      const next = read.nextCursor;
      if (next !== null && next !== cursor) {
        cursor = next;
        await this.save({ cursor, sinceId: this.state.sinceId, pendingSinceId: pending });
        if (page === this.config.maxPagesPerRun) this.logger.info('page limit of this run reached; the next run goes on from the saved cursor', { pages: page });
        continue;
      }
      // Caught up.
      if (this.usesSinceId) await this.save({ cursor: null, sinceId: newerId(this.state.sinceId, pending), pendingSinceId: null });
      else await this.save({ cursor, sinceId: this.state.sinceId, pendingSinceId: null });
      break;
    }
    const fields = { ...totals, cursor: this.state.cursor, sinceId: this.state.sinceId };
    if (totals.published + totals.deadLettered > 0) this.logger.info('API polled', fields);
    else this.logger.debug('API polled, nothing new', fields);
  }
}
