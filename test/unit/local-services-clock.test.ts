/**
 * Services keep the machine's real clock: when the process that starts them runs under libfaketime (the test
 * suite's second run, at a month boundary), the preload and its settings are not passed on.
 */
import { describe, expect, it } from 'vitest';
import { withRealClock } from '../../src/local-services/process.ts';

describe('withRealClock', () => {
  it('removes libfaketime from LD_PRELOAD and every FAKETIME setting, and keeps the rest', () => {
    const env = withRealClock({
      PATH: '/usr/bin',
      LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1:/opt/other.so',
      FAKETIME: '@2027-02-28 17:00:30',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
    expect(env).toEqual({ PATH: '/usr/bin', LD_PRELOAD: '/opt/other.so' });
  });

  it('drops LD_PRELOAD when faketime was all it held, and leaves a clean environment as it is', () => {
    expect(withRealClock({ LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', HOME: '/root' })).toEqual({ HOME: '/root' });
    expect(withRealClock({ HOME: '/root' })).toEqual({ HOME: '/root' });
  });
});
