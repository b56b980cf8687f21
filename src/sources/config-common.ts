/**
 * Config fields every source shares, defined once so the same setting has the same name, unit and default
 * everywhere in the pipeline file.
 */
import { z } from 'zod';
import { isValidCron } from './scheduled-poller.ts';

/** Source name: part of post ids, metric labels and state file names, so short and plain. */
export const sourceNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a source name: lowercase letters, digits, _ and -, at most 40 characters')
  .describe('Unique name of the source: part of post ids, metric labels and state file names (lowercase letters, digits, _ and -, at most 40).');

export const cronSchema = z
  .string()
  .refine(isValidCron, 'a cron expression: 5 fields ("*/5 * * * *"), or 6 with seconds first ("*/10 * * * * *")');

export const languageSchema = z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 code such as "id"');
export const regionSchema = z.string().regex(/^\d{2}(\d{2})?$/, 'a BPS province (2 digits) or regency (4 digits) code');
export const platformSchema = z.string().min(1).max(40).describe('Platform the posts come from (twitter, facebook, news, whatsapp…): stored on each post, a filter in the review list.');

/** Name of an environment variable holding a secret, so secrets stay out of the pipeline file. */
export const envVarSchema = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as PANTAU_PUSH_SECRET');

/** Scheduling, limits and retries of a polling source (RSS, JSON API). */
export const pollingFields = {
  schedule: cronSchema.describe('When to poll, as a cron expression (node-cron: 5 fields, or 6 with seconds first).'),
  timezone: z.string().min(1).default('Asia/Jakarta').describe('IANA time zone the schedule is read in.'),
  runOnStart: z.boolean().default(true).describe('Poll once at start-up instead of waiting for the first tick.'),
  timeoutMs: z.number().int().min(100).max(300_000).default(15_000).describe('Deadline of one request, headers and body together.'),
  maxBytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024).describe('Larger responses are refused while being read.'),
  maxAttempts: z.number().int().min(1).max(20).default(4).describe('Attempts per run for timeouts, 429 and 5xx (the first included); then the next tick tries again.'),
  retryBaseMs: z.number().int().min(1).default(1000).describe('First backoff between attempts; doubles per attempt, with jitter.'),
  retryMaxMs: z.number().int().min(1).default(60_000).describe('Ceiling of one backoff. A Retry-After longer than this skips polls until it has passed.'),
  maxSeenIds: z.number().int().min(10).max(1_000_000).default(10_000).describe('Item ids remembered to avoid publishing an item twice (the oldest are forgotten first).'),
  userAgent: z.string().min(1).default('pantau/0.1 (+pemantauan hoaks pemilu)').describe('Sent as User-Agent; some portals refuse requests without one.'),
};

/** Retries of a backfill whose sink is unavailable: each attempt resumes after the last delivered batch. */
export const backfillRetryFields = {
  maxAttempts: z.number().int().min(1).max(100).default(8).describe('Attempts in total (the first included) before the backfill is reported failed.'),
  retryBaseMs: z.number().int().min(1).default(1000).describe('First backoff between attempts; doubles per attempt, with jitter, up to a minute.'),
};
