/**
 * The loop shared by the backfill sources (JSONL, CSV): records from a file, each already a post or a dead
 * letter, handed to the sink in batches, with progress reports. Resolves once the broker acknowledged every
 * post and dead letter of the file.
 *
 * For resumable backfills (file-source.ts) it can skip the records a previous run already delivered
 * (`resumeAfterLine`) and reports each delivered batch's last line (`onCommitted`), strictly after the sink
 * resolved it, so a saved position never runs ahead of the bus.
 */
import { stat } from 'node:fs/promises';
import type { DeadLetter } from '../bus/dead-letter.ts';
import { PantauError } from '../core/errors.ts';
import type { Post } from '../core/post.ts';
import type { EdgeResult } from './edge-validate.ts';
import type { PostSink } from './source.ts';

export interface IngestProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  /** Records read (JSONL lines, CSV rows), including skipped ones. */
  lines: number;
  produced: number;
  deadLettered: number;
  /** Records skipped because a previous run delivered them (resume). */
  skipped: number;
  done: boolean;
}

export interface FileIngestOptions {
  sink: PostSink;
  /** Posts and dead letters per sink call. */
  batchSize?: number;
  /** Called about once a second and at the end. */
  onProgress?: (progress: IngestProgress) => void;
  /** Stops reading when aborted; the batch in hand is still delivered, and the result has done: false. */
  signal?: AbortSignal;
  /** Records starting on or before this line were delivered by an earlier run and are skipped. */
  resumeAfterLine?: number;
  /** Called after each delivered batch with the line of its last record and the progress so far. */
  onCommitted?: (line: number, progress: IngestProgress) => Promise<void> | void;
}

/** One record of a file: where it starts, and what it became. */
export interface FileRecord {
  lineNo: number;
  result: EdgeResult;
}

export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (cause) {
    throw new PantauError(`cannot read ${file}: ${(cause as Error).message}`, { stage: 'receiving', code: 'file_unreadable', retriable: false, cause });
  }
}

export async function ingestRecords(
  file: string,
  records: (onBytes: (n: number) => void) => AsyncIterable<FileRecord>,
  options: FileIngestOptions,
): Promise<IngestProgress> {
  const bytesTotal = await fileSize(file);
  const batchSize = options.batchSize ?? 500;
  const resumeAfter = options.resumeAfterLine ?? 0;
  const progress: IngestProgress = { file, bytesRead: 0, bytesTotal, lines: 0, produced: 0, deadLettered: 0, skipped: 0, done: false };
  let posts: Post[] = [];
  let letters: DeadLetter[] = [];
  let lastLine = 0;
  let lastReport = Date.now();

  const flush = async () => {
    if (posts.length + letters.length === 0) return;
    await options.sink.publish(posts);
    if (letters.length > 0) await options.sink.deadLetter(letters);
    progress.produced += posts.length;
    progress.deadLettered += letters.length;
    posts = [];
    letters = [];
    await options.onCommitted?.(lastLine, { ...progress });
  };

  for await (const { lineNo, result } of records((n) => (progress.bytesRead += n))) {
    progress.lines++;
    if (lineNo <= resumeAfter) progress.skipped++;
    else {
      lastLine = lineNo;
      if (result.ok) posts.push(result.post);
      else letters.push(result.letter);
      if (posts.length + letters.length >= batchSize) await flush();
    }
    if (options.onProgress && Date.now() - lastReport >= 1000) {
      lastReport = Date.now();
      options.onProgress({ ...progress });
    }
    if (options.signal?.aborted) break;
  }
  await flush();
  progress.done = !options.signal?.aborted;
  options.onProgress?.({ ...progress });
  return progress;
}
