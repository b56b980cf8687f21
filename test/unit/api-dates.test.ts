/** Calendar days of the dashboard API (src/api/dates.ts): real days only, "today" in Asia/Jakarta. */
import { describe, expect, it } from 'vitest';
import { addDays, dayIn, daysBetween, isCalendarDay, today } from '../../src/api/dates.ts';
import { fixedClock } from '../../src/core/clock.ts';

describe('isCalendarDay', () => {
  it.each(['2026-01-01', '2026-02-28', '2028-02-29', '2000-02-29', '2026-12-31', '0001-01-01', '0099-06-15', '9999-12-31'])('takes %s', (day) => {
    expect(isCalendarDay(day)).toBe(true);
  });

  it.each(['2026-02-30', '2026-13-01', '2025-02-29', '1900-02-29', '2026-04-31', '2026-00-10', '2026-01-00', '2026-1-01', '2026-01-01T00:00:00Z', ' 2026-01-01', '', 'today'])(
    'refuses %j (Date.parse alone would take some of these)',
    (day) => {
      expect(isCalendarDay(day)).toBe(false);
    },
  );
});

describe('today in Asia/Jakarta', () => {
  it('is the Jakarta day, not the UTC one', () => {
    expect(today(fixedClock('2026-03-31T16:59:59Z'))).toBe('2026-03-31'); // 23:59:59 WIB
    expect(today(fixedClock('2026-03-31T17:00:00Z'))).toBe('2026-04-01'); // 00:00 WIB, still 31 March in UTC
    expect(today(fixedClock('2027-12-31T20:00:00Z'))).toBe('2028-01-01');
    expect(dayIn(Date.parse('2026-03-31T17:00:00Z'), 'UTC')).toBe('2026-03-31');
  });
});

describe('day arithmetic', () => {
  it('adds and counts calendar days across months and leap days', () => {
    expect(addDays('2026-04-01', -29)).toBe('2026-03-03');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
  });
});
