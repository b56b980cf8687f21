/**
 * The dashboard page's script (dashboards/overview.js) run against a small stand-in for the browser's
 * document: it must render the data it gets without inline styles (the page's Content-Security-Policy blocks
 * them), with a class per label, and link only http(s) URLs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/paths.ts';

const DIR = resolve(PROJECT_ROOT, 'dashboards');
const html = readFileSync(resolve(DIR, 'overview.html'), 'utf8');
const script = readFileSync(resolve(DIR, 'overview.js'), 'utf8');
const css = readFileSync(resolve(DIR, 'overview.css'), 'utf8');

const COLORS: Record<string, string> = { '--hate_speech': '#c0392b', '--abusive': '#e67e22', '--sara': '#8e44ad', '--hoax': '#2471a3' };

interface FakeElement {
  innerHTML: string;
  textContent: string;
  disabled: boolean;
  options: Array<{ text: string; value: string }>;
  add(option: { text: string; value: string }): void;
  onclick?: () => void;
  onchange?: (e: unknown) => void;
}

/** Runs the script against answers by path; resolves with the elements once its requests have settled. */
async function render(answers: Record<string, { status: number; body: unknown }>) {
  const elements = new Map<string, FakeElement>();
  const element = (id: string): FakeElement => {
    if (!elements.has(id)) {
      const el: FakeElement = { innerHTML: '', textContent: '', disabled: false, options: [{ text: 'Semua', value: '' }], add: (o) => void el.options.push(o) };
      elements.set(id, el);
    }
    return elements.get(id)!;
  };
  // The data attributes of the page's <body>, as the browser would expose them in dataset.
  const dataset = Object.fromEntries(
    [...html.matchAll(/\sdata-([a-z-]+)="([^"]*)"/g)].map(([, name, value]) => [name!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), value]),
  );
  const requested: string[] = [];
  const context = vm.createContext({
    document: { getElementById: element, body: { dataset }, documentElement: {} },
    getComputedStyle: () => ({ getPropertyValue: (name: string) => COLORS[name] ?? '' }),
    fetch: async (url: string) => {
      requested.push(url);
      const answer = answers[url.split('?')[0]!] ?? { status: 404, body: { error: 'no such path' } };
      return { ok: answer.status < 300, status: answer.status, statusText: String(answer.status), json: async () => answer.body };
    },
    Option: class {
      text: string;
      value: string;
      constructor(text: string, value: string) {
        this.text = text;
        this.value = value;
      }
    },
    URLSearchParams,
    Intl,
  });
  vm.runInContext(script, context, { filename: 'overview.js' });
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  return { element, requested };
}

const LABELS = ['hate_speech', 'abusive', 'sara', 'hoax'];
const daily = {
  timeZone: 'Asia/Jakarta',
  labels: LABELS,
  days: [
    { date: '2026-03-30', total: 10, flagged: 3, labels: { hate_speech: 1, abusive: 0, sara: 0, hoax: 2 } },
    { date: '2026-03-31', total: 4, flagged: 1, labels: { hate_speech: 0, abusive: 1, sara: 0, hoax: 0 } },
  ],
};
const item = (id: string, url: string | null, flags: string[]) => ({
  id,
  platform: 'tiktok',
  author: '@warga',
  text: `teks <b>${id}</b>`,
  url,
  created_at: '2026-03-31T10:00:00+07:00',
  flags,
  scores: Object.fromEntries(flags.map((f) => [f, 0.9])),
  flagged: true,
});
const flagged = {
  total: 4,
  page: 1,
  size: 20,
  items: [
    item('a', 'https://www.tiktok.example/@warga/video/1', ['hoax']),
    item('b', 'javascript:alert(document.cookie)', ['hate_speech', 'sara']),
    item('c', 'data:text/html,<script>alert(1)</script>', ['abusive']),
    item('d', 'HTTP://PORTAL.EXAMPLE/BERITA', ['gosip']),
  ],
};

describe('dashboard page script', () => {
  it('reads the API paths from the page and renders the chart, the tiles and the list', async () => {
    const { element, requested } = await render({ '/api/dashboard/daily': { status: 200, body: daily }, '/api/flagged': { status: 200, body: flagged } });
    expect(requested.sort()).toEqual(['/api/cases?size=20', '/api/dashboard/daily', '/api/flagged?page=1&size=20']);
    expect(element('chart').innerHTML).toContain('<svg');
    expect(element('chart').innerHTML).toContain('fill="#2471a3"');
    expect(element('totals').innerHTML).toContain('<b>14</b><span>Unggahan dipantau</span>');
    expect(element('legend').innerHTML).toContain('<i class="swatch swatch-hoax"></i>Hoaks');
    expect(element('label').options.map((o) => o.value)).toEqual(['', ...LABELS]);
    const rows = element('rows').innerHTML;
    expect(rows).toContain('teks &lt;b&gt;a&lt;/b&gt;');
    expect(rows).toContain('<span class="tag tag-hoax">Hoaks</span>');
    expect(rows).toContain('<span class="tag tag-other">gosip</span>');
    expect(element('pageinfo').textContent).toBe('Halaman 1 dari 1 · 4 unggahan');
  });

  it('links http(s) URLs only: javascript: and data: URLs are never links', async () => {
    const { element } = await render({ '/api/dashboard/daily': { status: 200, body: daily }, '/api/flagged': { status: 200, body: flagged } });
    const rows = element('rows').innerHTML;
    const hrefs = [...rows.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['https://www.tiktok.example/@warga/video/1', 'HTTP://PORTAL.EXAMPLE/BERITA']);
    expect(rows).not.toMatch(/javascript:|data:text/i);
  });

  it('sets no inline style anywhere (the Content-Security-Policy would block it)', async () => {
    const { element } = await render({ '/api/dashboard/daily': { status: 200, body: daily }, '/api/flagged': { status: 200, body: flagged } });
    for (const id of ['chart', 'legend', 'totals', 'rows']) expect(element(id).innerHTML, id).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<style|\sstyle=|<script>|\son[a-z]+=/i);
    // Every label the script knows has its colour class in the style sheet.
    for (const label of LABELS) {
      expect(css).toContain(`.tag-${label}`);
      expect(css).toContain(`.swatch-${label}`);
    }
  });

  it('shows the API\'s error message, escaped', async () => {
    const { element } = await render({
      '/api/dashboard/daily': { status: 502, body: { error: 'could not read from Elasticsearch; try again shortly' } },
      '/api/flagged': { status: 500, body: { error: '<img src=x>' } },
    });
    expect(element('chart').innerHTML).toBe('<span class="error">Gagal memuat grafik: could not read from Elasticsearch; try again shortly</span>');
    expect(element('rows').innerHTML).toContain('Gagal memuat daftar: &lt;img src=x&gt;');
  });

  it('lists the desk cases with the time to acknowledge and counter and the spread before and after the counter', async () => {
    const cases = {
      total: 2,
      cases: [
        {
          opened_at: '2026-03-31T03:00:00Z',
          unit_name: 'Humas <KPU>',
          summary: 'Surat suara <script>alert(1)</script> sudah dicoblos',
          labels: ['hoax'],
          status: 'countered',
          seconds_to_acknowledge: 300,
          seconds_to_counter: 7500,
          spread_around_counter: { posts_per_hour_before: 4.5, posts_per_hour_after: 1 },
          clarification: { verdict: 'hoaks', url: 'https://kpu.example.go.id/klarifikasi' },
        },
        { opened_at: '2026-03-31T04:00:00Z', unit_name: 'Komdigi', summary: 'x', labels: ['sara'], status: 'new', seconds_to_acknowledge: null, seconds_to_counter: null, spread_around_counter: null, clarification: { verdict: 'hoaks', url: 'javascript:alert(1)' } },
      ],
    };
    const { element } = await render({ '/api/dashboard/daily': { status: 200, body: daily }, '/api/flagged': { status: 200, body: flagged }, '/api/cases': { status: 200, body: cases } });
    const rows = element('cases').innerHTML;
    expect(rows).toContain('Humas &lt;KPU&gt;');
    expect(rows).toContain('&lt;script&gt;');
    expect(rows).not.toContain('<script>');
    expect(rows).toContain('diterima: 5 m<br>dikontra: 2 j 5 m');
    expect(rows).toContain('4,5 → 1 unggahan/jam');
    expect(rows).toContain('Sudah dikontra');
    expect([...rows.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(['https://kpu.example.go.id/klarifikasi']);
  });

  it('says so when the cases cannot be read', async () => {
    const { element } = await render({ '/api/dashboard/daily': { status: 200, body: daily }, '/api/flagged': { status: 200, body: flagged }, '/api/cases': { status: 502, body: { error: 'could not read from Elasticsearch' } } });
    expect(element('cases').innerHTML).toContain('Gagal memuat kasus: could not read from Elasticsearch');
  });
});
