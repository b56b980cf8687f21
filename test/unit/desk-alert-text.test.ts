/**
 * The desk's alert text in Bahasa Indonesia: the narrative sentence, the suggested counter message, a case
 * message in every form (with hostile post text escaped everywhere) and the unit's digest.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHumasUnits } from '../../src/config/humas-units.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { narrativeSentence, renderCaseMessage, renderDigest, shouldSendDigest, suggestCounterMessage } from '../../src/desk/alert-text.ts';
import type { ExamplePost, MatchedClarification, NarrativeCase } from '../../src/desk/types.ts';

const units = loadHumasUnits(resolve(PROJECT_ROOT, 'pipelines/humas-units.json')).units;
const kpu = units.find((u) => u.id === 'kpu-ri')!;
const dki = units.find((u) => u.id === 'diskominfo-dki')!;
const options = { clock: fixedClock('2027-02-28T16:30:00Z'), timezone: 'Asia/Jakarta' };

const clarification: MatchedClarification = {
  id: 'kb-1',
  claim: '[HOAKS] Surat suara Pilkada di Surabaya sudah dicoblos sebelum hari pemungutan',
  verdict: 'hoaks',
  explanation: 'KPU Kota Surabaya memastikan surat suara masih tersegel di gudang logistik. Video yang beredar adalah simulasi tahun 2019.',
  url: 'https://kpu.example.go.id/klarifikasi/surat-suara?id=1&src=pantau',
  publisher: 'KPU RI',
  published_at: '2027-02-27T03:00:00Z',
  probability: 0.968,
};

function post(over: Partial<ExamplePost> = {}): ExamplePost {
  return {
    id: 'p1',
    text: 'SURAT SUARA SUDAH DICOBLOS!!! Sebarkan!!!',
    url: 'https://x.com/akun/status/1',
    platform: 'twitter',
    author: null,
    created_at: '2027-02-28T13:05:00Z',
    reach: 4210,
    ...over,
  };
}

function kase(over: Partial<NarrativeCase> = {}): NarrativeCase {
  return {
    case_id: 'clu-1~kpu-ri',
    cluster_id: 'clu-1',
    unit_id: 'kpu-ri',
    status: 'new',
    opened_at: '2027-02-28T14:00:00Z',
    escalations: 0,
    labels: ['hoax', 'hate_speech'],
    summary: 'Surat suara Pilkada di Surabaya sudah dicoblos sebelum hari pemungutan',
    examples: [post(), post({ id: 'p2', platform: 'facebook', url: null, reach: 700 }), post({ id: 'p3', platform: 'tiktok', reach: 300 })],
    reach: { posts: 12, engagement: 5210, per_hour: [], trend: 'naik' },
    regions: ['3578'],
    institutions: ['KPU'],
    topics: [],
    clarification,
    links: {
      view: 'https://pantau.example.go.id/kasus/clu-1~kpu-ri',
      acknowledge: 'https://pantau.example.go.id/t/ack?token=abc&x=1',
      counter: 'https://pantau.example.go.id/t/counter?token=abc',
      close: 'https://pantau.example.go.id/t/close?token=abc',
    },
    ...over,
  };
}

describe('narrativeSentence', () => {
  it('removes links, mentions, emoji, chain calls and shouting, keeping acronyms', () => {
    expect(narrativeSentence('SEBARKAN!!! Surat suara PILKADA di TPS 5 Surabaya SUDAH DICOBLOS 😡😡 https://t.co/xyz @kpu_id')).toBe(
      'Surat suara pilkada di TPS 5 Surabaya sudah dicoblos',
    );
    expect(narrativeSentence('SURAT SUARA SUDAH DICOBLOS DI TPS 05!!! VIRALKAN SEBELUM DIHAPUS')).toBe('Surat suara sudah dicoblos di TPS 05!');
    expect(narrativeSentence('Data pemilih bocor di situs KPU RI. Tolong sebarkan ke grup keluarga! Jangan berhenti di kamu!! #Pemilu2029 #KPU')).toBe(
      'Data pemilih bocor di situs KPU RI.',
    );
  });

  it('keeps a sentence that only mentions spreading, and joins wrapped lines', () => {
    expect(narrativeSentence('Jangan sebarkan hoaks ya. KPU RI sudah membantah kabar ini.')).toBe('Jangan sebarkan hoaks ya.');
    expect(narrativeSentence('Surat suara tercoblos\ndi TPS 12 kelurahan Sidomulyo sore ini\nviralkan sebelum dihapus')).toBe(
      'Surat suara tercoblos di TPS 12 kelurahan Sidomulyo sore ini',
    );
  });

  it('cuts a long text at a word boundary within 200 characters with "…"', () => {
    const long = `Kabarnya ${'petugas menghitung ulang suara '.repeat(20)}tanpa saksi`;
    const out = narrativeSentence(long);
    expect([...out].length).toBeLessThanOrEqual(200);
    expect(out.endsWith('…')).toBe(true);
    expect(out).toMatch(/(?:petugas|menghitung|ulang|suara)…$/);
  });

  it('is empty when nothing readable is left', () => {
    expect(narrativeSentence('SEBARKAN!!! 🔥🔥 https://t.co/x @someone')).toBe('');
  });
});

describe('suggestCounterMessage', () => {
  it('states the fact from the explanation, the official source and an invitation to check', () => {
    const msg = suggestCounterMessage(kase())!;
    expect(msg).toContain('[HOAKS] Surat suara Pilkada di Surabaya sudah dicoblos sebelum hari pemungutan');
    expect(msg).not.toContain('[HOAKS] [HOAKS]');
    expect(msg).toContain('Faktanya: KPU Kota Surabaya memastikan surat suara masih tersegel di gudang logistik.');
    expect(msg).not.toContain('simulasi'); // only the explanation's first sentence
    expect(msg).toContain('Sumber resmi: https://kpu.example.go.id/klarifikasi/surat-suara?id=1&src=pantau');
    expect(msg).toMatch(/cek fakta sebelum membagikan/);
  });

  it('falls back to the verdict without an explanation, stays within 600 characters, and is null without a clarification', () => {
    const noExplanation = suggestCounterMessage(kase({ clarification: { ...clarification, explanation: null, verdict: 'fitnah' } }))!;
    expect(noExplanation).toContain('[FITNAH]');
    expect(noExplanation).toContain('Informasi tersebut tidak benar dan merupakan fitnah.');
    const huge = suggestCounterMessage(kase({ clarification: { ...clarification, claim: 'klaim '.repeat(200), explanation: 'penjelasan panjang '.repeat(100) } }))!;
    expect([...huge].length).toBeLessThanOrEqual(600);
    expect(huge).toContain('Sumber resmi:');
    expect(suggestCounterMessage(kase({ clarification: null }))).toBeNull();
  });

  it('never cites a non-http(s) source as "Sumber resmi"', () => {
    const msg = suggestCounterMessage(kase({ clarification: { ...clarification, url: 'javascript:alert(1)' } }))!;
    expect(msg).not.toContain('javascript:');
    expect(msg).toContain('Sumber: KPU RI');
  });
});

describe('renderCaseMessage', () => {
  it('writes a new case in Indonesian with id-ID numbers and WIB times', () => {
    const m = renderCaseMessage(kase(), kpu, 'new', options);
    expect(m.id).toBe('clu-1~kpu-ri:new:0');
    expect(m.subject).toBe('[pantau] Hoaks: Surat suara Pilkada di Surabaya sudah dicoblos sebelum hari pemungutan');
    for (const form of [m.text, m.markdown, m.html, m.telegram_html]) {
      expect(form).toContain('12 unggahan, 5.210 interaksi');
      expect(form).toContain('tren naik');
      expect(form).toContain('hoaks, ujaran kebencian');
      expect(form).toContain('28 Feb 2027 20.05 WIB'); // 13:05Z
      expect(form).toContain('4.210 interaksi');
      expect(form).toContain('kecocokan 97%');
      expect(form).toContain('Tandai diterima');
      expect(form).toContain('Laporkan kontra-narasi');
      expect(form).toContain('Tutup kasus');
      expect(form).toMatch(/Status:(?:\s|\*|<\/?[a-z]+>)*baru \(dibuka 28 Feb 2027 21\.00 WIB\)/);
      expect(form).toContain('tanpa tautan'); // the facebook example has no url
    }
    expect(m.text).toContain('X (Twitter)');
    expect(m.text).toContain('Usulan kontra-narasi');
    expect(m.text).toContain('Tandai diterima: https://pantau.example.go.id/t/ack?token=abc&x=1');
    expect(m.markdown).toContain('<https://pantau.example.go.id/t/ack?token=abc&amp;x=1|Tandai diterima>');
    expect(m.telegram_html).toContain('<a href="https://pantau.example.go.id/t/ack?token=abc&amp;x=1">Tandai diterima</a>');
    expect(m.html).toContain('href="https://pantau.example.go.id/t/ack?token=abc&amp;x=1"');
  });

  it('asks the unit to write a clarification when none is matched', () => {
    const m = renderCaseMessage(kase({ clarification: null }), kpu, 'new', options);
    expect(m.text).toContain('Belum ada klarifikasi');
    expect(m.text).toContain('Mohon Humas KPU RI menyiapkan klarifikasi');
    expect(m.text).not.toContain('Usulan kontra-narasi');
    expect(m.payload).toMatchObject({ clarification: null, suggested_counter: null });
  });

  it('marks an escalation in the subject with the growth in id-ID format', () => {
    const m = renderCaseMessage(kase({ escalations: 1, reach: { posts: 40, engagement: 11_960, per_hour: [], trend: 'naik' } }), kpu, 'escalation', {
      ...options,
      lastAlertedEngagement: 5200,
    });
    expect(m.subject.startsWith('[ESKALASI] [pantau] Hoaks: ')).toBe(true);
    expect(m.subject).toContain('(jangkauan naik 2,3×)');
    expect(m.text).toContain('Jangkauan naik 2,3× sejak peringatan terakhir (5.200 → 11.960 interaksi)');
    expect(m.id).toBe('clu-1~kpu-ri:escalation:1');
    expect(m.payload).toMatchObject({ kind: 'escalation', growth: 2.3 });
  });

  it('fills the JSON payload', () => {
    const m = renderCaseMessage(kase(), kpu, 'new', options);
    expect(m.payload).toMatchObject({
      type: 'pantau.case',
      kind: 'new',
      case_id: 'clu-1~kpu-ri',
      cluster_id: 'clu-1',
      unit_id: 'kpu-ri',
      status: 'new',
      labels: ['hoax', 'hate_speech'],
      summary: 'Surat suara Pilkada di Surabaya sudah dicoblos sebelum hari pemungutan',
      reach: { posts: 12, engagement: 5210 },
      clarification: { id: 'kb-1', verdict: 'hoaks' },
      links: { view: 'https://pantau.example.go.id/kasus/clu-1~kpu-ri' },
      sent_at: '2027-02-28T16:30:00.000Z',
    });
    expect((m.payload.examples as unknown[]).length).toBe(3);
    expect(typeof m.payload.suggested_counter).toBe('string');
    expect(JSON.parse(JSON.stringify(m.payload))).toEqual(m.payload);
  });

  describe('hostile post text', () => {
    const hostile = kase({
      summary: 'Narasi <img src=x onerror=alert(1)>',
      examples: [
        post({ text: '<script>alert("x")</script> & <!channel> <b>tebal</b> <a href="https://evil.example">klik</a>', url: 'javascript:alert(document.cookie)' }),
        post({ id: 'p2', text: 'biasa', url: 'https://evil.example/"><script>alert(1)</script>' }),
      ],
      clarification: { ...clarification, publisher: '<i>Penerbit</i>', url: 'data:text/html,<script>alert(1)</script>' },
    });
    const m = renderCaseMessage(hostile, kpu, 'new', options);

    it('html: escaped, no script tag, no javascript:/data: link, quotes cannot break out of href', () => {
      expect(m.html).not.toMatch(/<script/i);
      expect(m.html).not.toMatch(/<img/i);
      expect(m.html).not.toMatch(/href="(?:javascript|data):/i);
      expect(m.html).not.toMatch(/<a href="https:\/\/evil\.example">/);
      expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;!channel&gt;');
      // Every href is an http(s) URL with no raw quote or angle bracket.
      for (const [, href] of m.html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^https?:\/\/[^<>"]+$/);
      expect(m.html).toContain('href="https://evil.example/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"');
    });

    it('markdown: &, < and > escaped, so no <!channel> mention or link from a post', () => {
      expect(m.markdown).toContain('&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;!channel&gt;');
      expect(m.markdown).not.toContain('<!channel>');
      expect(m.markdown).not.toMatch(/<javascript:|<data:/i);
      for (const [, target] of m.markdown.matchAll(/<([^>|]*)\|/g)) expect(target).toMatch(/^https?:\/\//);
    });

    it('telegram: only b, i, a and code tags, all text escaped', () => {
      for (const [tag] of m.telegram_html.matchAll(/<\/?([a-z0-9!]+)/gi)) expect(tag).toMatch(/^<\/?(?:b|i|a|code)$/);
      expect(m.telegram_html).toContain('&lt;script&gt;');
      expect(m.telegram_html).toContain('&lt;i&gt;Penerbit&lt;/i&gt;');
      expect(m.telegram_html).not.toMatch(/href="(?:javascript|data):/i);
    });

    it('text and payload: unsafe links are left out', () => {
      expect(m.text).not.toContain('javascript:');
      expect(m.text).not.toContain('data:text');
      expect((m.payload.examples as Array<{ url: string | null }>)[0]!.url).toBeNull();
      expect((m.payload.clarification as { url: string | null }).url).toBeNull();
    });
  });
});

describe('renderDigest', () => {
  const cases = [
    kase({ case_id: 'a~kpu-ri', summary: 'Kasus kecil', reach: { posts: 2, engagement: 90, per_hour: [], trend: 'stabil' } }),
    kase({ case_id: 'b~kpu-ri', summary: 'Kasus besar', status: 'acknowledged', clarification: null, reach: { posts: 50, engagement: 12_345, per_hour: [], trend: 'naik' } }),
    kase({ case_id: 'c~kpu-ri', summary: 'Kasus ditutup', status: 'closed' }),
    kase({ case_id: 'd~bawaslu-ri', unit_id: 'bawaslu-ri', summary: 'Kasus unit lain' }),
  ];

  it("lists the unit's open cases, most reach first", () => {
    const m = renderDigest(cases, kpu, options);
    expect(m.id).toBe('kpu-ri:digest:2027-02-28');
    expect(m.subject).toBe('[pantau] Ringkasan harian: 2 kasus terbuka (1 baru)');
    expect(m.text.indexOf('Kasus besar')).toBeGreaterThan(-1);
    expect(m.text.indexOf('Kasus besar')).toBeLessThan(m.text.indexOf('Kasus kecil'));
    expect(m.text).not.toContain('Kasus ditutup');
    expect(m.text).not.toContain('Kasus unit lain');
    expect(m.text).toContain('50 unggahan, 12.345 interaksi');
    expect(m.text).toContain('belum ada klarifikasi');
    expect(m.payload).toMatchObject({ type: 'pantau.digest', unit_id: 'kpu-ri', count: 2, day: '2027-02-28' });
    expect((m.payload.cases as Array<{ case_id: string }>).map((c) => c.case_id)).toEqual(['b~kpu-ri', 'a~kpu-ri']);
  });

  it('says "Tidak ada kasus baru" when empty, and the empty digest is sent to a unit with a schedule and channels', () => {
    const m = renderDigest([], kpu, options);
    expect(m.subject).toContain('Tidak ada kasus baru');
    expect(m.text).toContain('Tidak ada kasus baru');
    expect(m.html).toContain('Tidak ada kasus baru');
    expect(shouldSendDigest(kpu, [])).toBe(true);
    expect(shouldSendDigest(dki, cases)).toBe(false); // no channels, no schedule
    expect(shouldSendDigest({ ...kpu, digest_cron: null }, cases)).toBe(false);
  });
});
