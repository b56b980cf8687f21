/**
 * match: which known claim does a post's narrative repeat, and does the post spread it or answer it?
 *
 * Narratives, not posts, are matched: the first candidate post of a narrative is matched and the answer is
 * kept for the narrative (an LRU of `cacheSize` narratives), so a chain message forwarded 10,000 times costs
 * one match. Candidates are election-related posts that may be hoaxes or answer one: a hoax score of at least
 * `minHoaxScore` (the model's hoax review point by default), a flag at an alert point, or a trusted publisher's
 * post (its clarification is the narrative's counter). A full match costs 1–2 ms against 7,700 claims, ten times a
 * post's classification; the matcher first checks word overlap (0.07 ms) and skips texts that share too little
 * with every claim (match/matcher.ts, MATCH_WORD_FLOOR). A match counts only at the matcher's own threshold
 * (chosen on dev narratives, models/claim-matcher-v1/MODEL_CARD.md).
 *
 * Decision (issue 11, "Deciding hoax"): a post that supports a claim the knowledge base marks false is flagged
 * `hoax`, a strong flag that reaches humas alerts; the model's hoax score alone stays in the analysts' queue
 * (transforms/classify.ts). A post that denies the claim or spreads the clarification, or any trusted
 * publisher's post, is `counter`, never a hoax.
 */
import type { ScoredPost } from '../core/post.ts';
import { FALSE_VERDICTS, type Verdict } from '../core/verdict.ts';
import type { ClaimMatcher } from '../match/matcher.ts';
import { stanceOf } from './stance.ts';

interface NarrativeMatch {
  id: string;
  probability: number;
  verdict: Verdict;
}

export interface KnowledgeBaseClaim {
  claim_key: string;
  claim: string;
  verdict: Verdict;
}

export interface MatchStats {
  /** Matcher calls (narratives not in the cache). */
  matched: number;
  /** Posts that got a claim. */
  withClaim: number;
  /** Posts flagged hoax because they support a false claim. */
  hoax: number;
  /** Posts recorded as counter content. */
  counter: number;
}

export class ClaimMatchTransform {
  private readonly matcher: ClaimMatcher;
  private readonly minHoaxScore: number;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, NarrativeMatch | null>();
  private verdicts = new Map<string, Verdict>();

  constructor(matcher: ClaimMatcher, options: { minHoaxScore: number; cacheSize?: number }) {
    this.matcher = matcher;
    this.minHoaxScore = options.minHoaxScore;
    this.cacheSize = options.cacheSize ?? 50_000;
  }

  get knowledgeBaseSize(): number {
    return this.verdicts.size;
  }

  /** Replaces the knowledge base; answers cached for the old one are dropped. */
  setKnowledgeBase(claims: readonly KnowledgeBaseClaim[]): void {
    this.matcher.setKnowledgeBase(claims.map((c) => ({ id: c.claim_key, claim: c.claim })));
    this.verdicts = new Map(claims.map((c) => [c.claim_key, c.verdict]));
    this.cache.clear();
  }

  private isCandidate(post: ScoredPost, trusted: boolean): boolean {
    if (post.relevance?.relevant !== true) return false;
    return trusted || post.flags.length > 0 || (post.scores.hoax ?? 0) >= this.minHoaxScore;
  }

  private narrativeMatch(post: ScoredPost): NarrativeMatch | null {
    const key = post.narrative_id ?? `post:${post.id}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      // Refresh its place in the LRU.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const best = this.matcher.bestMatch(post.text);
    const verdict = best === null ? undefined : this.verdicts.get(best.id);
    const match = best === null || verdict === undefined ? null : { id: best.id, probability: best.probability, verdict };
    // Posts without a narrative are matched every time: their answer is not kept.
    if (post.narrative_id !== null) {
      this.cache.set(key, match);
      if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    }
    return match;
  }

  /** Sets `claim` on the candidate posts and flags hoax where a post supports a false claim. Mutates `posts`. */
  apply(posts: ScoredPost[], isTrusted: (post: ScoredPost) => boolean): MatchStats {
    const stats: MatchStats = { matched: 0, withClaim: 0, hoax: 0, counter: 0 };
    if (this.verdicts.size === 0) return stats;
    for (const post of posts) {
      const trusted = isTrusted(post);
      if (!this.isCandidate(post, trusted)) continue;
      if (post.narrative_id === null || !this.cache.has(post.narrative_id)) stats.matched++;
      const match = this.narrativeMatch(post);
      if (match === null) continue;
      const stance = stanceOf(post.text, trusted);
      post.claim = { id: match.id, probability: match.probability, verdict: match.verdict, stance };
      stats.withClaim++;
      if (stance === 'counter') {
        stats.counter++;
        continue;
      }
      if (FALSE_VERDICTS.has(match.verdict)) {
        if (!post.flags.includes('hoax')) post.flags = [...post.flags, 'hoax'];
        post.review_flags = post.review_flags.filter((f) => f !== 'hoax');
        post.flagged = true;
        stats.hoax++;
      }
    }
    return stats;
  }
}
