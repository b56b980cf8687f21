// Script of dashboards/overview.html (served as /overview.js). The page's Content-Security-Policy allows no
// inline script or style: colours come from classes (.tag-<label>, .swatch-<label>) and CSS variables; the
// chart's SVG uses fill attributes, which are not styles.
'use strict';

const NAMES = { hate_speech: 'Ujaran kebencian', abusive: 'Kata kasar', sara: 'Provokasi SARA', hoax: 'Hoaks' };
const name = (l) => NAMES[l] || l;
// Only labels with a class in overview.css get their colour; anything else keeps the neutral one.
const labelClass = (l) => (Object.hasOwn(NAMES, l) ? l : 'other');
const color = (l) => getComputedStyle(document.documentElement).getPropertyValue('--' + labelClass(l)).trim() || '#777';
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
// A link is rendered only for http(s) URLs: a javascript: or data: URL must never become a link.
const isWebUrl = (u) => typeof u === 'string' && /^https?:\/\//i.test(u);
const api = document.body.dataset;
let page = 1, size = 20, label = '', level = 'alert';

async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function drawChart(data) {
  const days = data.days, labels = data.labels;
  document.getElementById('legend').innerHTML = labels.map((l) => `<span><i class="swatch swatch-${labelClass(l)}"></i>${esc(name(l))}</span>`).join('');
  const max = Math.max(1, ...days.map((d) => labels.reduce((s, l) => s + d.labels[l], 0)));
  const W = 1100, H = 220, pad = 28, bw = (W - pad) / Math.max(1, days.length);
  let bars = '';
  days.forEach((d, i) => {
    let y = H - 20;
    for (const l of labels) {
      const h = (d.labels[l] / max) * (H - 40);
      if (h > 0) bars += `<rect x="${pad + i * bw + 2}" y="${y - h}" width="${Math.max(1, bw - 4)}" height="${h}" fill="${esc(color(l))}"><title>${esc(d.date)} · ${esc(name(l))}: ${d.labels[l]}</title></rect>`;
      y -= h;
    }
    if (i % Math.ceil(days.length / 10) === 0) bars += `<text x="${pad + i * bw}" y="${H - 5}">${esc(d.date.slice(5))}</text>`;
  });
  bars += `<text x="0" y="14">${max}</text><text x="0" y="${H - 22}">0</text>`;
  document.getElementById('chart').innerHTML = `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Grafik volume per kategori per hari">${bars}</svg>`;
  const sum = (f) => days.reduce((s, d) => s + f(d), 0);
  const tiles = [['Unggahan dipantau', sum((d) => d.total)], ['Ditandai', sum((d) => d.flagged)], ...labels.map((l) => [name(l), sum((d) => d.labels[l])])];
  document.getElementById('totals').innerHTML = tiles.map(([t, n]) => `<div class="tile"><b>${n.toLocaleString('id-ID')}</b><span>${esc(t)}</span></div>`).join('');
  const select = document.getElementById('label');
  if (select.options.length === 1) labels.forEach((l) => select.add(new Option(name(l), l)));
}

/** The labels the row is listed for: its flags, or in the review list the labels between review and alert. */
const shownFlags = (p) => (level === 'review' ? p.review_flags || [] : p.flags);

async function loadList() {
  const q = new URLSearchParams({ page, size });
  if (label) q.set('label', label);
  if (level !== 'alert') q.set('level', level);
  const rows = document.getElementById('rows');
  try {
    const data = await getJson(api.flaggedApi + '?' + q);
    rows.innerHTML = data.items.length === 0
      ? '<tr><td colspan="5" class="muted">Belum ada unggahan yang ditandai.</td></tr>'
      : data.items.map((p) => `<tr>
          <td>${esc(new Date(p.created_at).toLocaleString('id-ID', { timeZone: 'Asia/Jakarta' }))}</td>
          <td>${esc(p.platform)}<br><span class="muted">${esc(p.author)}</span></td>
          <td class="text">${esc(p.text)}${isWebUrl(p.url) ? `<br><a href="${esc(p.url)}" rel="noreferrer noopener" target="_blank">tautan</a>` : ''}</td>
          <td>${shownFlags(p).map((f) => `<span class="tag tag-${labelClass(f)}">${esc(name(f))}</span>`).join('')}</td>
          <td>${shownFlags(p).map((f) => `${esc(name(f))}: ${(p.scores[f] * 100).toFixed(0)}%`).join('<br>')}</td></tr>`).join('');
    const pages = Math.max(1, Math.ceil(data.total / size));
    document.getElementById('pageinfo').textContent = `Halaman ${page} dari ${pages} · ${data.total.toLocaleString('id-ID')} unggahan`;
    document.getElementById('prev').disabled = page <= 1;
    document.getElementById('next').disabled = page >= pages;
  } catch (e) {
    rows.innerHTML = `<tr><td colspan="5" class="error">Gagal memuat daftar: ${esc(e.message)}</td></tr>`;
  }
}

const STATUS = { new: 'Baru', acknowledged: 'Diterima', countered: 'Sudah dikontra', closed: 'Ditutup' };
/** "2 j 5 m", "45 m", "30 d": how long a unit took. */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} j ${m} m` : m > 0 ? `${m} m` : `${seconds} d`;
}

async function loadCases() {
  const body = document.getElementById('cases');
  try {
    const data = await getJson(api.casesApi + '?' + new URLSearchParams({ size: 20 }));
    body.innerHTML = data.cases.length === 0
      ? '<tr><td colspan="7" class="muted">Belum ada kasus.</td></tr>'
      : data.cases.map((c) => {
          const s = c.spread_around_counter;
          const spread = s ? `${s.posts_per_hour_before.toLocaleString('id-ID')} → ${s.posts_per_hour_after.toLocaleString('id-ID')} unggahan/jam` : '–';
          const cl = c.clarification;
          const clar = cl ? (isWebUrl(cl.url) ? `<a href="${esc(cl.url)}" rel="noreferrer noopener" target="_blank">${esc(cl.verdict)}</a>` : esc(cl.verdict)) : '<span class="muted">belum ada</span>';
          return `<tr>
          <td>${esc(new Date(c.opened_at).toLocaleString('id-ID', { timeZone: 'Asia/Jakarta' }))}</td>
          <td>${esc(c.unit_name)}</td>
          <td class="text">${esc(c.summary)}<br>${c.labels.map((f) => `<span class="tag tag-${labelClass(f)}">${esc(name(f))}</span>`).join('')}</td>
          <td>${esc(STATUS[c.status] || c.status)}</td>
          <td>diterima: ${esc(duration(c.seconds_to_acknowledge))}<br>dikontra: ${esc(duration(c.seconds_to_counter))}</td>
          <td>${esc(spread)}</td>
          <td>${clar}</td></tr>`;
        }).join('');
  } catch (e) {
    body.innerHTML = `<tr><td colspan="7" class="error">Gagal memuat kasus: ${esc(e.message)}</td></tr>`;
  }
}

function start() {
  document.getElementById('prev').onclick = () => { page--; loadList(); };
  document.getElementById('next').onclick = () => { page++; loadList(); };
  document.getElementById('label').onchange = (e) => { label = e.target.value; page = 1; loadList(); };
  document.getElementById('level').onchange = (e) => { level = e.target.value === 'review' ? 'review' : 'alert'; page = 1; loadList(); };
  getJson(api.dailyApi).then(drawChart).catch((e) => {
    document.getElementById('chart').innerHTML = `<span class="error">Gagal memuat grafik: ${esc(e.message)}</span>`;
  });
  loadList();
  loadCases();
}

start();
