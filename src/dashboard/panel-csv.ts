/**
 * A panel's data as CSV for leaders who forward figures: the column names the page shows (Bahasa Indonesia), one
 * row per bucket, numbers unformatted so a spreadsheet reads them. Cells that a spreadsheet would run as a
 * formula (starting with = + - @) are prefixed with ' (CSV injection), and a UTF-8 BOM lets Excel read the accents.
 */
import { NARRATIVE_STATUS_NAMES } from './enrich.ts';
import type { PanelData } from './run-dashboard.ts';

type Cell = string | number | null | undefined;

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (cells: Cell[]): string => cells.map(cell).join(',');

export function panelCsv(panel: PanelData, labelNames: Record<string, string>): string {
  const rows: Cell[][] = [];
  switch (panel.kind) {
    case 'metrics':
      rows.push(['Ukuran', 'Nilai']);
      for (const v of panel.values) rows.push([v.name, v.value]);
      break;
    case 'time_series':
      rows.push(['Tanggal', ...panel.series.map((s) => s.name)]);
      panel.x.forEach((x, i) => rows.push([x, ...panel.series.map((s) => s.values[i] ?? 0)]));
      break;
    case 'table': {
      const withStatus = panel.rows.some((r) => r.status !== undefined);
      rows.push(['Kode', 'Nama', ...panel.columns.map((c) => c.name), ...(withStatus ? ['Status'] : [])]);
      for (const r of panel.rows) {
        const values = panel.columns.map((c) => {
          const v = r.values[c.key];
          return Array.isArray(v) ? v.map((l) => labelNames[l] ?? l).join('; ') : v;
        });
        rows.push([r.key, r.name, ...values, ...(withStatus ? [NARRATIVE_STATUS_NAMES[r.status ?? 'none']] : [])]);
      }
      break;
    }
    case 'computed':
      rows.push(['Kategori', 'Dikonfirmasi', 'Ditolak', 'Keputusan', 'Presisi', 'Batas bawah 95%', 'Batas atas 95%']);
      for (const r of panel.rows) rows.push([r.name, r.confirmed, r.dismissed, r.n, r.precision, r.low, r.high]);
      break;
  }
  return `\uFEFF${rows.map(line).join('\r\n')}\r\n`;
}
