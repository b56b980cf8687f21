/**
 * The election's stages (`pipelines/election-stages.json`): campaign, quiet period, voting day, counting. The
 * dashboard draws them as markers on its time charts and the daily brief names the stage of the day.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { formatIssues } from '../core/post.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { isCalendarDay } from '../api/dates.ts';
import { readJsonFile } from './json-file.ts';

export const DEFAULT_ELECTION_STAGES_FILE = resolve(PROJECT_ROOT, 'pipelines/election-stages.json');

const day = z.string().refine(isCalendarDay, 'a calendar date YYYY-MM-DD');

export const electionStagesSchema = z
  .object({
    version: z.literal(1),
    timezone: z.string().default('Asia/Jakarta'),
    notes: z.array(z.string()).default([]),
    stages: z.array(
      z
        .object({
          id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
          /** Shown on the chart and in the brief, in Bahasa Indonesia. */
          name: z.string().trim().min(1).max(60),
          /** First and last day, both included. */
          start: day,
          end: day,
          example: z.boolean().default(false),
        })
        .strict()
        .refine((s) => s.start <= s.end, { message: 'start must not be after end' }),
    ),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    for (const s of c.stages) {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', message: `stage id "${s.id}" is used twice` });
      ids.add(s.id);
    }
  });

export type ElectionStages = z.infer<typeof electionStagesSchema>;
export type ElectionStage = ElectionStages['stages'][number];

export function parseElectionStages(raw: unknown, source = 'election stages'): ElectionStages {
  const parsed = electionStagesSchema.safeParse(raw);
  if (!parsed.success) throw new PantauError(`${source} is invalid: ${formatIssues(parsed.error)}`, { stage: 'config', code: 'election_stages_invalid', retriable: false });
  return parsed.data;
}

export function loadElectionStages(file: string = DEFAULT_ELECTION_STAGES_FILE): ElectionStages {
  const path = resolve(file);
  return parseElectionStages(readJsonFile(path, 'election stages file', 'election_stages_unreadable'), `election stages file ${path}`);
}

/** The stages a day falls in (a day can be the end of one and the start of another). */
export const stagesOn = (stages: ElectionStages, date: string): ElectionStage[] => stages.stages.filter((s) => s.start <= date && date <= s.end);
