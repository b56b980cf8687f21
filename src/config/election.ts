/**
 * The election relevance lists (`pipelines/election.json`): which words make a post about the election, and
 * which place names tell where. Operators edit the file; this schema is its validator and its reference.
 * Unknown keys are refused, and every list is checked for the mistakes that would silently weaken matching
 * (empty aliases, a name used twice, one alias claimed by two entries).
 */
import { readJsonFile } from './json-file.ts';
import { resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { formatIssues } from '../core/post.ts';
import { PROJECT_ROOT } from '../core/paths.ts';

export const DEFAULT_ELECTION_FILE = resolve(PROJECT_ROOT, 'pipelines/election.json');

/** An alias is matched as whole words after normalisation; it must contain at least one letter or digit. */
const alias = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/[\p{L}\p{N}]/u, 'an alias needs at least one letter or digit');

const termEntry = z
  .object({
    /** What is recorded on the post when the entry matches (shown to analysts). Unique across all lists. */
    name: z.string().trim().min(1).max(80),
    /** Words or phrases that alone make a post election-relevant. */
    aliases: z.array(alias).default([]),
    /**
     * Words or phrases too common outside elections to decide alone ("partai" is also a wholesale lot,
     * "pemilih" also a picky person): they count only when `rules.weakEntriesNeeded` different entries match.
     */
    weakAliases: z.array(alias).default([]),
    /** True for the fictional sample entries that operators replace with the real contest. */
    example: z.boolean().default(false),
    note: z.string().optional(),
  })
  .strict()
  .refine((e) => e.aliases.length + e.weakAliases.length > 0, { message: 'an entry needs at least one alias or weakAlias' });

const regionEntry = z
  .object({
    /** BPS code: 2 digits for a province, 4 for a regency or city (the same format as a post's `region`). */
    code: z.string().regex(/^\d{2}(\d{2})?$/, 'a BPS province (2 digits) or regency/city (4 digits) code'),
    name: z.string().trim().min(1).max(80),
    aliases: z.array(alias).min(1),
    example: z.boolean().default(false),
    note: z.string().optional(),
  })
  .strict();

export const electionConfigSchema = z
  .object({
    version: z.literal(1),
    /** Free text for operators: scope decisions, sources. Not used by the code. */
    notes: z.array(z.string()).default([]),
    languages: z
      .object({
        /** ISO 639 codes of posts that can be relevant; code-mixed posts carry their main language's code. */
        accepted: z.array(z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 code such as "id" or "jv"')).min(1),
        /** Whether a post whose language is not known (null) can be relevant. */
        acceptUnknown: z.boolean().default(true),
      })
      .strict(),
    rules: z
      .object({
        /** How many different weak entries make a post relevant when no strong alias matched. */
        weakEntriesNeeded: z.number().int().min(1).max(10).default(2),
        /** Hashtags are written joined (#PilkadaCurang); an alias this long or longer also matches at either end of one. */
        hashtagAffixMinLength: z.number().int().min(2).max(20).default(3),
      })
      .strict()
      .default({ weakEntriesNeeded: 2, hashtagAffixMinLength: 3 }),
    terms: z
      .object({
        candidates: z.array(termEntry).default([]),
        parties: z.array(termEntry).default([]),
        institutions: z.array(termEntry).default([]),
        process: z.array(termEntry).default([]),
      })
      .strict(),
    regions: z.array(regionEntry).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = new Map<string, string>();
    for (const [list, entries] of Object.entries(config.terms)) {
      entries.forEach((entry, i) => {
        const seen = names.get(entry.name);
        if (seen !== undefined) ctx.addIssue({ code: 'custom', path: ['terms', list, i, 'name'], message: `name "${entry.name}" is already used by ${seen}` });
        else names.set(entry.name, `terms.${list}[${i}]`);
      });
    }
    const codes = new Set<string>();
    config.regions.forEach((region, i) => {
      if (codes.has(region.code)) ctx.addIssue({ code: 'custom', path: ['regions', i, 'code'], message: `region code ${region.code} appears twice` });
      codes.add(region.code);
      if (region.code.length === 4 && !config.regions.some((r) => r.code === region.code.slice(0, 2))) {
        ctx.addIssue({ code: 'custom', path: ['regions', i, 'code'], message: `regency ${region.code} needs its province ${region.code.slice(0, 2)} in the list` });
      }
    });
  });

export type ElectionConfig = z.infer<typeof electionConfigSchema>;
export type ElectionConfigInput = z.input<typeof electionConfigSchema>;
export type TermEntry = ElectionConfig['terms']['process'][number];
export type RegionEntry = ElectionConfig['regions'][number];

/** Validates an already-parsed object; `source` names it in the error (a file path, "test"). */
export function parseElectionConfig(raw: unknown, source = 'election config'): ElectionConfig {
  const parsed = electionConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PantauError(`${source} is invalid: ${formatIssues(parsed.error)}`, { stage: 'config', code: 'election_config_invalid', retriable: false });
  }
  return parsed.data;
}

/** Reads and validates the election file; the error names the file and every offending field. */
export function loadElectionConfig(file: string = DEFAULT_ELECTION_FILE): ElectionConfig {
  return parseElectionConfig(readJsonFile(file, 'election file', 'election_config_unreadable'), `election file ${file}`);
}

/**
 * The names a classifier trained with entity masking should mask as `_tokoh` for this contest: every alias of
 * the candidates (weak ones too: "pak hendra") and the aliases of the parties. A name must never be evidence
 * of hate speech by itself.
 */
export function electionEntityNames(config: ElectionConfig): string[] {
  const { candidates, parties } = config.terms;
  return [...candidates.flatMap((c) => [...c.aliases, ...c.weakAliases]), ...parties.flatMap((p) => p.aliases)];
}
