/**
 * Backfill source: reads a JSONL file of posts and hands them to the sink (posts.raw, key = post id).
 * Lines are split on raw bytes, so a line with invalid UTF-8 is caught and dead-lettered with its exact
 * bytes instead of being silently "repaired" by a text decoder. Resolves once the broker acknowledged
 * every post and every dead letter.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DeadLetter } from '../bus/dead-letter.ts';
import { PantauError } from '../core/errors.ts';
import type { Post } from '../core/post.ts';
import { decodePost } from '../transforms/decode.ts';
import type { PostSink } from './source.ts';

export interface JsonlIngestOptions {
  sink: PostSink;
  /** Posts per publish call. */
  batchSize?: number;
  /** Called about once a second and at the end. */
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  lines: number;
  produced: number;
  deadLettered: number;
  done: boolean;
}

/** Yields the file's lines as raw bytes (without the newline), skipping blank lines. */
async function* lines(file: string, onBytes: (n: number) => void): AsyncGenerator<{ bytes: Buffer; lineNo: number }> {
  let carry = Buffer.alloc(0);
  let lineNo = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) !== -1) {
      lineNo++;
      const line = buf.subarray(0, nl);
      buf = buf.subarray(nl + 1);
      const trimmed = line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
      if (trimmed.toString('latin1').trim().length > 0) yield { bytes: Buffer.from(trimmed), lineNo };
    }
    carry = Buffer.from(buf);
  }
  if (carry.length > 0 && carry.toString('latin1').trim().length > 0) yield { bytes: carry, lineNo: lineNo + 1 };
}

export async function ingestJsonlFile(file: string, options: JsonlIngestOptions): Promise<IngestProgress> {
  let bytesTotal: number;
  try {
    bytesTotal = (await stat(file)).size;
  } catch (cause) {
    throw new PantauError(`cannot read ${file}: ${(cause as Error).message}`, { stage: 'receiving', code: 'file_unreadable', retriable: false, cause });
  }
  const batchSize = options.batchSize ?? 500;
  const progress: IngestProgress = { file, bytesRead: 0, bytesTotal, lines: 0, produced: 0, deadLettered: 0, done: false };
  let posts: Post[] = [];
  let letters: DeadLetter[] = [];
  let lastReport = Date.now();

  const flush = async () => {
    await options.sink.publish(posts);
    if (letters.length > 0) await options.sink.deadLetter(letters);
    progress.produced += posts.length;
    progress.deadLettered += letters.length;
    posts = [];
    letters = [];
  };

  for await (const { bytes, lineNo } of lines(file, (n) => (progress.bytesRead += n))) {
    progress.lines++;
    const decoded = decodePost(bytes);
    if (decoded.ok) posts.push(decoded.post);
    else letters.push({ reason: decoded.reason, detail: `line ${lineNo}: ${decoded.detail}`, stage: 'receiving', key: null, value: bytes, source: `${file}:${lineNo}` });
    if (posts.length + letters.length >= batchSize) await flush();
    if (options.onProgress && Date.now() - lastReport >= 1000) {
      lastReport = Date.now();
      options.onProgress({ ...progress });
    }
  }
  await flush();
  progress.done = true;
  options.onProgress?.({ ...progress });
  return progress;
}
