/**
 * Collects the daily brief of one day (Asia/Jakarta) from the leadership dashboard's panels (the same
 * aggregations as the page at /), the knowledge base's clarifications published that day and the desk cases
 * countered that day. Pure of rendering: the result is drawn by render-html.ts and render-pdf.ts.
 *
 * Aggregates only. Narratives come as the dashboard's cleaned sample text, desk summaries are cleaned the same
 * way here, and the only links are published clarifications (public counter content, never a post).
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { addDays } from '../api/dates.ts';
import { stagesOn, type ElectionStages } from '../config/election-stages.ts';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import { isoNow, systemClock, type Clock } from '../core/clock.ts';
import type { DashboardDefinition } from '../dashboard/definition.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { clarificationsIndex, deskCasesIndex } from '../store/index-names.ts';
import { runPanel, type DashboardDeps, type PanelData } from '../dashboard/run-dashboard.ts';
import { wilson } from '../review/precision.ts';
import { cleanText, type BriefClarification, type BriefData, type BriefFigure, type BriefNarrative, type NarrativeStatus } from './brief-data.ts';

export interface BriefDeps {
  es: Client;
  prefix: string;
  units?: HumasUnitsConfig;
  stages?: ElectionStages;
  clock?: Clock;
}

/** Open cases are those opened in this many days before the brief's day (and on it) and not countered or closed. */
export const OPEN_ALERTS_DAYS = 90;
/** The precision estimate pools the analysts' decisions of this many days: one day has too few. */
export const PRECISION_DAYS = 30;
/** At most this many clarifications are read per day (the renderings show fewer and say how many more). */
const MAX_CLARIFICATIONS = 50;
const JAKARTA = 'Asia/Jakarta';

type Panel<K extends PanelData['kind']> = Extract<PanelData, { kind: K }>;

function expectKind<K extends PanelData['kind']>(panel: PanelData, kind: K): Panel<K> {
  if (panel.kind !== kind) throw new Error(`brief: panel "${panel.id}" gives ${panel.kind}, expected ${kind}`);
  return panel as Panel<K>;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export async function collectBrief(deps: BriefDeps, options: { date: string; dashboard: DashboardDefinition }): Promise<BriefData> {
  const { date, dashboard } = options;
  const clock = deps.clock ?? systemClock;
  const dashDeps: DashboardDeps = { es: deps.es, prefix: deps.prefix, units: deps.units, stages: deps.stages };
  const previousDate = addDays(date, -1);
  const day = { from: date, to: date };
  const panel = (id: string, filters: { from: string; to: string }) => runPanel(dashDeps, dashboard, id, filters);

  const [summary, summaryBefore, overTime, narratives, provinces, open, precision, clarifications] = await Promise.all([
    panel('summary', day),
    panel('summary', { from: previousDate, to: previousDate }),
    panel('flagged_over_time', day),
    panel('top_narratives', day),
    panel('provinces', day),
    panel('open_alerts', { from: addDays(date, -(OPEN_ALERTS_DAYS - 1)), to: date }),
    panel('precision', { from: addDays(date, -(PRECISION_DAYS - 1)), to: date }),
    publishedClarifications(deps, date),
  ]);

  // Figures: the summary panel on the day and the day before.
  const before = new Map(expectKind(summaryBefore, 'metrics').values.map((v) => [v.key, v.value]));
  const figures: BriefFigure[] = expectKind(summary, 'metrics').values.map((v) => {
    const previous = before.get(v.key) ?? null;
    const change = v.value !== null && previous !== null && previous > 0 ? (v.value - previous) / previous : null;
    return { key: v.key, name: v.name, value: v.value, previous, change };
  });

  // Categories: the time series' totals over the one day (distinct posts, 2+ categories, one series per label).
  const series = expectKind(overTime, 'time_series').series;
  const labelNames = dashboard.labels;
  const labels = {
    flagged: num(series.find((s) => s.key === 'flagged')?.total),
    multiLabel: num(series.find((s) => s.key === 'multi')?.total),
    rows: series
      .filter((s) => s.key !== 'flagged' && s.key !== 'multi' && s.total > 0)
      .map((s) => ({ key: s.key, name: labelNames[s.key] ?? s.name, posts: s.total }))
      .sort((a, b) => b.posts - a.posts),
  };

  const narrativeRows: BriefNarrative[] = expectKind(narratives, 'table')
    .rows.slice(0, 5)
    .map((r) => ({
      text: cleanText(r.name),
      accounts: num(r.values.accounts),
      posts: num(r.values.posts),
      shares: num(r.values.shares),
      views: num(r.values.views),
      labels: (Array.isArray(r.values.labels) ? r.values.labels : []).map((l) => labelNames[l] ?? l),
      status: (r.status ?? 'none') as NarrativeStatus,
    }));

  const provinceRows = expectKind(provinces, 'table')
    .rows.map((r) => ({ name: r.name, flagged: num(r.values.flagged) }))
    .sort((a, b) => b.flagged - a.flagged)
    .slice(0, 3);

  const units = expectKind(open, 'table')
    .rows.map((r) => ({ name: r.name, new: num(r.values.new), acknowledged: num(r.values.acknowledged) }))
    .filter((u) => u.new + u.acknowledged > 0)
    .sort((a, b) => b.new + b.acknowledged - (a.new + a.acknowledged));
  const openAlerts = {
    new: units.reduce((n, u) => n + u.new, 0),
    acknowledged: units.reduce((n, u) => n + u.acknowledged, 0),
    total: 0,
    units,
    sinceDays: OPEN_ALERTS_DAYS,
  };
  openAlerts.total = openAlerts.new + openAlerts.acknowledged;

  // Precision over every label: the per-label decisions summed (one decision per narrative and label), Wilson 95 %.
  const decisions = expectKind(precision, 'computed').rows;
  const confirmed = decisions.reduce((n, r) => n + r.confirmed, 0);
  const dismissed = decisions.reduce((n, r) => n + r.dismissed, 0);
  const n = confirmed + dismissed;
  const interval = n > 0 ? wilson(confirmed, n) : { low: null, high: null };

  return {
    date,
    previousDate,
    stages: deps.stages ? stagesOn(deps.stages, date).map((s) => s.name) : [],
    figures,
    labels,
    provinces: provinceRows,
    narratives: narrativeRows,
    openAlerts,
    clarifications,
    precision: n > 0 ? { days: PRECISION_DAYS, confirmed, dismissed, n, precision: confirmed / n, low: interval.low, high: interval.high } : null,
    generatedAt: isoNow(clock),
  };
}

interface KbHit { claim?: string; verdict?: string; publisher?: string; url?: string; published_at?: string }
interface CaseHit { unit_id?: string; summary?: string; counter_url?: string; countered_at?: string }

/** Clarifications published on `date` (Jakarta): knowledge-base entries and desk cases countered that day. */
async function publishedClarifications(deps: BriefDeps, date: string): Promise<BriefClarification[]> {
  const range = (field: string): estypes.QueryDslQueryContainer => ({ range: { [field]: { gte: date, lt: addDays(date, 1), time_zone: JAKARTA, format: 'yyyy-MM-dd' } } });
  let kb: estypes.SearchResponse<KbHit>;
  let desk: estypes.SearchResponse<CaseHit>;
  try {
    [kb, desk] = await Promise.all([
      deps.es.search<KbHit>({
        index: clarificationsIndex(deps.prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: MAX_CLARIFICATIONS,
        query: range('published_at'),
        sort: [{ published_at: 'desc' }],
        _source: ['claim', 'verdict', 'publisher', 'url', 'published_at'],
        track_total_hits: false,
      }),
      deps.es.search<CaseHit>({
        index: deskCasesIndex(deps.prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: MAX_CLARIFICATIONS,
        query: range('countered_at'),
        sort: [{ countered_at: 'desc' }],
        _source: ['unit_id', 'summary', 'counter_url', 'countered_at'],
        track_total_hits: false,
      }),
    ]);
  } catch (error) {
    throw elasticsearchError('indexing', 'brief: reading the clarifications published', error);
  }
  const unitName = new Map((deps.units?.units ?? []).map((u) => [u.id, u.name]));
  const fromKb = kb.hits.hits.flatMap((h): BriefClarification[] => {
    const s = h._source;
    if (!s?.claim || !s.published_at) return [];
    return [{ title: cleanText(s.claim, 200), by: s.publisher ?? 'penerbit tidak disebut', url: publicUrl(s.url), verdict: s.verdict ?? null, source: 'kb', at: s.published_at }];
  });
  const fromDesk = desk.hits.hits.flatMap((h): BriefClarification[] => {
    const s = h._source;
    if (!s?.countered_at) return [];
    const unit = s.unit_id ? (unitName.get(s.unit_id) ?? s.unit_id) : 'unit humas';
    return [{ title: cleanText(s.summary ?? 'Kasus dilawan', 200) || 'Kasus dilawan', by: unit, url: publicUrl(s.counter_url), verdict: null, source: 'desk', at: s.countered_at }];
  });
  // A desk counter that links the same clarification as a knowledge-base entry is one clarification.
  const kbUrls = new Set(fromKb.map((c) => c.url).filter((u) => u !== null));
  return [...fromKb, ...fromDesk.filter((c) => c.url === null || !kbUrls.has(c.url))].sort((a, b) => b.at.localeCompare(a.at));
}

/** Only http(s) links are shown (a javascript: or data: URL is dropped). */
function publicUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}
