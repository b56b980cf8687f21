/**
 * A small, fully known data set for the dashboard, the daily brief and their browser tests: posts written by the
 * real posts sink (so province and source are derived as in production), narratives, desk clusters and cases,
 * and analysts' decisions. `DASHBOARD_EXPECTED` holds what the panels must show for 2026-12-01 … 2026-12-02
 * (Asia/Jakarta), worked out by hand from the seeds below, not from the code under test.
 */
import type { Client } from '@elastic/elasticsearch';
import { scoredPostSchema, type ScoredPost } from '../../src/core/post.ts';
import { newCase } from '../../src/desk/lifecycle.ts';
import { appendAudit } from '../../src/review/audit-log.ts';
import { indexPosts } from '../../src/sinks/elasticsearch-posts.ts';
import { createCase, putCluster, type CaseDoc, type ClusterDoc } from '../../src/store/desk-store.ts';
import { auditIndex, deskCasesIndex, deskClustersIndex, postsAlias } from '../../src/store/index-names.ts';
import { narrativesIndex } from '../../src/store/narrative-documents.ts';
import { auditEntry, decidedPost } from './audit-entries.ts';

/** 17:00 WIB on 2 December 2026. */
export const DASHBOARD_NOW = '2026-12-02T10:00:00.000Z';
export const DASHBOARD_RANGE = { from: '2026-12-01', to: '2026-12-02' } as const;

interface Seed {
  id: string;
  at: string;
  flags: string[];
  region: string | null;
  platform: string;
  narrative: string | null;
  author: string;
  shares?: number;
  text?: string;
}

export const DASHBOARD_SEEDS: Seed[] = [
  { id: 'tw-1', at: '2026-12-01T03:00:00Z', flags: ['hoax'], region: '3578', platform: 'twitter', narrative: 'nar-a', author: 'a1', shares: 10 },
  { id: 'tw-2', at: '2026-12-01T04:00:00Z', flags: ['hoax', 'sara'], region: '35', platform: 'twitter', narrative: 'nar-a', author: 'a2', shares: 5 },
  { id: 'fb-3', at: '2026-12-01T05:00:00Z', flags: ['hate_speech'], region: '31', platform: 'facebook', narrative: 'nar-b', author: 'a3' },
  { id: 'fb-4', at: '2026-12-01T06:00:00Z', flags: [], region: '31', platform: 'facebook', narrative: null, author: 'a3' },
  { id: 'rss-5', at: '2026-12-01T07:00:00Z', flags: ['hate_speech', 'abusive', 'sara'], region: '73', platform: 'news', narrative: 'nar-c', author: 'a4' },
  { id: 'tw-6', at: '2026-12-02T02:00:00Z', flags: ['hoax'], region: '35', platform: 'twitter', narrative: 'nar-a', author: 'a5', shares: 1 },
  { id: 'ig-7', at: '2026-12-02T03:00:00Z', flags: [], region: null, platform: 'instagram', narrative: null, author: 'a6' },
  // 00:30 WIB on 1 December: in the range although it is still 30 November in UTC.
  { id: 'tw-8', at: '2026-11-30T17:30:00Z', flags: ['hoax'], region: '32', platform: 'twitter', narrative: 'nar-d', author: 'a6' },
  // 23:30 WIB on 30 November: outside the range.
  { id: 'tw-9', at: '2026-11-30T16:30:00Z', flags: ['hoax'], region: '32', platform: 'twitter', narrative: 'nar-d', author: 'a7' },
];

/** What the leadership dashboard shows for DASHBOARD_RANGE without filters. */
export const DASHBOARD_EXPECTED = {
  posts: 8,
  flagged: 6,
  narratives: 4,
  perLabel: { hoax: 4, hate_speech: 2, sara: 2, abusive: 1 },
  labelSum: 9,
  multiLabel: 2,
  flaggedPerDay: { '2026-12-01': 5, '2026-12-02': 1 },
  provinces: { '35': 3, '31': 1, '73': 1, '32': 1 },
  platforms: { twitter: { posts: 4, flagged: 4 }, facebook: { posts: 2, flagged: 1 }, news: { posts: 1, flagged: 1 }, instagram: { posts: 1, flagged: 0 } },
  sources: { tw: 4, fb: 2, rss: 1, ig: 1 },
  topNarrative: { id: 'nar-a', accounts: 3, posts: 3, shares: 16, status: 'countered' },
  narrativeStatus: { 'nar-a': 'countered', 'nar-b': 'new', 'nar-c': 'none', 'nar-d': 'none' },
  openAlerts: { 'kpu-ri': { new: 1, acknowledged: 0 }, 'bawaslu-ri': { new: 0, acknowledged: 1 } },
  responseTimes: { 'kpu-ri': { cases: 2, acknowledged: 1, ackSeconds: 600, countered: 1, counterSeconds: 3600 }, 'bawaslu-ri': { cases: 1, acknowledged: 1, ackSeconds: 1200, countered: 0 } },
  precisionHoax: { confirmed: 2, dismissed: 1 },
} as const;

const TEXTS: Record<string, string> = {
  'nar-a': 'Surat suara sudah dicoblos duluan di TPS Surabaya, kata @saksi_tps https://t.co/abc hubungi 081234567890',
  'nar-b': 'Pendukung paslon 02 itu semua bodoh dan harus diusir',
  'nar-c': 'Jangan pilih calon dari suku itu, mereka tidak bisa dipercaya',
  'nar-d': 'Pemungutan suara diundur seminggu karena banjir',
};

function scored(s: Seed): ScoredPost {
  return scoredPostSchema.parse({
    id: s.id,
    platform: s.platform,
    author: s.author,
    text: s.text ?? (s.narrative ? TEXTS[s.narrative] : 'Ayo datang ke TPS tanggal 16 Desember'),
    url: `https://example.com/${s.platform}/${s.id}`,
    created_at: s.at,
    region: s.region,
    engagement: { shares: s.shares ?? 0, likes: 0, views: 100 },
    language: 'id',
    scores: { hate_speech: 0.01, abusive: 0.01, sara: 0.01, hoax: 0.01, ...Object.fromEntries(s.flags.map((f) => [f, 0.95])) },
    flags: s.flags,
    flagged: s.flags.length > 0,
    review_flags: [],
    sentiment: 'negative',
    model_version: 'pantau-id-v2',
    classified_at: s.at,
    relevance: { relevant: true, terms: ['TPS'] },
    narrative_id: s.narrative,
    claim: null,
  });
}

function cluster(id: string, narratives: string[], summary: string, at: string): ClusterDoc {
  return {
    cluster_id: id,
    claim_id: null,
    narratives,
    representative: summary,
    summary,
    labels: ['hoax'],
    regions: [],
    institutions: [],
    topics: [],
    examples: [],
    clarification: null,
    post_ids: [],
    known_engagement: 0,
    counter_post_ids: [],
    counter_examples: [],
    first_counter_at: null,
    first_seen: at,
    last_seen: at,
    updated_at: at,
  };
}

function openedCase(clusterId: string, unitId: string, at: string, provinces: string[], moves: { ack?: number; counter?: number } = {}): CaseDoc {
  const c = newCase({ caseId: `${clusterId}~${unitId}`, clusterId, unitId, labels: ['hoax'], summary: TEXTS['nar-a']!, at, engagement: 10, via: 'desk', provinces });
  const opened = Date.parse(at);
  if (moves.ack !== undefined) Object.assign(c, { status: 'acknowledged', acknowledged_at: new Date(opened + moves.ack * 1000).toISOString(), seconds_to_acknowledge: moves.ack });
  if (moves.counter !== undefined) Object.assign(c, { status: 'countered', countered_at: new Date(opened + moves.counter * 1000).toISOString(), seconds_to_counter: moves.counter, counter_url: 'https://kpu.example.go.id/klarifikasi/1' });
  return c;
}

/** Writes the data set under `prefix` (templates must be installed) and refreshes. */
export async function seedDashboardData(es: Client, prefix: string): Promise<void> {
  const rejected = await indexPosts(es, DASHBOARD_SEEDS.map(scored), { prefix, maxAttempts: 3, retryBaseMs: 50 });
  if (rejected.length > 0) throw new Error(`seed posts rejected: ${JSON.stringify(rejected)}`);
  // nar-c has no narrative document yet (the reach job writes them later): its name comes from its first post.
  for (const [id, text] of Object.entries(TEXTS).filter(([id]) => id !== 'nar-c')) {
    await es.index({ index: narrativesIndex(prefix), id, document: { id, simhash: '0', first_seen: DASHBOARD_SEEDS.find((s) => s.narrative === id)!.at, first_post_id: null, sample_text: text } });
  }
  await putCluster(es, prefix, cluster('klaster-a', ['nar-a'], TEXTS['nar-a']!, '2026-12-01T03:30:00Z'));
  await putCluster(es, prefix, cluster('klaster-b', ['nar-b'], TEXTS['nar-b']!, '2026-12-01T05:30:00Z'));
  await createCase(es, prefix, openedCase('klaster-a', 'kpu-ri', '2026-12-01T03:30:00Z', ['35'], { ack: 600, counter: 3600 }));
  await createCase(es, prefix, openedCase('klaster-a', 'bawaslu-ri', '2026-12-01T03:30:00Z', ['35'], { ack: 1200 }));
  await createCase(es, prefix, openedCase('klaster-b', 'kpu-ri', '2026-12-01T05:30:00Z', ['31']));
  const post = decidedPost('tw-1', TEXTS['nar-a']!, ['hoax']);
  for (const [action, at] of [['confirm', '2026-12-01T08:00:00Z'], ['confirm', '2026-12-02T01:00:00Z'], ['dismiss', '2026-12-02T02:00:00Z']] as const) {
    await appendAudit(es, prefix, auditEntry({ action, at, posts: [{ ...post, post_id: `${action}-${at}` }], item_id: `post:${action}-${at}` }));
  }
  await es.indices.refresh({ index: [postsAlias(prefix), narrativesIndex(prefix), deskClustersIndex(prefix), deskCasesIndex(prefix), auditIndex(prefix)], ignore_unavailable: true });
}
