/** The queue's priority formula and its stable sample of uncertain items. */
import { describe, expect, it } from 'vitest';
import { inUncertainSample, priorityOf, PRIORITY_FORMULA, stableFraction } from '../../src/review/priority.ts';

describe('queue priority', () => {
  it('is score × log2(2 + accounts + shares) × 0.5^(age hours / 72)', () => {
    const p = priorityOf({ score: 0.9, accounts: 3, shares: 165, ageHours: 1 });
    expect(p.parts).toEqual({ score: 0.9, reach: Math.log2(170), recency: 0.5 ** (1 / 72) });
    expect(p.priority).toBeCloseTo(0.9 * Math.log2(170) * 0.5 ** (1 / 72), 12);
    expect(PRIORITY_FORMULA).toContain('log2(2 + distinct accounts + total shares)');
  });

  it('gives one unshared post by an unknown author a reach of 1, and halves every three days without new posts', () => {
    expect(priorityOf({ score: 0.5, accounts: 0, shares: 0, ageHours: 0 })).toEqual({ priority: 0.5, parts: { score: 0.5, reach: 1, recency: 1 } });
    expect(priorityOf({ score: 0.5, accounts: 0, shares: 0, ageHours: 72 }).priority).toBeCloseTo(0.25, 12);
    expect(priorityOf({ score: 0.5, accounts: 0, shares: 0, ageHours: 144 }).priority).toBeCloseTo(0.125, 12);
    // A week-old narrative flagged at 0.99 still comes before a fresh uncertain one at 0.11.
    expect(priorityOf({ score: 0.99, accounts: 1, shares: 0, ageHours: 168 }).priority).toBeGreaterThan(priorityOf({ score: 0.11, accounts: 1, shares: 0, ageHours: 0 }).priority);
    // A post dated in the future (clock skew at a source) is not boosted above "now".
    expect(priorityOf({ score: 0.5, accounts: 0, shares: 0, ageHours: -5 }).parts.recency).toBe(1);
  });

  it('orders as analysts expect: more reach wins at equal score and age, an item three days older loses half', () => {
    const viral = priorityOf({ score: 0.8, accounts: 40, shares: 500, ageHours: 2 }).priority;
    const lone = priorityOf({ score: 0.95, accounts: 1, shares: 0, ageHours: 2 }).priority;
    const stale = priorityOf({ score: 0.8, accounts: 40, shares: 500, ageHours: 74 }).priority;
    expect(viral).toBeGreaterThan(lone);
    expect(stale / viral).toBeCloseTo(0.5, 12);
  });
});

describe('uncertain sample', () => {
  it('is a stable fraction of the item id, in [0, 1)', () => {
    expect(stableFraction('nar-0000000000000001')).toBe(stableFraction('nar-0000000000000001'));
    expect(stableFraction('a')).not.toBe(stableFraction('b'));
    for (let i = 0; i < 200; i++) {
      const f = stableFraction(`nar-${i}`);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });

  it('takes about the configured share, none at 0 and all at 1, and a larger rate keeps the smaller sample', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `nar-${i.toString(16).padStart(16, '0')}`);
    const at = (rate: number) => ids.filter((id) => inUncertainSample(id, rate));
    expect(at(0)).toEqual([]);
    expect(at(1)).toHaveLength(ids.length);
    expect(at(0.2).length / ids.length).toBeGreaterThan(0.18);
    expect(at(0.2).length / ids.length).toBeLessThan(0.22);
    const wider = new Set(at(0.5));
    expect(at(0.2).every((id) => wider.has(id))).toBe(true);
  });
});
