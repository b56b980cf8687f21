/** The pipeline file's `privacy` section: how long posts are kept and what happens to them after. */
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { isTimeZone } from '../core/time-zone.ts';

export const RETENTION_ACTIONS = ['delete', 'pseudonymise'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

export const privacySchema = z
  .object({
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(3_650)
      .default(180)
      .describe("Posts older than this many days (by created_at, 24-hour days) are handled by `action` in the daily retention run (`pantau work`) or by `pantau retention`."),
    action: z
      .enum(RETENTION_ACTIONS)
      .default('delete')
      .describe('delete: old posts go (whole monthly indices when all of their posts are old), old alert-ledger entries too, and old example posts leave the desk clusters; pseudonymise: old posts keep their text and scores but their author becomes its keyed pseudonym and `raw` is dropped; the stored desk examples get the pseudonym too.'),
    schedule: z
      .string()
      .refine((expr) => isValidCron(expr), 'a node-cron expression: 5 fields ("15 2 * * *"), or 6 with seconds first')
      .default('15 2 * * *')
      .describe('When `pantau work` runs retention (node-cron, in `timezone`); at most one run per day across every worker process.'),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Jakarta').default('Asia/Jakarta').describe('Time zone of `schedule`, and of the day the once-per-day lock counts.'),
  })
  .strict();

export type PrivacyConfig = z.infer<typeof privacySchema>;
