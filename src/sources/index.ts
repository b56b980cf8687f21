/**
 * The ingest sources, for whoever wires a pipeline: one schema for a `sources: [...]` entry of the pipeline
 * file (a union on `type`), and one factory that makes the Source it describes.
 *
 *   rss         RSS 2.0 / Atom feed, polled on a cron schedule        (rss/)
 *   http_push   signed POST endpoint for tools and webhooks          (http-push/)
 *   json_api    a platform's JSON API, polled with cursor / since_id (json-api/)
 *   csv_file    CSV export backfill with a column mapping            (csv-file.ts)
 *   jsonl_file  JSONL backfill of posts in the post schema           (jsonl-file.ts)
 *
 * Every source is handed its PostSink at start(); none talks to Kafka itself. With an author key (on by default
 * outside the demo, see privacy/author-key.ts), every source's posts pass through the author pseudonymiser on
 * the way to the sink.
 */
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { csvFileSourceSchema, ingestCsvFile } from './csv-file.ts';
import { FileSource } from './file-source.ts';
import { httpPushSourceSchema } from './http-push/config.ts';
import { HttpPushSource } from './http-push/http-push-source.ts';
import { jsonApiSourceSchema } from './json-api/config.ts';
import { JsonApiSource } from './json-api/json-api-source.ts';
import { ingestJsonlFile, jsonlFileSourceSchema } from './jsonl-file.ts';
import { withPseudonymisedAuthors } from './pseudonymising-sink.ts';
import { rssSourceSchema } from './rss/config.ts';
import { RssSource } from './rss/rss-source.ts';
import type { PostSink, Source, SourceHealth } from './source.ts';

export { DEFAULT_STATE_DIR } from './state-store.ts';
export type { PostSink, Source, SourceHealth } from './source.ts';

export const sourceDefinitionSchema = z.discriminatedUnion('type', [
  rssSourceSchema,
  httpPushSourceSchema,
  jsonApiSourceSchema,
  csvFileSourceSchema,
  jsonlFileSourceSchema,
]);

export type SourceDefinition = z.infer<typeof sourceDefinitionSchema>;

/** A list of sources: names are unique (they key post ids, metrics and state files). */
export const sourceListSchema = z.array(sourceDefinitionSchema).superRefine((sources, ctx) => {
  const seen = new Set<string>();
  sources.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', message: `source name "${s.name}" is used twice`, path: [i, 'name'] });
    seen.add(s.name);
  });
});

export interface CreateSourceDeps {
  /** Folder of the sources' state files; DEFAULT_STATE_DIR is `.state/` in the project root. */
  stateDir: string;
  logger: Logger;
  /** Key for author pseudonyms (the CLI resolves it: privacy/author-key.ts); unset, authors pass unchanged. */
  authorKey?: string;
  /** Where secrets named by `secretEnv` / `headersFromEnv` are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** "Now" for every source (default: the system clock). */
  clock?: Clock;
}

/** Adds the author pseudonymiser in front of whatever sink the source is started with. */
class PseudonymisingSource implements Source {
  readonly name: string;
  private readonly inner: Source;
  private readonly key: string;

  constructor(inner: Source, key: string) {
    this.name = inner.name;
    this.inner = inner;
    this.key = key;
  }

  start(sink: PostSink): Promise<void> {
    return this.inner.start(withPseudonymisedAuthors(sink, this.key));
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  health(): SourceHealth {
    return this.inner.health();
  }
}

/**
 * Makes the source a validated definition describes. Throws a PantauError (stage `config`) when a secret
 * it names is missing from the environment; nothing is opened or read until start().
 */
export function createSource(definition: SourceDefinition, deps: CreateSourceDeps): Source {
  const env = deps.env ?? process.env;
  const base = { stateDir: deps.stateDir, logger: deps.logger, ...(deps.clock ? { clock: deps.clock } : {}) };
  let source: Source;
  switch (definition.type) {
    case 'rss':
      source = new RssSource(definition, base);
      break;
    case 'http_push':
      source = new HttpPushSource(definition, base, env);
      break;
    case 'json_api':
      source = new JsonApiSource(definition, base, env);
      break;
    case 'csv_file': {
      const mapping = { ...definition, idPrefix: definition.idPrefix ?? definition.name };
      source = new FileSource(definition, (file, options) => ingestCsvFile(file, { ...options, mapping }), base);
      break;
    }
    case 'jsonl_file':
      source = new FileSource(definition, ingestJsonlFile, base);
      break;
  }
  return deps.authorKey ? new PseudonymisingSource(source, deps.authorKey) : source;
}
