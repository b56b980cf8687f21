/**
 * The dashboards' API, for every signed-in role (leadership included: aggregates only, see run-dashboard.ts):
 *
 *   GET /api/dashboards/:id                   the definition the page draws from, the filter options, today
 *   GET /api/dashboards/:id/data              every panel's data  ?from=&to=&label=&region=&platform=&source=
 *   GET /api/dashboards/:id/panels/:panel/csv one panel as CSV, same query
 *
 * Days are calendar days in the dashboard's time zone (Asia/Jakarta); without `from`/`to` the range is the
 * dashboard's `default_days` up to today by the server's clock.
 */
import type { Client } from '@elastic/elasticsearch';
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import type { ElectionStages } from '../config/election-stages.ts';
import type { DashboardDefinition } from '../dashboard/definition.ts';
import { NARRATIVE_STATUS_NAMES } from '../dashboard/enrich.ts';
import { panelCsv } from '../dashboard/panel-csv.ts';
import { PROVINCES } from '../dashboard/provinces.ts';
import { runDashboard, runPanel, type DashboardFilters } from '../dashboard/run-dashboard.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { postsAlias } from '../store/index-names.ts';
import { addDays, dayIn, daysBetween, isCalendarDay } from './dates.ts';
import { HttpError, ROLES, route, type RouteSpec } from './route.ts';

const MAX_RANGE_DAYS = 366;
/** Platforms and sources offered as filter options: those seen in the last 90 days. */
const OPTION_DAYS = 90;

const isoDay = z.string().refine(isCalendarDay, { message: 'must be a calendar date YYYY-MM-DD' });
const keyword = z.string().regex(/^[A-Za-z0-9._:-]{1,60}$/, 'letters, digits, . _ : - (at most 60)');

export const dashboardQuerySchema = z
  .object({
    from: isoDay.optional(),
    to: isoDay.optional(),
    label: z.string().max(40).optional(),
    region: z.string().regex(/^\d{2}$/, 'a 2-digit BPS province code').optional(),
    platform: keyword.optional(),
    source: keyword.optional(),
  })
  .strict();
type DashboardQuery = z.infer<typeof dashboardQuerySchema>;

export interface DashboardRoutesOptions {
  es: Client;
  prefix: string;
  dashboards: ReadonlyMap<string, DashboardDefinition>;
  units?: HumasUnitsConfig | undefined;
  stages?: ElectionStages | undefined;
  clock: Clock;
}

const idParam = { id: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'a dashboard id') };

export function dashboardRoutes(options: DashboardRoutesOptions): RouteSpec<any, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const deps = { es: options.es, prefix: options.prefix, units: options.units, stages: options.stages };
  const dashboardOf = (id: string): DashboardDefinition => {
    const d = options.dashboards.get(id);
    if (!d) throw new HttpError(404, `no dashboard "${id}"; known: ${[...options.dashboards.keys()].join(', ')}`);
    return d;
  };

  /** The query as filters, checked: from ≤ to, a bounded range, a known label. */
  const filtersOf = (d: DashboardDefinition, q: DashboardQuery): DashboardFilters => {
    const to = q.to ?? dayIn(options.clock(), d.timezone);
    const from = q.from ?? addDays(to, -(d.default_days - 1));
    if (from > to) throw new HttpError(400, '"from" must not be after "to"');
    if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw new HttpError(400, `the range may span at most ${MAX_RANGE_DAYS} days`);
    if (q.label !== undefined && !(q.label in d.labels)) throw new HttpError(400, `unknown label "${q.label}"; known: ${Object.keys(d.labels).join(', ')}`);
    return { from, to, label: q.label, region: q.region, platform: q.platform, source: q.source };
  };

  const seenValues = async (field: string, since: string): Promise<string[]> => {
    try {
      const r = await options.es.search({
        index: postsAlias(options.prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: 0,
        request_cache: true,
        query: { range: { created_at: { gte: since } } },
        aggs: { values: { terms: { field, size: 50 } } },
      });
      return ((r.aggregations?.values as { buckets?: Array<{ key: string }> } | undefined)?.buckets ?? []).map((b) => String(b.key));
    } catch (error) {
      throw elasticsearchError('serving', `dashboard filter options (${field})`, error);
    }
  };

  return [
    route({
      method: 'GET',
      path: '/api/dashboards/:id',
      access: ROLES,
      summary: 'A dashboard definition for the page: panels, filters and their options, election stages, today',
      params: idParam,
      handler: async ({ params }) => {
        const d = dashboardOf(params.id!);
        const today = dayIn(options.clock(), d.timezone);
        const since = new Date(options.clock() - OPTION_DAYS * 86_400_000).toISOString();
        const [platforms, sources] = await Promise.all([seenValues('platform', since), seenValues('source', since)]);
        return {
          status: 200,
          json: {
            id: d.id,
            title: d.title,
            timezone: d.timezone,
            today,
            default_range: { from: addDays(today, -(d.default_days - 1)), to: today },
            refresh_seconds: d.refresh_seconds,
            labels: d.labels,
            statuses: NARRATIVE_STATUS_NAMES,
            filters: d.filters.map((f) => ({
              ...f,
              options:
                f.id === 'label'
                  ? Object.entries(d.labels).map(([value, name]) => ({ value, name }))
                  : f.id === 'region'
                    ? Object.entries(PROVINCES).map(([value, name]) => ({ value, name }))
                    : (f.id === 'platform' ? platforms : sources).map((value) => ({ value, name: value })),
            })),
            panels: d.panels.map((p) => ({ id: p.id, title: p.title, description: p.description, chart: p.chart, kind: p.result.kind, markers: p.markers, filters: Object.keys(p.filter_fields) })),
            stages: options.stages?.stages.map(({ id, name, start, end }) => ({ id, name, start, end })) ?? [],
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/dashboards/:id/data',
      access: ROLES,
      summary: 'Every panel of a dashboard for a range and filters (aggregates only)',
      params: idParam,
      query: dashboardQuerySchema,
      handler: async ({ params, query }) => {
        const d = dashboardOf(params.id!);
        return { status: 200, json: await runDashboard(deps, d, filtersOf(d, query)) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/dashboards/:id/panels/:panel/csv',
      access: ROLES,
      summary: 'One panel of a dashboard as CSV (same range and filters as /data)',
      params: { ...idParam, panel: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'a panel id') },
      query: dashboardQuerySchema,
      handler: async ({ params, query }) => {
        const d = dashboardOf(params.id!);
        if (!d.panels.some((p) => p.id === params.panel)) throw new HttpError(404, `dashboard ${d.id} has no panel "${params.panel}"`);
        const filters = filtersOf(d, query);
        const data = await runPanel(deps, d, params.panel!, filters);
        return {
          status: 200,
          text: panelCsv(data, d.labels),
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': `attachment; filename="${d.id}-${data.id}-${filters.from}_${filters.to}.csv"` },
        };
      },
    }),
  ];
}
