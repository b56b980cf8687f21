/** One brief made end to end: collected from Elasticsearch, rendered as HTML, plain text and one PDF page. */
import { resolve } from 'node:path';
import { loadElectionStages, type ElectionStages } from '../config/election-stages.ts';
import { PROJECT_ROOT } from '../core/paths.ts';
import { DEFAULT_DASHBOARDS_DIR, loadDashboard, type DashboardDefinition } from '../dashboard/definition.ts';
import type { BriefData } from './brief-data.ts';
import { collectBrief, type BriefDeps } from './collect.ts';
import { renderBriefHtml, renderBriefText } from './render-html.ts';
import { renderBriefPdf } from './render-pdf.ts';

export interface RenderedBrief {
  data: BriefData;
  html: string;
  text: string;
  pdf: Buffer;
  /** Time to collect (Elasticsearch) and to render, in ms. */
  timings: { collectMs: number; renderMs: number };
}

export async function produceBrief(deps: BriefDeps, options: { date: string; dashboard: DashboardDefinition }): Promise<RenderedBrief> {
  const started = performance.now();
  const data = await collectBrief(deps, options);
  const collected = performance.now();
  const { pdf } = await renderBriefPdf(data);
  return { data, html: renderBriefHtml(data), text: renderBriefText(data), pdf, timings: { collectMs: Math.round(collected - started), renderMs: Math.round(performance.now() - collected) } };
}

/** The dashboard the brief reads (`brief.dashboard` in dashboards/) and the election stages it names. */
export function loadBriefInputs(dashboardId: string, dashboardsDir: string = DEFAULT_DASHBOARDS_DIR): { dashboard: DashboardDefinition; stages: ElectionStages | undefined } {
  const dashboard = loadDashboard(resolve(dashboardsDir, `${dashboardId}.json`));
  const stages = dashboard.stages_file ? loadElectionStages(resolve(PROJECT_ROOT, dashboard.stages_file)) : undefined;
  return { dashboard, stages };
}
