import { describe, expect, it } from 'vitest';
import { isoWeekJakarta, weeklyPrecision, wilson, windowStart } from '../../src/review/precision.ts';
import type { AuditEntry } from '../../src/review/decision.ts';
import { auditEntry, decidedPost } from '../helpers/audit-entries.ts';

let n = 0;
/** `k` confirmed and `d` dismissed alerts of `label` decided at `at`, one item each. */
function decisions(at: string, label: string, k: number, d: number, reason: AuditEntry['reason_in_queue'] = 'flagged'): AuditEntry[] {
  const one = (action: 'confirm' | 'dismiss') => {
    n++;
    return auditEntry({ action, at, reason_in_queue: reason, posts: [decidedPost(`p${n}`, `teks ${n}`, reason === 'flagged' ? [label] : [], { review_flags: reason === 'uncertain' ? [label] : [] })], labels_before: [label] });
  };
  return [...Array.from({ length: k }, () => one('confirm')), ...Array.from({ length: d }, () => one('dismiss'))];
}

describe('ISO weeks in Asia/Jakarta', () => {
  it.each([
    // Sunday evening UTC is already Monday in Jakarta: the next week.
    ['2026-12-27T16:59:59Z', '2026-W52', '2026-12-21'],
    ['2026-12-27T17:00:00Z', '2026-W53', '2026-12-28'],
    // 2026 has 53 weeks (it starts on a Thursday); the first days of 2027 still belong to it.
    ['2027-01-03T16:59:59Z', '2026-W53', '2026-12-28'],
    ['2027-01-03T17:00:00Z', '2027-W01', '2027-01-04'],
    // Month end: 30 Nov 18:00 UTC is 1 Dec in Jakarta, same week.
    ['2026-11-30T18:00:00Z', '2026-W49', '2026-11-30'],
    ['2026-11-29T16:59:59Z', '2026-W48', '2026-11-23'],
    ['2024-02-29T12:00:00Z', '2024-W09', '2024-02-26'],
    ['2021-01-01T00:00:00Z', '2020-W53', '2020-12-28'],
  ])('%s is %s (Monday %s)', (at, week, start) => {
    const w = isoWeekJakarta(Date.parse(at));
    expect(w.week).toBe(week);
    expect(w.start).toBe(start);
    expect(new Date(w.mondayUtcMs).toISOString()).toBe(`${new Date(Date.parse(`${start}T00:00:00Z`) - 7 * 3_600_000).toISOString()}`);
  });
});

describe('Wilson interval', () => {
  it('matches known values and stays within 0..1', () => {
    const w = wilson(8, 10);
    expect(w.low).toBeCloseTo(0.4902, 3);
    expect(w.high).toBeCloseTo(0.9433, 3);
    expect(wilson(0, 5).low).toBe(0);
    expect(wilson(5, 5).high).toBe(1);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('weekly precision', () => {
  const now = Date.parse('2027-01-02T10:00:00Z'); // Saturday of 2026-W53

  it('lists the window across the year end, counts per label and keeps uncertain samples apart', () => {
    const entries = [
      ...decisions('2026-12-15T03:00:00Z', 'hate_speech', 3, 1), // W51
      ...decisions('2026-12-27T17:30:00Z', 'hate_speech', 1, 1), // Monday 00:30 in Jakarta: W53
      ...decisions('2026-12-29T03:00:00Z', 'hoax', 2, 6, 'uncertain'),
      ...decisions('2026-11-20T03:00:00Z', 'hate_speech', 9, 0), // before the window
    ];
    const report = weeklyPrecision(entries, { weeks: 3, now });
    expect(report.weeks.map((w) => w.week)).toEqual(['2026-W51', '2026-W52', '2026-W53']);
    expect(report.weeks.map((w) => w.start)).toEqual(['2026-12-14', '2026-12-21', '2026-12-28']);
    const [w51, w52, w53] = report.weeks;
    expect(w51!.labels.hate_speech).toMatchObject({ confirmed: 3, dismissed: 1, n: 4, precision: 0.75 });
    expect(w52!.labels.hate_speech).toMatchObject({ n: 0, precision: null, low: null });
    expect(w53!.labels.hate_speech).toMatchObject({ confirmed: 1, dismissed: 1, precision: 0.5 });
    expect(w53!.labels.hoax).toMatchObject({ n: 0 });
    expect(w53!.uncertain.hoax).toMatchObject({ confirmed: 2, dismissed: 6, precision: 0.25 });
    expect(w53!.labels.hate_speech!.low).toBeLessThan(0.5);
    expect(w53!.labels.hate_speech!.high).toBeGreaterThan(0.5);
    expect(windowStart(now, 3)).toBe(Date.parse('2026-12-13T17:00:00Z'));
  });

  it('counts a narrative once, takes the latest decision in the week of the first, and relabel by what it kept', () => {
    const posts = [decidedPost('a', 'teks a', ['hate_speech', 'sara']), decidedPost('b', 'teks b', ['hate_speech'])];
    const entries = [
      auditEntry({ action: 'confirm', at: '2026-12-22T03:00:00Z', narrative_id: 'n1', posts }),
      // Corrected a week later: relabelled to abusive + sara.
      auditEntry({ action: 'relabel', at: '2026-12-29T03:00:00Z', narrative_id: 'n1', posts, labels_after: ['abusive', 'sara'] }),
      auditEntry({ action: 'escalate', at: '2026-12-29T04:00:00Z', narrative_id: 'n2', posts: [decidedPost('c', 'teks c', ['hoax'])], unit: 'x' }),
    ];
    const report = weeklyPrecision(entries, { weeks: 2, now });
    const w52 = report.weeks[0]!;
    expect(w52.week).toBe('2026-W52');
    expect(w52.labels.hate_speech).toMatchObject({ confirmed: 0, dismissed: 1 });
    expect(w52.labels.sara).toMatchObject({ confirmed: 1, dismissed: 0 });
    // abusive was not an alert flag: not a precision figure.
    expect(w52.labels.abusive).toMatchObject({ n: 0 });
    expect(report.weeks[1]!.labels.hoax).toMatchObject({ n: 0 });
  });

  it('warns in Bahasa Indonesia when the latest week drops clearly below the earlier weeks', () => {
    const entries = [
      ...decisions('2026-12-08T03:00:00Z', 'hate_speech', 27, 3), // W50: 0.9
      ...decisions('2026-12-16T03:00:00Z', 'hate_speech', 18, 2), // W51: 0.9
      ...decisions('2026-12-30T03:00:00Z', 'hate_speech', 11, 14), // W53: 0.44
      ...decisions('2026-12-30T03:00:00Z', 'abusive', 20, 5), // W53 0.8, no history, card 0.8: no warning
    ];
    const report = weeklyPrecision(entries, { weeks: 4, now, modelAlertPrecision: { hate_speech: 0.8, abusive: 0.8 } });
    expect(report.warnings).toHaveLength(1);
    const w = report.warnings[0]!;
    expect(w).toMatchObject({ label: 'hate_speech', week: '2026-W53', baseline_source: 'previous_weeks', n: 25 });
    expect(w.precision).toBeCloseTo(0.44, 5);
    expect(w.baseline).toBeCloseTo(0.9, 5);
    expect(w.message).toContain('ujaran kebencian');
    expect(w.message).toContain('2026-W53');
    expect(w.message).toContain('turun menjadi 44%');
    expect(w.message).toContain('minggu-minggu sebelumnya');
  });

  it('falls back to the model card, and stays quiet on too few decisions or a drop within noise', () => {
    const lowCard = weeklyPrecision(decisions('2026-12-30T03:00:00Z', 'abusive', 8, 14), { weeks: 2, now, modelAlertPrecision: { abusive: 0.81 } });
    expect(lowCard.warnings.map((w) => [w.label, w.baseline_source])).toEqual([['abusive', 'model_card']]);
    expect(lowCard.warnings[0]!.message).toContain('kartu model');
    // 19 decisions: below the minimum.
    expect(weeklyPrecision(decisions('2026-12-30T03:00:00Z', 'abusive', 2, 17), { weeks: 2, now, modelAlertPrecision: { abusive: 0.81 } }).warnings).toEqual([]);
    // 0.72 against 0.81 with n = 25: within the interval.
    expect(weeklyPrecision(decisions('2026-12-30T03:00:00Z', 'abusive', 18, 7), { weeks: 2, now, modelAlertPrecision: { abusive: 0.81 } }).warnings).toEqual([]);
    // Uncertain samples never raise a warning about alert precision.
    expect(weeklyPrecision(decisions('2026-12-30T03:00:00Z', 'abusive', 1, 30, 'uncertain'), { weeks: 2, now, modelAlertPrecision: { abusive: 0.81 } }).warnings).toEqual([]);
  });

  it('on a quiet Monday, judges the previous full week', () => {
    const monday = Date.parse('2026-12-28T02:00:00Z'); // W53, nothing decided yet
    const entries = [...decisions('2026-12-08T03:00:00Z', 'hoax', 28, 2), ...decisions('2026-12-23T03:00:00Z', 'hoax', 10, 15)];
    const report = weeklyPrecision(entries, { weeks: 4, now: monday });
    expect(report.warnings.map((w) => w.week)).toEqual(['2026-W52']);
  });
});
