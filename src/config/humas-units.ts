/**
 * Humas units (`pipelines/humas-units.json`): the government PR units the counter-narrative desk alerts, what
 * each one answers for (labels, topics, institutions, regions, a minimum reach), how it is reached (channels;
 * secrets are environment variable names only), when it sleeps (quiet hours) and when it gets its digest.
 * Operators edit the file; this schema validates it. Routing rules are in desk/routing.ts.
 */
import { resolve } from 'node:path';
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { FLAG_LABELS } from '../classifier/labels.ts';
import { PantauError } from '../core/errors.ts';
import { formatIssues } from '../core/post.ts';
import { channelSpecSchema } from '../desk/channels/spec.ts';
import { isKeyFeatureToken, keyTokens } from '../transforms/text-keys.ts';
import { readJsonFile } from './json-file.ts';

/** Unit ids end up in case ids (`<cluster_id>~<unit_id>`) and message ids (`…:<kind>:<n>`): plain characters only. */
const unitId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'a unit id: lowercase letters, digits and "-", at most 60 characters (e.g. "kpu-ri")');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as "Asia/Jakarta"');

const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'a time of day "HH:MM" (00:00–23:59)');

const quietHours = z
  .object({ start: clockTime, end: clockTime })
  .strict()
  .refine((q) => q.start !== q.end, { message: 'quiet_hours start and end must differ (use null for no quiet hours)' });

const cron = z.string().refine((expr) => isValidCron(expr), 'a node-cron expression: 5 fields ("0 7 * * *"), or 6 with seconds first');

const region = z.string().regex(/^\d{2}(\d{2})?$/, 'a BPS province (2 digits, e.g. "35") or regency/city (4 digits, e.g. "3578") code');

/** A name that tokenises to at least one word, or it could never be detected in a post. */
const institutionName = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .refine((name) => keyTokens(name).some((t) => !isKeyFeatureToken(t)), 'an institution name with at least one word');

const answersFor = z
  .object({
    /** Classifier flags (`hoax`, `hate_speech`, `sara`, `abusive`) the unit handles; a case must carry one. */
    labels: z.array(z.enum(FLAG_LABELS)).min(1),
    /** Topics (clarification topics, election terms), compared case-insensitively. */
    topics: z.array(z.string().trim().min(1).max(120)).default([]),
    /** Institution names detected in posts (whole words after normalisation; list variants and acronyms). */
    institutions: z.array(institutionName).default([]),
    /** BPS codes: "35" takes every case in Jawa Timur ("3578" included), "3578" only Surabaya's. */
    regions: z.array(region).default([]),
    /** A case needs at least this engagement (CaseReach.engagement). */
    min_reach: z.number().int().min(0).default(0),
  })
  .strict();

const unit = z
  .object({
    id: unitId,
    name: z.string().trim().min(1).max(120),
    /** True for the demo's fictional units that operators replace with their own. */
    example: z.boolean().default(false),
    note: z.string().optional(),
    channels: z.array(channelSpecSchema).default([]),
    answers_for: answersFor,
    /** Gets a case only when no other (non-fallback) unit answers it. */
    fallback: z.boolean().default(false),
    /** No alerts between start and end (in the file's time zone; may span midnight); they wait until the end. */
    quiet_hours: quietHours.nullable().default(null),
    /** When the unit's digest of open cases is sent (file's time zone); null for no digest. */
    digest_cron: cron.nullable().default(null),
    /** An escalation goes out when a case's engagement reaches this multiple of the engagement last alerted. */
    escalate_when_reach_grows: z.number().min(1.1).max(100).default(2),
  })
  .strict();

export const humasUnitsSchema = z
  .object({
    version: z.literal(1),
    /** Time zone of quiet hours and digest schedules. */
    timezone: timeZone.default('Asia/Jakarta'),
    notes: z.array(z.string()).default([]),
    units: z.array(unit).min(1),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.units.forEach((u, i) => {
      const first = seen.get(u.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['units', i, 'id'], message: `unit id "${u.id}" is already used by units.${first}` });
      else seen.set(u.id, i);
    });
    if (!config.units.some((u) => u.fallback)) {
      ctx.addIssue({ code: 'custom', path: ['units'], message: 'no unit has "fallback": true; one unit must take the cases no other unit answers' });
    }
  });

export type HumasUnitsConfig = z.infer<typeof humasUnitsSchema>;
export type HumasUnit = HumasUnitsConfig['units'][number];

export function parseHumasUnits(raw: unknown, source = 'humas units'): HumasUnitsConfig {
  const parsed = humasUnitsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PantauError(`${source} is invalid: ${formatIssues(parsed.error)}`, { stage: 'config', code: 'humas_units_invalid', retriable: false });
  }
  return parsed.data;
}

export function loadHumasUnits(file: string): HumasUnitsConfig {
  const path = resolve(file);
  return parseHumasUnits(readJsonFile(path, 'humas units file', 'humas_units_unreadable'), `humas units file ${path}`);
}
