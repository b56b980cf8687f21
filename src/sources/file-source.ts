/**
 * A backfill file (JSONL or CSV) as a Source, for pipelines that list files among their sources: started
 * once, it reads the file to the end in the background and then stays idle.
 *
 * Its state file remembers which file it read (path, size, modification time) and the last line whose batch
 * the sink acknowledged, so a restart resumes after that line instead of starting over, and a file already
 * read to the end is not read again until it changes. A bus outage is retried with backoff, each attempt
 * resuming from the last acknowledged line.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { SourceDeps } from './deps.ts';
import type { FileIngestOptions, IngestProgress } from './file-ingest.ts';
import { retrying } from './retry.ts';
import { errorCode, SourceHealthTracker } from './source-health.ts';
import type { PostSink, Source, SourceHealth } from './source.ts';
import { openStateStore, type StateStore } from './state-store.ts';

const fileStateSchema = z.object({
  file: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  /** Last line whose batch the sink acknowledged. */
  committedLine: z.number().int().nonnegative(),
  done: z.boolean(),
});
type FileState = z.infer<typeof fileStateSchema>;

export interface FileSourceConfig {
  type: 'csv_file' | 'jsonl_file';
  name: string;
  path: string;
  batchSize: number;
  maxAttempts: number;
  retryBaseMs: number;
}

export type IngestFile = (file: string, options: FileIngestOptions) => Promise<IngestProgress>;

const RETRY_MAX_MS = 60_000;

export class FileSource implements Source {
  readonly name: string;
  private readonly config: FileSourceConfig;
  private readonly ingest: IngestFile;
  private readonly logger: Logger;
  private readonly health_: SourceHealthTracker;
  private readonly store: StateStore<FileState | null>;
  private readonly controller = new AbortController();
  private running: Promise<IngestProgress | null> | null = null;

  constructor(config: FileSourceConfig, ingest: IngestFile, deps: SourceDeps) {
    this.name = config.name;
    this.config = config;
    this.ingest = ingest;
    this.logger = deps.logger.child({ source: config.name, source_type: config.type });
    this.health_ = new SourceHealthTracker(config.name, deps.clock);
    this.store = openStateStore<FileState | null>({
      dir: deps.stateDir,
      key: `${config.type}-${config.name}`,
      schema: fileStateSchema.nullable(),
      initial: () => null,
      logger: this.logger,
    });
  }

  /** Resolves at once; the file is read in the background (see finished()). */
  async start(sink: PostSink): Promise<void> {
    if (this.running) throw new Error(`source ${this.name} is already started`);
    this.running = this.run(sink);
  }

  /** Resolves when the backfill ended: its progress, or null when it failed or had nothing to do. */
  finished(): Promise<IngestProgress | null> {
    return this.running ?? Promise.resolve(null);
  }

  /** Stops reading; the batch in hand is still delivered and its line saved. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  health(): SourceHealth {
    return this.health_.snapshot();
  }

  private async run(sink: PostSink): Promise<IngestProgress | null> {
    const file = resolve(this.config.path);
    try {
      const info = await stat(file).catch((cause: unknown) => {
        throw new PantauError(`cannot read ${file}: ${(cause as Error).message}`, { stage: 'receiving', code: 'file_unreadable', retriable: false, cause });
      });
      const identity = { file, size: info.size, mtimeMs: info.mtimeMs };
      const saved = await this.store.load();
      const same = saved !== null && saved.file === file && saved.size === info.size && saved.mtimeMs === info.mtimeMs;
      if (same && saved.done) {
        this.logger.info('file already read to the end; it is read again when it changes', { file });
        this.health_.succeeded();
        return null;
      }
      let committedLine = same ? saved.committedLine : 0;
      if (committedLine > 0) this.logger.info('resuming the backfill after the last acknowledged line', { file, line: committedLine });
      let counted = { produced: 0, deadLettered: 0 };
      const progress = await retrying(
        async () => {
          counted = { produced: 0, deadLettered: 0 };
          return this.ingest(file, {
            sink,
            batchSize: this.config.batchSize,
            signal: this.controller.signal,
            resumeAfterLine: committedLine,
            onCommitted: async (line, p) => {
              committedLine = line;
              this.health_.posts('published', p.produced - counted.produced);
              this.health_.posts('dead_lettered', p.deadLettered - counted.deadLettered);
              counted = { produced: p.produced, deadLettered: p.deadLettered };
              await this.store.save({ ...identity, committedLine: line, done: false });
            },
            onProgress: (p) => this.logger.info('backfill progress', { file, bytesRead: p.bytesRead, bytesTotal: p.bytesTotal, produced: p.produced, deadLettered: p.deadLettered }),
          });
        },
        { maxAttempts: this.config.maxAttempts, baseMs: this.config.retryBaseMs, maxMs: RETRY_MAX_MS },
        {
          signal: this.controller.signal,
          onRetry: (error, attempt, delayMs) => {
            this.health_.attemptFailed(error);
            this.logger.warn('backfill interrupted; resuming after a pause', { attempt, delayMs, line: committedLine, error_type: errorCode(error), error: (error as Error).message });
          },
        },
      );
      if (progress.done) await this.store.save({ ...identity, committedLine, done: true });
      this.health_.succeeded();
      this.logger.info(progress.done ? 'backfill finished' : 'backfill stopped before the end', { file, produced: progress.produced, deadLettered: progress.deadLettered, skipped: progress.skipped });
      return progress;
    } catch (error) {
      this.health_.failed(error);
      this.logger.error('backfill failed', { file, error_type: errorCode(error), error: this.health_.snapshot().lastError });
      return null;
    }
  }
}
