/**
 * Backfill source: reads a JSONL file of posts and hands them to the sink (posts.raw, key = post id).
 * Lines are split on raw bytes, so a line with invalid UTF-8 is caught and dead-lettered with its exact
 * bytes instead of being silently "repaired" by a text decoder. Resolves once the broker acknowledged
 * every post and every dead letter.
 */
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { decodePost } from '../transforms/decode.ts';
import { backfillRetryFields, sourceNameSchema } from './config-common.ts';
import { ingestRecords, type FileIngestOptions, type FileRecord, type IngestProgress } from './file-ingest.ts';

export type { IngestProgress } from './file-ingest.ts';

export type JsonlIngestOptions = FileIngestOptions;

/** Config of a JSONL backfill in the pipeline file (`sources[]` with `"type": "jsonl_file"`). */
export const jsonlFileSourceSchema = z
  .object({
    type: z.literal('jsonl_file'),
    name: sourceNameSchema,
    path: z.string().min(1).describe('The file (absolute, or relative to the working directory of the process); one post per line.'),
    batchSize: z.number().int().min(1).max(10_000).default(500).describe('Lines per sink call.'),
    ...backfillRetryFields,
  })
  .strict();

export type JsonlFileSourceConfig = z.infer<typeof jsonlFileSourceSchema>;

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

async function* records(file: string, onBytes: (n: number) => void): AsyncGenerator<FileRecord> {
  for await (const { bytes, lineNo } of lines(file, onBytes)) {
    const decoded = decodePost(bytes);
    yield {
      lineNo,
      result: decoded.ok
        ? { ok: true, post: decoded.post }
        : {
            ok: false,
            letter: { reason: decoded.reason, detail: `line ${lineNo}: ${decoded.detail}`, stage: 'receiving', key: null, value: bytes, source: `${file}:${lineNo}` },
          },
    };
  }
}

export function ingestJsonlFile(file: string, options: JsonlIngestOptions): Promise<IngestProgress> {
  return ingestRecords(file, (onBytes) => records(file, onBytes), options);
}
