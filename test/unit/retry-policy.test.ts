import { describe, expect, it } from 'vitest';
import { backoffMs, isRetriableStatus } from '../../src/sinks/retry-policy.ts';

describe('isRetriableStatus', () => {
  it.each([
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [409, false],
    [413, false],
    [429, true],
    [500, true],
    [501, false],
    [502, true],
    [503, true],
    [504, true],
  ])('%i → %s', (status, expected) => {
    expect(isRetriableStatus(status)).toBe(expected);
  });
});

describe('backoffMs', () => {
  it('grows exponentially between half and all of the ceiling, and is capped', () => {
    expect(backoffMs(1, 100, 30_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 30_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 30_000, () => 1)).toBe(800);
    expect(backoffMs(30, 100, 5_000, () => 1)).toBe(5_000);
  });
});
