// Script of dashboards/leadership.html (served as /dashboard.js): the leadership dashboard, drawn generically from
// the dashboard definition (GET /api/dashboards/leadership) and its data (…/data) with Apache ECharts
// (/vendor/echarts.min.js, from the project's own dependency). Plain JavaScript, no build step. Rules that keep it
// working under the page's strict Content-Security-Policy:
//   - data from the API is only ever written with textContent / DOM nodes, never innerHTML;
//   - no inline styles: looks come from classes in dashboard.css; ECharts styles its own nodes through the CSSOM
//     and its tooltips are drawn on the canvas (renderMode 'richText'), never as HTML with style attributes;
//   - days are calendar days in Asia/Jakarta: the API decides them ("today" comes from the server).
// The range and the filters live in the address (/#from=&to=&label=&region=&platform=&source=; the fragment,
// because the server takes no query on its page files), so a link forwarded by a leader opens the same figures.
/* global document, window, fetch, location, history, URLSearchParams, Image, echarts */
import { createApi, signInHandler } from '/client.js';

const DASHBOARD = 'leadership';
const FILTER_IDS = ['label', 'region', 'platform', 'source'];
const TZ = 'Asia/Jakarta';
const LABEL_COLOURS = { hoax: '#2471a3', hate_speech: '#c0392b', sara: '#8e44ad', abusive: '#b35900' };
const OTHER_COLOURS = ['#117a65', '#6c3483', '#a04000', '#1f618d', '#7d6608', '#515a5a'];
const STAGE_COLOURS = { campaign: 'rgba(36, 113, 163, 0.10)', quiet: 'rgba(125, 102, 8, 0.16)', voting: 'rgba(192, 57, 43, 0.18)', counting: 'rgba(17, 122, 101, 0.14)' };
const ROLE_NAMES = { analyst: 'Analis', humas: 'Humas', leadership: 'Pimpinan', admin: 'Admin' };
const MAP_NOTE = 'Kalimantan Utara dihitung dalam bentuk Kalimantan Timur; provinsi Papua hasil pemekaran 2022 dalam bentuk induknya (peta dasar belum memuat batas provinsi baru).';

const state = {
  user: null,
  csrf: null,
  def: null,
  data: null,
  /** The range and filters shown: { from, to, label, region, platform, source }. */
  query: null,
  charts: new Map(),
  geo: null,
  fallback: null,
  timer: null,
  loading: 0,
  /** The browser's Jakarta day when "today" was last read from the server (to roll a range that ends today). */
  seenDay: null,
  narrow: false,
};

// ---------------------------------------------------------------------------------------------- helpers
const $ = (id) => document.getElementById(id);

/** An element with attributes, text and children; `text` is always set as text, never parsed. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'hidden') el.hidden = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const numberFormat = new Intl.NumberFormat('id-ID');
const fmtNumber = (v) => (v === null || v === undefined || Number.isNaN(v) ? '–' : numberFormat.format(v));
const fmtPercent = (v) => (v === null || v === undefined ? '–' : `${new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 }).format(v * 100)}%`);
const dayFormat = new Intl.DateTimeFormat('id-ID', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
const shortDayFormat = new Intl.DateTimeFormat('id-ID', { timeZone: 'UTC', day: 'numeric', month: 'short' });
/** A calendar day (YYYY-MM-DD) as "1 Des 2026"; the day is already a Jakarta day, so it is read as UTC. */
const fmtDay = (day) => dayFormat.format(new Date(`${day}T00:00:00Z`));
const fmtShortDay = (day) => shortDayFormat.format(new Date(`${day}T00:00:00Z`));
const timeFormat = new Intl.DateTimeFormat('id-ID', { timeZone: TZ, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const clockFormat = new Intl.DateTimeFormat('id-ID', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const fmtTime = (iso) => (iso ? `${timeFormat.format(new Date(iso)).replace(/\./g, ':')} WIB` : '–');
const fmtClock = (date) => clockFormat.format(date).replace(/\./g, ':');
/** Seconds as "1 j 5 m" (hari, jam, menit, detik). */
function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} dtk`;
  const d = Math.floor(s / 86_400);
  const hh = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [];
  if (d) parts.push(`${d} h`);
  if (hh) parts.push(`${hh} j`);
  if (m && !d) parts.push(`${m} m`);
  return parts.join(' ') || '0 m';
}
/** Today's calendar day in Asia/Jakarta by the browser's clock (only used to notice that a day has passed). */
const browserJakartaDay = () => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
const daysBetween = (a, b) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
const isDay = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);
const labelName = (key) => state.def?.labels?.[key] ?? key;
const labelColour = (key, i) => LABEL_COLOURS[key] ?? OTHER_COLOURS[i % OTHER_COLOURS.length];
const filterName = (id) => state.def?.filters.find((f) => f.id === id)?.name ?? id;
function optionName(id, value) {
  const f = state.def?.filters.find((x) => x.id === id);
  return f?.options.find((o) => o.value === value)?.name ?? value;
}
/** "A", "A dan B", "A, B dan C". */
function joinNames(names) {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} dan ${names[names.length - 1]}`;
}

// Requests and the sign-in form are shared with the workspace page (/client.js).
const api = createApi({ csrf: () => state.csrf, onSessionEnded: (message) => signedOut(message) });

function showError(message) {
  $('error-text').textContent = message;
  $('error-banner').hidden = !message;
}

// ---------------------------------------------------------------------------------------------- session
function signedIn(session) {
  state.user = session.user;
  state.csrf = session.csrf_token ?? null;
  $('who-name').textContent = session.user.display_name || session.user.username;
  $('who-role').textContent = ROLE_NAMES[session.user.role] ?? session.user.role;
  $('who').hidden = false;
  $('view-login').hidden = true;
  $('booting').hidden = true;
}

function signedOut(message) {
  state.user = null;
  state.csrf = null;
  stopTimer();
  for (const chart of state.charts.values()) chart.dispose();
  state.charts.clear();
  $('panels').replaceChildren();
  $('who').hidden = true;
  $('controls').hidden = true;
  $('range-text').hidden = true;
  $('foot').hidden = true;
  $('booting').hidden = true;
  $('view-login').hidden = false;
  $('login-error').textContent = message ?? '';
  showError('');
  $('login-username').focus();
}

const login = signInHandler(api, async (session) => {
  signedIn(session);
  await openDashboard();
});

async function logout() {
  try {
    await api('DELETE', '/api/session', undefined, { quiet401: true });
  } catch (error) {
    if (error.status !== 401) {
      showError(`Gagal keluar: ${error.message}`);
      return;
    }
  }
  signedOut('Anda sudah keluar.');
}

// ---------------------------------------------------------------------------------------------- query / URL
function queryFromUrl() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  const q = { from: state.def.default_range.from, to: state.def.default_range.to };
  if (isDay(p.get('from'))) q.from = p.get('from');
  if (isDay(p.get('to'))) q.to = p.get('to');
  for (const id of FILTER_IDS) if (p.get(id)) q[id] = p.get(id);
  if (p.get('auto') === '0') $('auto-refresh').checked = false;
  return q;
}

function queryString(q = state.query) {
  const p = new URLSearchParams();
  p.set('from', q.from);
  p.set('to', q.to);
  for (const id of FILTER_IDS) if (q[id]) p.set(id, q[id]);
  return p.toString();
}

/** The address carries the range, the filters (and auto-refresh when off), so the page can be forwarded. */
function writeUrl() {
  const qs = queryString();
  const auto = $('auto-refresh').checked ? '' : '&auto=0';
  const url = `${location.pathname}#${qs}${auto}`;
  if (`${location.pathname}${location.hash}` !== url) history.replaceState(null, '', url);
}

// ---------------------------------------------------------------------------------------------- controls
function buildControls() {
  const box = $('filters');
  box.replaceChildren();
  for (const f of state.def.filters) {
    const id = `filter-${f.id}`;
    const select = h('select', { id, name: f.id, dataset: { filter: f.id } }, h('option', { value: '', text: `Semua ${f.name.toLowerCase()}` }));
    for (const o of f.options) select.append(h('option', { value: o.value, text: o.name }));
    // A value from a forwarded link that is no longer offered (a platform unseen for 90 days) stays selectable.
    const wanted = state.query[f.id];
    if (wanted && !f.options.some((o) => o.value === wanted)) select.append(h('option', { value: wanted, text: wanted }));
    select.value = wanted ?? '';
    select.addEventListener('change', () => {
      state.query = { ...state.query, [f.id]: select.value || undefined };
      void load();
    });
    box.append(h('div', { class: 'field' }, h('label', { for: id, text: f.name }), select));
  }
  syncRangeInputs();
  $('auto-refresh-text').textContent = `Perbarui otomatis tiap ${Math.round(state.def.refresh_seconds / 60) || 1} menit`;
  $('controls').hidden = false;
}

function syncRangeInputs() {
  $('from').value = state.query.from;
  $('to').value = state.query.to;
  $('to').max = state.def.today;
  $('from').max = state.def.today;
  for (const b of $('presets').querySelectorAll('button')) {
    const days = Number(b.dataset.days);
    const on = state.query.to === state.def.today && daysBetween(state.query.from, state.query.to) + 1 === days;
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
}

function wireControls() {
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  for (const b of $('presets').querySelectorAll('button')) {
    b.addEventListener('click', () => {
      const days = Number(b.dataset.days);
      state.query = { ...state.query, from: addDays(state.def.today, -(days - 1)), to: state.def.today };
      void load();
    });
  }
  for (const id of ['from', 'to']) {
    $(id).addEventListener('change', () => {
      const from = $('from').value;
      const to = $('to').value;
      if (!isDay(from) || !isDay(to)) return;
      if (from > to) {
        showError('Tanggal "Dari" tidak boleh sesudah tanggal "Sampai".');
        $(id).setAttribute('aria-invalid', 'true');
        return;
      }
      $('from').removeAttribute('aria-invalid');
      $('to').removeAttribute('aria-invalid');
      state.query = { ...state.query, from, to };
      void load();
    });
  }
  $('auto-refresh').addEventListener('change', () => {
    scheduleRefresh();
    writeUrl();
  });
  $('refresh-now').addEventListener('click', () => void load());
  $('logout').addEventListener('click', () => void logout());
  $('login-form').addEventListener('submit', login);
  $('error-close').addEventListener('click', () => showError(''));
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      for (const chart of state.charts.values()) chart.resize();
      // Crossing the phone width changes the charts' layout (legend lines), not only their size.
      const narrow = window.innerWidth < 600;
      if (state.data && narrow !== state.narrow) void renderAll();
      state.narrow = narrow;
    }, 120);
  });
  // A link pasted into the same tab (or edited by hand) is read again.
  window.addEventListener('hashchange', () => {
    if (!state.def || !state.user) return;
    state.query = queryFromUrl();
    buildControls();
    void load();
  });
  document.addEventListener('visibilitychange', () => {
    // A tab that comes back after its refresh was due refreshes at once.
    if (!document.hidden && $('auto-refresh').checked && state.data && Date.now() - state.loadedAt > state.def.refresh_seconds * 1000) void autoRefresh();
  });
}

function stopTimer() {
  if (state.timer !== null) window.clearInterval(state.timer);
  state.timer = null;
}

function scheduleRefresh() {
  stopTimer();
  if (!$('auto-refresh').checked || !state.def) return;
  state.timer = window.setInterval(() => {
    if (!document.hidden) void autoRefresh();
  }, Math.max(30, state.def.refresh_seconds) * 1000);
}

/** The timed refresh: a range that ends today moves on when the Jakarta day has changed. */
async function autoRefresh() {
  if (state.seenDay !== null && browserJakartaDay() !== state.seenDay && state.query.to === state.def.today) {
    try {
      const def = await api('GET', `/api/dashboards/${DASHBOARD}`);
      const shift = daysBetween(state.def.today, def.today);
      state.def = def;
      state.seenDay = browserJakartaDay();
      if (shift > 0) state.query = { ...state.query, from: addDays(state.query.from, shift), to: def.today };
    } catch {
      // The data request below says what went wrong.
    }
  }
  await load({ quiet: true });
}

// ---------------------------------------------------------------------------------------------- loading
async function openDashboard() {
  $('booting').hidden = false;
  $('booting').textContent = 'Memuat dasbor…';
  try {
    state.def = await api('GET', `/api/dashboards/${DASHBOARD}`);
  } catch (error) {
    $('booting').hidden = true;
    if (error.status !== 401) showError(`Gagal memuat dasbor: ${error.message}`);
    return;
  }
  state.seenDay = browserJakartaDay();
  state.narrow = window.innerWidth < 600;
  state.query = queryFromUrl();
  $('title').textContent = state.def.title;
  document.title = `pantau — ${state.def.title}`;
  buildControls();
  buildPanels();
  $('booting').hidden = true;
  $('foot').hidden = false;
  await load();
  scheduleRefresh();
}

async function load({ quiet = false } = {}) {
  const q = state.query;
  syncRangeInputs();
  writeUrl();
  const ticket = ++state.loading;
  $('panels').setAttribute('aria-busy', 'true');
  if (!quiet) $('updated').textContent = 'Memuat…';
  let data;
  try {
    data = await api('GET', `/api/dashboards/${DASHBOARD}/data?${queryString(q)}`);
  } catch (error) {
    if (ticket !== state.loading) return;
    $('panels').setAttribute('aria-busy', 'false');
    $('updated').textContent = '';
    if (error.status !== 401) showError(`Gagal memuat data: ${error.message}`);
    return;
  }
  if (ticket !== state.loading) return;
  showError('');
  state.data = data;
  state.loadedAt = Date.now();
  await renderAll();
  $('panels').setAttribute('aria-busy', 'false');
  $('updated').textContent = `Diperbarui ${fmtClock(new Date())} WIB`;
}

function describeRange() {
  const { from, to } = state.data.filters;
  const range = from === to ? fmtDay(from) : `${fmtDay(from)} – ${fmtDay(to)}`;
  const days = daysBetween(from, to) + 1;
  const set = FILTER_IDS.filter((id) => state.data.filters[id]).map((id) => `${filterName(id)}: ${optionName(id, state.data.filters[id])}`);
  return `${range} (${days} hari, WIB)${state.data.interval === 'week' ? ', per minggu' : ''}${set.length ? ` · ${set.join(' · ')}` : ' · tanpa filter'}`;
}

// ---------------------------------------------------------------------------------------------- panels
/** Panel cards from the definition: title, description, a place for notices, the body, the note, PNG and CSV. */
function buildPanels() {
  for (const chart of state.charts.values()) chart.dispose();
  state.charts.clear();
  const box = $('panels');
  box.replaceChildren();
  for (const p of state.def.panels) {
    const headingId = `panel-${p.id}-title`;
    const png = h('button', { type: 'button', class: 'small', 'aria-label': `Unduh panel ${p.title} sebagai gambar PNG`, dataset: { png: p.id }, text: 'PNG' });
    png.addEventListener('click', () => void exportPng(p.id));
    const csv = h('a', { class: 'button-link small ghost', href: '#', download: '', 'aria-label': `Unduh data panel ${p.title} sebagai CSV`, dataset: { csv: p.id }, text: 'CSV' });
    box.append(
      h(
        'section',
        { class: `panel panel-${p.chart} panel-${p.id}`, id: `panel-${p.id}`, 'aria-labelledby': headingId, dataset: { panel: p.id } },
        h('div', { class: 'panel-head' }, h('h2', { id: headingId, text: p.title }), h('div', { class: 'panel-actions' }, png, csv)),
        h('p', { class: 'description muted small', text: p.description }),
        h('p', { class: 'notice small', hidden: true }),
        h('div', { class: 'panel-body' }, h('p', { class: 'muted loading', text: 'Memuat…' })),
        h('p', { class: 'note small', hidden: true }),
      ),
    );
  }
}

async function renderAll() {
  $('range-text').textContent = `Rentang: ${describeRange()}`;
  $('range-text').hidden = false;
  const byId = new Map(state.data.panels.map((p) => [p.id, p]));
  for (const p of state.def.panels) {
    const card = $(`panel-${p.id}`);
    const data = byId.get(p.id);
    if (!card || !data) continue;
    card.querySelector('[data-csv]').href = `/api/dashboards/${DASHBOARD}/panels/${p.id}/csv?${queryString()}`;
    const notice = card.querySelector('.notice');
    const notApplied = data.not_applied ?? [];
    notice.textContent = notApplied.length ? `Filter ${joinNames(notApplied.map(filterName))} tidak berlaku untuk panel ini.` : '';
    notice.hidden = notApplied.length === 0;
    const note = card.querySelector('.note');
    note.hidden = true;
    note.textContent = '';
    const body = card.querySelector('.panel-body');
    try {
      await RENDERERS[data.chart](data, body, card);
    } catch (error) {
      body.replaceChildren(h('p', { class: 'error', text: `Panel ini tidak dapat digambar: ${error.message}` }));
    }
  }
}

function empty(text = 'Tidak ada data untuk rentang waktu dan filter ini.') {
  return h('p', { class: 'empty', text });
}

/** An ECharts instance in the panel body (kept across refreshes, so a refresh does not flicker). */
function chartIn(panelId, body, className, ariaLabel) {
  let holder = body.querySelector('.chart');
  let chart = state.charts.get(panelId);
  if (!holder || !chart || chart.isDisposed()) {
    if (chart && !chart.isDisposed()) chart.dispose();
    holder = h('div', { class: `chart ${className}`, role: 'img' });
    body.replaceChildren(holder);
    chart = echarts.init(holder, null, { renderer: 'canvas', locale: 'EN' });
    state.charts.set(panelId, chart);
  } else {
    for (const el of [...body.children]) if (el !== holder) el.remove();
  }
  holder.setAttribute('aria-label', ariaLabel);
  return { chart, holder };
}

function dropChart(panelId) {
  const chart = state.charts.get(panelId);
  if (chart) chart.dispose();
  state.charts.delete(panelId);
}

const TEXT = { color: '#1d2733', fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' };
const tooltipBase = { renderMode: 'richText', backgroundColor: '#fff', borderColor: '#8796a6', textStyle: { color: '#1d2733', fontSize: 12 } };
const valueAxis = { type: 'value', minInterval: 1, splitNumber: 5, axisLabel: { formatter: (v) => fmtNumber(v), color: '#3d4b5a' }, splitLine: { lineStyle: { color: '#e3e8ee' } } };

function table(columns, rows, { caption, className = '' } = {}) {
  const head = h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : '', text: c.name })));
  const body = rows.map((r) => h('tr', {}, ...r.map((cell, i) => {
    const td = h(i === 0 ? 'th' : 'td', { class: columns[i]?.num ? 'num' : '', ...(i === 0 ? { scope: 'row' } : {}) });
    if (cell instanceof window.Node) td.append(cell);
    else td.textContent = cell;
    return td;
  })));
  return h('div', { class: `table-wrap ${className}` }, h('table', {}, caption ? h('caption', { class: 'visually-hidden', text: caption }) : null, h('thead', {}, head), h('tbody', {}, ...body)));
}

function labelTags(keys) {
  if (!Array.isArray(keys) || keys.length === 0) return '–';
  return h('span', { class: 'tags' }, ...keys.map((k) => h('span', { class: `tag tag-${k}`, text: labelName(k) })));
}

function statusBadge(status, where) {
  const s = status ?? 'none';
  return h('span', { class: `status status-${s} ${where}`, text: state.def.statuses?.[s] ?? s });
}

function cellText(value, format) {
  if (format === 'time') return fmtTime(value);
  if (format === 'duration') return fmtDuration(value);
  if (format === 'labels') return Array.isArray(value) ? value.map(labelName).join(', ') : '–';
  return fmtNumber(value);
}

function cellNode(value, format) {
  return format === 'labels' ? labelTags(value) : cellText(value, format);
}

/** A panel's table as plain rows (for the page and for the PNG of table panels). */
function tableRows(data) {
  const withStatus = data.rows.some((r) => r.status !== undefined);
  const columns = [{ name: data.id === 'top_narratives' ? 'Narasi' : data.id === 'provinces' ? 'Provinsi' : data.id === 'response_times' || data.id === 'open_alerts' ? 'Unit humas' : 'Nama' }, ...data.columns.map((c) => ({ name: c.name, num: c.format !== 'labels', format: c.format, key: c.key })), ...(withStatus ? [{ name: 'Status', status: true }] : [])];
  return { columns, withStatus };
}

const RENDERERS = {
  metrics(data, body) {
    dropChart(data.id);
    const tiles = h('div', { class: 'tiles' }, ...data.values.map((v) => h('div', { class: `tile tile-${v.key}` }, h('span', { class: 'tile-value', text: fmtNumber(v.value) }), h('span', { class: 'tile-name', text: v.name }))));
    const nodes = [tiles];
    // What the per-category counts add up to, next to the distinct count, so nobody adds the categories up.
    const series = state.data.panels.find((p) => p.kind === 'time_series');
    const flagged = data.values.find((v) => v.key === 'flagged')?.value ?? 0;
    if (series && flagged > 0) {
      const perLabel = series.series.filter((s) => s.key in state.def.labels && s.total > 0);
      const sum = perLabel.reduce((a, s) => a + s.total, 0);
      nodes.push(
        h('p', { class: 'per-label small' }, 'Per kategori: ', ...perLabel.flatMap((s, i) => [i ? ' · ' : '', h('span', { class: `tag tag-${s.key}`, text: s.name }), ` ${fmtNumber(s.total)}`])),
      );
      if (sum > flagged) nodes.push(h('p', { class: 'small muted overlap', text: `Jumlah per kategori (${fmtNumber(sum)}) lebih besar dari ${fmtNumber(flagged)} unggahan ditandai karena satu unggahan bisa punya beberapa kategori.` }));
    }
    if (data.values.every((v) => !v.value)) nodes.push(empty('Tidak ada unggahan dalam rentang waktu dan filter ini.'));
    body.replaceChildren(...nodes);
  },

  line(data, body, card) {
    const note = card.querySelector('.note');
    const shown = data.series.filter((s) => !s.hidden);
    if (data.note) {
      note.textContent = data.note;
      note.hidden = false;
    }
    if (data.x.length === 0 || shown.every((s) => s.total === 0)) {
      dropChart(data.id);
      body.replaceChildren(empty('Tidak ada unggahan ditandai dalam rentang waktu dan filter ini.'));
      note.hidden = true;
      return;
    }
    const weekly = state.data.interval === 'week';
    const markers = state.data.markers ?? [];
    // An election stage as a band over the buckets it touches (weekly buckets are named by their first day).
    const bucketOf = (day) => {
      let i = 0;
      for (let k = 0; k < data.x.length; k++) if (data.x[k] <= day) i = k;
      return data.x[i];
    };
    const bands = markers.map((m) => [
      { name: m.name, xAxis: bucketOf(m.start < data.x[0] ? data.x[0] : m.start), itemStyle: { color: STAGE_COLOURS[m.id] ?? 'rgba(107, 114, 128, 0.12)' } },
      { xAxis: bucketOf(m.end) },
    ]);
    let labelIndex = 0;
    const series = shown.map((s) => {
      const colour = s.emphasis ? '#1d2733' : labelColour(s.key, labelIndex++);
      return {
        name: s.name,
        type: 'line',
        data: s.values,
        symbol: 'circle',
        symbolSize: s.emphasis ? 7 : 5,
        lineStyle: { width: s.emphasis ? 4 : 2, type: s.emphasis ? 'solid' : 'solid' },
        itemStyle: { color: colour },
        z: s.emphasis ? 3 : 2,
        ...(s.emphasis && bands.length
          ? { markArea: { silent: true, label: { show: true, position: 'insideTop', color: '#3d4b5a', fontSize: 11 }, data: bands } }
          : {}),
      };
    });
    const { chart, holder } = chartIn(data.id, body, 'chart-line', `Grafik garis: ${data.title}. ${shown.map((s) => `${s.name} ${fmtNumber(s.total)}`).join(', ')}.`);
    // A phone's legend takes three lines (the plain legend wraps).
    const narrow = holder.clientWidth < 560;
    chart.setOption(
      {
        textStyle: TEXT,
        animation: false,
        grid: { left: 16, right: 32, top: bands.length ? 34 : 16, bottom: narrow ? 84 : 56, containLabel: true },
        tooltip: { ...tooltipBase, trigger: 'axis' },
        legend: { bottom: 0, left: 'center', textStyle: { color: '#1d2733' } },
        xAxis: { type: 'category', data: data.x, boundaryGap: false, axisLabel: { formatter: (d) => (weekly ? `mg ${fmtShortDay(d)}` : fmtShortDay(d)), color: '#3d4b5a', hideOverlap: true, alignMinLabel: 'left', alignMaxLabel: 'right' } },
        yAxis: { ...valueAxis, name: 'Unggahan', nameTextStyle: { color: '#3d4b5a', align: 'left' } },
        series,
      },
      { notMerge: true },
    );
    const stagesLine = markers.length
      ? h('p', { class: 'stages small' }, 'Tahapan pemilu: ', ...markers.flatMap((m, i) => [i ? ' · ' : '', h('span', { class: `stage stage-${m.id}`, text: m.name }), ` ${m.start === m.end ? fmtDay(m.start) : `${fmtShortDay(m.start)} – ${fmtDay(m.end)}`}`]))
      : null;
    if (stagesLine) body.append(stagesLine);
  },

  async choropleth(data, body, card) {
    const note = card.querySelector('.note');
    note.textContent = MAP_NOTE;
    note.hidden = false;
    await loadGeo();
    // Codes without a shape of their own are summed into the shape that contains them.
    const perShape = new Map();
    const merged = new Map();
    for (const r of data.rows) {
      const code = state.fallback[r.key] ?? r.key;
      perShape.set(code, (perShape.get(code) ?? 0) + (Number(r.values.flagged) || 0));
      if (code !== r.key) merged.set(code, [...(merged.get(code) ?? []), r.name]);
    }
    const shapeNames = new Map(state.geo.features.map((f) => [String(f.properties.code), String(f.properties.name)]));
    const max = Math.max(1, ...perShape.values());
    const { columns } = tableRows(data);
    const rows = data.rows.map((r) => [r.name, ...data.columns.map((c) => cellNode(r.values[c.key], c.format))]);
    const tableNode = data.rows.length ? table(columns, rows, { caption: data.title, className: 'province-table' }) : empty();
    const mapData = [...shapeNames.keys()].map((code) => ({ name: code, value: perShape.get(code) ?? 0 }));
    const { chart, holder } = chartIn(
      data.id,
      body,
      'chart-map',
      `Peta provinsi: ${data.rows.length ? data.rows.map((r) => `${r.name} ${fmtNumber(r.values.flagged)}`).join(', ') : 'tidak ada data'}.`,
    );
    const side = h('div', { class: 'map-side' }, tableNode);
    if (!body.classList.contains('map-layout')) body.classList.add('map-layout');
    body.replaceChildren(holder, side);
    chart.setOption(
      {
        textStyle: TEXT,
        animation: false,
        tooltip: {
          ...tooltipBase,
          trigger: 'item',
          formatter: (p) => {
            const name = shapeNames.get(p.name) ?? p.name;
            const inside = merged.get(p.name);
            return `${name}: ${fmtNumber(p.value || 0)} unggahan ditandai${inside ? `\n(termasuk ${inside.join(', ')})` : ''}`;
          },
        },
        visualMap: {
          min: 0,
          max,
          left: 8,
          bottom: 4,
          orient: 'horizontal',
          itemWidth: 12,
          itemHeight: 120,
          text: [fmtNumber(max), '0'],
          textStyle: { color: '#1d2733' },
          calculable: false,
          inRange: { color: ['#fbeee6', '#f0a27a', '#c0392b', '#7b1d12'] },
        },
        series: [
          {
            type: 'map',
            map: 'indonesia',
            nameProperty: 'code',
            roam: false,
            aspectScale: 1,
            left: 4,
            right: 4,
            top: 4,
            bottom: 36,
            itemStyle: { borderColor: '#8796a6', borderWidth: 0.5, areaColor: '#f4f6f9' },
            emphasis: { label: { show: false }, itemStyle: { areaColor: '#f2a900' } },
            select: { disabled: true },
            label: { show: false },
            data: mapData,
          },
        ],
      },
      { notMerge: true },
    );
    chart.resize();
  },

  bar(data, body) {
    RENDERERS._bars(data, body, false);
  },

  'stacked-bar'(data, body) {
    RENDERERS._bars(data, body, true);
  },

  _bars(data, body, stacked) {
    if (data.rows.length === 0) {
      dropChart(data.id);
      body.replaceChildren(empty());
      return;
    }
    const rows = [...data.rows].reverse(); // the first row on top of a horizontal bar chart
    const colours = stacked ? ['#c0392b', '#b9770e'] : ['#8796a6', '#c0392b'];
    const { chart } = chartIn(
      data.id,
      body,
      `chart-bar rows-${Math.min(rows.length, 12)}`,
      `Diagram batang: ${data.title}. ${data.rows.map((r) => `${r.name}: ${data.columns.map((c) => `${c.name} ${fmtNumber(r.values[c.key])}`).join(', ')}`).join('; ')}.`,
    );
    chart.setOption(
      {
        textStyle: TEXT,
        animation: false,
        grid: { left: 16, right: 36, top: 8, bottom: 40, containLabel: true },
        tooltip: { ...tooltipBase, trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { bottom: 0, textStyle: { color: '#1d2733' } },
        xAxis: valueAxis,
        yAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { color: '#1d2733', width: 130, overflow: 'truncate' } },
        series: data.columns.map((c, i) => ({
          name: c.name,
          type: 'bar',
          data: rows.map((r) => r.values[c.key] ?? 0),
          itemStyle: { color: colours[i % colours.length] },
          barMaxWidth: 22,
          ...(stacked ? { stack: 'total' } : {}),
          label: { show: true, position: stacked ? 'inside' : 'right', color: stacked ? '#fff' : '#1d2733', formatter: (p) => (p.value ? fmtNumber(p.value) : '') },
        })),
      },
      { notMerge: true },
    );
    const { columns } = tableRows(data);
    const details = h('details', { class: 'data-table' }, h('summary', { text: 'Tabel data' }), table(columns, data.rows.map((r) => [r.name, ...data.columns.map((c) => cellNode(r.values[c.key], c.format))]), { caption: data.title }));
    body.append(details);
  },

  table(data, body) {
    dropChart(data.id);
    if (data.rows.length === 0) {
      body.replaceChildren(empty());
      return;
    }
    const { columns, withStatus } = tableRows(data);
    const rows = data.rows.map((r) => [
      // On a phone the status also sits under the name, where it is seen without scrolling the table.
      withStatus ? h('span', { class: 'row-name' }, h('span', { text: r.name }), statusBadge(r.status, 'status-inline')) : h('span', { class: 'row-name', text: r.name }),
      ...data.columns.map((c) => cellNode(r.values[c.key], c.format)),
      ...(withStatus ? [statusBadge(r.status, 'status-col')] : []),
    ]);
    body.replaceChildren(table(columns, rows, { caption: data.title }));
  },

  interval(data, body) {
    const decided = data.rows.filter((r) => r.n > 0);
    const list = h(
      'ul',
      { class: 'precision-list' },
      ...data.rows.map((r) =>
        h(
          'li',
          { class: r.n > 0 ? '' : 'undecided' },
          h('span', { class: `tag tag-${r.key}`, text: r.name }),
          ' ',
          r.n > 0
            ? h('span', { text: `${fmtPercent(r.precision)} (selang 95%: ${fmtPercent(r.low)}–${fmtPercent(r.high)}), ${fmtNumber(r.n)} keputusan: ${fmtNumber(r.confirmed)} dikonfirmasi, ${fmtNumber(r.dismissed)} ditolak` })
            : h('span', { class: 'muted', text: 'belum ada keputusan' }),
        ),
      ),
    );
    if (decided.length === 0) {
      dropChart(data.id);
      body.replaceChildren(empty('Belum ada keputusan analis dalam rentang waktu ini, jadi presisi belum dapat diperkirakan.'), list);
      return;
    }
    const rows = [...data.rows].reverse();
    const { chart } = chartIn(data.id, body, `chart-interval rows-${rows.length}`, `Presisi per kategori: ${decided.map((r) => `${r.name} ${fmtPercent(r.precision)} (${fmtPercent(r.low)}–${fmtPercent(r.high)}, ${r.n} keputusan)`).join('; ')}.`);
    const pct = (v) => (v === null ? null : Math.round(v * 1000) / 10);
    chart.setOption(
      {
        textStyle: TEXT,
        animation: false,
        grid: { left: 16, right: 24, top: 8, bottom: 28, containLabel: true },
        tooltip: {
          ...tooltipBase,
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          formatter: (ps) => {
            const r = rows[ps[0]?.dataIndex ?? 0];
            return r.n > 0 ? `${r.name}: ${fmtPercent(r.precision)}\nselang 95% ${fmtPercent(r.low)}–${fmtPercent(r.high)}\n${fmtNumber(r.n)} keputusan` : `${r.name}: belum ada keputusan`;
          },
        },
        xAxis: { type: 'value', min: 0, max: 100, interval: 20, axisLabel: { formatter: (v) => `${v}%`, color: '#3d4b5a' }, splitLine: { lineStyle: { color: '#e3e8ee' } } },
        yAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { color: '#1d2733' } },
        series: [
          { name: 'dasar', type: 'bar', stack: 'ci', silent: true, itemStyle: { color: 'transparent' }, data: rows.map((r) => (r.n > 0 ? pct(r.low) : 0)), barWidth: 10 },
          { name: 'Selang 95%', type: 'bar', stack: 'ci', itemStyle: { color: '#aac4e0' }, data: rows.map((r) => (r.n > 0 ? Math.max(0.5, pct(r.high) - pct(r.low)) : 0)), barWidth: 10 },
          {
            name: 'Presisi',
            type: 'scatter',
            symbol: 'diamond',
            symbolSize: 14,
            itemStyle: { color: '#14365c' },
            data: rows.map((r) => (r.n > 0 ? pct(r.precision) : null)),
            label: { show: true, position: 'top', distance: 6, color: '#1d2733', formatter: (p) => { const r = rows[p.dataIndex]; return `${fmtPercent(r.precision)} · n ${fmtNumber(r.n)}`; } },
          },
        ],
      },
      { notMerge: true },
    );
    body.append(list);
  },
};

async function loadGeo() {
  if (state.geo) return;
  const [geoRes, fallbackRes] = await Promise.all([fetch('/geo/indonesia-provinces.geojson'), fetch('/geo/bps-code-fallback.json')]);
  if (!geoRes.ok || !fallbackRes.ok) throw new Error('peta provinsi tidak dapat dimuat');
  const geo = await geoRes.json();
  const fallback = await fallbackRes.json();
  delete fallback._comment;
  echarts.registerMap('indonesia', geo);
  state.geo = geo;
  state.fallback = fallback;
}

// ---------------------------------------------------------------------------------------------- PNG export
/**
 * One panel as a PNG a leader can forward: title, range and filters on top, then the chart (ECharts' own
 * picture at twice the pixels) or, for a panel without a chart, its rows drawn on a canvas.
 */
async function exportPng(panelId) {
  const data = state.data?.panels.find((p) => p.id === panelId);
  if (!data) return;
  try {
    const chart = state.charts.get(panelId);
    let picture = null;
    if (chart && !chart.isDisposed()) {
      picture = await imageOf(chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }));
    }
    const lines = textLines(data);
    const scale = 2;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d');
    const font = (size, weight = 'normal') => `${weight} ${size}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
    const columns = picture ? [] : columnWidths(ctx, lines, font);
    const width = Math.max(picture ? picture.width / scale : 0, 32 + columns.reduce((a, w) => a + w, 0), 640);
    const header = [
      { text: data.title, font: font(18, 'bold'), colour: '#14365c', height: 26 },
      { text: `Rentang: ${describeRange()}`, font: font(12), colour: '#3d4b5a', height: 18 },
    ];
    if (data.not_applied?.length) header.push({ text: `Filter ${joinNames(data.not_applied.map(filterName))} tidak berlaku untuk panel ini.`, font: font(12), colour: '#8a5a00', height: 18 });
    // What the panel says under its figures (per category, the overlap, the stages, the map's note) goes along.
    const said = [...($(`panel-${panelId}`)?.querySelectorAll('.per-label, .overlap, .stages, .note') ?? [])].filter((el) => !el.hidden && el.textContent.trim());
    const footer = [
      ...said.flatMap((el) => wrap(ctx, el.textContent.trim(), font(12), width - 32).map((t) => ({ text: t, font: font(12), colour: '#1d2733', height: 17 }))),
      { text: `pantau · dibuat ${fmtTime(new Date().toISOString())}`, font: font(11), colour: '#5b6b7c', height: 16 },
    ];
    const rowHeight = 20;
    const bodyHeight = picture ? picture.height / scale : lines.length * rowHeight + 8;
    const height = 16 + header.reduce((a, l) => a + l.height, 0) + 8 + bodyHeight + 8 + footer.reduce((a, l) => a + l.height, 0) + 12;
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    ctx.scale(scale, scale);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.textBaseline = 'top';
    let y = 16;
    for (const l of header) {
      ctx.font = l.font;
      ctx.fillStyle = l.colour;
      ctx.fillText(l.text, 16, y, width - 32);
      y += l.height;
    }
    y += 8;
    if (picture) {
      ctx.drawImage(picture, 0, y, picture.width / scale, picture.height / scale);
      y += picture.height / scale;
    } else {
      drawRows(ctx, lines, columns, 16, y, width - 32, rowHeight, font);
      y += bodyHeight;
    }
    y += 8;
    for (const l of footer) {
      ctx.font = l.font;
      ctx.fillStyle = l.colour;
      ctx.fillText(l.text, 16, y, width - 32);
      y += l.height;
    }
    download(canvas.toDataURL('image/png'), `${DASHBOARD}-${panelId}-${state.data.filters.from}_${state.data.filters.to}.png`);
  } catch (error) {
    showError(`Gambar PNG tidak dapat dibuat: ${error.message}`);
  }
}

function imageOf(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('gambar grafik tidak terbaca'));
    img.src = url;
  });
}

function wrap(ctx, text, font, maxWidth) {
  ctx.font = font;
  const out = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width > maxWidth && line) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}

/** The rows of a panel without a chart, as cells of text (first row: the header). */
function textLines(data) {
  if (data.kind === 'metrics') return [['Ukuran', 'Nilai'], ...data.values.map((v) => [v.name, fmtNumber(v.value)])];
  if (data.kind === 'computed') return [['Kategori', 'Presisi', 'Selang 95%', 'Keputusan'], ...data.rows.map((r) => (r.n > 0 ? [r.name, fmtPercent(r.precision), `${fmtPercent(r.low)}–${fmtPercent(r.high)}`, fmtNumber(r.n)] : [r.name, 'belum ada keputusan', '', '0']))];
  if (data.kind === 'time_series') return [['Tanggal', ...data.series.map((s) => s.name)], ...data.x.map((x, i) => [fmtDay(x), ...data.series.map((s) => fmtNumber(s.values[i] ?? 0))])];
  const { columns, withStatus } = tableRows(data);
  if (data.rows.length === 0) return [['Tidak ada data untuk rentang waktu dan filter ini.']];
  return [columns.map((c) => c.name), ...data.rows.map((r) => [r.name, ...data.columns.map((c) => cellText(r.values[c.key], c.format)), ...(withStatus ? [state.def.statuses?.[r.status ?? 'none'] ?? ''] : [])])];
}

/** Each column as wide as its longest cell (the first, names and narratives, up to 420 px; others up to 200). */
function columnWidths(ctx, lines, font) {
  const cols = Math.max(...lines.map((l) => l.length));
  const widths = [];
  for (let c = 0; c < cols; c++) {
    let w = 0;
    lines.forEach((cells, i) => {
      ctx.font = font(i === 0 ? 11 : 12, i === 0 ? 'bold' : 'normal');
      if (cells[c] !== undefined) w = Math.max(w, ctx.measureText(String(cells[c])).width);
    });
    widths.push(Math.ceil(Math.min(w + 18, c === 0 ? 420 : 200)));
  }
  return widths;
}

function drawRows(ctx, lines, widths, x, y, width, rowHeight, font) {
  lines.forEach((cells, i) => {
    const top = y + i * rowHeight;
    if (i > 0 && i % 2 === 0) {
      ctx.fillStyle = '#f4f6f9';
      ctx.fillRect(x, top - 2, width, rowHeight);
    }
    ctx.font = font(i === 0 ? 11 : 12, i === 0 ? 'bold' : 'normal');
    ctx.fillStyle = '#1d2733';
    let left = x;
    cells.forEach((cell, c) => {
      const room = (widths[c] ?? 120) - 10;
      let text = String(cell);
      while (text.length > 1 && ctx.measureText(text).width > room) text = `${text.slice(0, -2)}…`;
      ctx.fillText(text, left, top + 2);
      left += widths[c] ?? 120;
    });
  });
  ctx.strokeStyle = '#d5dde6';
  ctx.beginPath();
  ctx.moveTo(x, y + rowHeight - 3);
  ctx.lineTo(x + width, y + rowHeight - 3);
  ctx.stroke();
}

function download(url, filename) {
  const a = h('a', { href: url, download: filename, class: 'visually-hidden', text: filename });
  document.body.append(a);
  a.click();
  a.remove();
}

// ---------------------------------------------------------------------------------------------- start
async function start() {
  wireControls();
  if (typeof echarts === 'undefined') {
    $('booting').hidden = true;
    showError('Pustaka grafik (ECharts) tidak dapat dimuat. Muat ulang halaman.');
    return;
  }
  let session;
  try {
    session = await api('GET', '/api/session', undefined, { quiet401: true });
  } catch (error) {
    signedOut(error.status === 401 ? '' : `Gagal memeriksa sesi: ${error.message}`);
    return;
  }
  signedIn(session);
  await openDashboard();
}

void start();
