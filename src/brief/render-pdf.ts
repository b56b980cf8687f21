/**
 * The daily brief as one A4 page (pdfkit, pure JavaScript: no browser at run time). Whatever the day held, it is
 * one page: narrative texts are cut to two lines, clarifications and units to what the space left holds ("dan N
 * lainnya" for the rest), and the page never grows a second one.
 *
 * pdfkit's built-in Helvetica draws WinAnsi (Latin-1 and a few typographic signs) only: everything else is
 * mapped (NFKC: "𝐇𝐎𝐀𝐊𝐒" → "HOAKS"; accents to their letter; "−" → "-") or dropped (emoji), never drawn as garbage.
 */
import PDFDocument from 'pdfkit';
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
  type NarrativeStatus,
} from './brief-data.ts';

/** The characters WinAnsiEncoding has beyond Latin-1 (0x80–0x9F). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACEMENTS: Record<string, string> = { '−': '-', '‐': '-', '‑': '-', '‒': '-', '―': '—', '→': '->', '←': '<-', '≥': '>=', '≤': '<=', '▲': '', '▼': '', '\u202f': ' ', '\u2009': ' ' };

const drawable = (c: string): boolean => {
  const code = c.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(c);
};

/** Text the built-in Helvetica can draw: mapped where a close character exists, dropped where none does. */
export function pdfSafe(text: string): string {
  let out = '';
  for (const c of Array.from(text.normalize('NFKC'))) {
    if (drawable(c)) out += c;
    else if (c in REPLACEMENTS) out += REPLACEMENTS[c];
    else if (/\s/u.test(c)) out += ' ';
    else {
      // A letter with marks Latin-1 lacks (ā, ş, ő): its base letter.
      const base = Array.from(c.normalize('NFD')).filter(drawable).join('');
      if (base && /\p{L}/u.test(base)) out += base;
    }
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 36;
const WIDTH = PAGE.width - 2 * MARGIN;
/** The page's last usable line: the footer ends above it. */
const BOTTOM = PAGE.height - 24;
const BLUE = '#1a3c6e';
const GREY = '#5f6368';
const INK = '#202124';

const STATUS_COLOURS: Record<NarrativeStatus, { bg: string; fg: string }> = {
  none: { bg: '#fde2e1', fg: '#8a1c13' },
  new: { bg: '#fdebd0', fg: '#7a4100' },
  acknowledged: { bg: '#fff5c2', fg: '#5c4a00' },
  countered: { bg: '#dcf2e0', fg: '#1d5b2a' },
  closed: { bg: '#e8eaed', fg: '#3c4043' },
};

export interface PdfResult {
  pdf: Buffer;
  pages: number;
}

/** Renders the brief; `pages` is always 1 (the tests hold it to that with long and many inputs). */
export async function renderBriefPdf(brief: BriefData): Promise<PdfResult> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: PAGE.height - BOTTOM },
    bufferPages: true,
    autoFirstPage: true,
    info: { Title: pdfSafe(`${BRIEF_TITLE} ${formatDay(brief.date)}`), Author: 'Pantau', Subject: 'Ringkasan harian untuk pimpinan', Creator: 'pantau', Producer: 'pantau (pdfkit)' },
    lang: 'id-ID',
    // Fixed dates: the same brief gives the same bytes.
    pdfVersion: '1.7',
  });
  doc.info.CreationDate = new Date(brief.generatedAt);
  doc.info.ModDate = new Date(brief.generatedAt);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const text = (s: string, x: number, y: number, options: PDFKit.Mixins.TextOptions & { font?: string; size?: number; colour?: string } = {}) => {
    const { font = 'Helvetica', size = 9, colour = INK, ...rest } = options;
    doc.font(font).fontSize(size).fillColor(colour).text(pdfSafe(s), x, y, { lineBreak: true, ...rest });
  };
  const height = (s: string, width: number, font = 'Helvetica', size = 9, lineGap = 0) => doc.font(font).fontSize(size).heightOfString(pdfSafe(s), { width, lineGap });
  let y = MARGIN;
  const heading = (title: string) => {
    y += 8;
    text(title, MARGIN, y, { font: 'Helvetica-Bold', size: 11.5, colour: BLUE, width: WIDTH });
    y += 15;
    doc.moveTo(MARGIN, y).lineTo(MARGIN + WIDTH, y).lineWidth(0.8).strokeColor(BLUE).stroke();
    y += 5;
  };

  // Header band.
  doc.rect(0, 0, PAGE.width, 70).fill(BLUE);
  text(BRIEF_TITLE, MARGIN, 18, { font: 'Helvetica-Bold', size: 19, colour: '#ffffff', width: WIDTH });
  const stage = brief.stages.length > 0 ? brief.stages.join(' / ') : 'di luar tahapan pemilu';
  text(`${formatDay(brief.date)}  ·  Tahapan: ${stage}`, MARGIN, 44, { size: 10.5, colour: '#dbe4f3', width: WIDTH, height: 14, ellipsis: true });
  y = 78;

  // Figures: three boxes.
  heading(SECTIONS.figures);
  const boxW = (WIDTH - 2 * 8) / 3;
  brief.figures.slice(0, 3).forEach((f, i) => {
    const x = MARGIN + i * (boxW + 8);
    doc.roundedRect(x, y, boxW, 50, 3).lineWidth(0.6).strokeColor('#dadce0').stroke();
    text(f.name, x + 8, y + 6, { size: 8.5, colour: GREY, width: boxW - 16, height: 11, ellipsis: true });
    text(formatNumber(f.value), x + 8, y + 17, { font: 'Helvetica-Bold', size: 17, width: boxW - 16, height: 20, ellipsis: true });
    text(`${describeChange(f)}  ·  hari sebelumnya ${formatNumber(f.previous)}`, x + 8, y + 37, { size: 7.5, colour: GREY, width: boxW - 16, height: 10, ellipsis: true });
  });
  y += 56;

  // Categories and provinces.
  heading(SECTIONS.where);
  const labelLine = `Per kategori: ${brief.labels.rows.length > 0 ? brief.labels.rows.map((r) => `${r.name} ${formatNumber(r.posts)}`).join('  ·  ') : 'tidak ada unggahan yang ditandai'}`;
  text(labelLine, MARGIN, y, { size: 9.5, width: WIDTH, height: 12, ellipsis: true });
  y += 13;
  const note = multiLabelNote(brief.labels);
  if (note) {
    text(note, MARGIN, y, { size: 8, colour: GREY, width: WIDTH, height: 10, ellipsis: true });
    y += 11;
  }
  const provinceLine = `Provinsi teratas: ${brief.provinces.length > 0 ? brief.provinces.map((p) => `${p.name} ${formatNumber(p.flagged)}`).join('  ·  ') : 'tidak ada unggahan ditandai yang berwilayah'}`;
  text(provinceLine, MARGIN, y, { size: 9.5, width: WIDTH, height: 12, ellipsis: true });
  y += 13;

  // Top narratives: number, text (two lines at most), reach, status badge.
  heading(SECTIONS.narratives);
  if (brief.narratives.length === 0) {
    text('Tidak ada narasi yang ditandai pada hari itu.', MARGIN, y, { size: 9.5, width: WIDTH });
    y += 13;
  }
  const badgeW = 78;
  const textW = WIDTH - 16 - badgeW - 8;
  brief.narratives.slice(0, 5).forEach((n, i) => {
    const top = y;
    text(`${i + 1}.`, MARGIN, top, { font: 'Helvetica-Bold', size: 9.5, colour: BLUE, width: 14 });
    const lines = Math.min(2, Math.max(1, Math.round(height(n.text, textW, 'Helvetica', 9.5) / 11.5)));
    text(n.text, MARGIN + 16, top, { size: 9.5, width: textW, height: lines * 11.5, ellipsis: true });
    const meta = `${formatNumber(n.accounts)} akun  ·  ${formatNumber(n.posts)} unggahan  ·  ${formatNumber(n.shares)} dibagikan  ·  ${formatNumber(n.views)} dilihat${n.labels.length > 0 ? `  ·  ${n.labels.join(', ')}` : ''}`;
    text(meta, MARGIN + 16, top + lines * 11.5 + 1, { size: 7.5, colour: GREY, width: textW, height: 10, ellipsis: true });
    const c = STATUS_COLOURS[n.status];
    doc.roundedRect(MARGIN + WIDTH - badgeW, top, badgeW, 14, 7).fill(c.bg);
    text(STATUS_NAMES[n.status], MARGIN + WIDTH - badgeW, top + 3.5, { font: 'Helvetica-Bold', size: 7.5, colour: c.fg, width: badgeW, align: 'center', height: 10, ellipsis: true });
    y = top + lines * 11.5 + 14;
  });

  // What is left below the narratives is shared by clarifications, open alerts and the footer.
  const units = brief.openAlerts.units;
  const o = brief.openAlerts;
  const openSummary = `${formatNumber(o.total)} kasus belum dilawan (${formatNumber(o.new)} baru, ${formatNumber(o.acknowledged)} diakui), dari kasus yang dibuka dalam ${o.sinceDays} hari terakhir.`;
  const confidence = precisionLine(brief.precision);
  const footer = `Dibuat ${formatTime(brief.generatedAt)} oleh Pantau. Hanya angka agregat: tanpa id unggahan, nama akun, atau tautan unggahan.`;
  const HEADING_H = 28;
  const LINE = 11;
  const confidenceH = Math.min(2, Math.ceil(height(confidence, WIDTH, 'Helvetica', 8.5) / 10.5)) * 10.5;
  const tail = HEADING_H + confidenceH + 4 + 10; // confidence section and the footer line
  const unitRows = Math.min(units.length, 6);
  const openH = (units: number) => HEADING_H + 13 + units * LINE + (o.units.length > units ? LINE : 0);
  let clarRoom = BOTTOM - y - tail - openH(unitRows) - HEADING_H;
  // Clarifications get two lines each (claim, then publisher and link); a short page gives units fewer rows first.
  let shownUnits = unitRows;
  while (clarRoom < 2 * 2 * LINE && shownUnits > 1) {
    shownUnits -= 1;
    clarRoom = BOTTOM - y - tail - openH(shownUnits) - HEADING_H;
  }

  heading(SECTIONS.clarifications);
  if (brief.clarifications.length === 0) {
    text('Tidak ada klarifikasi yang terbit pada hari itu.', MARGIN, y, { size: 9.5, width: WIDTH });
    y += 13;
  } else {
    const per = 2 * LINE;
    let fit = Math.max(0, Math.floor(clarRoom / per));
    if (fit < brief.clarifications.length) fit = Math.max(0, Math.floor((clarRoom - LINE) / per));
    for (const c of brief.clarifications.slice(0, fit)) {
      text(`•  ${c.title}`, MARGIN, y, { size: 9, width: WIDTH, height: LINE, ellipsis: true });
      const by = `${c.by}${c.verdict ? ` · ${c.verdict}` : ''}${c.url ? `  ·  ${c.url}` : ''}`;
      text(by, MARGIN + 10, y + LINE - 1, { size: 7.5, colour: c.url ? '#1a56b0' : GREY, width: WIDTH - 10, height: LINE - 1, ellipsis: true, ...(c.url ? { link: c.url } : {}) });
      y += per;
    }
    const more = brief.clarifications.length - fit;
    if (more > 0) {
      text(`dan ${formatNumber(more)} klarifikasi lainnya (lihat e-mail).`, MARGIN, y, { size: 8.5, colour: GREY, width: WIDTH, height: LINE, ellipsis: true });
      y += LINE;
    }
  }

  heading(SECTIONS.openAlerts);
  text(openSummary, MARGIN, y, { size: 9.5, width: WIDTH, height: 12, ellipsis: true });
  y += 13;
  for (const u of units.slice(0, shownUnits)) {
    text(u.name, MARGIN + 10, y, { size: 8.5, width: WIDTH - 190, height: LINE, ellipsis: true });
    text(`${formatNumber(u.new)} baru  ·  ${formatNumber(u.acknowledged)} diakui`, MARGIN + WIDTH - 170, y, { size: 8.5, width: 170, align: 'right', height: LINE, ellipsis: true });
    y += LINE;
  }
  if (units.length > shownUnits) {
    const rest = units.slice(shownUnits);
    text(`dan ${rest.length} unit lainnya: ${formatNumber(rest.reduce((n, u) => n + u.new + u.acknowledged, 0))} kasus`, MARGIN + 10, y, { size: 8.5, colour: GREY, width: WIDTH - 10, height: LINE, ellipsis: true });
    y += LINE;
  }

  heading(SECTIONS.confidence);
  text(confidence, MARGIN, y, { size: 8.5, width: WIDTH, height: confidenceH, ellipsis: true, lineGap: 0 });
  y += confidenceH + 4;
  text(footer, MARGIN, Math.min(y, BOTTOM - 10), { size: 7, colour: GREY, width: WIDTH, height: 10, ellipsis: true });

  const pages = doc.bufferedPageRange().count;
  doc.end();
  return { pdf: await done, pages };
}
