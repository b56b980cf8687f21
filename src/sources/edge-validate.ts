/**
 * The last step of every mapping source (RSS, JSON API, CSV): a candidate post built from the source's item
 * either passes the post schema, or becomes a dead letter carrying the item's original bytes, so nothing a
 * source read is dropped silently. Same reasons and limits as the bus's decode stage.
 */
import type { DeadLetter } from '../bus/dead-letter.ts';
import { formatIssues, postSchema, type Post } from '../core/post.ts';
import { MAX_POST_BYTES } from '../transforms/decode.ts';

export type EdgeResult = { ok: true; post: Post } | { ok: false; letter: DeadLetter };

export interface ItemOrigin {
  /** `pantau-source` header: which source and where in it (`rss:antaranews`, `data/x.csv:17`). */
  source: string;
  /** Says which item, for the operator (`item <guid>`, `line 17`). */
  label: string;
  /** The item exactly as the source gave it: the dead letter's value. */
  bytes: Buffer;
  /** The dead letter's key: the post id when one could be made. */
  key: string | null;
}

export function toPostOrDeadLetter(candidate: unknown, origin: ItemOrigin): EdgeResult {
  const letter = (reason: DeadLetter['reason'], detail: string): EdgeResult => ({
    ok: false,
    letter: { reason, detail: `${origin.label}: ${detail}`, stage: 'receiving', key: origin.key, value: origin.bytes, source: origin.source },
  });
  const parsed = postSchema.safeParse(candidate);
  if (!parsed.success) return letter('schema_mismatch', formatIssues(parsed.error));
  // The classify stage refuses messages above this size; refusing here keeps the original bytes and the
  // source's name with the dead letter instead of a bare oversized message later.
  const size = Buffer.byteLength(JSON.stringify(parsed.data));
  if (size > MAX_POST_BYTES) return letter('oversized', `post is ${size} bytes, the limit is ${MAX_POST_BYTES}`);
  return { ok: true, post: parsed.data };
}

/** Text longer than the schema allows is cut (the whole item stays in `raw`). */
export const MAX_TEXT_CHARS = 20_000;

export function truncateText(text: string): string {
  return text.length <= MAX_TEXT_CHARS ? text : text.slice(0, MAX_TEXT_CHARS - 1) + '…';
}
