/**
 * Trusted publishers (`pipelines/trusted-publishers.json`): official accounts and sites (KPU, Bawaslu, Komdigi,
 * Diskominfo and humas units) whose posts are never flagged hoax. Their clarifications quote the hoax they
 * answer, so to a text model they look like the hoax itself. Operators edit the file; this schema validates it.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { formatIssues } from '../core/post.ts';
import { readJsonFile } from './json-file.ts';

const handle = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z0-9_.]{1,100}$/, 'a handle: letters, digits, "_" and "." (a leading "@" is allowed)');

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?:[a-z0-9-]+\.)*[a-z0-9-]+\.[a-z]{2,}$|^go\.id$/, 'a domain name such as kpu.go.id (its subdomains count too)');

const publisher = z
  .object({
    name: z.string().trim().min(1).max(120),
    /** Accounts by platform, as the sources write `platform` (twitter, instagram, facebook, tiktok, youtube…). */
    accounts: z.array(z.object({ platform: z.string().trim().min(1).max(40), handle }).strict()).default([]),
    /** Sites whose pages (a post's `url`) are this publisher's; subdomains included. */
    domains: z.array(domain).default([]),
    /** True for the fictional demo accounts that operators replace with their own. */
    example: z.boolean().default(false),
    note: z.string().optional(),
  })
  .strict()
  .refine((p) => p.accounts.length + p.domains.length > 0, { message: 'a publisher needs at least one account or domain' });

export const trustedPublishersSchema = z
  .object({
    version: z.literal(1),
    notes: z.array(z.string()).default([]),
    publishers: z.array(publisher),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    config.publishers.forEach((p, i) => {
      for (const [j, a] of p.accounts.entries()) {
        const key = `${a.platform.toLowerCase()}:${a.handle.replace(/^@/, '').toLowerCase()}`;
        const other = seen.get(key);
        if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['publishers', i, 'accounts', j], message: `${a.platform} ${a.handle} is already listed for ${other}` });
        else seen.set(key, p.name);
      }
    });
  });

export type TrustedPublishers = z.infer<typeof trustedPublishersSchema>;

export function parseTrustedPublishers(raw: unknown, source = 'trusted publishers'): TrustedPublishers {
  const parsed = trustedPublishersSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PantauError(`${source} is invalid: ${formatIssues(parsed.error)}`, { stage: 'config', code: 'trusted_publishers_invalid', retriable: false });
  }
  return parsed.data;
}

export function loadTrustedPublishers(file: string): TrustedPublishers {
  return parseTrustedPublishers(readJsonFile(resolve(file), 'trusted publishers file', 'trusted_publishers_unreadable'), `trusted publishers file ${file}`);
}
