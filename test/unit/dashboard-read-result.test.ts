/**
 * Reading aggregation answers, turning the range into instants in Asia/Jakarta, and panel CSV: the parts of the
 * dashboard that need no Elasticsearch.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DASHBOARDS_DIR, loadDashboard } from '../../src/dashboard/definition.ts';
import { publicText } from '../../src/dashboard/enrich.ts';
import { panelCsv } from '../../src/dashboard/panel-csv.ts';
import { readPath, readTimeSeries } from '../../src/dashboard/read-result.ts';
import { dayRange, fillPlaceholders, intervalFor, startOfDay } from '../../src/dashboard/time-range.ts';

const dashboard = loadDashboard(resolve(DEFAULT_DASHBOARDS_DIR, 'leadership.json'));

describe('the dashboard range', () => {
  it('counts days in Asia/Jakarta across a month and a year end, whatever the server zone', () => {
    expect(dayRange('2026-12-01', '2026-12-31', 'Asia/Jakarta')).toEqual({ fromIso: '2026-11-30T17:00:00.000Z', toIso: '2026-12-31T16:59:59.999Z' });
    expect(dayRange('2027-02-28', '2027-02-28', 'Asia/Jakarta')).toEqual({ fromIso: '2027-02-27T17:00:00.000Z', toIso: '2027-02-28T16:59:59.999Z' });
    expect(new Date(startOfDay('2026-03-29', 'Europe/Amsterdam')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(startOfDay('2026-03-30', 'Europe/Amsterdam')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(intervalFor('2026-09-03', '2026-12-01')).toBe('day');
    expect(intervalFor('2026-01-01', '2026-12-01')).toBe('week');
  });

  it('fills only whole-string placeholders it knows', () => {
    expect(fillPlaceholders({ a: '{{from}}', b: ['{{interval}}', 'x{{from}}'], c: { d: '{{other}}' } }, { from: 'F', interval: 'day' })).toEqual({ a: 'F', b: ['day', 'x{{from}}'], c: { d: '{{other}}' } });
  });
});

describe('reading aggregation answers', () => {
  it('finds a percentile key that holds a dot', () => {
    expect(readPath({ to_counter: { values: { '50.0': 600, '90.0': 900 } } }, 'to_counter.values.50.0')).toBe(600);
    expect(readPath({ a: { b: 1 } }, 'a.c')).toBeUndefined();
  });

  it('reads a time series with a series per known label, and fills the overlap note from the totals', () => {
    const spec = dashboard.panels.find((p) => p.id === 'flagged_over_time')!.result;
    if (spec.kind !== 'time_series') throw new Error('time series expected');
    const day1 = Date.parse('2026-11-30T17:00:00Z');
    const aggs = {
      time: {
        buckets: [
          { key: day1, doc_count: 3, multi: { doc_count: 1 }, labels: { buckets: [{ key: 'hoax', doc_count: 3 }, { key: 'sara', doc_count: 1 }] } },
          { key: day1 + 86_400_000, doc_count: 1, multi: { doc_count: 0 }, labels: { buckets: [{ key: 'hate_speech', doc_count: 1 }] } },
        ],
      },
    };
    const ts = readTimeSeries(spec, aggs, dashboard);
    expect(ts.x).toEqual(['2026-12-01', '2026-12-02']);
    expect(ts.series.map((s) => [s.key, s.values])).toEqual([
      ['flagged', [3, 1]],
      ['multi', [1, 0]],
      ['hoax', [3, 0]],
      ['hate_speech', [0, 1]],
      ['sara', [1, 0]],
      ['abusive', [0, 0]],
    ]);
    expect(ts.note).toBe('Satu unggahan bisa punya lebih dari satu kategori: 1 dari 4 unggahan ditandai punya dua kategori atau lebih, sehingga jumlah per kategori (5) lebih besar dari jumlah unggahan berbeda.');
  });
});

describe('what leaves the dashboard', () => {
  it('keeps a narrative readable without mentions, links, e-mail addresses or phone numbers', () => {
    expect(publicText('Kata @saksi_tps: surat suara dicoblos https://t.co/x hubungi 0812-3456-7890 atau a.b@mail.id ya')).toBe('Kata : surat suara dicoblos hubungi atau ya');
    expect(Array.from(publicText('x'.repeat(500))).length).toBe(160);
  });

  it('writes CSV a spreadsheet reads safely: quoted, no formulas, label names, a BOM', () => {
    const csv = panelCsv(
      {
        id: 'top_narratives', title: 't', description: 'd', chart: 'table', not_applied: [], took_ms: 1, kind: 'table',
        columns: [{ key: 'accounts', name: 'Akun berbeda', format: 'number' }, { key: 'labels', name: 'Kategori', format: 'labels' }],
        rows: [{ key: 'n1', name: '=HYPERLINK("x"), "kutip"', values: { accounts: 3, labels: ['hoax', 'sara'] }, status: 'countered' }],
      },
      dashboard.labels,
    );
    expect(csv).toBe('\uFEFFKode,Nama,Akun berbeda,Kategori,Status\r\nn1,"\'=HYPERLINK(""x""), ""kutip""",3,"Hoaks; Provokasi SARA",Sudah dilawan\r\n');
  });
});
