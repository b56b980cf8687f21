import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/paths.ts';

// .ci/run passes these paths to vitest as filters: a renamed or deleted file must not silently drop out.
const listed = readFileSync(join(PROJECT_ROOT, 'test/month-boundary.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

describe('test/month-boundary.txt', () => {
  it('names only paths that exist', () => {
    expect(listed.length).toBeGreaterThan(10);
    for (const path of listed) expect(existsSync(join(PROJECT_ROOT, path)), path).toBe(true);
  });

  it('covers every integration test file that sets a clock or reads the date', () => {
    // A file that builds a fixed clock or reads the date is about the calendar: it belongs in the second run.
    const dir = join(PROJECT_ROOT, 'test/integration');
    const calendarish = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .filter((f) => /fixedClock|clock:|toISOString\(\)\.slice\(0, ?(7|10)\)|dayIn\(/.test(readFileSync(join(dir, f), 'utf8')));
    const missing = calendarish.filter((f) => !listed.includes(`test/integration/${f}`));
    expect(missing).toEqual([]);
  });
});
