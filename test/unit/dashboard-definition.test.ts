/**
 * Dashboards as data: the shipped definition loads, and the mistakes that would make a panel silently wrong are
 * refused at load with a message that names the panel.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DASHBOARDS_DIR, loadDashboard, loadDashboards, parseDashboard } from '../../src/dashboard/definition.ts';
import { loadElectionStages, parseElectionStages, stagesOn } from '../../src/config/election-stages.ts';

const shipped = loadDashboard(resolve(DEFAULT_DASHBOARDS_DIR, 'leadership.json'));
const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(shipped)) as Record<string, unknown>;
const panels = (d: Record<string, unknown>) => d.panels as Array<Record<string, unknown>>;

describe('dashboard definitions', () => {
  it('loads every shipped dashboard, with every panel the issue asks for', () => {
    expect([...loadDashboards().keys()]).toEqual(['leadership']);
    expect(shipped.panels.map((p) => p.id)).toEqual(['summary', 'flagged_over_time', 'top_narratives', 'provinces', 'platforms', 'sources', 'response_times', 'open_alerts', 'precision']);
    expect(shipped.timezone).toBe('Asia/Jakarta');
  });

  it('refuses an unknown placeholder, an aggregation the result does not define, and a chart that cannot show the result', () => {
    const a = clone();
    (panels(a)[1]!.aggs as { time: { date_histogram: Record<string, unknown> } }).time.date_histogram.time_zone = '{{zone}}';
    expect(() => parseDashboard(a)).toThrow(/panel flagged_over_time: unknown placeholder \{\{zone\}\}/);
    const b = clone();
    (panels(b)[2]!.result as Record<string, unknown>).rows = 'missing';
    expect(() => parseDashboard(b)).toThrow(/panel top_narratives: result reads aggregation "missing"/);
    const c = clone();
    panels(c)[0]!.chart = 'line';
    expect(() => parseDashboard(c)).toThrow(/panel summary: chart "line" cannot show a metrics result/);
    const e = clone();
    panels(e)[1]!.query = { range: { created_at: { gte: '{{from}}' } } };
    expect(() => parseDashboard(e)).toThrow(/panel flagged_over_time: placeholders belong in aggs only/);
    const d = clone();
    (panels(d)[3]!.result as Record<string, unknown>).enrich = 'unit';
    expect(() => parseDashboard(d)).toThrow(/panel provinces: a choropleth needs rows of provinces/);
  });

  it('refuses a panel id used twice, an unknown filter, an index it may not read and a bad time zone', () => {
    const a = clone();
    panels(a)[1]!.id = 'summary';
    expect(() => parseDashboard(a)).toThrow(/panel id "summary" is used twice/);
    const b = clone();
    panels(b)[0]!.filter_fields = { author: 'author' };
    expect(() => parseDashboard(b)).toThrow(/invalid/);
    const c = clone();
    panels(c)[0]!.index = 'users';
    expect(() => parseDashboard(c)).toThrow(/invalid/);
    const d = clone();
    d.timezone = 'Jakarta';
    expect(() => parseDashboard(d)).toThrow(/timezone "Jakarta" is not an IANA time zone/);
  });
});

describe('election stages', () => {
  it('loads the shipped stages, names the stage of a day, and refuses an end before its start', () => {
    const stages = loadElectionStages();
    expect(stages.stages.map((s) => s.id)).toEqual(['campaign', 'quiet', 'voting', 'counting']);
    expect(stagesOn(stages, '2026-12-16').map((s) => s.name)).toEqual(['Hari pemungutan suara']);
    expect(stagesOn(stages, '2027-01-31')).toEqual([]);
    expect(() => parseElectionStages({ version: 1, stages: [{ id: 'x', name: 'X', start: '2026-12-02', end: '2026-12-01' }] })).toThrow(/start must not be after end/);
    expect(() => parseElectionStages({ version: 1, stages: [{ id: 'x', name: 'X', start: '2026-02-30', end: '2026-03-01' }] })).toThrow(/calendar date/);
  });
});
