/**
 * Turns raw bytes from the bus (or a backfill file) into a validated post, or into the reason it cannot be
 * one. Pure: no I/O, so every kind of bad input is table-tested.
 */
import type { DeadLetterReason } from '../bus/dead-letter.ts';
import { formatIssues, postSchema, type Post } from '../core/post.ts';

/** Larger messages are refused: a post is short text; megabytes mean a bug or an attack. */
export const MAX_POST_BYTES = 256 * 1024;

export type DecodeResult = { ok: true; post: Post } | { ok: false; reason: DeadLetterReason; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodePost(bytes: Buffer | null, maxBytes = MAX_POST_BYTES): DecodeResult {
  if (bytes === null || bytes.length === 0) return { ok: false, reason: 'malformed_json', detail: 'empty message' };
  if (bytes.length > maxBytes) {
    return { ok: false, reason: 'oversized', detail: `message is ${bytes.length} bytes, the limit is ${maxBytes}` };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'invalid_utf8', detail: 'message is not valid UTF-8' };
  }
  return decodePostJson(text);
}

export function decodePostJson(text: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: (error as Error).message };
  }
  const parsed = postSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'schema_mismatch', detail: formatIssues(parsed.error) };
  return { ok: true, post: parsed.data };
}
