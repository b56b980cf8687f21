/**
 * A synthetic monitoring history for the dashboard benchmark: posts over the last D days (days in Asia/Jakarta,
 * ending at the clock's today), the desk's clusters and cases, the analysts' decisions and the narratives'
 * documents, in the shapes the product writes them (posts as the posts sink writes them, derived fields included).
 *
 * Deterministic: post i depends only on the seed, i and the options (not on N or on the order it is asked for), so
 * the benchmark can generate in batches and a reused index holds the same posts.
 *
 * Shape of the data (the reasons the panels have realistic work to do):
 * - 38 provinces (BPS codes) weighted by population, Jakarta doubled for being online more; 22 % of posts have no
 *   region, a third of the rest a 4-digit regency code; half of the narratives are regional (60 % of their posts
 *   from a home province);
 * - platforms twitter, facebook, tiktok, instagram, news, youtube; sources (id prefixes) tw, fb, tt, ig, rss, web, yt;
 * - 70 % of posts in one of 20,000 narratives with Zipf-like sizes (rank r gets ∝ 1/r^0.9), each narrative a burst
 *   of a few days; 12 % of narratives are negative (most of their posts flagged with the narrative's labels);
 * - about 10 % of posts flagged (the unit test holds it within 5–15 %), some with two or three labels;
 * - 200,000 authors with Zipf-like activity; engagement spread over orders of magnitude.
 */
import { readFileSync } from 'node:fs';
import { SAMPLE_POSTS_FILE } from '../cli/paths.ts';
import { addDays, dayIn } from '../api/dates.ts';
import { seededRandom } from '../core/random.ts';
import type { ScoredPost } from '../core/post.ts';
import type { CaseDoc, ClusterDoc } from '../store/desk-store.ts';
import type { AuditEntry, ReviewAction } from '../review/decision.ts';
import { derivedPostFields, provinceOf, sourceOf, type DerivedPostFields } from '../store/post-derived-fields.ts';
import { startOfDay } from '../dashboard/time-range.ts';
import { PROVINCE_CODES } from '../dashboard/provinces.ts';

export const LABELS = ['hoax', 'hate_speech', 'abusive', 'sara'] as const;
const TIME_ZONE = 'Asia/Jakarta';
const DAY_MS = 86_400_000;

/** Population in millions (BPS, rounded), the weight of a province; DKI Jakarta counts double (more online). */
export const PROVINCE_WEIGHTS: Readonly<Record<string, number>> = {
  '11': 5.5, '12': 15.4, '13': 5.8, '14': 6.7, '15': 3.7, '16': 8.8, '17': 2.1, '18': 9.3, '19': 1.5, '21': 2.2,
  '31': 21.4, '32': 50.0, '33': 37.9, '34': 3.7, '35': 41.6, '36': 12.4, '51': 4.4, '52': 5.6, '53': 5.6,
  '61': 5.6, '62': 2.8, '63': 4.2, '64': 4.0, '65': 0.7, '71': 2.7, '72': 3.1, '73': 9.4, '74': 2.8, '75': 1.2,
  '76': 1.5, '81': 1.9, '82': 1.3, '91': 0.6, '92': 0.6, '94': 1.1, '95': 0.5, '96': 1.5, '97': 1.5,
};

/** platform → [share, sources with their share of the platform]. */
const PLATFORMS: Array<[string, number, Array<[string, number]>]> = [
  ['twitter', 0.34, [['tw', 1]]],
  ['facebook', 0.2, [['fb', 1]]],
  ['tiktok', 0.16, [['tt', 1]]],
  ['instagram', 0.12, [['ig', 1]]],
  ['news', 0.11, [['rss', 0.7], ['web', 0.3]]],
  ['youtube', 0.07, [['yt', 1]]],
];
const LABEL_WEIGHTS = [0.4, 0.25, 0.25, 0.1];

export interface DashboardDataOptions {
  /** The clock's "now" (ms): the last post is before it, the last day is its day in Asia/Jakarta. */
  now: number;
  days: number;
  seed?: number;
  narratives?: number;
  authors?: number;
}

/** A post as the posts sink writes it into Elasticsearch. */
export type PostDocument = ScoredPost & DerivedPostFields & { indexed_at: string };

/** Cumulative weights → index by binary search. */
function sampler(weights: ArrayLike<number>): (u: number) => number {
  const cdf = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) cdf[i] = sum += weights[i]!;
  return (u) => {
    const x = u * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

const zipf = (n: number, s: number) => sampler(Float64Array.from({ length: n }, (_, r) => 1 / (r + 1) ** s));

/** A 32-bit mix of the seed and a number: the seed of one post's or one narrative's PRNG. */
function mix(seed: number, i: number, salt: number): number {
  let h = (seed ^ Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A standard normal draw (Box–Muller). */
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

export interface NarrativeProfile {
  id: string;
  rank: number;
  negative: boolean;
  labels: string[];
  /** Centre and spread of its burst (ms). */
  center: number;
  spread: number;
  /** The province most of its posts come from, or null (national). */
  home: string | null;
}

export class DashboardData {
  readonly now: number;
  readonly days: number;
  /** First instant of the first day (Asia/Jakarta). */
  readonly start: number;
  /** First and last day (YYYY-MM-DD, Asia/Jakarta). */
  readonly firstDay: string;
  readonly lastDay: string;
  readonly seed: number;
  readonly narrativeCount: number;
  readonly authorCount: number;
  private readonly texts: string[];
  private readonly searchTexts = new Map<string, string>();
  private readonly pickNarrative: (u: number) => number;
  private readonly pickAuthor: (u: number) => number;
  private readonly pickProvince = sampler(PROVINCE_CODES.map((c) => PROVINCE_WEIGHTS[c]!));
  private readonly pickPlatform = sampler(PLATFORMS.map((p) => p[1]));
  private readonly pickLabel = sampler(LABEL_WEIGHTS);
  private readonly narrativeCache = new Map<number, NarrativeProfile>();

  constructor(options: DashboardDataOptions) {
    this.now = options.now;
    this.days = options.days;
    this.seed = options.seed ?? 20261202;
    this.narrativeCount = options.narratives ?? 20_000;
    this.authorCount = options.authors ?? 200_000;
    this.lastDay = dayIn(this.now, TIME_ZONE);
    this.firstDay = addDays(this.lastDay, -(this.days - 1));
    this.start = startOfDay(this.firstDay, TIME_ZONE);
    this.pickNarrative = zipf(this.narrativeCount, 0.9);
    this.pickAuthor = zipf(this.authorCount, 0.8);
    this.texts = readFileSync(SAMPLE_POSTS_FILE, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text);
  }

  /** Narrative of Zipf rank `rank` (0 = the largest). */
  narrative(rank: number): NarrativeProfile {
    const cached = this.narrativeCache.get(rank);
    if (cached) return cached;
    const r = seededRandom(mix(this.seed, rank, 1));
    const negative = r() < 0.12;
    const first = LABELS[this.pickLabel(r())]!;
    const second = r() < 0.3 ? LABELS[this.pickLabel(r())]! : first;
    const span = this.now - this.start;
    const profile: NarrativeProfile = {
      id: `nar-bench-${rank}`,
      rank,
      negative,
      labels: [...new Set([first, second])],
      center: this.start + r() * span,
      spread: DAY_MS * (0.5 + -Math.log(1 - r()) * 3),
      home: r() < 0.5 ? PROVINCE_CODES[this.pickProvince(r())]! : null,
    };
    this.narrativeCache.set(rank, profile);
    return profile;
  }

  /** Post number i. */
  post(i: number): PostDocument {
    const r = seededRandom(mix(this.seed, i, 0));
    const span = this.now - this.start;
    const nar = r() < 0.7 ? this.narrative(this.pickNarrative(r())) : null;
    let at = nar ? nar.center + normal(r) * nar.spread : this.start + r() * span;
    if (!(at >= this.start && at < this.now)) at = this.start + r() * span;
    const created = new Date(Math.floor(at)).toISOString();
    const [platform, , sources] = PLATFORMS[this.pickPlatform(r())]!;
    const source = sources.length === 1 || r() < sources[0]![1] ? sources[0]![0] : sources[1]![0];
    let region: string | null = null;
    if (r() >= 0.22) {
      const province = nar?.home && r() < 0.6 ? nar.home : PROVINCE_CODES[this.pickProvince(r())]!;
      region = r() < 0.35 ? `${province}${String(1 + Math.floor(r() * 20)).padStart(2, '0')}` : province;
    }
    let flags: string[] = [];
    if (nar?.negative ? r() < 0.6 : r() < 0.04) {
      if (nar?.negative) flags = nar.labels.filter((_, k) => k === 0 || r() < 0.6);
      else {
        const set = new Set([LABELS[this.pickLabel(r())]!]);
        if (r() < 0.2) set.add(LABELS[this.pickLabel(r())]!);
        if (r() < 0.05) set.add(LABELS[this.pickLabel(r())]!);
        flags = [...set];
      }
    }
    const scores: Record<string, number> = {};
    for (const l of LABELS) scores[l] = Math.round((flags.includes(l) ? 0.7 + r() * 0.29 : r() * 0.3) * 1000) / 1000;
    const reviewFlags = flags.length === 0 && r() < 0.03 ? [LABELS[this.pickLabel(r())]!] : [];
    const views = Math.floor(Math.exp(r() * 10));
    const likes = Math.floor(views * r() * 0.05);
    const text = this.texts[(nar ? nar.rank : i) % this.texts.length]!;
    const id = `${source}-${i}`;
    const base: ScoredPost = {
      schema_version: 1,
      id,
      platform,
      author: `@akun_${this.pickAuthor(r())}`,
      text,
      url: null,
      created_at: created,
      region,
      engagement: { likes, shares: Math.floor(views * r() * 0.01), replies: Math.floor(likes * r() * 0.2), views },
      language: 'id',
      scores,
      flags,
      flagged: flags.length > 0,
      review_flags: reviewFlags,
      sentiment: flags.length > 0 ? 'negative' : r() < 0.5 ? 'neutral' : 'positive',
      model_version: 'pantau-id-v2',
      classified_at: new Date(Math.floor(at) + 2000).toISOString(),
      relevance: { relevant: r() < 0.6, terms: [] },
      narrative_id: nar?.id ?? null,
      claim: null,
    };
    return { ...base, indexed_at: new Date(Math.floor(at) + 3000).toISOString(), ...this.derived(id, text, region) };
  }

  /** derivedPostFields, with the stemmed text (the costly part) kept per distinct text. */
  private derived(id: string, text: string, region: string | null): DerivedPostFields {
    let search = this.searchTexts.get(text);
    if (search === undefined) {
      search = derivedPostFields({ id, text, region }).search_text;
      this.searchTexts.set(text, search);
    }
    return { search_text: search, province: provinceOf(region), source: sourceOf(id) };
  }

  /** The 40 humas units: the 5 of pipelines/humas-units.json and 35 provincial ones. */
  units(): string[] {
    return ['kpu-ri', 'bawaslu-ri', 'diskominfo-jatim', 'diskominfo-dki', 'komdigi', ...PROVINCE_CODES.slice(0, 35).map((c) => `diskominfo-${c}`)];
  }

  /** Negative narratives from the largest down, with their desk cluster and the cases of `cases` units in all. */
  desk(cases: number, clusters = 2_000): { clusters: ClusterDoc[]; cases: CaseDoc[]; narratives: Array<{ id: string; simhash: string; first_seen: string; first_post_id: null; sample_text: string }> } {
    const r = seededRandom(mix(this.seed, 0, 2));
    const units = this.units();
    const pickUnit = zipf(units.length, 0.7);
    const outClusters: ClusterDoc[] = [];
    const outCases: CaseDoc[] = [];
    const narratives = [];
    const negatives: NarrativeProfile[] = [];
    for (let rank = 0; rank < this.narrativeCount && negatives.length < clusters; rank++) if (this.narrative(rank).negative) negatives.push(this.narrative(rank));
    const perCluster = cases / Math.max(1, negatives.length);
    for (const nar of negatives) {
      const text = this.texts[nar.rank % this.texts.length]!;
      const seen = new Date(Math.min(this.now - 60_000, Math.max(this.start, nar.center - nar.spread))).toISOString();
      narratives.push({ id: nar.id, simhash: '0', first_seen: seen, first_post_id: null, sample_text: text });
      const clusterId = `klaster-bench-${nar.rank}`;
      outClusters.push({
        cluster_id: clusterId, claim_id: null, narratives: [nar.id], representative: text, summary: text, labels: nar.labels, regions: nar.home ? [nar.home] : [],
        institutions: [], topics: [], examples: [], clarification: null, post_ids: [], known_engagement: 0, counter_post_ids: [], counter_examples: [],
        first_counter_at: null, first_seen: seen, last_seen: seen, updated_at: seen,
      });
      const want = Math.max(1, Math.round(perCluster * (0.5 + r())));
      const chosen = new Set<string>();
      for (let k = 0; k < want * 3 && chosen.size < want && outCases.length + chosen.size < cases; k++) chosen.add(units[pickUnit(r())]!);
      for (const unit of chosen) {
        const opened = Date.parse(seen) + Math.floor(r() * 3 * 3_600_000);
        if (opened >= this.now) continue;
        const u = r();
        const status = u < 0.12 ? 'new' : u < 0.3 ? 'acknowledged' : u < 0.8 ? 'countered' : 'closed';
        const ack = Math.round(Math.exp(Math.log(1800) + normal(r) * 1.2));
        const counter = ack + Math.round(Math.exp(Math.log(6 * 3600) + normal(r) * 1));
        const iso = (s: number) => new Date(opened + s * 1000).toISOString();
        const acked = status !== 'new' && opened + ack * 1000 < this.now;
        const countered = (status === 'countered' || (status === 'closed' && r() < 0.7)) && opened + counter * 1000 < this.now;
        outCases.push({
          case_id: `${clusterId}~${unit}`, cluster_id: clusterId, unit_id: unit, status: status === 'countered' && !countered ? 'acknowledged' : status === 'acknowledged' && !acked ? 'new' : status,
          labels: nar.labels, summary: text, opened_at: new Date(opened).toISOString(),
          acknowledged_at: acked ? iso(ack) : null, countered_at: countered ? iso(counter) : null, closed_at: status === 'closed' ? iso(counter + 3600) : null,
          counter_url: countered ? `https://humas.example.go.id/klarifikasi/${nar.rank}` : null,
          seconds_to_acknowledge: acked ? ack : null, seconds_to_counter: countered ? counter : null,
          escalations: 0, alerted_engagement: 100, last_alerted_at: new Date(opened).toISOString(), alerts_sent: 1, held_until: null, held_kind: null,
          history: [{ at: new Date(opened).toISOString(), event: 'opened', via: 'desk' }],
        });
      }
    }
    return { clusters: outClusters, cases: outCases, narratives };
  }

  /** `n` label decisions by analysts, spread over the days, about negative narratives' posts. */
  decisions(n: number): AuditEntry[] {
    const r = seededRandom(mix(this.seed, 0, 3));
    const out: AuditEntry[] = [];
    const span = this.now - this.start;
    for (let k = 0; k < n; k++) {
      let nar = this.narrative(this.pickNarrative(r()));
      for (let tries = 0; !nar.negative && tries < 50; tries++) nar = this.narrative(this.pickNarrative(r()));
      const u = r();
      const action: ReviewAction = u < 0.6 ? 'confirm' : u < 0.85 ? 'dismiss' : 'relabel';
      const before = nar.labels;
      const after = action === 'confirm' ? before : action === 'dismiss' ? [] : [LABELS[this.pickLabel(r())]!];
      out.push({
        id: `bench-decision-${k}`,
        at: new Date(Math.floor(this.start + r() * span)).toISOString(),
        actor: { username: `analis${1 + Math.floor(r() * 8)}`, role: 'analyst' },
        action,
        item_id: `narrative:${nar.id}`,
        narrative_id: nar.id,
        reason_in_queue: r() < 0.85 ? 'flagged' : 'uncertain',
        labels_before: before,
        labels_after: after,
        unit: null,
        clarification_id: null,
        reason: action === 'confirm' ? null : 'alasan',
        posts: [{ post_id: `tw-d${k}`, model_version: 'pantau-id-v2', scores: {}, flags: before, review_flags: [], text: this.texts[nar.rank % this.texts.length]! }],
        thresholds: {},
      });
    }
    return out.sort((a, b) => a.at.localeCompare(b.at));
  }
}
