/**
 * schema.org ClaimReview, the format fact-checkers and platforms exchange reviews in: knowledge-base entries
 * to and from it, so partners can trade clarifications. Input may be one object, an array, an `@graph`, or
 * one object per line; reviews are read from anywhere in it (a page's JSON-LD often nests them).
 */
import { formatIssues } from '../core/post.ts';
import { clarificationInputSchema, type ClarificationDoc, type ClarificationInput, type Verdict } from './entry.ts';
import type { ReadResult } from './readers.ts';

/** Rating names as Indonesian and English fact-checkers write them → our verdicts. */
const RATING_NAMES: [RegExp, Verdict][] = [
  [/disinformasi|disinformation|fabricated/i, 'disinformasi'],
  [/misinformasi|misinformation|keliru|misleading|menyesatkan|sebagian|partly|missing context|out of context/i, 'misinformasi'],
  [/fitnah|defamation/i, 'fitnah'],
  [/klarifikasi|clarification/i, 'klarifikasi'],
  [/^\s*(?:benar|fakta|true|correct|accurate)\s*$/i, 'benar'],
  [/salah|hoaks|hoax|false|fake|bohong|penipuan|scam|pants on fire/i, 'hoaks'],
];

/** Our verdicts as a ClaimReview rating on a 1–5 scale (1 = false, 5 = true). */
const VERDICT_RATING: Record<Verdict, { value: number; name: string }> = {
  hoaks: { value: 1, name: 'Hoaks' },
  disinformasi: { value: 1, name: 'Disinformasi' },
  fitnah: { value: 1, name: 'Fitnah' },
  misinformasi: { value: 2, name: 'Misinformasi' },
  klarifikasi: { value: 3, name: 'Klarifikasi' },
  benar: { value: 5, name: 'Benar' },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Json | undefined): string | undefined => (typeof v === 'string' && v.trim().length > 0 ? v.trim() : undefined);
const nameOf = (v: Json | undefined): string | undefined => (isObject(v) ? str(v.name) : Array.isArray(v) ? nameOf(v[0]) : str(v));

function isClaimReview(o: JsonObject): boolean {
  const type = o['@type'];
  return type === 'ClaimReview' || (Array.isArray(type) && type.includes('ClaimReview'));
}

/** Every ClaimReview object anywhere in a JSON-LD value. */
function collectReviews(v: Json, out: JsonObject[]): void {
  if (Array.isArray(v)) for (const x of v) collectReviews(x, out);
  else if (isObject(v)) {
    if (isClaimReview(v)) out.push(v);
    else for (const x of Object.values(v)) collectReviews(x, out);
  }
}

/** The verdict of a review: its rating's name, else its value on the review's own scale. */
export function verdictOfRating(rating: Json | undefined): Verdict | null {
  if (!isObject(rating)) return null;
  const name = str(rating.alternateName) ?? str(rating.name);
  if (name !== undefined) for (const [re, verdict] of RATING_NAMES) if (re.test(name)) return verdict;
  const value = Number(rating.ratingValue);
  const best = Number(rating.bestRating ?? 5);
  const worst = Number(rating.worstRating ?? 1);
  if (!Number.isFinite(value) || !(best > worst)) return null;
  const share = (value - worst) / (best - worst);
  return share <= 0.25 ? 'hoaks' : share < 0.75 ? 'misinformasi' : 'benar';
}

/** Reads ClaimReview JSON-LD (a file's content); a review that cannot become an entry is reported with its position. */
export function parseClaimReviews(content: string, origin: string): ReadResult {
  const out: ReadResult = { entries: [], rejected: [] };
  const values: { value: Json; line: number }[] = [];
  try {
    values.push({ value: JSON.parse(content) as Json, line: 1 });
  } catch {
    // One object per line.
    content.split(/\r?\n/).forEach((raw, i) => {
      if (raw.trim().length === 0) return;
      try {
        values.push({ value: JSON.parse(raw) as Json, line: i + 1 });
      } catch (error) {
        out.rejected.push({ origin, line: i + 1, reason: `not JSON (${(error as Error).message})` });
      }
    });
  }
  for (const { value, line } of values) {
    const reviews: JsonObject[] = [];
    collectReviews(value, reviews);
    reviews.forEach((review, n) => {
      const where = values.length === 1 && reviews.length > 1 ? n + 1 : line;
      const verdict = verdictOfRating(review.reviewRating);
      if (verdict === null) {
        out.rejected.push({ origin, line: where, reason: 'reviewRating has no rating name or value we can read' });
        return;
      }
      const item = isObject(review.itemReviewed) ? review.itemReviewed : {};
      const appearances = (Array.isArray(item.appearance) ? item.appearance : item.appearance !== undefined ? [item.appearance] : [])
        .map((a) => (isObject(a) ? str(a.url) : str(a)))
        .filter((u): u is string => u !== undefined && /^https?:\/\//i.test(u));
      const date = str(review.datePublished);
      const candidate: Record<string, unknown> = {
        claim: str(review.claimReviewed) ?? str(item.text) ?? str(item.name),
        verdict,
        ...(str(review.reviewBody) ?? str(review.description) ? { explanation: str(review.reviewBody) ?? str(review.description) } : {}),
        ...(nameOf(review.author) !== undefined ? { publisher: nameOf(review.author) } : {}),
        ...(str(review.url) !== undefined ? { url: str(review.url) } : {}),
        ...(date !== undefined ? { published_at: date } : {}),
        ...(appearances.length > 0 ? { sources: appearances } : {}),
      };
      const parsed = clarificationInputSchema.safeParse(candidate);
      if (parsed.success) out.entries.push({ entry: parsed.data, origin });
      else out.rejected.push({ origin, line: where, reason: formatIssues(parsed.error) });
    });
  }
  out.rejected.sort((a, b) => a.line - b.line);
  return out;
}

/** An entry as a ClaimReview object (the `sources` become the claim's appearances). */
export function toClaimReview(entry: ClarificationInput | ClarificationDoc): Record<string, unknown> {
  const rating = VERDICT_RATING[entry.verdict];
  return {
    '@context': 'https://schema.org',
    '@type': 'ClaimReview',
    claimReviewed: entry.claim,
    reviewRating: { '@type': 'Rating', ratingValue: rating.value, bestRating: 5, worstRating: 1, alternateName: rating.name },
    ...(entry.url !== undefined ? { url: entry.url } : {}),
    ...(entry.published_at !== undefined ? { datePublished: entry.published_at } : {}),
    ...(entry.publisher !== undefined ? { author: { '@type': 'Organization', name: entry.publisher } } : {}),
    ...(entry.explanation !== undefined ? { reviewBody: entry.explanation } : {}),
    itemReviewed: {
      '@type': 'Claim',
      ...(entry.sources !== undefined && entry.sources.length > 0 ? { appearance: entry.sources.map((url) => ({ '@type': 'CreativeWork', url })) } : {}),
    },
    inLanguage: 'id',
  };
}
