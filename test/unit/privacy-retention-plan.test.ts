/** Retention's date arithmetic at the edges: month ends, the year's turn, the lock's day in Jakarta. */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { dayKey, planPostsIndex, postsIndexMonth, retentionCutoff } from '../../src/privacy/retention-plan.ts';
import { retainExamples } from '../../src/privacy/retention.ts';
import type { ExamplePost } from '../../src/desk/types.ts';

const DAY = 86_400_000;

describe('retention dates', () => {
  it('cuts off exactly N 24-hour days before now, across a month end', () => {
    const clock = fixedClock('2026-03-01T00:00:00.000Z');
    expect(new Date(retentionCutoff(clock(), 180)).toISOString()).toBe('2025-09-02T00:00:00.000Z');
    expect(new Date(retentionCutoff(clock(), 1)).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    clock.set('2024-03-01T00:00:00.000Z'); // leap year
    expect(new Date(retentionCutoff(clock(), 1)).toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it('reads the month of a posts index, and only of this prefix', () => {
    expect(postsIndexMonth('pantau-posts-2025.12', 'pantau')).toEqual({ start: Date.parse('2025-12-01T00:00:00Z'), end: Date.parse('2026-01-01T00:00:00Z') });
    expect(postsIndexMonth('pantau-posts-2026.02', 'pantau')!.end - postsIndexMonth('pantau-posts-2026.02', 'pantau')!.start).toBe(28 * DAY);
    expect(postsIndexMonth('pantau-posts', 'pantau')).toBeNull();
    expect(postsIndexMonth('pantau-posts-2026.13', 'pantau')).toBeNull();
    expect(postsIndexMonth('other-posts-2026.01', 'pantau')).toBeNull();
    expect(postsIndexMonth('pantau-x-posts-2026.01', 'pantau')).toBeNull();
  });

  it('deletes a month whole only when it ended by the cutoff', () => {
    // Cutoff at the first instant of March: February is all old, March is kept.
    const cutoff = Date.parse('2026-03-01T00:00:00.000Z');
    expect(planPostsIndex(postsIndexMonth('p-posts-2026.02', 'p')!, cutoff)).toBe('whole');
    expect(planPostsIndex(postsIndexMonth('p-posts-2026.03', 'p')!, cutoff)).toBe('keep');
    // One millisecond earlier, February's last millisecond is not yet old: partial.
    expect(planPostsIndex(postsIndexMonth('p-posts-2026.02', 'p')!, cutoff - 1)).toBe('partial');
    expect(planPostsIndex(postsIndexMonth('p-posts-2026.01', 'p')!, cutoff - 1)).toBe('whole');
    // A 180-day cutoff on New Year's Eve falls inside early July.
    const c = retentionCutoff(Date.parse('2026-12-31T23:59:59.999Z'), 180);
    expect(planPostsIndex(postsIndexMonth('p-posts-2026.06', 'p')!, c)).toBe('whole');
    expect(planPostsIndex(postsIndexMonth('p-posts-2026.07', 'p')!, c)).toBe('partial');
    expect(planPostsIndex(postsIndexMonth('p-posts-2026.08', 'p')!, c)).toBe('keep');
  });

  it("counts the lock's day in the schedule's time zone, not UTC", () => {
    // 17:30 UTC on 28 February is 00:30 on 1 March in Jakarta (UTC+7).
    expect(dayKey(Date.parse('2026-02-28T17:30:00Z'), 'Asia/Jakarta')).toBe('2026-03-01');
    expect(dayKey(Date.parse('2026-02-28T16:59:59Z'), 'Asia/Jakarta')).toBe('2026-02-28');
    expect(dayKey(Date.parse('2026-12-31T17:00:00Z'), 'Asia/Jakarta')).toBe('2027-01-01');
    expect(dayKey(Date.parse('2026-12-31T17:00:00Z'), 'UTC')).toBe('2026-12-31');
  });
});

describe('desk examples under retention', () => {
  const ex = (id: string, created_at: string, author: string | null): ExamplePost => ({ id, text: 't', url: null, platform: 'twitter', author, created_at, reach: 1 });
  const cutoff = Date.parse('2026-03-01T00:00:00Z');
  const doc = { examples: [ex('a', '2026-02-28T23:59:59+00:00', '@lama'), ex('b', '2026-03-01T07:00:00+07:00', '@batas'), ex('c', '2026-03-02T00:00:00Z', '@baru')], counter_examples: [ex('d', '2026-01-01T00:00:00Z', 'anon:0123')] };

  it('delete removes the examples created before the cutoff (offsets honoured), keeps the rest', () => {
    const r = retainExamples(doc, 'delete', cutoff, undefined)!;
    // 07:00+07:00 on 1 March is the cutoff itself: not older, kept.
    expect(r.doc.examples.map((e) => e.id)).toEqual(['b', 'c']);
    expect(r.doc.counter_examples).toEqual([]);
    expect(r.removed).toBe(2);
  });

  it('pseudonymise replaces old handles only, and leaves pseudonyms as they are', () => {
    const r = retainExamples(doc, 'pseudonymise', cutoff, 'kunci-uji-0123456789')!;
    expect(r.doc.examples[0]!.author).toMatch(/^anon:[0-9a-f]{20}$/);
    expect(r.doc.examples.slice(1).map((e) => e.author)).toEqual(['@batas', '@baru']);
    expect(r.doc.counter_examples[0]!.author).toBe('anon:0123');
    expect(r.pseudonymised).toBe(1);
    expect(retainExamples(r.doc, 'pseudonymise', cutoff, 'kunci-uji-0123456789')).toBeNull();
  });
});
