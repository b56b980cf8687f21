/**
 * The humas units file (validation that names the file and field) and the desk's routing rules: which units
 * answer a case, institution detection, quiet hours and escalation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HumasUnit, loadHumasUnits, parseHumasUnits } from '../../src/config/humas-units.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import { createInstitutionDetector, detectInstitutions, isQuietHours, quietHoursEnd, shouldEscalate, unitsFor } from '../../src/desk/routing.ts';
import type { CaseContent } from '../../src/desk/types.ts';

const JAKARTA = 'Asia/Jakarta';

/** A minimal valid file; `units` entries are merged over a plain national fallback unit. */
function file(units: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    units: units.map((u) => ({ id: 'u', name: 'Unit', answers_for: { labels: ['hoax'] }, ...u })),
    ...extra,
  };
}

const shipped = loadHumasUnits(resolve(PROJECT_ROOT, 'pipelines/humas-units.json'));
const units = shipped.units;
const byId = (id: string): HumasUnit => units.find((u) => u.id === id)!;
const ids = (list: HumasUnit[]) => list.map((u) => u.id);

function content(over: Partial<CaseContent> = {}): CaseContent {
  return {
    cluster_id: 'c1',
    labels: ['hoax'],
    summary: 'Surat suara sudah dicoblos',
    examples: [],
    reach: { posts: 10, engagement: 1000, per_hour: [], trend: 'naik' },
    regions: [],
    institutions: [],
    topics: [],
    clarification: null,
    ...over,
  };
}

describe('humas units file', () => {
  it('the shipped file loads, with one fallback unit and secrets only as env var names', () => {
    expect(ids(units)).toEqual(['kpu-ri', 'bawaslu-ri', 'diskominfo-jatim', 'diskominfo-dki', 'komdigi']);
    expect(units.filter((u) => u.fallback).map((u) => u.id)).toEqual(['komdigi']);
    expect(shipped.timezone).toBe(JAKARTA);
    expect(byId('diskominfo-dki').channels).toEqual([]);
    expect(byId('kpu-ri').quiet_hours).toEqual({ start: '22:00', end: '06:00' });
    // Defaults filled in from the channel schema.
    expect(byId('kpu-ri').channels[0]).toMatchObject({ type: 'webhook', url_env: 'PANTAU_KPU_RI_WEBHOOK_URL', rate_per_minute: 30 });
  });

  it('refuses an unknown field, naming its path', () => {
    expect(() => parseHumasUnits(file([{ fallback: true, colour: 'red' }]))).toThrow(/units\.0.*colour/);
    expect(() => parseHumasUnits(file([{ fallback: true, answers_for: { labels: ['hoax'], region: ['35'] } }]))).toThrow(/units\.0\.answers_for.*region/);
  });

  it('refuses a bad cron expression, a bad quiet-hours time and an unknown label', () => {
    expect(() => parseHumasUnits(file([{ fallback: true, digest_cron: '0 25 * * *' }]))).toThrow(/units\.0\.digest_cron: a node-cron expression/);
    expect(() => parseHumasUnits(file([{ fallback: true, quiet_hours: { start: '24:00', end: '06:00' } }]))).toThrow(/units\.0\.quiet_hours\.start/);
    expect(() => parseHumasUnits(file([{ fallback: true, quiet_hours: { start: '06:00', end: '06:00' } }]))).toThrow(/must differ/);
    expect(() => parseHumasUnits(file([{ fallback: true, answers_for: { labels: ['hoaks'] } }]))).toThrow(/units\.0\.answers_for\.labels\.0/);
  });

  it('refuses a channel secret that is not an env var name (e.g. a pasted URL)', () => {
    const bad = file([{ fallback: true, channels: [{ type: 'slack', url_env: 'https://hooks.slack.com/services/T000/B000/XXXX' }] }]);
    expect(() => parseHumasUnits(bad)).toThrow(/units\.0\.channels\.0\.url_env: an environment variable name/);
  });

  it('refuses a duplicate unit id and a file without a fallback unit', () => {
    expect(() => parseHumasUnits(file([{ id: 'kpu-ri', fallback: true }, { id: 'kpu-ri' }]))).toThrow(/units\.1\.id: unit id "kpu-ri" is already used by units\.0/);
    expect(() => parseHumasUnits(file([{ id: 'a' }, { id: 'b' }]))).toThrow(/no unit has "fallback": true/);
  });

  it('refuses a region that is not a BPS code and an institution name with no words', () => {
    expect(() => parseHumasUnits(file([{ fallback: true, answers_for: { labels: ['hoax'], regions: ['357'] } }]))).toThrow(/answers_for\.regions\.0: a BPS/);
    expect(() => parseHumasUnits(file([{ fallback: true, answers_for: { labels: ['hoax'], institutions: ['!!!'] } }]))).toThrow(/answers_for\.institutions\.0/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'pantau-humas-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file in load errors (bad JSON and invalid content)', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "version": 1, ');
    expect(() => loadHumasUnits(broken)).toThrow(/cannot read humas units file .*broken\.json/);
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify(file([{ id: 'Bad Id', fallback: true }])));
    expect(() => loadHumasUnits(invalid)).toThrow(/humas units file .*invalid\.json is invalid: units\.0\.id/);
    try {
      loadHumasUnits(invalid);
    } catch (err) {
      expect(err).toMatchObject({ stage: 'config', code: 'humas_units_invalid', retriable: false });
    }
  });
});

describe('institution detection', () => {
  const detect = createInstitutionDetector(units);

  it('matches names as the units list them, case-insensitively, on whole words and phrases', () => {
    expect(detect('Kecurangan KPU di TPS 5')).toEqual(['KPU']);
    expect(detect('kata kpu ri, surat suara sudah dicoblos')).toEqual(['KPU', 'KPU RI']);
    expect(detect('KOMISI PEMILIHAN UMUM curang!!!')).toEqual(['Komisi Pemilihan Umum']);
    expect(detect('#Bawaslu diam saja, para pengawas-pemilu tidur')).toEqual(['Bawaslu', 'pengawas pemilu']);
  });

  it('does not match spelled-out letters, parts of words, or names only inside a link', () => {
    expect(detect('K P U curang')).toEqual([]);
    expect(detect('kpukpu dan bawasluku')).toEqual([]);
    expect(detect('lihat https://kpu.go.id/berita')).toEqual([]);
    expect(detect('Komisi Pemilihan yang Umum')).toEqual([]);
  });

  it('detectInstitutions is the one-shot form of the detector', () => {
    expect(detectInstitutions('Bawaslu dan KPU', units)).toEqual(['KPU', 'Bawaslu']);
  });
});

describe('unitsFor', () => {
  it('an institution named in the posts goes to its unit only (not the fallback)', () => {
    expect(ids(unitsFor(content({ institutions: ['KPU'] }), units))).toEqual(['kpu-ri']);
    // Institutions compare on normalised words: "kpu ri" is the listed "KPU RI".
    expect(ids(unitsFor(content({ institutions: ['kpu ri'] }), units))).toEqual(['kpu-ri']);
  });

  it('a regency code goes to its province unit (prefix), a regency unit takes only its own code', () => {
    expect(ids(unitsFor(content({ regions: ['3578'] }), units))).toEqual(['diskominfo-jatim']);
    expect(ids(unitsFor(content({ regions: ['3101', '3578'] }), units))).toEqual(['diskominfo-jatim', 'diskominfo-dki']);
    const regency = parseHumasUnits(
      file([
        { id: 'surabaya', answers_for: { labels: ['hoax'], regions: ['3578'] } },
        { id: 'pusat', fallback: true },
      ]),
    ).units;
    expect(ids(unitsFor(content({ regions: ['3578'] }), regency))).toEqual(['surabaya']);
    expect(ids(unitsFor(content({ regions: ['35'] }), regency))).toEqual(['pusat']);
    expect(ids(unitsFor(content({ regions: ['3579'] }), regency))).toEqual(['pusat']);
  });

  it('a case no unit answers goes to the fallback only', () => {
    expect(ids(unitsFor(content({ regions: ['51'], institutions: ['Polri'], topics: ['cuaca'] }), units))).toEqual(['komdigi']);
  });

  it('topics compare case-insensitively', () => {
    expect(ids(unitsFor(content({ topics: ['Politik  UANG'] }), units))).toEqual(['bawaslu-ri']);
  });

  it('min_reach: a case below a unit\'s minimum skips it (and may fall back)', () => {
    expect(ids(unitsFor(content({ regions: ['3578'], reach: { posts: 2, engagement: 49, per_hour: [], trend: 'stabil' } }), units))).toEqual(['komdigi']);
    expect(ids(unitsFor(content({ regions: ['3578'], reach: { posts: 2, engagement: 50, per_hour: [], trend: 'stabil' } }), units))).toEqual(['diskominfo-jatim']);
  });

  it('labels: a unit never gets a case whose labels it does not handle', () => {
    // No shipped unit takes "abusive" alone (it stays in the analysts' list); Bawaslu takes "sara".
    expect(ids(unitsFor(content({ labels: ['abusive'], institutions: ['KPU', 'Bawaslu'] }), units))).toEqual([]);
    expect(ids(unitsFor(content({ labels: ['abusive', 'sara'], institutions: ['Bawaslu'] }), units))).toEqual(['bawaslu-ri']);
    expect(ids(unitsFor(content({ labels: [], institutions: ['KPU'] }), units))).toEqual([]);
  });

  it('a unit with no criteria answers every case it has the label for (national unit), in file order', () => {
    const national = parseHumasUnits(
      file([
        { id: 'nasional', answers_for: { labels: ['sara'] } },
        { id: 'kpu', answers_for: { labels: ['sara', 'hoax'], institutions: ['KPU'] } },
        { id: 'pusat', fallback: true },
      ]),
    ).units;
    expect(ids(unitsFor(content({ labels: ['sara'], institutions: ['KPU'] }), national))).toEqual(['nasional', 'kpu']);
    expect(ids(unitsFor(content({ labels: ['hoax'] }), national))).toEqual(['pusat']);
  });
});

describe('quiet hours', () => {
  const kpu = byId('kpu-ri'); // 22:00–06:00 WIB
  const at = (iso: string) => Date.parse(iso);

  it('a window across midnight: 23:30 WIB on the last day of February is quiet, ending 06:00 WIB on 1 March', () => {
    const now = at('2027-02-28T16:30:00Z'); // 23:30 WIB
    expect(isQuietHours(kpu, now, JAKARTA)).toBe(true);
    expect(new Date(quietHoursEnd(kpu, now, JAKARTA)).toISOString()).toBe('2027-02-28T23:00:00.000Z'); // 1 Mar 06:00 WIB
  });

  it('after midnight the same window ends that morning; at the end instant it is no longer quiet', () => {
    const now = at('2027-02-28T20:00:00Z'); // 1 Mar 03:00 WIB
    expect(isQuietHours(kpu, now, JAKARTA)).toBe(true);
    expect(new Date(quietHoursEnd(kpu, now, JAKARTA)).toISOString()).toBe('2027-02-28T23:00:00.000Z');
    expect(isQuietHours(kpu, at('2027-02-28T23:00:00Z'), JAKARTA)).toBe(false);
    expect(isQuietHours(kpu, at('2027-02-28T14:59:59Z'), JAKARTA)).toBe(false); // 21:59:59 WIB
    expect(isQuietHours(kpu, at('2027-02-28T15:00:00Z'), JAKARTA)).toBe(true); // 22:00 WIB
  });

  it('the year end and a leap day roll over correctly', () => {
    expect(new Date(quietHoursEnd(kpu, at('2027-12-31T16:00:00Z'), JAKARTA)).toISOString()).toBe('2027-12-31T23:00:00.000Z'); // 1 Jan 2028 06:00 WIB
    expect(new Date(quietHoursEnd(kpu, at('2028-02-28T16:00:00Z'), JAKARTA)).toISOString()).toBe('2028-02-28T23:00:00.000Z'); // 29 Feb 2028 06:00 WIB
  });

  it('a daytime window (start < end) and no quiet hours', () => {
    const day = { quiet_hours: { start: '12:00', end: '13:00' } };
    expect(isQuietHours(day, at('2027-03-01T05:30:00Z'), JAKARTA)).toBe(true); // 12:30 WIB
    expect(isQuietHours(day, at('2027-03-01T06:00:00Z'), JAKARTA)).toBe(false); // 13:00 WIB
    // Before the window, the next end is today's 13:00.
    expect(new Date(quietHoursEnd(day, at('2027-03-01T01:00:00Z'), JAKARTA)).toISOString()).toBe('2027-03-01T06:00:00.000Z');
    const none = { quiet_hours: null };
    expect(isQuietHours(none, at('2027-03-01T16:00:00Z'), JAKARTA)).toBe(false);
    expect(quietHoursEnd(none, 1234, JAKARTA)).toBe(1234);
  });

  it('reads the clock in the given time zone (WITA is an hour ahead of WIB)', () => {
    const now = at('2027-03-01T14:30:00Z'); // 21:30 WIB, 22:30 WITA
    expect(isQuietHours(kpu, now, JAKARTA)).toBe(false);
    expect(isQuietHours(kpu, now, 'Asia/Makassar')).toBe(true);
  });
});

describe('shouldEscalate', () => {
  it('escalates when engagement reaches the factor times the last alerted engagement', () => {
    expect(shouldEscalate(1000, 1999, 2)).toBe(false);
    expect(shouldEscalate(1000, 2000, 2)).toBe(true);
    expect(shouldEscalate(1000, 2999, 3)).toBe(false);
  });

  it('treats an alert at zero engagement as one, and refuses nonsense factors', () => {
    expect(shouldEscalate(0, 1, 2)).toBe(false);
    expect(shouldEscalate(0, 2, 2)).toBe(true);
    expect(shouldEscalate(100, 1000, 1)).toBe(false);
    expect(shouldEscalate(100, Number.NaN, 2)).toBe(false);
  });
});
