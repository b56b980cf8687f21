/**
 * Which humas units answer a case, and when they may be alerted. Pure functions over the units file
 * (config/humas-units.ts) and a case's content (desk/types.ts); the desk stage decides when to call them.
 *
 * Rules (unitsFor): a unit answers a case when
 *  - one of its labels is one of the case's labels,
 *  - the case's engagement is at least its min_reach, and
 *  - of its non-empty criteria (topics, institutions, regions) at least one matches; a unit with all three
 *    empty answers every case (a national unit).
 * Fallback units get a case only when no non-fallback unit answers it. Units come back in file order.
 */
import type { HumasUnit } from '../config/humas-units.ts';
import { keyTokens } from '../transforms/text-keys.ts';
import type { CaseContent } from './types.ts';

/** An institution name as the detector matches it: the project's key tokens joined by one space. */
export function institutionKey(name: string): string {
  return keyTokens(name).join(' ');
}

interface Phrase {
  name: string;
  tokens: string[];
}

/**
 * A detector of the institution names the units list, compiled once. It returns the names (as the units
 * write them, first listing first, each once) whose tokens appear as a run of whole tokens in the text after
 * normalisation (text-keys v1: case, letter runs, leetspeak, links and mentions removed). "kpu", "KPU RI" and
 * "Komisi Pemilihan Umum" match; "K P U" and "kpukpu" do not.
 */
export function createInstitutionDetector(units: readonly HumasUnit[]): (text: string) => string[] {
  const byFirst = new Map<string, Phrase[]>();
  const order = new Map<string, number>();
  for (const unit of units) {
    for (const name of unit.answers_for.institutions) {
      if (order.has(name)) continue;
      const tokens = keyTokens(name);
      const first = tokens[0];
      if (first === undefined) continue;
      order.set(name, order.size);
      const list = byFirst.get(first) ?? [];
      list.push({ name, tokens });
      byFirst.set(first, list);
    }
  }
  return (text: string): string[] => {
    if (byFirst.size === 0 || text.length === 0) return [];
    const tokens = keyTokens(text);
    const found = new Set<string>();
    for (let i = 0; i < tokens.length; i++) {
      const candidates = byFirst.get(tokens[i]!);
      if (candidates === undefined) continue;
      for (const phrase of candidates) {
        if (found.has(phrase.name) || i + phrase.tokens.length > tokens.length) continue;
        let match = true;
        for (let j = 1; j < phrase.tokens.length; j++) {
          if (tokens[i + j] !== phrase.tokens[j]) {
            match = false;
            break;
          }
        }
        if (match) found.add(phrase.name);
      }
    }
    return [...found].sort((a, b) => order.get(a)! - order.get(b)!);
  };
}

/** The institution names (as the units list them) named in `text`. Compiles the names on each call: use createInstitutionDetector for many texts. */
export function detectInstitutions(text: string, units: readonly HumasUnit[]): string[] {
  return createInstitutionDetector(units)(text);
}

const topicKey = (topic: string): string => topic.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** True when a unit's region code covers a case's: "35" covers "35" and "3578"; "3578" only "3578". */
export function regionCovers(unitRegion: string, caseRegion: string): boolean {
  return caseRegion.startsWith(unitRegion);
}

function answers(unit: HumasUnit, content: CaseContent, caseTopics: ReadonlySet<string>, caseInstitutions: ReadonlySet<string>): boolean {
  const a = unit.answers_for;
  if (!a.labels.some((label) => content.labels.includes(label))) return false;
  if (content.reach.engagement < a.min_reach) return false;
  const criteria = a.topics.length + a.institutions.length + a.regions.length;
  if (criteria === 0) return true;
  if (a.topics.some((t) => caseTopics.has(topicKey(t)))) return true;
  if (a.institutions.some((name) => caseInstitutions.has(institutionKey(name)))) return true;
  return a.regions.some((r) => content.regions.some((cr) => regionCovers(r, cr)));
}

/** The units that answer a case, in file order (see the rules at the top of this file). */
export function unitsFor(content: CaseContent, units: readonly HumasUnit[]): HumasUnit[] {
  const caseTopics = new Set(content.topics.map(topicKey));
  const caseInstitutions = new Set(content.institutions.map(institutionKey));
  const regular = units.filter((u) => !u.fallback && answers(u, content, caseTopics, caseInstitutions));
  if (regular.length > 0) return regular;
  return units.filter((u) => u.fallback && answers(u, content, caseTopics, caseInstitutions));
}

// ---------------------------------------------------------------------------------------------------------
// Quiet hours

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time at `ms` in `timeZone`. */
export function wallTime(ms: number, timeZone: string): WallTime {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

/** Offset of `timeZone` from UTC at `ms`, in ms (Asia/Jakarta: +7 h). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time (month/day may overflow: Date.UTC rolls them over) happens in `timeZone`. */
function instantOf(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): number {
  const local = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  let guess = local - offsetAt(local, timeZone);
  // A second pass settles zones whose offset differs between the guess and the answer (DST changes).
  guess = local - offsetAt(guess, timeZone);
  return guess;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `nowMs` is inside the unit's quiet hours (start inclusive, end exclusive), read in `timeZone`. */
export function isQuietHours(unit: Pick<HumasUnit, 'quiet_hours'>, nowMs: number, timeZone: string): boolean {
  const q = unit.quiet_hours;
  if (q === null) return false;
  const w = wallTime(nowMs, timeZone);
  const now = w.hour * 60 + w.minute;
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The next end of the unit's quiet hours strictly after `nowMs` (epoch ms): when inside quiet hours, the
 * moment alerts may go out again. Windows across midnight and month/year ends roll over to the right day.
 * A unit without quiet hours gets `nowMs`.
 */
export function quietHoursEnd(unit: Pick<HumasUnit, 'quiet_hours'>, nowMs: number, timeZone: string): number {
  const q = unit.quiet_hours;
  if (q === null) return nowMs;
  const w = wallTime(nowMs, timeZone);
  const end = minutesOf(q.end);
  for (let dayOffset = 0; dayOffset <= 2; dayOffset++) {
    const at = instantOf(w.year, w.month, w.day + dayOffset, end, timeZone);
    if (at > nowMs) return at;
  }
  return nowMs + DAY_MINUTES * MINUTE_MS; // not reached: an end time comes round within a day
}

/**
 * True when a case's engagement has grown by `factor` (the unit's escalate_when_reach_grows) since the last
 * alert. An alert sent at zero engagement counts as one, so a first interaction is not an escalation.
 */
export function shouldEscalate(lastAlertedEngagement: number, currentEngagement: number, factor: number): boolean {
  if (!Number.isFinite(lastAlertedEngagement) || !Number.isFinite(currentEngagement) || !Number.isFinite(factor) || factor <= 1) return false;
  return currentEngagement >= Math.max(lastAlertedEngagement, 1) * factor;
}
