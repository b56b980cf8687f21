import { describe, expect, it } from 'vitest';
import { PantauError } from '../../src/core/errors.ts';
import { parseRetryAfter, SourceFetchError } from '../../src/sources/http-fetch.ts';
import { retrying } from '../../src/sources/retry.ts';

const transient = () => new PantauError('timeout', { stage: 'receiving', code: 'fetch_timeout', retriable: true });
const policy = { maxAttempts: 4, baseMs: 5, maxMs: 40 };

describe('retrying', () => {
  it('retries retriable errors until success, reporting each failed attempt', async () => {
    const seen: number[] = [];
    let calls = 0;
    const result = await retrying(
      async () => {
        calls++;
        if (calls < 3) throw transient();
        return 'ok';
      },
      policy,
      { onRetry: (_e, attempt) => seen.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('gives up after maxAttempts with the last error, and at once on a non-retriable one', async () => {
    let calls = 0;
    await expect(retrying(async () => (calls++, Promise.reject(transient())), policy)).rejects.toMatchObject({ code: 'fetch_timeout' });
    expect(calls).toBe(4);
    calls = 0;
    const fatal = new PantauError('404', { stage: 'receiving', code: 'http_4xx', retriable: false });
    await expect(retrying(async () => (calls++, Promise.reject(fatal)), policy)).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('waits at least the Retry-After, and ends at once when it is longer than one wait may be', async () => {
    const delays: number[] = [];
    let calls = 0;
    await retrying(
      async () => {
        if (++calls === 1) throw new SourceFetchError('429', { code: 'http_429', retriable: true, retryAfterMs: 30 });
      },
      policy,
      { onRetry: (_e, _a, delayMs) => delays.push(delayMs) },
    );
    expect(delays[0]).toBeGreaterThanOrEqual(30);
    calls = 0;
    const long = new SourceFetchError('429', { code: 'http_429', retriable: true, retryAfterMs: 3_600_000 });
    await expect(retrying(async () => (calls++, Promise.reject(long)), policy)).rejects.toBe(long);
    expect(calls).toBe(1);
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const run = retrying(async () => (calls++, Promise.reject(transient())), { maxAttempts: 10, baseMs: 10_000, maxMs: 10_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toMatchObject({ code: 'fetch_timeout' });
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['5', 5000],
    [' 0 ', 0],
    ['Fri, 20 Nov 2026 10:00:10 GMT', 10_000],
    ['Fri, 20 Nov 2026 09:59:00 GMT', 0],
    ['segera', undefined],
    [null, undefined],
  ])('%j → %j', (header, ms) => {
    expect(parseRetryAfter(header, Date.parse('2026-11-20T10:00:00Z'))).toBe(ms);
  });
});
