/**
 * The message schemas that travel on the bus. Validated at the edge (ingest) and again where a stage reads
 * the bus, so a malformed message is caught before it can harm a later stage and goes to the dead-letter
 * topic with its reason.
 */
import { z } from 'zod';
import { VERDICTS } from './verdict.ts';

export const POST_SCHEMA_VERSION = 1;

const count = z.number().int().nonnegative();

export const postSchema = z
  .object({
    /** Version of this schema the message was written with; readers refuse versions they do not know. */
    schema_version: z.literal(POST_SCHEMA_VERSION).default(POST_SCHEMA_VERSION),
    /** Stable id: `<source>-<native id>`. Becomes the Kafka key and the Elasticsearch `_id`. */
    id: z
      .string()
      .min(3)
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'id must be "<source>-<native id>" with letters, digits, . _ : -'),
    platform: z.string().min(1).max(40),
    author: z.string().max(200).nullable().default(null),
    text: z.string().min(1).max(20_000),
    /** Link to the post; only http(s): a `javascript:` or `data:` URL would run in whoever opens it. */
    url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) URL' }).nullable().default(null),
    created_at: z.iso.datetime({ offset: true }),
    /** BPS province (2 digits) or regency (4 digits) code, when known. */
    region: z
      .string()
      .regex(/^\d{2}(\d{2})?$/, 'region must be a BPS province (2 digits) or regency (4 digits) code')
      .nullable()
      .default(null),
    engagement: z
      .object({ likes: count, shares: count, replies: count, views: count })
      .partial()
      .default({}),
    /** ISO 639 code when the source says or a detector decided (`id`, `en`, `jv`…); null when unknown. */
    language: z
      .string()
      .regex(/^[a-z]{2,3}$/, 'language must be an ISO 639 code such as "id"')
      .nullable()
      .default(null),
    /** The source's own payload, kept for audit and reprocessing; never indexed for search. */
    raw: z.unknown().optional(),
  })
  .strict();

export type Post = z.infer<typeof postSchema>;
export type PostInput = z.input<typeof postSchema>;

export const scoredPostSchema = postSchema.extend({
  scores: z.record(z.string(), z.number().min(0).max(1)),
  flags: z.array(z.string()),
  flagged: z.boolean(),
  /** Labels whose score is between the review and the alert point: for the analysts' queue, not for alerts. */
  review_flags: z.array(z.string()).default([]),
  sentiment: z.enum(['negative', 'neutral', 'positive']).nullable(),
  model_version: z.string(),
  classified_at: z.iso.datetime({ offset: true }),
  /** Election relevance: which configured terms matched (empty when none). */
  relevance: z.object({ relevant: z.boolean(), terms: z.array(z.string()) }).nullable().default(null),
  /** Near-duplicate cluster: posts that are reposts or variants of one message share it. */
  narrative_id: z.string().nullable().default(null),
  /** The knowledge-base claim the post's narrative repeats (transforms/match-claims.ts), and the post's stance to it. */
  claim: z
    .object({
      id: z.string(),
      probability: z.number().min(0).max(1),
      verdict: z.enum(VERDICTS),
      stance: z.enum(['supports', 'counter']),
    })
    .nullable()
    .default(null),
});

export type ScoredPost = z.infer<typeof scoredPostSchema>;

/** An alert for one flagged post, as it travels on the `alerts` topic and as the webhook receives it. */
export interface Alert {
  alert_id: string;
  post_id: string;
  flags: string[];
  scores: Record<string, number>;
  text: string;
  url: string | null;
  platform: string;
  author: string | null;
  region: string | null;
  created_at: string;
  engagement: Post['engagement'];
  model_version: string;
  /** Near-duplicate cluster, so humas see the narrative, not one post. */
  narrative_id: string | null;
  /** Election terms the post matched (empty when none). */
  election_terms: string[];
  raised_at: string;
  /** The matched knowledge-base claim and the post's stance (null when none matched). */
  claim: ScoredPost['claim'];
  /**
   * `flag`: the post is flagged (a humas alert); `counter`: a post that answers a matched claim (a trusted
   * publisher, or a post calling it a hoax), which the desk records as the narrative's counter.
   */
  kind: 'flag' | 'counter';
}

/** Turns zod issues into one readable line: `text: Too small…; created_at: Invalid ISO datetime`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
