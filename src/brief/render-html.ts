/**
 * The daily brief as an e-mail: HTML that mail clients show as meant (one centred 640 px column of tables,
 * inline styles, no scripts, no images, no web fonts) and a plain-text alternative with the same content.
 * Every value from the data is escaped; numbers are formatted the Indonesian way, times in WIB.
 */
import {
  BRIEF_TITLE,
  describeChange,
  formatDay,
  formatNumber,
  formatTime,
  multiLabelNote,
  precisionLine,
  SECTIONS,
  STATUS_NAMES,
  type BriefData,
  type BriefFigure,
  type NarrativeStatus,
} from './brief-data.ts';

/** At most this many clarifications are listed in the e-mail; the rest are counted. */
const MAX_CLARIFICATIONS_HTML = 15;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STATUS_COLOURS: Record<NarrativeStatus, { bg: string; fg: string }> = {
  none: { bg: '#fde2e1', fg: '#8a1c13' },
  new: { bg: '#fdebd0', fg: '#7a4100' },
  acknowledged: { bg: '#fff5c2', fg: '#5c4a00' },
  countered: { bg: '#dcf2e0', fg: '#1d5b2a' },
  closed: { bg: '#e8eaed', fg: '#3c4043' },
};

const FONT = "font-family:Arial,Helvetica,sans-serif;";
const MUTED = 'color:#5f6368;';

function heading(text: string): string {
  return `<h2 style="${FONT}font-size:17px;line-height:22px;margin:22px 0 8px 0;color:#1a3c6e;border-bottom:2px solid #1a3c6e;padding-bottom:4px;">${escapeHtml(text)}</h2>`;
}

function figureCell(f: BriefFigure): string {
  const arrow = f.change === null ? '' : f.change > 0 ? '▲ ' : f.change < 0 ? '▼ ' : '';
  return `<td class="figure" style="${FONT}padding:10px;border:1px solid #dadce0;border-radius:4px;vertical-align:top;width:33%;">
<div style="font-size:13px;${MUTED}">${escapeHtml(f.name)}</div>
<div style="font-size:26px;font-weight:bold;line-height:32px;color:#202124;">${formatNumber(f.value)}</div>
<div style="font-size:12px;${MUTED}">${escapeHtml(`${arrow}${describeChange(f)} · hari sebelumnya ${formatNumber(f.previous)}`)}</div>
</td>`;
}

function statusBadge(status: NarrativeStatus): string {
  const c = STATUS_COLOURS[status];
  return `<span style="display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;font-weight:bold;background:${c.bg};color:${c.fg};">${escapeHtml(STATUS_NAMES[status])}</span>`;
}

export function renderBriefHtml(brief: BriefData): string {
  const day = formatDay(brief.date);
  const stage = brief.stages.length > 0 ? brief.stages.join(' / ') : 'di luar tahapan pemilu';
  const parts: string[] = [];

  parts.push(heading(SECTIONS.figures));
  parts.push(`<p style="${FONT}font-size:13px;margin:0 0 8px 0;${MUTED}">${escapeHtml(day)}, dibandingkan dengan ${escapeHtml(formatDay(brief.previousDate))}.</p>`);
  parts.push(`<table role="presentation" width="100%" cellspacing="6" cellpadding="0" style="border-collapse:separate;"><tr>${brief.figures.map(figureCell).join('')}</tr></table>`);

  parts.push(heading(SECTIONS.where));
  const labelText = brief.labels.rows.length > 0 ? brief.labels.rows.map((r) => `${r.name} ${formatNumber(r.posts)}`).join(' · ') : 'Tidak ada unggahan yang ditandai.';
  parts.push(`<p style="${FONT}font-size:14px;margin:0 0 4px 0;"><b>Per kategori:</b> ${escapeHtml(labelText)}</p>`);
  const note = multiLabelNote(brief.labels);
  if (note) parts.push(`<p style="${FONT}font-size:12px;margin:0 0 6px 0;${MUTED}">${escapeHtml(note)}</p>`);
  const provinceText = brief.provinces.length > 0 ? brief.provinces.map((p) => `${p.name} ${formatNumber(p.flagged)}`).join(' · ') : 'Tidak ada unggahan ditandai yang berwilayah.';
  parts.push(`<p style="${FONT}font-size:14px;margin:0;"><b>Provinsi teratas:</b> ${escapeHtml(provinceText)}</p>`);

  parts.push(heading(SECTIONS.narratives));
  if (brief.narratives.length === 0) parts.push(`<p style="${FONT}font-size:14px;margin:0;">Tidak ada narasi yang ditandai pada hari itu.</p>`);
  else {
    const rows = brief.narratives.map((n, i) => {
      const meta = [`${formatNumber(n.accounts)} akun`, `${formatNumber(n.posts)} unggahan`, `${formatNumber(n.shares)} dibagikan`, `${formatNumber(n.views)} dilihat`, ...(n.labels.length > 0 ? [n.labels.join(', ')] : [])].join(' · ');
      return `<tr><td class="narrative" style="${FONT}padding:8px 4px;border-bottom:1px solid #e8eaed;vertical-align:top;width:24px;font-weight:bold;color:#1a3c6e;">${i + 1}.</td>
<td style="${FONT}padding:8px 4px;border-bottom:1px solid #e8eaed;vertical-align:top;">
<div style="font-size:14px;line-height:19px;color:#202124;">${escapeHtml(n.text)}</div>
<div style="font-size:12px;line-height:18px;margin-top:3px;${MUTED}">${escapeHtml(meta)}</div>
<div style="margin-top:4px;">${statusBadge(n.status)}</div>
</td></tr>`;
    });
    parts.push(`<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="border-collapse:collapse;">${rows.join('')}</table>`);
  }

  parts.push(heading(SECTIONS.clarifications));
  if (brief.clarifications.length === 0) parts.push(`<p style="${FONT}font-size:14px;margin:0;">Tidak ada klarifikasi yang terbit pada hari itu.</p>`);
  else {
    const items = brief.clarifications.slice(0, MAX_CLARIFICATIONS_HTML).map((c) => {
      const title = c.url ? `<a href="${escapeHtml(c.url)}" style="color:#1a56b0;">${escapeHtml(c.title)}</a>` : escapeHtml(c.title);
      const by = `${c.by}${c.verdict ? ` · ${c.verdict}` : ''}${c.source === 'desk' ? ' · kontra-narasi unit humas' : ''}`;
      return `<li style="${FONT}font-size:14px;line-height:19px;margin:0 0 6px 0;">${title}<br><span style="font-size:12px;${MUTED}">${escapeHtml(by)}</span></li>`;
    });
    const more = brief.clarifications.length - MAX_CLARIFICATIONS_HTML;
    parts.push(`<ul style="margin:0;padding-left:20px;">${items.join('')}</ul>`);
    if (more > 0) parts.push(`<p style="${FONT}font-size:12px;margin:4px 0 0 0;${MUTED}">dan ${formatNumber(more)} klarifikasi lainnya.</p>`);
  }

  parts.push(heading(SECTIONS.openAlerts));
  const o = brief.openAlerts;
  parts.push(
    `<p style="${FONT}font-size:14px;margin:0 0 6px 0;"><b>${formatNumber(o.total)}</b> kasus belum dilawan (${formatNumber(o.new)} baru, ${formatNumber(o.acknowledged)} diakui), dari kasus yang dibuka dalam ${o.sinceDays} hari terakhir.</p>`,
  );
  if (o.units.length > 0) {
    const rows = o.units.map(
      (u) =>
        `<tr><td style="${FONT}font-size:13px;padding:4px;border-bottom:1px solid #e8eaed;">${escapeHtml(u.name)}</td><td style="${FONT}font-size:13px;padding:4px;border-bottom:1px solid #e8eaed;text-align:right;">${formatNumber(u.new)}</td><td style="${FONT}font-size:13px;padding:4px;border-bottom:1px solid #e8eaed;text-align:right;">${formatNumber(u.acknowledged)}</td></tr>`,
    );
    parts.push(
      `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="border-collapse:collapse;"><tr><th style="${FONT}font-size:12px;text-align:left;padding:4px;${MUTED}">Unit humas</th><th style="${FONT}font-size:12px;text-align:right;padding:4px;${MUTED}">Baru</th><th style="${FONT}font-size:12px;text-align:right;padding:4px;${MUTED}">Diakui</th></tr>${rows.join('')}</table>`,
    );
  }

  parts.push(heading(SECTIONS.confidence));
  parts.push(`<p style="${FONT}font-size:13px;margin:0;">${escapeHtml(precisionLine(brief.precision))}</p>`);
  parts.push(
    `<p style="${FONT}font-size:11px;margin:18px 0 0 0;${MUTED}">Dibuat ${escapeHtml(formatTime(brief.generatedAt))} oleh Pantau. Hanya angka agregat: tanpa id unggahan, nama akun, atau tautan unggahan. Tautan di atas adalah klarifikasi resmi yang sudah terbit.</p>`,
  );

  return `<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${BRIEF_TITLE} ${day}`)}</title>
<style>
@media (max-width: 520px) { td.figure { display:block !important; width:auto !important; margin-bottom:6px; } }
</style>
</head>
<body style="margin:0;padding:0;background:#f1f3f4;">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#f1f3f4;"><tr><td align="center" style="padding:12px 8px;">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="max-width:640px;background:#ffffff;border:1px solid #dadce0;">
<tr><td style="background:#1a3c6e;padding:16px 20px;">
<h1 style="${FONT}font-size:22px;line-height:28px;margin:0;color:#ffffff;">${escapeHtml(BRIEF_TITLE)}</h1>
<div style="${FONT}font-size:14px;color:#dbe4f3;margin-top:4px;">${escapeHtml(day)} · Tahapan: ${escapeHtml(stage)}</div>
</td></tr>
<tr><td style="padding:4px 20px 20px 20px;">
${parts.join('\n')}
</td></tr>
</table>
</td></tr></table>
</body>
</html>
`;
}

/** The plain-text alternative: the same sections, for clients that show no HTML (and for screen readers). */
export function renderBriefText(brief: BriefData): string {
  const lines: string[] = [];
  const section = (title: string) => lines.push('', title.toUpperCase(), '-'.repeat(title.length));
  lines.push(BRIEF_TITLE, formatDay(brief.date), `Tahapan: ${brief.stages.length > 0 ? brief.stages.join(' / ') : 'di luar tahapan pemilu'}`);
  section(SECTIONS.figures);
  for (const f of brief.figures) lines.push(`${f.name}: ${formatNumber(f.value)} (${describeChange(f)})`);
  section(SECTIONS.where);
  lines.push(`Per kategori: ${brief.labels.rows.length > 0 ? brief.labels.rows.map((r) => `${r.name} ${formatNumber(r.posts)}`).join(', ') : 'tidak ada'}`);
  const note = multiLabelNote(brief.labels);
  if (note) lines.push(note);
  lines.push(`Provinsi teratas: ${brief.provinces.length > 0 ? brief.provinces.map((p) => `${p.name} ${formatNumber(p.flagged)}`).join(', ') : 'tidak ada'}`);
  section(SECTIONS.narratives);
  if (brief.narratives.length === 0) lines.push('Tidak ada narasi yang ditandai pada hari itu.');
  brief.narratives.forEach((n, i) => {
    lines.push(`${i + 1}. ${n.text}`);
    lines.push(`   ${formatNumber(n.accounts)} akun, ${formatNumber(n.posts)} unggahan, ${formatNumber(n.shares)} dibagikan${n.labels.length > 0 ? `, ${n.labels.join(', ')}` : ''}. Status: ${STATUS_NAMES[n.status]}`);
  });
  section(SECTIONS.clarifications);
  if (brief.clarifications.length === 0) lines.push('Tidak ada klarifikasi yang terbit pada hari itu.');
  for (const c of brief.clarifications.slice(0, MAX_CLARIFICATIONS_HTML)) lines.push(`- ${c.title} (${c.by}${c.verdict ? `, ${c.verdict}` : ''})${c.url ? `\n  ${c.url}` : ''}`);
  if (brief.clarifications.length > MAX_CLARIFICATIONS_HTML) lines.push(`dan ${formatNumber(brief.clarifications.length - MAX_CLARIFICATIONS_HTML)} klarifikasi lainnya.`);
  section(SECTIONS.openAlerts);
  const o = brief.openAlerts;
  lines.push(`${formatNumber(o.total)} kasus belum dilawan (${formatNumber(o.new)} baru, ${formatNumber(o.acknowledged)} diakui), dari kasus yang dibuka dalam ${o.sinceDays} hari terakhir.`);
  for (const u of o.units) lines.push(`- ${u.name}: ${formatNumber(u.new)} baru, ${formatNumber(u.acknowledged)} diakui`);
  section(SECTIONS.confidence);
  lines.push(precisionLine(brief.precision));
  lines.push('', `Dibuat ${formatTime(brief.generatedAt)} oleh Pantau. Hanya angka agregat: tanpa id unggahan, nama akun, atau tautan unggahan.`);
  return lines.join('\n') + '\n';
}
