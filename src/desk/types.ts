/**
 * The counter-narrative desk's shared shapes. A *case* is one claim cluster (narratives that carry one claim)
 * as one humas unit sees it: what is said, how far it spread, the clarification that answers it, and where the
 * unit stands with it. The desk stage builds cases (desk/desk-stage.ts), routing picks the units
 * (desk/routing.ts), the alert text is rendered in Bahasa Indonesia (desk/alert-text.ts) and channels deliver
 * it (desk/channels/).
 */
import type { Verdict } from '../kb/entry.ts';

/** Where a unit stands with a case. Only forward moves are allowed (desk/lifecycle.ts). */
export const CASE_STATUSES = ['new', 'acknowledged', 'countered', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** One post shown as an example of the narrative. */
export interface ExamplePost {
  id: string;
  text: string;
  url: string | null;
  platform: string;
  author: string | null;
  created_at: string;
  /** Shares + replies + likes + views/100 of this post, as counted in `CaseReach`. */
  reach: number;
}

/** The posts and engagement of the cluster, in total and per hour (UTC hour start, ISO). */
export interface CaseReach {
  posts: number;
  /** Sum of the posts' reach (see ExamplePost.reach). */
  engagement: number;
  /** Last hours first-to-last, at most 48 entries. */
  per_hour: Array<{ hour: string; posts: number; engagement: number }>;
  /** Engagement of the last 6 hours against the 6 before: naik (≥ 1.5×), turun (≤ 0.67×), stabil otherwise. */
  trend: 'naik' | 'turun' | 'stabil';
}

/** The knowledge-base entry matched to the cluster, with how sure the matcher is. */
export interface MatchedClarification {
  /** The knowledge base's claim key (its Elasticsearch _id). */
  id: string;
  claim: string;
  verdict: Verdict;
  explanation: string | null;
  url: string | null;
  publisher: string | null;
  published_at: string | null;
  /** Calibrated probability that the narrative states this claim. */
  probability: number;
}

/** What the desk knows about a claim cluster; routing and the alert text read this. */
export interface CaseContent {
  cluster_id: string;
  /** Labels that make it an alert: `hoax` (supports a claim the knowledge base marks false) and the model's flags. */
  labels: string[];
  /** The narrative in one sentence (the matched claim, else the most-shared post cut to a sentence). */
  summary: string;
  /** Up to 3 example posts, most reach first. */
  examples: ExamplePost[];
  reach: CaseReach;
  /** BPS codes (2 or 4 digits) of the posts' regions. */
  regions: string[];
  /** Institutions named in the posts (as routing's institution names match them). */
  institutions: string[];
  /** Topics: the matched clarification's topics and the election terms the posts matched. */
  topics: string[];
  clarification: MatchedClarification | null;
}

/** Links in an alert that move the case without logging in: each carries a signed, expiring token. */
export interface CaseLinks {
  view: string;
  acknowledge: string;
  counter: string;
  close: string;
}

/** Why a message goes out: a new case, an escalation (reach doubled), or the unit's daily digest. */
export type AlertKind = 'new' | 'escalation' | 'digest';

/** A case as one unit sees it. */
export interface NarrativeCase extends CaseContent {
  /** `<cluster_id>~<unit_id>` */
  case_id: string;
  unit_id: string;
  status: CaseStatus;
  opened_at: string;
  links: CaseLinks;
  /** How many escalations were sent (0 before the first). */
  escalations: number;
}

/**
 * One message for channels, rendered once and sent to each of a unit's channels. Each channel picks the form
 * it can show: webhook → `payload` (JSON), Slack → `markdown` (mrkdwn), Telegram → `telegram_html`, e-mail →
 * `subject` + `text` + `html`.
 */
export interface ChannelMessage {
  /** Stable id of this message (idempotency key): `<case_id>:<kind>:<n>`. */
  id: string;
  subject: string;
  text: string;
  markdown: string;
  html: string;
  telegram_html: string;
  payload: Record<string, unknown>;
}
