/**
 * "Now" as an input. Code that needs the time takes a Clock instead of calling Date.now(), so a test can
 * run it at any instant it likes (a month's last second, a leap day) and pass on every date it is run.
 */

/** Milliseconds since the epoch, like Date.now(). */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** The clock's time as an ISO 8601 string in UTC. */
export const isoNow = (clock: Clock): string => new Date(clock()).toISOString();

/** A clock that stays at `at` (ISO string or epoch ms) until moved; for tests and replays. */
export function fixedClock(at: string | number): Clock & { set(at: string | number): void; advance(ms: number): void } {
  const toMs = (v: string | number) => (typeof v === 'number' ? v : Date.parse(v));
  let now = toMs(at);
  if (Number.isNaN(now)) throw new Error(`fixedClock: not a time: ${String(at)}`);
  const clock = (() => now) as Clock & { set(at: string | number): void; advance(ms: number): void };
  clock.set = (v) => {
    now = toMs(v);
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

/** A clock that runs at the system clock's pace but started at `at`: a whole run shifted to another date. */
export function clockFrom(at: string | number): Clock {
  const startMs = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(startMs)) throw new Error(`clockFrom: not a time: ${String(at)}`);
  const realStart = Date.now();
  return () => startMs + (Date.now() - realStart);
}
