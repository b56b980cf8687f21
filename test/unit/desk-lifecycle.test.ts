/**
 * The case lifecycle (new → acknowledged → countered → closed, forward only) and the signed, expiring alert
 * link tokens.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyAction, caseLinks, signLinkToken, TransitionError, verifyLinkToken } from '../../src/desk/lifecycle.ts';
import type { CaseDoc } from '../../src/store/desk-store.ts';

const OPENED = '2027-02-28T23:59:30Z';
const ACK = '2027-03-01T00:00:30Z'; // 60 s later, across the month end
const COUNTER = '2027-03-01T01:59:30Z'; // 2 h after opening
const CLOSE = '2027-03-02T00:00:00Z';
const URL_OK = 'https://kominfo.go.id/berita/klarifikasi/pemilu-tidak-diundur';

function caseDoc(over: Partial<CaseDoc> = {}): CaseDoc {
  return {
    case_id: 'cl-7f3a~humas-jabar',
    cluster_id: 'cl-7f3a',
    unit_id: 'humas-jabar',
    status: 'new',
    labels: ['hoax'],
    summary: 'Pemilu diundur ke 2028',
    opened_at: OPENED,
    acknowledged_at: null,
    countered_at: null,
    closed_at: null,
    counter_url: null,
    seconds_to_acknowledge: null,
    seconds_to_counter: null,
    escalations: 0,
    alerted_engagement: 120,
    last_alerted_at: OPENED,
    alerts_sent: 1,
    held_until: '2027-03-01T06:00:00Z',
    held_kind: 'escalation',
    history: [{ at: OPENED, event: 'opened', via: 'desk' }],
    ...over,
  };
}

const acknowledged = () => applyAction(caseDoc(), 'acknowledge', { at: ACK, via: 'link' })!;

describe('applyAction', () => {
  it('acknowledges a new case: times, seconds across the month end, history; a held message stays held', () => {
    const before = caseDoc();
    const doc = applyAction(before, 'acknowledge', { at: ACK, via: 'link' });
    expect(doc).toEqual({
      ...before,
      status: 'acknowledged',
      acknowledged_at: ACK,
      seconds_to_acknowledge: 60,
      history: [
        { at: OPENED, event: 'opened', via: 'desk' },
        { at: ACK, event: 'acknowledged', via: 'link' },
      ],
    });
    expect(doc!.held_until).toBe('2027-03-01T06:00:00Z');
    expect(doc!.held_kind).toBe('escalation');
    // The input is not touched.
    expect(before).toEqual(caseDoc());
  });

  it('counters an acknowledged case: keeps acknowledged_at, seconds_to_counter from opening, clears the hold', () => {
    const doc = applyAction(acknowledged(), 'counter', { at: COUNTER, via: 'desk', counterUrl: `  ${URL_OK} `, note: 'Rilis pers sudah terbit' });
    expect(doc).toEqual({
      ...caseDoc(),
      status: 'countered',
      acknowledged_at: ACK,
      seconds_to_acknowledge: 60,
      countered_at: COUNTER,
      counter_url: URL_OK,
      seconds_to_counter: 7200,
      held_until: null,
      held_kind: null,
      history: [
        { at: OPENED, event: 'opened', via: 'desk' },
        { at: ACK, event: 'acknowledged', via: 'link' },
        { at: COUNTER, event: 'countered', via: 'desk', note: 'Rilis pers sudah terbit' },
      ],
    });
  });

  it('countering straight from new also acknowledges, at the same time', () => {
    const doc = applyAction(caseDoc(), 'counter', { at: COUNTER, via: 'api', counterUrl: 'http://humas.jabarprov.go.id/klarifikasi/123' })!;
    expect(doc.status).toBe('countered');
    expect(doc.acknowledged_at).toBe(COUNTER);
    expect(doc.seconds_to_acknowledge).toBe(7200);
    expect(doc.countered_at).toBe(COUNTER);
    expect(doc.seconds_to_counter).toBe(7200);
    expect(doc.counter_url).toBe('http://humas.jabarprov.go.id/klarifikasi/123');
    expect(doc.history.map((h) => h.event)).toEqual(['opened', 'countered']);
  });

  it('closes from every open state and clears the hold', () => {
    const countered = applyAction(acknowledged(), 'counter', { at: COUNTER, via: 'desk', counterUrl: URL_OK })!;
    for (const from of [caseDoc(), acknowledged(), countered]) {
      const doc = applyAction(from, 'close', { at: CLOSE, via: 'api' })!;
      expect(doc.status).toBe('closed');
      expect(doc.closed_at).toBe(CLOSE);
      expect(doc.held_until).toBeNull();
      expect(doc.held_kind).toBeNull();
      expect(doc.history.at(-1)).toEqual({ at: CLOSE, event: 'closed', via: 'api' });
      expect(doc.history).toHaveLength(from.history.length + 1);
      // Closing does not pretend the case was acknowledged or countered.
      expect(doc.acknowledged_at).toBe(from.acknowledged_at);
      expect(doc.countered_at).toBe(from.countered_at);
      expect(doc.seconds_to_counter).toBe(from.seconds_to_counter);
    }
    expect(applyAction(caseDoc(), 'close', { at: CLOSE, via: 'api' })!.acknowledged_at).toBeNull();
  });

  it('returns null for a move already made, whatever the options', () => {
    const ack = acknowledged();
    expect(applyAction(ack, 'acknowledge', { at: CLOSE, via: 'link' })).toBeNull();
    const countered = applyAction(ack, 'counter', { at: COUNTER, via: 'desk', counterUrl: URL_OK })!;
    // No URL is needed to repeat a counter: nothing changes.
    expect(applyAction(countered, 'counter', { at: CLOSE, via: 'link' })).toBeNull();
    expect(applyAction(countered, 'counter', { at: CLOSE, via: 'link', counterUrl: 'https://lain.example/x' })).toBeNull();
    const closed = applyAction(countered, 'close', { at: CLOSE, via: 'desk' })!;
    expect(applyAction(closed, 'close', { at: CLOSE, via: 'desk' })).toBeNull();
  });

  it('throws TransitionError for moves backwards', () => {
    const countered = applyAction(acknowledged(), 'counter', { at: COUNTER, via: 'desk', counterUrl: URL_OK })!;
    const closed = applyAction(countered, 'close', { at: CLOSE, via: 'desk' })!;
    const cases: Array<[CaseDoc, 'acknowledge' | 'counter']> = [
      [countered, 'acknowledge'],
      [closed, 'acknowledge'],
      [closed, 'counter'],
    ];
    for (const [doc, action] of cases) {
      let caught: unknown;
      try {
        applyAction(doc, action, { at: CLOSE, via: 'link', counterUrl: URL_OK });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TransitionError);
      expect((caught as TransitionError).code).toBe('case_transition');
      expect((caught as TransitionError).retriable).toBe(false);
      expect((caught as TransitionError).message).toContain(`"${doc.status}"`);
    }
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['relative', '/berita/klarifikasi/123'],
    ['no scheme', 'kominfo.go.id/klarifikasi'],
    ['ftp', 'ftp://kominfo.go.id/klarifikasi.pdf'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['too long', `https://kominfo.go.id/${'a'.repeat(2000)}`],
  ])('refuses a counter with a %s URL', (_name, counterUrl) => {
    const doc = acknowledged();
    expect(() => applyAction(doc, 'counter', { at: COUNTER, via: 'desk', ...(counterUrl === undefined ? {} : { counterUrl }) })).toThrow(TransitionError);
    expect(() => applyAction(caseDoc(), 'counter', { at: COUNTER, via: 'desk', ...(counterUrl === undefined ? {} : { counterUrl }) })).toThrow(/tautan kontra-narasi wajib diisi/);
  });

  it('cuts a note to 500 characters and leaves out an empty one', () => {
    const note = 'x'.repeat(499) + 'yz';
    const doc = applyAction(caseDoc(), 'acknowledge', { at: ACK, via: 'desk', note })!;
    expect(doc.history.at(-1)!.note).toBe('x'.repeat(499) + 'y');
    expect(doc.history.at(-1)!.note).toHaveLength(500);
    const exact = 'n'.repeat(500);
    expect(applyAction(caseDoc(), 'acknowledge', { at: ACK, via: 'desk', note: exact })!.history.at(-1)!.note).toBe(exact);
    const empty = applyAction(caseDoc(), 'acknowledge', { at: ACK, via: 'desk', note: '' })!;
    expect(empty.history.at(-1)).toEqual({ at: ACK, event: 'acknowledged', via: 'desk' });
    expect('note' in empty.history.at(-1)!).toBe(false);
  });

  it('never reports negative seconds and rounds to whole seconds', () => {
    const early = applyAction(caseDoc(), 'acknowledge', { at: '2027-02-28T23:59:00Z', via: 'desk' })!;
    expect(early.seconds_to_acknowledge).toBe(0);
    const half = applyAction(caseDoc(), 'acknowledge', { at: '2027-03-01T00:00:30.600Z', via: 'desk' })!;
    expect(half.seconds_to_acknowledge).toBe(61);
  });
});

describe('link tokens', () => {
  const SECRET = 'rahasia-desk-uji-0123456789abcdef';
  const EXP_MS = Date.parse('2027-03-08T00:00:30Z');
  const NOW = Date.parse('2027-03-01T00:00:30Z');

  it('round-trips case id, action and expiry', () => {
    for (const action of ['view', 'acknowledge', 'counter', 'close'] as const) {
      const token = signLinkToken('cl-7f3a~humas-jabar', action, EXP_MS, SECRET);
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      expect(verifyLinkToken(token, SECRET, NOW)).toEqual({ ok: true, caseId: 'cl-7f3a~humas-jabar', action, expiresAtMs: EXP_MS });
    }
  });

  it('keeps the expiry in whole seconds, rounded down', () => {
    const token = signLinkToken('c1', 'view', EXP_MS + 999, SECRET);
    expect(verifyLinkToken(token, SECRET, NOW)).toEqual({ ok: true, caseId: 'c1', action: 'view', expiresAtMs: EXP_MS });
  });

  it('is valid up to and including the expiry millisecond, expired one millisecond later', () => {
    const token = signLinkToken('c1', 'acknowledge', EXP_MS, SECRET);
    expect(verifyLinkToken(token, SECRET, EXP_MS - 1).ok).toBe(true);
    expect(verifyLinkToken(token, SECRET, EXP_MS).ok).toBe(true);
    expect(verifyLinkToken(token, SECRET, EXP_MS + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLinkToken(token, SECRET, EXP_MS + 86_400_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a tampered payload, a tampered signature and the wrong secret', () => {
    const token = signLinkToken('c1', 'acknowledge', EXP_MS, SECRET);
    const [payload, sig] = token.split('.') as [string, string];
    // Another payload (a different case and action) under the original signature.
    const forged = Buffer.from(JSON.stringify(['c2', 'close', Math.floor(EXP_MS / 1000)])).toString('base64url');
    expect(verifyLinkToken(`${forged}.${sig}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    // One character of the payload changed.
    const flipped = (payload[0] === 'A' ? 'B' : 'A') + payload.slice(1);
    expect(verifyLinkToken(`${flipped}.${sig}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    // First character of the signature changed (it carries 6 full bits of the MAC).
    const badSig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifyLinkToken(`${payload}.${badSig}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    // Truncated and empty signatures.
    expect(verifyLinkToken(`${payload}.${sig.slice(0, -4)}`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyLinkToken(`${payload}.`, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyLinkToken(token, 'rahasia-lain', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    // An expired token with a bad signature says bad_signature, not expired.
    expect(verifyLinkToken(token, 'rahasia-lain', EXP_MS + 1)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  const signed = (payload: string) => `${payload}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it.each([
    ['empty', ''],
    ['no dot', 'eyJhIjoxfQ'],
    ['leading dot', '.abc'],
    ['only a dot', '.'],
    ['over 1000 characters', `${'a'.repeat(600)}.${'b'.repeat(401)}`],
  ])('refuses a malformed token: %s', (_name, token) => {
    expect(verifyLinkToken(token, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses garbage: bad_signature without a valid MAC, malformed with one', () => {
    expect(verifyLinkToken('!!!not-base64***.@@@', SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyLinkToken(signed('!!!!'), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLinkToken(signed(Buffer.from('{not json').toString('base64url')), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['an object', { caseId: 'c1', action: 'close', exp: 1_900_000_000 }],
    ['a string', 'c1'],
    ['a number', 1_900_000_000],
    ['null', null],
    ['a 2-element array', ['c1', 'close']],
    ['a 4-element array', ['c1', 'close', 1_900_000_000, 'extra']],
    ['a numeric case id', [42, 'close', 1_900_000_000]],
    ['an unknown action', ['c1', 'delete', 1_900_000_000]],
    ['a string expiry', ['c1', 'close', '1900000000']],
  ])('refuses a validly signed payload that is %s', (_name, value) => {
    expect(verifyLinkToken(signed(b64(value)), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts a hand-made token of the documented shape', () => {
    expect(verifyLinkToken(signed(b64(['c9', 'counter', 1_900_000_000])), SECRET, NOW)).toEqual({ ok: true, caseId: 'c9', action: 'counter', expiresAtMs: 1_900_000_000_000 });
  });
});

describe('caseLinks', () => {
  const SECRET = 'rahasia-desk-uji-0123456789abcdef';
  const NOW = Date.parse('2027-02-28T23:59:30Z');

  const tokenOf = (link: string) => new URL(link).searchParams.get('t')!;

  it.each([
    ['https://pantau.example.go.id', 'https://pantau.example.go.id/kasus?t='],
    ['https://pantau.example.go.id/', 'https://pantau.example.go.id/kasus?t='],
    ['https://pantau.example.go.id///', 'https://pantau.example.go.id/kasus?t='],
    ['https://kominfo.go.id/desk/', 'https://kominfo.go.id/desk/kasus?t='],
  ])('builds 4 links under %s', (baseUrl, prefix) => {
    const links = caseLinks('cl-7f3a~humas-jabar', { baseUrl, secret: SECRET, nowMs: NOW, ttlHours: 72 });
    expect(Object.keys(links).sort()).toEqual(['acknowledge', 'close', 'counter', 'view']);
    for (const [action, link] of Object.entries(links)) {
      expect(link.startsWith(prefix)).toBe(true);
      expect(link.slice(prefix.length)).toBe(tokenOf(link));
      expect(verifyLinkToken(tokenOf(link), SECRET, NOW)).toEqual({ ok: true, caseId: 'cl-7f3a~humas-jabar', action, expiresAtMs: NOW + 72 * 3_600_000 });
    }
    expect(new Set(Object.values(links)).size).toBe(4);
  });

  it('links expire after ttlHours, not before', () => {
    const links = caseLinks('c1', { baseUrl: 'https://pantau.example.go.id', secret: SECRET, nowMs: NOW, ttlHours: 24 });
    const end = NOW + 24 * 3_600_000;
    expect(verifyLinkToken(tokenOf(links.close), SECRET, end).ok).toBe(true);
    expect(verifyLinkToken(tokenOf(links.close), SECRET, end + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLinkToken(tokenOf(links.close), 'other-secret', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
