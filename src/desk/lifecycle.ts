/**
 * A case's lifecycle: new → acknowledged → countered (with the link to the published counter content) →
 * closed. Moves only forward; repeating a move already made changes nothing (a unit member clicking the
 * e-mail link twice, or two members of one unit). Closing is allowed from any open state.
 *
 * Alert links move a case without a login: each carries a token `<payload>.<HMAC-SHA256>` naming the case, the
 * action and an expiry, signed with PANTAU_DESK_LINK_SECRET. The link opens a confirmation page and the move
 * happens on its POST, so mail scanners that fetch every link cannot acknowledge a case.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PantauError } from '../core/errors.ts';
import type { CaseDoc, CaseEvent } from '../store/desk-store.ts';
import type { CaseLinks, CaseStatus } from './types.ts';

export const CASE_ACTIONS = ['acknowledge', 'counter', 'close'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

const TARGET: Record<CaseAction, CaseStatus> = { acknowledge: 'acknowledged', counter: 'countered', close: 'closed' };
const ORDER: Record<CaseStatus, number> = { new: 0, acknowledged: 1, countered: 2, closed: 3 };

export class TransitionError extends PantauError {
  constructor(message: string) {
    super(message, { stage: 'serving', code: 'case_transition', retriable: false });
  }
}

/**
 * The case after `action`, or `null` when the case is already there (nothing to write). Throws
 * TransitionError for a move backwards or a counter without an http(s) link.
 */
export function applyAction(doc: CaseDoc, action: CaseAction, options: { at: string; via: CaseEvent['via']; by?: string; counterUrl?: string; note?: string }): CaseDoc | null {
  const target = TARGET[action];
  if (doc.status === target) return null;
  if (ORDER[target] < ORDER[doc.status]) {
    throw new TransitionError(`kasus ini sudah berstatus "${doc.status}"; tidak bisa kembali ke "${target}"`);
  }
  const next: CaseDoc = { ...doc, status: target, history: [...doc.history, { at: options.at, event: target, via: options.via, ...(options.by ? { by: options.by } : {}), ...(options.note ? { note: Array.from(options.note).slice(0, 500).join('') } : {}) }] };
  const seconds = (Date.parse(options.at) - Date.parse(doc.opened_at)) / 1000;
  if (target === 'acknowledged' || (target === 'countered' && doc.acknowledged_at === null)) {
    next.acknowledged_at = options.at;
    next.seconds_to_acknowledge = Math.max(0, Math.round(seconds));
  }
  if (target === 'countered') {
    const url = options.counterUrl?.trim() ?? '';
    if (!isHttpUrl(url)) throw new TransitionError('tautan kontra-narasi wajib diisi: alamat http(s) dari klarifikasi atau unggahan yang sudah terbit');
    next.counter_url = url;
    next.countered_at = options.at;
    next.seconds_to_counter = Math.max(0, Math.round(seconds));
  }
  if (target === 'closed') next.closed_at = options.at;
  // A case that is answered or closed has nothing left waiting for quiet hours to end.
  if (target !== 'acknowledged') {
    next.held_until = null;
    next.held_kind = null;
  }
  return next;
}

export function isHttpUrl(value: string): boolean {
  if (value.length > 2000) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Link tokens: a payload of `case_id`, action and expiry (unix seconds), then its HMAC. */
export function signLinkToken(caseId: string, action: CaseAction | 'view', expiresAtMs: number, secret: string): string {
  const payload = Buffer.from(JSON.stringify([caseId, action, Math.floor(expiresAtMs / 1000)])).toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

export type LinkCheck = { ok: true; caseId: string; action: CaseAction | 'view'; expiresAtMs: number } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export function verifyLinkToken(token: string, secret: string, nowMs: number): LinkCheck {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 1000) return { ok: false, reason: 'malformed' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', secret).update(payload).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return { ok: false, reason: 'malformed' };
  const [caseId, action, exp] = parsed as [unknown, unknown, unknown];
  if (typeof caseId !== 'string' || typeof exp !== 'number' || !(action === 'view' || CASE_ACTIONS.includes(action as CaseAction))) return { ok: false, reason: 'malformed' };
  if (exp * 1000 < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, caseId, action: action as CaseAction | 'view', expiresAtMs: exp * 1000 };
}

/** The links of a case for its alert: `<base>/kasus?t=<token>` for each action. */
export function caseLinks(caseId: string, options: { baseUrl: string; secret: string; nowMs: number; ttlHours: number }): CaseLinks {
  const exp = options.nowMs + options.ttlHours * 3_600_000;
  const base = options.baseUrl.replace(/\/+$/, '');
  const link = (action: CaseAction | 'view') => `${base}/kasus?t=${signLinkToken(caseId, action, exp, options.secret)}`;
  return { view: link('view'), acknowledge: link('acknowledge'), counter: link('counter'), close: link('close') };
}

/** A case as it is opened: status new, nothing acknowledged, countered or sent yet. */
export function newCase(fields: {
  caseId: string;
  clusterId: string;
  unitId: string;
  labels: string[];
  summary: string;
  at: string;
  engagement: number;
  via: CaseEvent['via'];
  note?: string;
  /** Set to send the first alert at the desk's next release (an analyst's escalation); null: the desk alerts now. */
  heldUntil?: string | null;
  /** BPS province codes where the narrative was seen (for the dashboard's region filter). */
  provinces?: string[];
}): CaseDoc {
  return {
    case_id: fields.caseId,
    cluster_id: fields.clusterId,
    unit_id: fields.unitId,
    status: 'new',
    labels: fields.labels,
    summary: fields.summary,
    provinces: fields.provinces ?? [],
    opened_at: fields.at,
    acknowledged_at: null,
    countered_at: null,
    closed_at: null,
    counter_url: null,
    seconds_to_acknowledge: null,
    seconds_to_counter: null,
    escalations: 0,
    alerted_engagement: fields.engagement,
    last_alerted_at: null,
    alerts_sent: 0,
    held_until: fields.heldUntil ?? null,
    held_kind: fields.heldUntil ? 'new' : null,
    history: [{ at: fields.at, event: 'opened', via: fields.via, ...(fields.note ? { note: fields.note } : {}) }],
  };
}

