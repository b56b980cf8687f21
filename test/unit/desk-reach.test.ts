/**
 * The pure parts of reach: a post's engagement and the trend of the hourly series (last 6 hours against the
 * 6 before).
 */
import { describe, expect, it } from 'vitest';
import { postEngagement, trendOf } from '../../src/desk/reach.ts';

describe('postEngagement', () => {
  it('is shares + replies + likes + views / 100', () => {
    expect(postEngagement({ likes: 10, shares: 5, replies: 2, views: 250 })).toBe(19.5);
    expect(postEngagement({ shares: 7 })).toBe(7);
    expect(postEngagement({ replies: 3 })).toBe(3);
    expect(postEngagement({ likes: 4 })).toBe(4);
    expect(postEngagement({ views: 1_000 })).toBe(10);
    expect(postEngagement({ views: 50 })).toBe(0.5);
  });

  it('is 0 with no counts', () => {
    expect(postEngagement({})).toBe(0);
    expect(postEngagement({ likes: 0, shares: 0, replies: 0, views: 0 })).toBe(0);
  });
});

const hours = (...engagement: number[]) => engagement.map((e) => ({ engagement: e }));
/** 12 hours: six of `before`, then six of `last`. */
const twelve = (before: number, last: number) => hours(...Array<number>(6).fill(before), ...Array<number>(6).fill(last));

describe('trendOf', () => {
  it('is naik at 1.5× or more', () => {
    expect(trendOf(twelve(10, 15))).toBe('naik'); // exactly 1.5
    expect(trendOf(twelve(10, 30))).toBe('naik');
    expect(trendOf(hours(100, 0, 0, 0, 0, 0, 150, 0, 0, 0, 0, 0))).toBe('naik'); // sums, not hour by hour
  });

  it('is stabil between 0.67× and 1.5×', () => {
    expect(trendOf(twelve(100, 149))).toBe('stabil');
    expect(trendOf(twelve(100, 100))).toBe('stabil');
    expect(trendOf(twelve(100, 68))).toBe('stabil');
  });

  it('is turun at 0.67× or less', () => {
    expect(trendOf(twelve(100, 67))).toBe('turun'); // exactly 0.67
    expect(trendOf(twelve(100, 66))).toBe('turun');
    expect(trendOf(twelve(30, 20))).toBe('turun'); // 2/3
    expect(trendOf(twelve(10, 0))).toBe('turun');
  });

  it('from nothing: naik when the last hours carry anything, stabil when both are empty', () => {
    expect(trendOf(twelve(0, 0.01))).toBe('naik');
    expect(trendOf(twelve(0, 0))).toBe('stabil');
    expect(trendOf([])).toBe('stabil');
  });

  it('reads only the last 12 hours of a 48-hour series', () => {
    const series = hours(...Array<number>(36).fill(1_000), ...Array<number>(6).fill(10), ...Array<number>(6).fill(10));
    expect(series).toHaveLength(48);
    expect(trendOf(series)).toBe('stabil');
    const rising = hours(...Array<number>(36).fill(0), ...Array<number>(6).fill(10), ...Array<number>(6).fill(20));
    expect(trendOf(rising)).toBe('naik');
  });

  it('with fewer than 12 hours compares the last 6 with whatever came before them', () => {
    // 6 hours or fewer: nothing before, so any engagement is naik.
    expect(trendOf(hours(5, 5, 5))).toBe('naik');
    expect(trendOf(hours(0, 0, 0, 0, 0, 0))).toBe('stabil');
    // 9 hours: the last 6 (sum 60) against the first 3 (sum 60).
    expect(trendOf(hours(20, 20, 20, 10, 10, 10, 10, 10, 10))).toBe('stabil');
    expect(trendOf(hours(40, 40, 40, 10, 10, 10, 10, 10, 10))).toBe('turun');
  });
});
