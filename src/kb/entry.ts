/**
 * A knowledge-base entry: one claim and what an official or fact-checking source says about it. The same claim
 * published by several sources (TurnBackHoax and Indonesia False News carry many of the same claims) is one
 * entry, keyed by its normalised claim; `origins` keeps where it came from.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { keyTokens, isKeyFeatureToken } from '../transforms/text-keys.ts';

import { VERDICTS } from '../core/verdict.ts';

export { FALSE_VERDICTS, VERDICTS, type Verdict } from '../core/verdict.ts';

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL');

/** An entry as imported (JSONL, CSV, feeds, the API): only the claim and the verdict are required. */
export const clarificationInputSchema = z
  .object({
    id: z.string().min(1).max(200).optional(),
    claim: z.string().trim().min(10, 'at least 10 characters').max(2000),
    verdict: z.enum(VERDICTS),
    explanation: z.string().max(20000).optional(),
    sources: z.array(z.string().min(1).max(2000)).max(50).optional(),
    publisher: z.string().min(1).max(200).optional(),
    url: httpUrl.optional(),
    published_at: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    topics: z.array(z.string().min(1).max(100)).max(50).optional(),
    regions: z.array(z.string().regex(/^\d{2}(\d{2})?$/, 'a BPS region code (2 or 4 digits)')).max(100).optional(),
    institutions: z.array(z.string().min(1).max(200)).max(50).optional(),
  })
  .strict();
export type ClarificationInput = z.infer<typeof clarificationInputSchema>;

/** The stored document. */
export interface ClarificationDoc extends ClarificationInput {
  claim_key: string;
  /** Where the entry was read from (file names, "turnbackhoax-2025", …), several after de-duplication. */
  origins: string[];
  imported_at: string;
}

/** Verdict words at the start of a debunk title ("[SALAH]", "HOAKS:"), which are not part of the claim. */
const VERDICT_PREFIX_RE = /^\s*(?:\[[^\]]{2,20}\]|\((?:salah|hoaks|hoax|disinformasi|misinformasi|fitnah|penipuan|keliru)\)|(?:salah|hoaks|hoax|disinformasi|misinformasi|fitnah|penipuan|keliru)\s*[:\-–])\s*/i;

/**
 * The claim's de-duplication key: its words as the narrative keys normalise them (case, slang spellings,
 * letter runs, links), without a verdict prefix or feature tokens, hashed. Two sources writing the same claim
 * with different punctuation or a "[HOAKS]" prefix get one key.
 */
export function claimKey(claim: string): string {
  const words = keyTokens(claim.replace(VERDICT_PREFIX_RE, '')).filter((t) => !isKeyFeatureToken(t));
  return createHash('sha256').update(words.join(' ')).digest('hex').slice(0, 32);
}

/**
 * Merges entries that share a claim key: the first entry of a key wins its fields; later ones add their
 * origins, sources and list fields. Returns the merged entries in first-seen order and how many were merged.
 */
export function mergeDuplicates(entries: readonly { entry: ClarificationInput; origin: string }[], importedAt: string): { docs: ClarificationDoc[]; merged: number } {
  const byKey = new Map<string, ClarificationDoc>();
  let merged = 0;
  for (const { entry, origin } of entries) {
    const key = claimKey(entry.claim);
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, { ...entry, claim: entry.claim.trim(), claim_key: key, origins: [origin], imported_at: importedAt });
      continue;
    }
    merged++;
    seen.origins = union(seen.origins, [origin]);
    for (const field of ['sources', 'topics', 'regions', 'institutions'] as const) {
      const extra = entry[field];
      if (extra !== undefined) seen[field] = union(seen[field] ?? [], extra);
    }
    if (seen.url === undefined && entry.url !== undefined) seen.url = entry.url;
    if (seen.explanation === undefined && entry.explanation !== undefined) seen.explanation = entry.explanation;
  }
  return { docs: [...byKey.values()], merged };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}
