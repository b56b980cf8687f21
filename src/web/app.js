// Script of src/web/app.html (served as /app.js): the analyst workspace of issue 12, one page for every role.
// Plain JavaScript, no framework and no build step. Rules that keep it safe under the page's strict
// Content-Security-Policy (script-src/style-src 'self', connect-src 'self'):
//   - data from the API is only ever written with textContent / DOM nodes, never innerHTML;
//   - no inline styles: looks come from classes in app.css (and native <meter> for scores);
//   - links are made only for http(s) URLs;
//   - every POST/DELETE carries the session's CSRF token as X-CSRF-Token; a 401 returns to the login form.
/* global document, window, location, history, URLSearchParams, FormData, HTMLElement, HTMLInputElement, HTMLAnchorElement, HTMLButtonElement */
import { createApi, signInHandler } from '/client.js';

// ---------------------------------------------------------------------------------------------- constants

const LABELS = ['hate_speech', 'abusive', 'sara', 'hoax'];
const LABEL_NAMES = { hate_speech: 'Ujaran kebencian', abusive: 'Kata kasar', sara: 'Provokasi SARA', hoax: 'Hoaks' };
const ROLE_NAMES = { analyst: 'Analis', humas: 'Unit humas', leadership: 'Pimpinan', admin: 'Admin' };
const ITEM_STATUS = { open: 'Terbuka', confirmed: 'Dikonfirmasi', dismissed: 'Ditolak', relabelled: 'Label diubah', escalated: 'Dieskalasi', linked: 'Klarifikasi ditautkan' };
const ACTION_NAMES = { confirm: 'Konfirmasi', dismiss: 'Tolak', relabel: 'Ubah label', escalate: 'Eskalasi ke unit humas', link: 'Tautkan klarifikasi' };
const REASON_NAMES = { flagged: 'Ditandai model', uncertain: 'Tidak pasti (sampel belajar)' };
const CASE_STATUS = { new: 'Baru', acknowledged: 'Diterima', countered: 'Sudah dikontra', closed: 'Ditutup' };
const ENGAGEMENT_NAMES = { likes: 'suka', shares: 'dibagikan', replies: 'balasan', views: 'dilihat' };
/** BPS province codes; a 4-digit regency code is shown with its province. */
const PROVINCES = {
  11: 'Aceh', 12: 'Sumatera Utara', 13: 'Sumatera Barat', 14: 'Riau', 15: 'Jambi', 16: 'Sumatera Selatan', 17: 'Bengkulu',
  18: 'Lampung', 19: 'Kep. Bangka Belitung', 21: 'Kepulauan Riau', 31: 'DKI Jakarta', 32: 'Jawa Barat', 33: 'Jawa Tengah',
  34: 'DI Yogyakarta', 35: 'Jawa Timur', 36: 'Banten', 51: 'Bali', 52: 'Nusa Tenggara Barat', 53: 'Nusa Tenggara Timur',
  61: 'Kalimantan Barat', 62: 'Kalimantan Tengah', 63: 'Kalimantan Selatan', 64: 'Kalimantan Timur', 65: 'Kalimantan Utara',
  71: 'Sulawesi Utara', 72: 'Sulawesi Tengah', 73: 'Sulawesi Selatan', 74: 'Sulawesi Tenggara', 75: 'Gorontalo',
  76: 'Sulawesi Barat', 81: 'Maluku', 82: 'Maluku Utara', 91: 'Papua Barat', 92: 'Papua Barat Daya', 94: 'Papua',
  95: 'Papua Selatan', 96: 'Papua Tengah', 97: 'Papua Pegunungan',
};
/** Which views a role may open, and where it lands. Leadership never loads the queue, posts or handles. */
const VIEWS_OF_ROLE = {
  analyst: ['queue', 'item', 'audit', 'summary'],
  humas: ['cases', 'summary'],
  leadership: ['summary'],
  admin: ['queue', 'item', 'audit', 'cases', 'summary', 'admin'],
};
const HOME_OF_ROLE = { analyst: 'queue', humas: 'cases', leadership: 'summary', admin: 'queue' };
const ROUTES = { antrean: 'queue', item: 'item', audit: 'audit', kasus: 'cases', ringkasan: 'summary', admin: 'admin' };
const HASH_OF_VIEW = { queue: '#/antrean', audit: '#/audit', cases: '#/kasus', summary: '#/ringkasan', admin: '#/admin' };
const CLAIM_RENEW_MS = 4 * 60 * 1000;
const QUEUE_SIZE = 20;

// ---------------------------------------------------------------------------------------------- state

const state = {
  user: null,
  csrf: null,
  view: null,
  queue: { page: 1, total: 0, items: [], current: -1, loaded: false },
  audit: { page: 1, total: 0 },
  cases: { page: 1, total: 0 },
  /** The open item: {id, data, claimed, timer}. */
  item: null,
  units: null,
  gPending: false,
};
let loadSeq = 0;

// ---------------------------------------------------------------------------------------------- DOM helpers

const $ = (id) => document.getElementById(id);
const BOOLEAN_PROPS = new Set(['hidden', 'checked', 'disabled', 'selected', 'open', 'required', 'multiple']);

/** h('p', {class: 'x'}, 'text', child…): an element with text nodes; never parses HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (BOOLEAN_PROPS.has(key) || key === 'value') el[key] = value;
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return el;
}

const isWebUrl = (u) => typeof u === 'string' && /^https?:\/\/[^\s]+$/i.test(u);
/** A link for http(s) URLs only; anything else (javascript:, data:) is plain text. */
function safeLink(url, text) {
  if (!isWebUrl(url)) return h('span', { class: 'muted', text: text ?? String(url ?? '') });
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: text ?? url });
}

const numberFormat = new Intl.NumberFormat('id-ID');
const scoreFormat = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percentFormat = new Intl.NumberFormat('id-ID', { style: 'percent', maximumFractionDigits: 0 });
const dateTimeFormat = new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeFormat = new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', hour: '2-digit', minute: '2-digit' });
const num = (n) => (typeof n === 'number' && Number.isFinite(n) ? numberFormat.format(n) : '–');
const score = (n) => (typeof n === 'number' && Number.isFinite(n) ? scoreFormat.format(n) : '–');
const percent = (n) => (typeof n === 'number' && Number.isFinite(n) ? percentFormat.format(n) : '–');
function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${dateTimeFormat.format(d)} WIB`;
}
function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${timeFormat.format(d)} WIB`;
}
const labelName = (l) => LABEL_NAMES[l] ?? String(l);
const labelClass = (l) => (Object.hasOwn(LABEL_NAMES, l) ? `tag tag-${l}` : 'tag tag-other');
function regionName(code) {
  const c = String(code ?? '');
  const province = PROVINCES[c.slice(0, 2)];
  if (!province) return c || '–';
  return c.length > 2 ? `${province} (${c})` : province;
}
const roleName = (r) => ROLE_NAMES[r] ?? String(r);
/** An author as people read it: "@handle" once (sources write handles with or without "@"), a pseudonym as it is. */
const handle = (author) => (author.startsWith('@') || author.startsWith('anon:') ? author : `@${author}`);

/** Path segment of an id: our ids keep ':' and '@' (the API's SAFE_PARAM), everything else is encoded. */
const seg = (s) => encodeURIComponent(String(s)).replace(/%3A/gi, ':').replace(/%40/g, '@');

/** Says something to screen readers (the live region) without moving focus. */
function announce(message) {
  const region = $('announce');
  region.textContent = '';
  window.setTimeout(() => { region.textContent = message; }, 30);
}

function showBanner(message) {
  $('error-text').textContent = message;
  $('error-banner').hidden = false;
}
function hideBanner() {
  $('error-banner').hidden = true;
  $('error-text').textContent = '';
}

function setLoading(container, text = 'Memuat…') {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(h('p', { class: 'muted loading', text }));
}
function setDone(container, ...children) {
  container.setAttribute('aria-busy', 'false');
  container.replaceChildren(...children.flat().filter(Boolean));
}
function errorBox(what, error) {
  return h('p', { class: 'error', role: 'alert', text: `${what}: ${error.message}` });
}

// ---------------------------------------------------------------------------------------------- API

// Requests and the sign-in form are shared with the dashboard page (/client.js).
const api = createApi({ csrf: () => state.csrf, onSessionEnded: (message) => signedOut(message) });

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function units() {
  if (state.units) return state.units;
  const data = await api('GET', '/api/units');
  state.units = Array.isArray(data?.units) ? data.units : [];
  return state.units;
}

// ---------------------------------------------------------------------------------------------- session

function signedIn(session) {
  state.user = session.user;
  state.csrf = session.csrf_token;
  state.units = null;
  $('who-name').textContent = session.user.display_name || session.user.username;
  $('who-role').textContent = roleName(session.user.role) + (session.user.unit ? ` · ${session.user.unit}` : '');
  $('who').hidden = false;
  const nav = $('nav');
  for (const link of nav.querySelectorAll('a[data-roles]')) link.hidden = !link.dataset.roles.split(' ').includes(session.user.role);
  nav.hidden = false;
  document.body.dataset.role = session.user.role;
}

function signedOut(message) {
  stopItem({ release: false });
  state.user = null;
  state.csrf = null;
  state.queue = { page: 1, total: 0, items: [], current: -1, loaded: false };
  delete document.body.dataset.role;
  $('who').hidden = true;
  $('nav').hidden = true;
  for (const id of ['queue-list', 'item-body', 'audit-list', 'cases-list', 'summary-body', 'precision-body', 'precision-warnings', 'models-body']) $(id).replaceChildren();
  showView('login');
  $('login-error').textContent = message ?? '';
  $('login-username').focus();
}

const login = signInHandler(api, (session) => {
  signedIn(session);
  announce(`Masuk sebagai ${session.user.display_name || session.user.username}, ${roleName(session.user.role)}.`);
  route();
});

async function logout() {
  stopItem({ release: true });
  try {
    await api('DELETE', '/api/session', undefined, { quiet401: true });
  } catch (error) {
    if (error.status !== 401) {
      showBanner(`Gagal keluar: ${error.message}`);
      return;
    }
  }
  history.replaceState(null, '', location.pathname);
  signedOut('Anda sudah keluar.');
}

// ---------------------------------------------------------------------------------------------- routing

function parseHash() {
  const m = /^#\/([a-z]+)(?:\/(.*))?$/.exec(location.hash);
  if (!m) return { view: null };
  const view = ROUTES[m[1]];
  let id = null;
  if (m[2]) {
    try { id = decodeURIComponent(m[2]); } catch { id = null; }
  }
  return { view: view ?? null, id };
}

const VIEW_TITLES = { login: 'Masuk', queue: 'Antrean', item: 'Item antrean', audit: 'Jejak audit', cases: 'Kasus', summary: 'Ringkasan', admin: 'Admin' };

function showView(view) {
  state.view = view;
  document.title = `${VIEW_TITLES[view] ?? 'Ruang kerja'} — pantau`;
  $('booting').hidden = true;
  for (const section of document.querySelectorAll('main > .view')) section.hidden = section.id !== `view-${view}`;
  for (const link of document.querySelectorAll('#nav a')) {
    const current = link.dataset.view === view || (view === 'item' && link.dataset.view === 'queue');
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** Shows the view the address names, if the role may see it; else the role's home view. */
function route() {
  if (!state.user) return;
  hideBanner();
  const role = state.user.role;
  let { view, id } = parseHash();
  if (!view || !VIEWS_OF_ROLE[role].includes(view) || (view === 'item' && !id)) {
    view = HOME_OF_ROLE[role];
    history.replaceState(null, '', HASH_OF_VIEW[view]);
  }
  if (view !== 'item') stopItem({ release: true });
  const previous = state.view;
  showView(view);
  const focusTitle = previous !== view && previous !== null;
  switch (view) {
    case 'queue': loadQueue({ focusCurrent: previous === 'item' }); break;
    case 'item': openItem(id); break;
    case 'audit': loadAudit(); break;
    case 'cases': loadCases(); break;
    case 'summary': loadSummary(); break;
    case 'admin': loadAdmin(); break;
  }
  if (focusTitle && view !== 'item' && !(view === 'queue' && previous === 'item')) focusHeading(view);
}

function focusHeading(view) {
  const heading = document.querySelector(`#view-${view} h1`);
  if (!heading) return;
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

// ---------------------------------------------------------------------------------------------- queue

/** The range of a filter form in order, or an Indonesian message for the error slot. */
function rangeProblem(fromId, toId) {
  const from = $(fromId).value, to = $(toId).value;
  if (from && to && from > to) {
    $(fromId).setAttribute('aria-invalid', 'true');
    return 'Tanggal "Dari" tidak boleh setelah tanggal "Sampai".';
  }
  $(fromId).removeAttribute('aria-invalid');
  return null;
}

function queueFilters() {
  const form = $('queue-filters');
  const data = Object.fromEntries(new FormData(form).entries());
  for (const key of Object.keys(data)) data[key] = String(data[key]).trim();
  return data;
}

async function loadQueue({ focusCurrent = false } = {}) {
  const list = $('queue-list');
  const seq = ++loadSeq;
  const range = rangeProblem('f-from', 'f-to');
  if (range) { setDone(list, h('p', { class: 'error', role: 'alert', text: range })); return; }
  setLoading(list, 'Memuat antrean…');
  $('queue-count').textContent = '';
  try {
    const data = await api('GET', `/api/queue${query({ ...queueFilters(), page: state.queue.page, size: QUEUE_SIZE })}`);
    if (seq !== loadSeq) return;
    const items = Array.isArray(data.items) ? data.items : [];
    const keep = state.queue.items[state.queue.current]?.item_id;
    state.queue.items = items;
    state.queue.total = data.total ?? items.length;
    state.queue.loaded = true;
    const again = items.findIndex((i) => i.item_id === keep);
    state.queue.current = again >= 0 ? again : items.length > 0 ? 0 : -1;
    $('queue-formula').textContent = data.priority_formula ? `Urutan prioritas: ${data.priority_formula}` : '';
    renderQueue();
    const message = items.length === 0 ? 'Antrean kosong.' : `${num(state.queue.total)} item di antrean; menampilkan ${items.length} (halaman ${state.queue.page}).`;
    $('queue-count').textContent = items.length === 0 ? '' : message;
    announce(message);
    if (focusCurrent) focusQueueRow(state.queue.current);
  } catch (error) {
    if (seq !== loadSeq) return;
    state.queue.items = [];
    state.queue.current = -1;
    setDone(list, errorBox('Gagal memuat antrean', error));
    updatePager('queue', 0, 0);
  }
}

function renderQueue() {
  const { items } = state.queue;
  const list = $('queue-list');
  updatePager('queue', state.queue.page, state.queue.total);
  collectOptions(items);
  if (items.length === 0) {
    setDone(list, h('div', { class: 'empty' }, h('p', { class: 'empty-title', text: 'Antrean kosong' }), h('p', { class: 'muted', text: 'Tidak ada item yang cocok dengan saringan ini. Ubah saringan atau kembali lagi nanti.' })));
    return;
  }
  const table = h('table', { class: 'cards queue-table', id: 'queue-table' },
    h('caption', { class: 'visually-hidden', text: 'Antrean tinjauan, prioritas tertinggi lebih dulu. Gunakan j dan k untuk berpindah, Enter untuk membuka.' }),
    h('thead', {}, h('tr', {}, ['Prioritas', 'Narasi', 'Label & skor', 'Jangkauan', 'Wilayah', 'Klaim cocok', 'Status'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, items.map((item, index) => queueRow(item, index))),
  );
  setDone(list, table);
  markCurrent(state.queue.current, false);
}

function queueRow(item, index) {
  const sample = item.sample ?? {};
  const text = String(sample.text ?? '');
  const short = text.length > 240 ? `${text.slice(0, 240)}…` : text;
  const parts = item.priority_parts ?? {};
  return h('tr', { class: 'queue-row', dataset: { index: String(index), item: item.item_id } },
    h('td', { 'data-label': 'Prioritas' },
      h('span', { class: 'priority', text: score(item.priority) }),
      h('span', { class: 'small muted block', text: `skor ${score(parts.score)} · jangkauan ${score(parts.reach)} · kebaruan ${score(parts.recency)}` })),
    h('td', { 'data-label': 'Narasi', class: 'narrative-cell' },
      h('a', { href: `#/item/${seg(item.item_id)}`, class: 'open-link', dataset: { index: String(index) }, text: short || '(tanpa teks)' }),
      h('span', { class: 'small muted block' },
        sample.author ? handle(sample.author) : null, sample.author ? ' · ' : null,
        sample.platform ?? '', ' · ', when(sample.created_at), ' · ', REASON_NAMES[item.reason] ?? item.reason)),
    h('td', { 'data-label': 'Label & skor' }, labelTags(item)),
    h('td', { 'data-label': 'Jangkauan' }, `${num(item.posts_count)} unggahan`, h('br'), `${num(item.accounts)} akun`),
    h('td', { 'data-label': 'Wilayah' }, (item.regions ?? []).length ? item.regions.map(regionName).join(', ') : '–'),
    h('td', { 'data-label': 'Klaim cocok' }, claimSummary(item.claim)),
    h('td', { 'data-label': 'Status' }, statusText(item)),
  );
}

function labelTags(item) {
  const scores = item.max_scores ?? {};
  const tags = (item.labels ?? []).map((l) => h('span', { class: labelClass(l), text: `${labelName(l)} ${score(scores[l])}` }));
  const review = (item.review_labels ?? []).filter((l) => !(item.labels ?? []).includes(l))
    .map((l) => h('span', { class: 'tag tag-review', text: `${labelName(l)} ${score(scores[l])} (tinjau)` }));
  const all = [...tags, ...review];
  return all.length ? h('span', { class: 'tags' }, all) : h('span', { class: 'muted', text: 'tanpa label' });
}

function claimSummary(claim) {
  if (!claim) return h('span', { class: 'muted', text: 'Tidak ada' });
  return h('span', {}, h('span', { class: 'verdict', text: claim.verdict ?? '' }), ' ', String(claim.claim ?? ''), h('span', { class: 'small muted block', text: `kemiripan ${percent(claim.probability)}` }));
}

function heldByOther(item) {
  return item.assigned_to && state.user && item.assigned_to !== state.user.username && (!item.assigned_until || Date.parse(item.assigned_until) > Date.now());
}

function statusText(item) {
  const status = h('span', { class: `status status-${item.status}`, text: ITEM_STATUS[item.status] ?? String(item.status) });
  if (heldByOther(item)) return h('span', {}, status, h('span', { class: 'small held block', text: `sedang ditangani ${item.assigned_to}${item.assigned_until ? ` sampai ${clock(item.assigned_until)}` : ''}` }));
  if (item.assigned_to && state.user && item.assigned_to === state.user.username) return h('span', {}, status, h('span', { class: 'small muted block', text: 'sedang Anda tangani' }));
  return status;
}

function collectOptions(items) {
  const fill = (id, values) => {
    const list = $(id);
    const have = new Set([...list.options].map((o) => o.value));
    for (const v of values) if (v && !have.has(v)) { list.append(h('option', { value: v })); have.add(v); }
  };
  fill('platform-list', items.flatMap((i) => i.platforms ?? []));
  fill('model-list', items.flatMap((i) => i.model_versions ?? []));
}

function markCurrent(index, focus) {
  const rows = document.querySelectorAll('#queue-table .queue-row');
  rows.forEach((row, i) => {
    row.classList.toggle('current', i === index);
    if (i === index) row.setAttribute('aria-current', 'true');
    else row.removeAttribute('aria-current');
  });
  if (focus) focusQueueRow(index);
}

function focusQueueRow(index) {
  const link = document.querySelector(`#queue-table .queue-row[data-index="${index}"] .open-link`);
  if (!link) return;
  link.focus();
  link.closest('tr')?.scrollIntoView({ block: 'nearest' });
}

function moveInQueue(delta) {
  const { items } = state.queue;
  if (items.length === 0) return;
  const next = Math.min(items.length - 1, Math.max(0, (state.queue.current < 0 ? 0 : state.queue.current + delta)));
  state.queue.current = next;
  markCurrent(next, true);
  const item = items[next];
  announce(`Item ${next + 1} dari ${items.length}: prioritas ${score(item.priority)}, ${ITEM_STATUS[item.status] ?? item.status}.`);
}

function openCurrent() {
  const item = state.queue.items[state.queue.current];
  if (item) location.hash = `#/item/${seg(item.item_id)}`;
}

function updatePager(name, page, total) {
  const size = name === 'queue' ? QUEUE_SIZE : 20;
  const pages = Math.max(1, Math.ceil((total || 0) / size));
  $(`${name}-page`).textContent = total ? `Halaman ${page} dari ${pages}` : '';
  $(`${name}-prev`).disabled = page <= 1;
  $(`${name}-next`).disabled = page >= pages;
}

// ---------------------------------------------------------------------------------------------- one item

function stopItem({ release }) {
  const open = state.item;
  if (!open) return;
  if (open.timer) window.clearInterval(open.timer);
  state.item = null;
  if (release && open.claimed && state.user) api('POST', `/api/queue/${seg(open.id)}/release`, undefined, { quiet401: true, keepalive: true }).catch(() => {});
}

async function claim(open) {
  try {
    const answer = await api('POST', `/api/queue/${seg(open.id)}/claim`);
    if (state.item !== open) return;
    open.claimed = true;
    setClaimBanner('ok', `Item ini Anda tangani sampai ${clock(answer.assigned_until)}. Klaim diperpanjang otomatis selama halaman ini terbuka.`);
  } catch (error) {
    if (state.item !== open) return;
    open.claimed = false;
    if (error.status === 409) setClaimBanner('held', `${error.message} Anda dapat melihat item ini, tetapi belum bisa memutuskannya.`);
    else setClaimBanner('error', `Gagal mengklaim item: ${error.message}`);
  }
  updateDecisionEnabled();
}

function setClaimBanner(kind, text) {
  const banner = $('item-claim');
  banner.className = `banner ${kind === 'ok' ? 'ok' : kind === 'held' ? 'warn' : 'error'}`;
  banner.textContent = text;
}

async function openItem(id) {
  if (state.item && state.item.id === id) return;
  stopItem({ release: true });
  const open = { id, data: null, claimed: false, timer: null, selected: new Set(), busy: false };
  state.item = open;
  const body = $('item-body');
  $('item-title').textContent = 'Memuat narasi…';
  $('item-claim').className = 'banner';
  $('item-claim').textContent = 'Mengklaim item…';
  setLoading(body, 'Memuat item…');
  focusHeading('item');
  const claimed = claim(open);
  try {
    const data = await api('GET', `/api/queue/${seg(id)}`);
    if (state.item !== open) return;
    open.data = data;
    renderItem(open);
    await claimed;
    if (state.item !== open) return;
    if (open.claimed) open.timer = window.setInterval(() => claim(open), CLAIM_RENEW_MS);
    announce(`Narasi terbuka: ${(data.posts ?? []).length} unggahan. ${$('item-claim').textContent}`);
  } catch (error) {
    if (state.item !== open) return;
    $('item-title').textContent = 'Item tidak dapat dimuat';
    setDone(body, errorBox('Gagal memuat item', error));
  }
}

function renderItem(open) {
  const { item, posts = [], suggestions = [], audit = [] } = open.data;
  const sample = item.sample ?? {};
  $('item-title').textContent = `Narasi: ${truncate(sample.text, 90) || item.item_id}`;
  const layout = h('div', { class: 'item-grid' },
    h('div', { class: 'item-side' }, itemSummary(item), decisionPanel(open, item, posts, suggestions)),
    h('div', { class: 'item-main' }, postsSection(open, posts), suggestionsSection(suggestions), auditSection(audit)),
  );
  setDone($('item-body'), layout);
  updateDecisionEnabled();
}

const truncate = (s, n) => { const t = String(s ?? ''); return t.length > n ? `${t.slice(0, n)}…` : t; };

function itemSummary(item) {
  const parts = item.priority_parts ?? {};
  const row = (term, ...value) => [h('dt', { text: term }), h('dd', {}, ...value)];
  return h('section', { class: 'card', 'aria-labelledby': 'summary-h' },
    h('h2', { id: 'summary-h', text: 'Ringkasan narasi' }),
    h('dl', { class: 'facts', id: 'item-facts' },
      row('Status', statusText(item)),
      row('Alasan masuk', REASON_NAMES[item.reason] ?? String(item.reason)),
      row('Prioritas', `${score(item.priority)} (skor ${score(parts.score)} · jangkauan ${score(parts.reach)} · kebaruan ${score(parts.recency)})`),
      row('Label & skor', labelTags(item)),
      row('Jangkauan', `${num(item.posts_count)} unggahan dari ${num(item.accounts)} akun`),
      row('Wilayah', (item.regions ?? []).length ? item.regions.map(regionName).join(', ') : '–'),
      row('Platform', (item.platforms ?? []).join(', ') || '–'),
      row('Pertama / terakhir', `${when(item.first_seen)} — ${when(item.last_seen)}`),
      row('Versi model', (item.model_versions ?? []).join(', ') || '–'),
      row('Klaim cocok', claimSummary(item.claim), item.claim && isWebUrl(item.claim.url) ? [' ', safeLink(item.claim.url, 'sumber')] : null),
      row('ID item', h('code', { text: item.item_id })),
    ),
  );
}

function decisionPanel(open, item, posts, suggestions) {
  const total = posts.length || item.posts_count || 0;
  const error = h('p', { class: 'error', id: 'decision-error', role: 'alert' });
  const result = h('div', { id: 'decision-result' });
  const scopeAll = h('input', { type: 'radio', name: 'scope', id: 'scope-all', value: 'all', checked: true });
  const scopeSelected = h('input', { type: 'radio', name: 'scope', id: 'scope-selected', value: 'selected' });
  const selectedLabel = h('span', { id: 'scope-selected-count', text: 'Hanya unggahan terpilih (0 dipilih)' });

  const dismissReason = h('textarea', { id: 'dismiss-reason', rows: '2', maxlength: '2000', 'aria-describedby': 'dismiss-hint' });
  const relabelReason = h('textarea', { id: 'relabel-reason', rows: '2', maxlength: '2000' });
  const escalateReason = h('input', { id: 'escalate-note', maxlength: '2000' });
  const current = new Set(item.labels ?? []);
  const relabelBoxes = LABELS.map((l) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'relabel', value: l, checked: current.has(l), class: 'relabel-box' }), ` ${labelName(l)}`));
  const unitSelect = h('select', { id: 'escalate-unit' }, h('option', { value: '', text: 'Memuat unit…' }));
  units().then((list) => {
    unitSelect.replaceChildren(h('option', { value: '', text: list.length ? '— pilih unit —' : 'Tidak ada unit' }), ...list.map((u) => h('option', { value: u.id, text: u.name })));
  }).catch((e) => { unitSelect.replaceChildren(h('option', { value: '', text: 'Gagal memuat unit' })); error.textContent = `Gagal memuat daftar unit: ${e.message}`; });
  const linkSelect = h('select', { id: 'link-select' },
    h('option', { value: '', text: suggestions.length ? '— pilih saran klarifikasi —' : 'Tidak ada saran' }),
    suggestions.map((s) => h('option', { value: s.clarification_id, text: `${truncate(s.claim, 70)} (${s.verdict ?? ''}, ${percent(s.probability)})` })));
  const linkId = h('input', { id: 'link-id', maxlength: '300', autocapitalize: 'none', spellcheck: 'false' });

  const decide = (action, extra, button) => submitDecision(open, action, extra, button);
  const btn = (id, text, cls, onclick) => h('button', { type: 'button', id, class: `decision-btn ${cls}`, text, onclick });

  return h('section', { class: 'card decision', 'aria-labelledby': 'decision-h', id: 'decision-panel' },
    h('h2', { id: 'decision-h', text: 'Keputusan' }),
    h('p', { class: 'muted small', id: 'decision-disabled-note' }),
    h('fieldset', { class: 'scope' },
      h('legend', { text: 'Berlaku untuk' }),
      h('label', { class: 'check', for: 'scope-all' }, scopeAll, ` Seluruh narasi (${num(total)} unggahan)`),
      h('label', { class: 'check', for: 'scope-selected' }, scopeSelected, ' ', selectedLabel),
    ),
    h('div', { class: 'action-block' },
      btn('act-confirm', 'Konfirmasi', 'primary', (e) => decide('confirm', {}, e.currentTarget)),
      h('p', { class: 'small muted', text: 'Label model benar untuk unggahan ini.' })),
    h('div', { class: 'action-block' },
      h('label', { for: 'dismiss-reason', text: 'Alasan penolakan (wajib)' }),
      dismissReason,
      h('p', { class: 'small muted', id: 'dismiss-hint', text: 'Label model salah: unggahan bukan konten negatif.' }),
      btn('act-dismiss', 'Tolak', 'danger', (e) => {
        const reason = dismissReason.value.trim();
        if (!reason) return fieldError(error, dismissReason, 'Tulis alasan penolakan terlebih dahulu.');
        decide('dismiss', { reason }, e.currentTarget);
      })),
    h('fieldset', { class: 'action-block', id: 'relabel-block' },
      h('legend', { text: 'Ubah label (centang label yang benar)' }),
      h('div', { class: 'checks' }, relabelBoxes),
      h('label', { for: 'relabel-reason', text: 'Alasan perubahan (wajib)' }),
      relabelReason,
      btn('act-relabel', 'Simpan label', '', (e) => {
        const reason = relabelReason.value.trim();
        if (!reason) return fieldError(error, relabelReason, 'Tulis alasan perubahan label terlebih dahulu.');
        const labels = [...document.querySelectorAll('.relabel-box')].filter((b) => b.checked).map((b) => b.value);
        decide('relabel', { labels, reason }, e.currentTarget);
      })),
    h('div', { class: 'action-block' },
      h('label', { for: 'escalate-unit', text: 'Eskalasi ke unit humas' }),
      unitSelect,
      h('label', { for: 'escalate-note', text: 'Catatan untuk unit (opsional)' }),
      escalateReason,
      btn('act-escalate', 'Eskalasi', '', (e) => {
        if (!unitSelect.value) return fieldError(error, unitSelect, 'Pilih unit humas tujuan.');
        const note = escalateReason.value.trim();
        decide('escalate', { unit: unitSelect.value, ...(note ? { reason: note } : {}) }, e.currentTarget);
      })),
    h('div', { class: 'action-block' },
      h('label', { for: 'link-select', text: 'Tautkan klarifikasi' }),
      linkSelect,
      h('label', { for: 'link-id', text: 'atau ID klarifikasi lain' }),
      linkId,
      btn('act-link', 'Tautkan', '', (e) => {
        const clarification = linkId.value.trim() || linkSelect.value;
        if (!clarification) return fieldError(error, linkSelect, 'Pilih saran klarifikasi atau isi ID klarifikasi.');
        decide('link', { clarification_id: clarification }, e.currentTarget);
      })),
    error,
    result,
  );
}

function fieldError(errorEl, field, message) {
  errorEl.textContent = message;
  field.setAttribute('aria-invalid', 'true');
  field.focus();
  field.addEventListener('input', () => field.removeAttribute('aria-invalid'), { once: true });
}

function updateDecisionEnabled() {
  const open = state.item;
  if (!open || !open.data) return;
  const enabled = open.claimed && !open.busy;
  for (const b of document.querySelectorAll('.decision-btn')) b.disabled = !enabled;
  const note = $('decision-disabled-note');
  if (note) note.textContent = open.claimed ? '' : 'Tombol keputusan nonaktif: item ini belum Anda klaim.';
}

function selectedScope(open) {
  if (!$('scope-selected')?.checked) return {};
  return { post_ids: [...open.selected] };
}

async function submitDecision(open, action, extra, button) {
  const errorEl = $('decision-error');
  errorEl.textContent = '';
  const scope = selectedScope(open);
  if (scope.post_ids && scope.post_ids.length === 0) {
    errorEl.textContent = 'Pilih minimal satu unggahan, atau pilih "Seluruh narasi".';
    $('scope-selected').focus();
    return;
  }
  open.busy = true;
  updateDecisionEnabled();
  const label = button.textContent;
  button.textContent = 'Menyimpan…';
  try {
    const answer = await api('POST', `/api/queue/${seg(open.id)}/decision`, { action, ...extra, ...scope });
    if (state.item !== open) return;
    open.data.item = answer.item;
    open.data.audit = [answer.audit, ...(open.data.audit ?? [])];
    state.queue.loaded = false;
    const facts = $('item-facts');
    if (facts) facts.replaceWith(itemSummary(answer.item).querySelector('dl'));
    const trail = $('audit-trail');
    if (trail) trail.replaceWith(auditList(open.data.audit, 'audit-trail', answer.audit.id));
    const result = $('decision-result');
    const title = h('h3', { tabindex: '-1', id: 'decision-result-title', text: `Tersimpan: ${ACTION_NAMES[answer.audit.action] ?? answer.audit.action}` });
    result.className = 'banner ok';
    result.replaceChildren(title, auditEntryView(answer.audit, { compact: false }),
      h('p', {}, h('a', { href: '#/antrean', class: 'button-link', id: 'back-to-queue', text: 'Kembali ke antrean' }), ' ',
        h('a', { href: '#/audit', class: 'button-link ghost', text: 'Lihat jejak audit' })));
    if (['dismiss'].includes(action)) $('dismiss-reason').value = '';
    if (action === 'relabel') $('relabel-reason').value = '';
    title.focus();
    announce(`Keputusan tersimpan: ${ACTION_NAMES[action]}. Entri audit baru dicatat.`);
  } catch (error) {
    if (state.item !== open) return;
    errorEl.textContent = `Keputusan tidak tersimpan: ${error.message}`;
    if (error.status === 409) {
      open.claimed = false;
      setClaimBanner('held', error.message);
    }
  } finally {
    button.textContent = label;
    open.busy = false;
    updateDecisionEnabled();
  }
}

function postsSection(open, posts) {
  const countLabel = () => {
    const el = $('scope-selected-count');
    if (el) el.textContent = `Hanya unggahan terpilih (${open.selected.size} dipilih)`;
  };
  return h('section', { class: 'card', 'aria-labelledby': 'posts-h' },
    h('h2', { id: 'posts-h', text: `Unggahan (${num(posts.length)})` }),
    posts.length === 0 ? h('p', { class: 'muted', text: 'Tidak ada unggahan.' }) : null,
    h('ol', { class: 'posts' }, posts.map((post, i) => h('li', { class: 'post' },
      h('div', { class: 'post-head' },
        h('label', { class: 'check' },
          h('input', { type: 'checkbox', class: 'post-select', value: post.id, onchange: (e) => {
            if (e.currentTarget.checked) open.selected.add(post.id); else open.selected.delete(post.id);
            if (open.selected.size > 0 && $('scope-selected')) $('scope-selected').checked = true;
            if (open.selected.size === 0 && $('scope-all')) $('scope-all').checked = true;
            countLabel();
          } }),
          h('span', { class: 'visually-hidden', text: `Pilih unggahan ${i + 1}` }),
          h('span', { 'aria-hidden': 'true', text: ' Pilih' })),
        h('span', { class: 'author', text: post.author ? handle(post.author) : 'akun tidak diketahui' }),
        h('span', { class: 'muted small' }, ` · ${post.platform ?? ''} · ${when(post.created_at)}${post.region ? ` · ${regionName(post.region)}` : ''}`),
      ),
      h('p', { class: 'post-text', text: String(post.text ?? '') }),
      h('p', { class: 'small muted' },
        engagementText(post.engagement), ' · ',
        isWebUrl(post.url) ? safeLink(post.url, 'Buka unggahan asli') : 'tanpa tautan', ' · ',
        h('code', { text: post.id })),
      explanation(post, i === 0),
    ))),
  );
}

function engagementText(engagement) {
  const entries = Object.entries(engagement ?? {}).filter(([, v]) => typeof v === 'number');
  if (entries.length === 0) return 'interaksi tidak diketahui';
  return entries.map(([k, v]) => `${num(v)} ${ENGAGEMENT_NAMES[k] ?? k}`).join(', ');
}

function explanation(post, openFirst) {
  const ex = post.explanation ?? {};
  const scores = ex.scores ?? post.scores ?? {};
  const thresholds = ex.thresholds ?? {};
  const labels = [...new Set([...Object.keys(thresholds), ...Object.keys(scores)])];
  const verdict = (l) => {
    const s = scores[l], t = thresholds[l];
    if (typeof s !== 'number' || !t) return '–';
    if (s >= t.alert) return 'di atas ambang peringatan';
    if (s >= t.review) return 'di atas ambang tinjau';
    return 'di bawah ambang';
  };
  const table = h('table', { class: 'scores cards' },
    h('thead', {}, h('tr', {}, ['Label', 'Skor', 'Ambang peringatan', 'Ambang tinjau', 'Hasil'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, labels.map((l) => {
      const s = scores[l], t = thresholds[l] ?? {};
      return h('tr', { class: verdict(l) === 'di atas ambang peringatan' ? 'over-alert' : '' },
        h('th', { scope: 'row', 'data-label': 'Label', text: labelName(l) }),
        h('td', { 'data-label': 'Skor' },
          typeof s === 'number' ? h('meter', { min: '0', max: '1', value: String(s), ...(typeof t.review === 'number' ? { low: String(t.review) } : {}), ...(typeof t.alert === 'number' ? { high: String(t.alert) } : {}), optimum: '0', 'aria-hidden': 'true' }) : null,
          ` ${score(s)}`),
        h('td', { 'data-label': 'Ambang peringatan', text: score(t.alert) }),
        h('td', { 'data-label': 'Ambang tinjau', text: score(t.review) }),
        h('td', { 'data-label': 'Hasil', text: verdict(l) }));
    })));
  const terms = (list, empty) => (Array.isArray(list) && list.length ? h('span', { class: 'tags' }, list.map((t) => h('span', { class: 'chip', text: String(t) }))) : h('span', { class: 'muted', text: empty }));
  return h('details', { class: 'why', open: openFirst },
    h('summary', { text: 'Mengapa ditandai' }),
    h('p', { class: 'small' }, 'Versi model: ', h('code', { text: ex.model_version ?? post.model_version ?? '–' })),
    table,
    h('p', { class: 'small' }, 'Istilah yang cocok: ', terms(ex.matched_terms, 'tidak ada')),
    h('p', { class: 'small' }, 'Istilah relevansi: ', terms(ex.relevance_terms, 'tidak ada')),
    ex.claim ? h('p', { class: 'small' }, 'Klaim cocok: ', claimSummary(ex.claim)) : null,
  );
}

function suggestionsSection(suggestions) {
  return h('section', { class: 'card', 'aria-labelledby': 'sugg-h' },
    h('h2', { id: 'sugg-h', text: 'Saran klarifikasi' }),
    suggestions.length === 0
      ? h('p', { class: 'muted', text: 'Belum ada klarifikasi yang cocok di basis pengetahuan.' })
      : h('ul', { class: 'plain' }, suggestions.map((s) => h('li', { class: 'suggestion' },
        h('span', { class: 'verdict', text: s.verdict ?? '' }), ' ', String(s.claim ?? ''),
        h('span', { class: 'small muted block' }, `kemiripan ${percent(s.probability)} · `, h('code', { text: s.clarification_id }), isWebUrl(s.url) ? [' · ', safeLink(s.url, 'sumber')] : null),
        h('button', { type: 'button', class: 'small-btn', text: 'Pilih untuk ditautkan', onclick: () => {
          const select = $('link-select');
          if (select) { select.value = s.clarification_id; select.focus(); }
        } })))),
  );
}

function auditSection(audit) {
  return h('section', { class: 'card', 'aria-labelledby': 'trail-h' },
    h('h2', { id: 'trail-h', text: 'Jejak audit item' }),
    auditList(audit, 'audit-trail'));
}

function auditList(entries, id, highlight) {
  if (!entries || entries.length === 0) return h('p', { id, class: 'muted', text: 'Belum ada keputusan untuk item ini.' });
  return h('ol', { id, class: 'audit-trail' }, entries.map((e) => h('li', { class: e.id === highlight ? 'new-entry' : '' }, auditEntryView(e, { compact: true }))));
}

function auditEntryView(entry, { compact }) {
  const labels = (list) => (list && list.length ? list.map(labelName).join(', ') : 'tanpa label');
  return h('div', { class: 'audit-entry', dataset: { audit: entry.id } },
    h('p', {}, h('strong', { text: ACTION_NAMES[entry.action] ?? entry.action }), ` oleh ${entry.actor?.username ?? '?'} (${roleName(entry.actor?.role)}) · ${when(entry.at)}`),
    h('p', { class: 'small' }, `Label: ${labels(entry.labels_before)} → ${labels(entry.labels_after)} · ${num((entry.posts ?? []).length)} unggahan`),
    entry.reason ? h('p', { class: 'small' }, 'Alasan: ', h('q', { text: entry.reason })) : null,
    entry.unit ? h('p', { class: 'small', text: `Unit: ${entry.unit}` }) : null,
    entry.clarification_id ? h('p', { class: 'small' }, 'Klarifikasi: ', h('code', { text: entry.clarification_id })) : null,
    compact ? null : h('p', { class: 'small muted' }, 'ID entri audit: ', h('code', { text: entry.id })),
  );
}

// ---------------------------------------------------------------------------------------------- audit view

async function loadAudit() {
  const list = $('audit-list');
  const seq = ++loadSeq;
  const range = rangeProblem('a-from', 'a-to');
  if (range) { setDone(list, h('p', { class: 'error', role: 'alert', text: range })); return; }
  setLoading(list, 'Memuat jejak audit…');
  const filters = Object.fromEntries([...new FormData($('audit-filters')).entries()].map(([k, v]) => [k, String(v).trim()]));
  try {
    const data = await api('GET', `/api/audit${query({ ...filters, page: state.audit.page, size: 20 })}`);
    if (seq !== loadSeq) return;
    const items = data.items ?? [];
    state.audit.total = data.total ?? items.length;
    updatePager('audit', state.audit.page, state.audit.total);
    if (items.length === 0) {
      setDone(list, h('div', { class: 'empty' }, h('p', { class: 'empty-title', text: 'Belum ada entri audit' }), h('p', { class: 'muted', text: 'Tidak ada keputusan yang cocok dengan saringan ini.' })));
      announce('Belum ada entri audit.');
      return;
    }
    const labels = (l) => (l && l.length ? l.map(labelName).join(', ') : 'tanpa label');
    setDone(list, h('table', { class: 'cards', id: 'audit-table' },
      h('caption', { class: 'visually-hidden', text: 'Jejak audit, terbaru lebih dulu' }),
      h('thead', {}, h('tr', {}, ['Waktu', 'Pelaku', 'Tindakan', 'Item', 'Label sebelum → sesudah', 'Alasan / unit / klarifikasi', 'Unggahan'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, items.map((e) => h('tr', { dataset: { audit: e.id } },
        h('td', { 'data-label': 'Waktu', text: when(e.at) }),
        h('td', { 'data-label': 'Pelaku', text: `${e.actor?.username ?? '?'} (${roleName(e.actor?.role)})` }),
        h('td', { 'data-label': 'Tindakan', text: ACTION_NAMES[e.action] ?? e.action }),
        h('td', { 'data-label': 'Item' }, h('a', { href: `#/item/${seg(e.item_id)}`, text: truncate(e.item_id, 40) })),
        h('td', { 'data-label': 'Label', text: `${labels(e.labels_before)} → ${labels(e.labels_after)}` }),
        h('td', { 'data-label': 'Keterangan', text: [e.reason, e.unit ? `unit ${e.unit}` : null, e.clarification_id ? `klarifikasi ${e.clarification_id}` : null].filter(Boolean).join(' · ') || '–' }),
        h('td', { 'data-label': 'Unggahan', text: num((e.posts ?? []).length) }),
      )))));
    announce(`${num(state.audit.total)} entri audit.`);
  } catch (error) {
    if (seq !== loadSeq) return;
    setDone(list, errorBox('Gagal memuat jejak audit', error));
  }
}

// ---------------------------------------------------------------------------------------------- humas cases

async function loadCases() {
  const list = $('cases-list');
  const seq = ++loadSeq;
  setLoading(list, 'Memuat kasus…');
  const scope = $('cases-scope');
  scope.textContent = state.user.role === 'humas' ? `Kasus untuk unit Anda (${state.user.unit ?? '–'}).` : 'Kasus semua unit.';
  if (state.user.role === 'humas' && state.user.unit) {
    units().then((list2) => {
      const unit = list2.find((u) => u.id === state.user?.unit);
      if (unit) scope.textContent = `Kasus untuk unit Anda: ${unit.name}.`;
    }).catch(() => {});
  }
  const status = $('c-status').value;
  try {
    const data = await api('GET', `/api/cases${query({ status, page: state.cases.page, size: 20 })}`);
    if (seq !== loadSeq) return;
    const cases = data.cases ?? [];
    state.cases.total = data.total ?? cases.length;
    updatePager('cases', state.cases.page, state.cases.total);
    if (cases.length === 0) {
      setDone(list, h('div', { class: 'empty' }, h('p', { class: 'empty-title', text: 'Tidak ada kasus' }), h('p', { class: 'muted', text: 'Belum ada narasi yang dialihkan ke unit ini.' })));
      announce('Tidak ada kasus.');
      return;
    }
    setDone(list, h('ul', { class: 'case-list plain', id: 'case-list' }, cases.map((c) => h('li', {}, caseCard(c)))));
    announce(`${num(state.cases.total)} kasus.`);
  } catch (error) {
    if (seq !== loadSeq) return;
    setDone(list, errorBox('Gagal memuat kasus', error));
  }
}

function caseCard(c) {
  const canWrite = state.user.role === 'humas' || state.user.role === 'admin';
  const headingId = `case-${c.case_id}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const error = h('p', { class: 'error', role: 'alert' });
  const counterUrl = h('input', { type: 'url', maxlength: '2000', placeholder: 'https://…', id: `${headingId}-url` });
  const note = h('input', { maxlength: '500', id: `${headingId}-note` });
  const card = h('article', { class: 'card case', 'aria-labelledby': headingId, dataset: { case: c.case_id } });
  const act = async (action, button) => {
    error.textContent = '';
    const body = {};
    if (action === 'counter') {
      const url = counterUrl.value.trim();
      if (!isWebUrl(url)) return fieldError(error, counterUrl, 'Isi tautan kontra-narasi yang sudah terbit (http/https).');
      body.counter_url = url;
    }
    if (note.value.trim()) body.note = note.value.trim();
    const label = button.textContent;
    button.disabled = true;
    button.textContent = 'Menyimpan…';
    try {
      const answer = await api('POST', `/api/cases/${seg(c.case_id)}/${action}`, body);
      const fresh = caseCard(answer.case ?? c);
      card.replaceWith(fresh);
      const message = answer.changed === false ? `Tidak ada perubahan: kasus sudah berstatus ${CASE_STATUS[answer.case?.status] ?? ''}.` : `Tercatat: ${CASE_STATUS[answer.case?.status] ?? action}.`;
      const note2 = fresh.querySelector('.case-result');
      note2.textContent = message;
      note2.focus();
      announce(message);
    } catch (e) {
      error.textContent = `Gagal: ${e.message}`;
      button.disabled = false;
      button.textContent = label;
    }
  };
  const actions = [];
  if (canWrite && c.status !== 'closed') {
    if (c.status === 'new') actions.push(h('button', { type: 'button', class: 'primary', text: 'Tandai diterima', onclick: (e) => act('acknowledge', e.currentTarget) }));
    if (c.status !== 'countered') {
      actions.push(h('div', { class: 'field' }, h('label', { for: counterUrl.id, text: 'Tautan kontra-narasi yang sudah terbit' }), counterUrl),
        h('button', { type: 'button', text: 'Laporkan kontra-narasi', onclick: (e) => act('counter', e.currentTarget) }));
    }
    actions.push(h('button', { type: 'button', class: 'ghost', text: 'Tutup kasus', onclick: (e) => act('close', e.currentTarget) }));
  }
  const spread = c.spread_around_counter;
  const details = h('div', { class: 'case-details', id: `${headingId}-details`, hidden: true });
  const toggle = h('button', { type: 'button', class: 'ghost small-btn', 'aria-expanded': 'false', 'aria-controls': details.id, text: 'Rincian kasus', onclick: async () => {
    const opening = details.hidden;
    details.hidden = !opening;
    toggle.setAttribute('aria-expanded', String(opening));
    toggle.textContent = opening ? 'Sembunyikan rincian' : 'Rincian kasus';
    if (opening && details.dataset.loaded !== 'true') await loadCaseDetails(c.case_id, details);
  } });
  append(card, [
    h('h2', { id: headingId, class: 'case-title', text: String(c.summary ?? c.case_id) }),
    h('p', {}, h('span', { class: `status case-${c.status}`, text: CASE_STATUS[c.status] ?? c.status }), ' ', h('span', { class: 'tags' }, (c.labels ?? []).map((l) => h('span', { class: labelClass(l), text: labelName(l) })))),
    h('dl', { class: 'facts' },
      h('dt', { text: 'Unit' }), h('dd', { text: c.unit_name ?? c.unit_id }),
      h('dt', { text: 'Dibuka' }), h('dd', { text: when(c.opened_at) }),
      h('dt', { text: 'Diterima' }), h('dd', { text: when(c.acknowledged_at) }),
      h('dt', { text: 'Dikontra' }), h('dd', {}, when(c.countered_at), c.counter_url ? [' · ', safeLink(c.counter_url, 'tautan kontra-narasi')] : null),
      h('dt', { text: 'Klarifikasi' }), h('dd', {}, c.clarification ? [h('span', { class: 'verdict', text: c.clarification.verdict ?? '' }), ' ', String(c.clarification.claim ?? ''), isWebUrl(c.clarification.url) ? [' · ', safeLink(c.clarification.url, 'sumber')] : null] : 'belum ada'),
      spread ? [h('dt', { text: 'Sebaran per jam' }), h('dd', { text: `${score(spread.before_per_hour ?? spread.before)} → ${score(spread.after_per_hour ?? spread.after)}` })] : null,
    ),
    h('p', {}, toggle),
    details,
    h('p', { class: 'case-result', tabindex: '-1', role: 'status' }),
    actions.length ? h('div', { class: 'case-actions' }, actions, h('div', { class: 'field' }, h('label', { for: note.id, text: 'Catatan (opsional)' }), note)) : null,
    error,
  ]);
  return card;
}

const CASE_EVENTS = { opened: 'dibuka', alerted: 'peringatan terkirim', held: 'ditahan (jam tenang)', escalated: 'eskalasi', digest: 'ringkasan harian', ...Object.fromEntries(Object.entries(CASE_STATUS).map(([k, v]) => [k, v.toLowerCase()])) };
const TREND = { naik: 'naik', turun: 'turun', stabil: 'stabil' };

/** The case's reach, example posts and history (GET /api/cases/:id). */
async function loadCaseDetails(caseId, container) {
  setLoading(container, 'Memuat rincian…');
  try {
    const data = await api('GET', `/api/cases/${seg(caseId)}`);
    const examples = data.cluster?.examples ?? [];
    const history = data.case?.history ?? [];
    const reach = data.reach;
    container.dataset.loaded = 'true';
    setDone(container,
      reach ? h('p', { class: 'small' }, `Jangkauan: ${num(reach.posts)} unggahan, ${num(Math.round(reach.engagement ?? 0))} interaksi, tren ${TREND[reach.trend] ?? reach.trend ?? '–'}.`) : null,
      h('h3', { text: 'Contoh unggahan' }),
      examples.length === 0 ? h('p', { class: 'muted small', text: 'Tidak ada contoh.' }) : h('ul', { class: 'plain examples' }, examples.map((e) => h('li', {},
        h('p', { class: 'post-text', text: String(e.text ?? '') }),
        h('p', { class: 'small muted' }, [e.author ? handle(e.author) : null, e.platform, when(e.created_at), `${num(e.reach)} interaksi`].filter(Boolean).join(' · '), isWebUrl(e.url) ? [' · ', safeLink(e.url, 'buka')] : null)))),
      h('h3', { text: 'Riwayat' }),
      h('ol', { class: 'plain small history' }, history.map((ev) => h('li', { text: `${when(ev.at)}: ${CASE_EVENTS[ev.event] ?? ev.event}${ev.by ? ` oleh ${ev.by}` : ''}${ev.note ? ` — ${ev.note}` : ''}` }))));
  } catch (error) {
    setDone(container, errorBox('Gagal memuat rincian kasus', error));
  }
}

// ---------------------------------------------------------------------------------------------- aggregates

async function loadSummary() {
  const body = $('summary-body');
  const seq = ++loadSeq;
  const range = rangeProblem('s-from', 's-to');
  if (range) { setDone(body, h('p', { class: 'error', role: 'alert', text: range })); return; }
  setLoading(body, 'Memuat ringkasan…');
  const from = $('s-from').value, to = $('s-to').value;
  try {
    const data = await api('GET', `/api/dashboard/daily${query({ from, to })}`);
    if (seq !== loadSeq) return;
    const days = data.days ?? [];
    const labels = data.labels ?? LABELS;
    if (days.length === 0) {
      setDone(body, h('p', { class: 'empty-title', text: 'Belum ada data pada rentang ini' }));
      return;
    }
    if (!from) $('s-from').value = days[0].date;
    if (!to) $('s-to').value = days[days.length - 1].date;
    const totals = { total: 0, flagged: 0 };
    for (const l of labels) totals[l] = 0;
    for (const d of days) {
      totals.total += d.total ?? 0;
      totals.flagged += d.flagged ?? 0;
      for (const l of labels) totals[l] += d.labels?.[l] ?? 0;
    }
    const tiles = h('div', { class: 'tiles' },
      tile(num(totals.total), 'unggahan dipantau'),
      tile(num(totals.flagged), 'unggahan ditandai'),
      labels.map((l) => tile(num(totals[l]), labelName(l), l)));
    const table = h('table', { class: 'cards', id: 'summary-table' },
      h('caption', { class: 'visually-hidden', text: 'Jumlah per hari dan per kategori' }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Tanggal' }), h('th', { scope: 'col', text: 'Total' }), h('th', { scope: 'col', text: 'Ditandai' }), labels.map((l) => h('th', { scope: 'col', text: labelName(l) })))),
      h('tbody', {}, [...days].reverse().map((d) => h('tr', {},
        h('th', { scope: 'row', 'data-label': 'Tanggal', text: d.date }),
        h('td', { 'data-label': 'Total', text: num(d.total) }),
        h('td', { 'data-label': 'Ditandai', text: num(d.flagged) }),
        labels.map((l) => h('td', { 'data-label': labelName(l), text: num(d.labels?.[l] ?? 0) }))))));
    setDone(body, tiles, chart(days, labels), h('div', { class: 'legend' }, labels.map((l) => h('span', {}, h('i', { class: `swatch swatch-${Object.hasOwn(LABEL_NAMES, l) ? l : 'other'}`, 'aria-hidden': 'true' }), labelName(l)))), table);
    announce(`Ringkasan ${days.length} hari dimuat.`);
  } catch (error) {
    if (seq !== loadSeq) return;
    setDone(body, errorBox('Gagal memuat ringkasan', error));
  }
}

function tile(value, label, cls) {
  return h('div', { class: `tile${cls ? ` tile-${cls}` : ''}` }, h('b', { text: value }), h('span', { text: label }));
}

/** Stacked bars per day; colours come from classes (no inline style under the CSP). */
function chart(days, labels) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs, text) => {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const W = 1000, H = 220, pad = 30;
  const max = Math.max(1, ...days.map((d) => labels.reduce((s, l) => s + (d.labels?.[l] ?? 0), 0)));
  const bw = (W - pad) / Math.max(1, days.length);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `Grafik jumlah unggahan ditandai per kategori per hari, ${days.length} hari; rinciannya ada di tabel di bawah.` });
  days.forEach((d, i) => {
    let y = H - 20;
    for (const l of labels) {
      const v = d.labels?.[l] ?? 0;
      const hgt = (v / max) * (H - 40);
      if (hgt <= 0) continue;
      const rect = svg('rect', { x: pad + i * bw + 1, y: y - hgt, width: Math.max(1, bw - 2), height: hgt, class: `bar bar-${Object.hasOwn(LABEL_NAMES, l) ? l : 'other'}` });
      rect.append(svg('title', {}, `${d.date} · ${labelName(l)}: ${v}`));
      root.append(rect);
      y -= hgt;
    }
    if (i % Math.max(1, Math.ceil(days.length / 8)) === 0) root.append(svg('text', { x: pad + i * bw, y: H - 5 }, String(d.date).slice(5)));
  });
  root.append(svg('text', { x: 0, y: 14 }, String(max)), svg('text', { x: 0, y: H - 22 }, '0'));
  return root;
}

// ---------------------------------------------------------------------------------------------- admin

function loadAdmin() {
  loadPrecision();
  loadModels();
}

async function loadPrecision() {
  const body = $('precision-body');
  const warnings = $('precision-warnings');
  setLoading(body, 'Memuat presisi…');
  warnings.replaceChildren();
  try {
    const data = await api('GET', '/api/admin/precision?weeks=8');
    // Newest week first.
    const weeks = [...(data.weeks ?? [])].sort((a, b) => String(b.week).localeCompare(String(a.week)));
    const labels = [...new Set([...LABELS, ...weeks.flatMap((w) => Object.keys(w.labels ?? {}))])];
    const warned = new Set((data.warnings ?? []).map((w) => `${w.week}|${w.label}`));
    if ((data.warnings ?? []).length) {
      warnings.replaceChildren(h('div', { class: 'banner warn', role: 'status' },
        h('p', {}, h('strong', { text: `Peringatan pergeseran (${data.warnings.length})` })),
        h('ul', {}, data.warnings.map((w) => h('li', { text: w.message || `${labelName(w.label)}, ${w.week}: presisi ${percent(w.precision)} (acuan ${percent(w.baseline)})` })))));
    }
    const model = data.model ? h('p', { class: 'small' }, 'Model aktif: ', h('code', { text: data.model })) : null;
    if (weeks.length === 0) {
      setDone(body, model, h('p', { class: 'muted', text: 'Belum ada keputusan analis untuk menghitung presisi.' }));
      return;
    }
    setDone(body, model, h('table', { class: 'cards', id: 'precision-table' },
      h('caption', { class: 'visually-hidden', text: 'Presisi per label per minggu, minggu terbaru lebih dulu' }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Minggu' }), labels.map((l) => h('th', { scope: 'col', text: labelName(l) })))),
      h('tbody', {}, weeks.map((w) => h('tr', {},
        h('th', { scope: 'row', 'data-label': 'Minggu', text: `${w.week}${w.start ? ` (mulai ${w.start})` : ''}` }),
        labels.map((l) => {
          const cell = w.labels?.[l];
          const drift = warned.has(`${w.week}|${l}`);
          const interval = typeof cell?.low === 'number' && typeof cell?.high === 'number' ? `, 95%: ${percent(cell.low)}–${percent(cell.high)}` : '';
          const text = !cell || (cell.confirmed ?? 0) + (cell.dismissed ?? 0) === 0 ? '–' : `${cell.precision === null || cell.precision === undefined ? '–' : percent(cell.precision)} (${num(cell.confirmed)} benar / ${num(cell.dismissed)} salah${interval})`;
          return h('td', { 'data-label': labelName(l), class: drift ? 'drift' : '' }, text, drift ? h('span', { class: 'drift-mark', text: ' ⚠ pergeseran' }) : null);
        }))))));
  } catch (error) {
    setDone(body, errorBox('Gagal memuat presisi', error));
  }
}

async function loadModels() {
  const body = $('models-body');
  setLoading(body, 'Memuat registri model…');
  try {
    const data = await api('GET', '/api/admin/models');
    renderModels(data);
  } catch (error) {
    setDone(body, errorBox('Gagal memuat registri model', error));
  }
}

const MODEL_STATUS = { candidate: 'kandidat', active: 'aktif', retired: 'pensiun' };
/** A version in the registry's answers: a string, or a reference {version, path}. */
const versionOf = (ref) => (ref && typeof ref === 'object' ? ref.version : ref) ?? null;

function renderModels(data, message) {
  const body = $('models-body');
  const active = versionOf(data.active);
  const previous = versionOf(data.previous);
  const versions = data.versions ?? [];
  const result = h('p', { class: 'small', role: 'status', id: 'models-result', tabindex: '-1', text: message ?? '' });
  const error = h('p', { class: 'error', role: 'alert' });
  const run = async (path, button, done) => {
    error.textContent = '';
    button.disabled = true;
    try {
      const answer = await api('POST', path);
      const fresh = await api('GET', '/api/admin/models').catch(() => ({ ...data, ...answer }));
      renderModels(fresh, done(answer));
      $('models-result')?.focus();
      announce(done(answer));
    } catch (e) {
      error.textContent = `Gagal: ${e.message}`;
      button.disabled = false;
    }
  };
  /** Two steps: the first press asks, the second does it. */
  const confirmStep = (label, question, path, done) => {
    const wrap = h('span', { class: 'confirm-step' });
    const start = h('button', { type: 'button', text: label, onclick: () => {
      const yes = h('button', { type: 'button', class: 'danger', text: question, onclick: (e) => run(path, e.currentTarget, done) });
      const no = h('button', { type: 'button', class: 'ghost', text: 'Batal', onclick: () => { wrap.replaceChildren(start); start.focus(); } });
      wrap.replaceChildren(yes, ' ', no);
      yes.focus();
    } });
    wrap.append(start);
    return wrap;
  };
  setDone(body,
    h('p', {}, 'Aktif: ', h('strong', { text: active ?? '–' }), ' · Sebelumnya: ', h('strong', { text: previous ?? '–' })),
    previous ? h('p', {}, confirmStep(`Kembalikan ke ${previous}`, `Ya, kembalikan ke ${previous}`, '/api/admin/models/rollback', (a) => `Model dikembalikan. Aktif: ${versionOf(a.active)}.`)) : null,
    versions.length === 0 ? h('p', { class: 'muted', text: 'Belum ada versi model terdaftar.' }) : h('table', { class: 'cards', id: 'models-table' },
      h('thead', {}, h('tr', {}, ['Versi', 'Status', 'Dibuat', 'Perbandingan', 'Tindakan'].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, versions.map((v) => h('tr', { dataset: { version: v.version } },
        h('th', { scope: 'row', 'data-label': 'Versi' }, h('code', { text: v.version })),
        h('td', { 'data-label': 'Status' }, MODEL_STATUS[v.status] ?? String(v.status ?? ''), v.promoted_by ? h('span', { class: 'small muted block', text: `dipromosikan oleh ${v.promoted_by}, ${when(v.promoted_at)}` }) : null),
        h('td', { 'data-label': 'Dibuat', text: when(v.created_at) }),
        h('td', { 'data-label': 'Perbandingan' }, comparisonView(v.comparison)),
        h('td', { 'data-label': 'Tindakan' }, v.version === active ? h('span', { class: 'muted', text: 'sedang dipakai' })
          : confirmStep('Promosikan', `Ya, promosikan ${v.version}`, `/api/admin/models/${seg(v.version)}/promote`, (a) => `Model ${versionOf(a.active)} kini aktif.`)),
      )))),
    result, error);
}

/** The comparison with the model active at training time: F1 per label and evaluation set, active → candidate. */
function comparisonView(value) {
  if (value === null || value === undefined) return h('span', { class: 'muted', text: '–' });
  if (typeof value !== 'object') return h('span', { text: String(value) });
  if (value.sets && typeof value.sets === 'object') {
    const signed = (d) => (typeof d === 'number' ? `${d >= 0 ? '+' : ''}${score(d)}` : '–');
    return h('div', { class: 'small comparison' },
      value.against ? h('p', {}, 'dibandingkan dengan ', h('code', { text: String(value.against) })) : null,
      Object.entries(value.sets).map(([set, s]) => h('div', {},
        h('p', { class: 'muted', text: `${set}${typeof s?.rows === 'number' ? ` (${num(s.rows)} baris)` : ''}: F1 aktif → kandidat` }),
        h('ul', { class: 'plain' }, Object.entries(s?.labels ?? {}).map(([label, c]) => h('li', { class: typeof c?.f1Delta === 'number' && c.f1Delta < 0 ? 'worse' : '', text: `${labelName(label)}: ${score(c?.active?.f1)} → ${score(c?.candidate?.f1)} (${signed(c?.f1Delta)})` }))))));
  }
  const lines = [];
  const walk = (obj, path) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = path ? `${path}.${k}` : k;
      if (v && typeof v === 'object' && !Array.isArray(v) && lines.length < 24) walk(v, key);
      else if (lines.length < 24) lines.push(`${key}: ${typeof v === 'number' ? (Number.isInteger(v) ? num(v) : score(v)) : Array.isArray(v) ? v.join(', ') : String(v)}`);
    }
  };
  walk(value, '');
  return h('ul', { class: 'plain small comparison' }, lines.map((l) => h('li', { text: l })));
}

// ---------------------------------------------------------------------------------------------- keyboard

function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  return false;
}

function focusIn(id) {
  const el = $(id);
  if (!el) return;
  el.focus();
  el.scrollIntoView({ block: 'center' });
}

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || !state.user) return;
  const help = $('help');
  if (help.open) return;
  const target = event.target;
  if (isTyping(target)) {
    // Escape leaves a field of the item view (a second Escape goes back to the queue).
    if (event.key === 'Escape' && state.view === 'item' && target.tagName !== 'SELECT') { event.preventDefault(); $('decision-h')?.setAttribute('tabindex', '-1'); $('decision-h')?.focus(); }
    return;
  }
  const key = event.key;
  if (state.gPending) {
    state.gPending = false;
    const go = { a: 'audit', q: 'queue', s: 'summary' }[key];
    if (go && VIEWS_OF_ROLE[state.user.role].includes(go)) {
      event.preventDefault();
      location.hash = HASH_OF_VIEW[go];
    }
    return;
  }
  if (key === '?') { event.preventDefault(); openHelp(); return; }
  if (key === 'g') { state.gPending = true; window.setTimeout(() => { state.gPending = false; }, 1500); return; }
  if (key === 'r') { event.preventDefault(); reload(); return; }
  if (state.view === 'queue') {
    if (key === 'j' || key === 'k') { event.preventDefault(); moveInQueue(key === 'j' ? 1 : -1); return; }
    if (key === '/') { event.preventDefault(); focusIn('f-q'); return; }
    if (key === 'Enter' && !(target instanceof HTMLAnchorElement) && !(target instanceof HTMLButtonElement)) { event.preventDefault(); openCurrent(); return; }
  }
  if (state.view === 'item') {
    const jump = { c: 'act-confirm', t: 'dismiss-reason', e: 'escalate-unit', l: 'link-select' }[key];
    if (jump) { event.preventDefault(); focusIn(jump); return; }
    if (key === 'u') { event.preventDefault(); const box = document.querySelector('.relabel-box'); if (box) { box.focus(); box.scrollIntoView({ block: 'center' }); } return; }
    if (key === 'Escape') { event.preventDefault(); location.hash = '#/antrean'; return; }
    if (key === '/') { event.preventDefault(); location.hash = '#/antrean'; window.setTimeout(() => focusIn('f-q'), 50); return; }
  }
}

function reload() {
  switch (state.view) {
    case 'queue': loadQueue({ focusCurrent: true }); break;
    case 'item': { const id = state.item?.id; stopItem({ release: false }); if (id) { state.item = null; openItem(id); } break; }
    case 'audit': loadAudit(); break;
    case 'cases': loadCases(); break;
    case 'summary': loadSummary(); break;
    case 'admin': loadAdmin(); break;
  }
}

let helpOpener = null;
function openHelp() {
  helpOpener = document.activeElement;
  $('help').showModal();
  $('help-close').focus();
}
function closeHelp() {
  $('help').close();
}

// ---------------------------------------------------------------------------------------------- wiring

function wire() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('help-open').addEventListener('click', openHelp);
  $('help-close').addEventListener('click', closeHelp);
  $('help').addEventListener('close', () => { if (helpOpener instanceof HTMLElement) helpOpener.focus(); helpOpener = null; });
  $('error-close').addEventListener('click', hideBanner);
  // The skip link must not change the address (the address names the view).
  document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); $('main').focus(); });
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', route);
  window.addEventListener('pagehide', () => stopItem({ release: true }));

  $('queue-filters').addEventListener('submit', (e) => { e.preventDefault(); state.queue.page = 1; loadQueue(); });
  $('queue-filters').addEventListener('reset', () => window.setTimeout(() => { state.queue.page = 1; loadQueue(); }, 0));
  $('queue-prev').addEventListener('click', () => { state.queue.page = Math.max(1, state.queue.page - 1); loadQueue(); });
  $('queue-next').addEventListener('click', () => { state.queue.page += 1; loadQueue(); });
  $('queue-list').addEventListener('focusin', (e) => {
    const link = e.target instanceof HTMLElement ? e.target.closest('.open-link') : null;
    if (link) { state.queue.current = Number(link.dataset.index); markCurrent(state.queue.current, false); }
  });
  $('queue-list').addEventListener('click', (e) => {
    const row = e.target instanceof HTMLElement ? e.target.closest('.queue-row') : null;
    if (row && !(e.target instanceof HTMLAnchorElement)) { state.queue.current = Number(row.dataset.index); markCurrent(state.queue.current, true); }
  });

  $('audit-filters').addEventListener('submit', (e) => { e.preventDefault(); state.audit.page = 1; loadAudit(); });
  $('audit-filters').addEventListener('reset', () => window.setTimeout(() => { state.audit.page = 1; loadAudit(); }, 0));
  $('audit-prev').addEventListener('click', () => { state.audit.page = Math.max(1, state.audit.page - 1); loadAudit(); });
  $('audit-next').addEventListener('click', () => { state.audit.page += 1; loadAudit(); });

  $('cases-filters').addEventListener('submit', (e) => { e.preventDefault(); state.cases.page = 1; loadCases(); });
  $('cases-prev').addEventListener('click', () => { state.cases.page = Math.max(1, state.cases.page - 1); loadCases(); });
  $('cases-next').addEventListener('click', () => { state.cases.page += 1; loadCases(); });

  $('more-filters-toggle').addEventListener('click', (e) => {
    const open = $('more-filters').classList.toggle('open');
    e.currentTarget.setAttribute('aria-expanded', String(open));
    e.currentTarget.textContent = open ? 'Sembunyikan saringan lain' : 'Saringan lain';
  });
  $('summary-filters').addEventListener('submit', (e) => { e.preventDefault(); loadSummary(); });

  const labelSelect = $('f-label');
  for (const l of LABELS) labelSelect.append(h('option', { value: l, text: labelName(l) }));
  const regions = $('region-list');
  for (const [code, name] of Object.entries(PROVINCES)) regions.append(h('option', { value: code, label: name }));
}

async function start() {
  wire();
  try {
    const session = await api('GET', '/api/session', undefined, { quiet401: true });
    signedIn(session);
    route();
  } catch (error) {
    signedOut(error.status === 401 ? '' : `Gagal memeriksa sesi: ${error.message}`);
  }
}

start();
