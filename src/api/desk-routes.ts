/**
 * The desk's HTTP side, for humas units (answers in Bahasa Indonesia where people read them):
 *
 *   GET  /api/cases              ?unit=&status=&page=&size=   cases, newest first, with time to acknowledge /
 *                                counter and, once countered, the spread per hour before and after the counter
 *   GET  /api/cases/<id>         one case: its cluster (examples, counter posts, clarification, reach per hour),
 *                                audit trail and delivery log
 *   POST /api/cases/<id>/<acknowledge|counter|close>   JSON {counter_url?, note?}; `Authorization: Bearer
 *                                <PANTAU_DESK_API_KEY>` (the write API is off while that is not set)
 *   POST /api/clarifications     JSON knowledge-base entry (kb/entry.ts); same key: units add their clarifications
 *   GET  /kasus?t=<token>        the page an alert link opens: the case and a button for the link's action
 *   POST /kasus                  form (t, counter_url, note): does it. GET never changes anything (mail
 *                                scanners open links), and the token names one case and one action
 *
 * The analyst workspace's access control (issue 12) has not landed: until it does, the API key and the signed
 * links are the only ways to change a case.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { deskEvents, deskTimeToAcknowledge, deskTimeToCounter } from '../core/metrics.ts';
import { formatIssues } from '../core/post.ts';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import { applyAction, CASE_ACTIONS, TransitionError, verifyLinkToken, type CaseAction } from '../desk/lifecycle.ts';
import { spreadAroundCounter, clusterReach, type SpreadAroundCounter } from '../desk/reach.ts';
import { CASE_STATUSES, type CaseStatus } from '../desk/types.ts';
import { clarificationInputSchema, mergeDuplicates } from '../kb/entry.ts';
import { storeClarifications } from '../kb/store.ts';
import { readBody } from '../sources/http-push/read-body.ts';
import { deliveriesOfCase, getCases, getClusters, putCase, searchCases, type CaseDoc } from '../store/desk-store.ts';
import { clarificationsIndex } from '../store/index-names.ts';

export interface DeskApiOptions {
  es: Client;
  prefix: string;
  units: HumasUnitsConfig;
  /** Verifies alert links; undefined: /kasus answers that links are not configured. */
  linkSecret: string | undefined;
  /** Bearer key of the write API; undefined: the write API answers 403. */
  apiKey: string | undefined;
  clock: Clock;
  logger: Logger;
}

const MAX_BODY = 64 * 1024;
const CASE_ID_RE = /^[A-Za-z0-9._:~-]{1,300}$/;

/** A page of the desk: no script, no style sheet, forms only to this server. */
export const DESK_PAGE_CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export class HttpProblem extends PantauError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message, { stage: 'serving', code: `http_${status}`, retriable: false });
    this.status = status;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function sendPage(res: ServerResponse, status: number, title: string, body: string): void {
  const html = `<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · pantau</title></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': DESK_PAGE_CSP,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-length': String(Buffer.byteLength(html)),
  });
  res.end(html);
}

const STATUS_ID: Record<CaseStatus, string> = { new: 'baru', acknowledged: 'diterima', countered: 'sudah dikontra', closed: 'ditutup' };
const ACTION_ID: Record<CaseAction | 'view', string> = { acknowledge: 'Tandai diterima', counter: 'Laporkan kontra-narasi', close: 'Tutup kasus', view: 'Lihat kasus' };

function sameSecret(given: string, expected: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and the length must not leak either.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new HttpProblem(415, 'send the body as application/json');
  const body = await readBody(req, MAX_BODY);
  if (!body.ok) throw new HttpProblem(body.reason === 'too_large' ? 413 : 400, body.reason === 'too_large' ? `the body may be at most ${MAX_BODY} bytes` : 'the request body was cut off');
  if (body.body.length === 0) return {};
  try {
    return JSON.parse(body.body.toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'the body is not valid JSON');
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) throw new HttpProblem(415, 'kirim formulir sebagai application/x-www-form-urlencoded');
  const body = await readBody(req, MAX_BODY);
  if (!body.ok) throw new HttpProblem(body.reason === 'too_large' ? 413 : 400, 'isi formulir terlalu besar atau terputus');
  return new URLSearchParams(body.body.toString('utf8'));
}

export function createDeskRoutes(options: DeskApiOptions) {
  const { es, prefix, clock } = options;
  const unitIds = new Set(options.units.units.map((u) => u.id));
  const unitName = (id: string) => options.units.units.find((u) => u.id === id)?.name ?? id;

  const requireKey = (req: IncomingMessage) => {
    if (options.apiKey === undefined) throw new HttpProblem(403, 'the desk write API is off: set PANTAU_DESK_API_KEY to enable it (alert links work without it)');
    const header = String(req.headers.authorization ?? '');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m === null || !sameSecret(m[1]!, options.apiKey)) throw new HttpProblem(401, 'missing or wrong API key: send Authorization: Bearer <PANTAU_DESK_API_KEY>');
  };

  async function spreadOf(doc: CaseDoc, narratives: readonly string[]): Promise<SpreadAroundCounter | null> {
    if (doc.countered_at === null || narratives.length === 0) return null;
    return spreadAroundCounter(es, prefix, narratives, Date.parse(doc.countered_at), clock());
  }

  async function caseView(doc: CaseDoc) {
    const cluster = (await getClusters(es, prefix, [doc.cluster_id])).get(doc.cluster_id)?.doc;
    const narratives = cluster?.narratives ?? [];
    return {
      ...doc,
      unit_name: unitName(doc.unit_id),
      clarification: cluster?.clarification ?? null,
      counter_posts: cluster?.counter_post_ids.length ?? 0,
      spread_around_counter: await spreadOf(doc, narratives),
    };
  }

  /** Moves a case; the answer says what happened. Metrics observe the durations once, on the move. */
  async function move(caseId: string, action: CaseAction, via: 'link' | 'api', input: { counterUrl?: string; note?: string }): Promise<{ changed: boolean; doc: CaseDoc }> {
    const version = (await getCases(es, prefix, [caseId])).get(caseId);
    if (version === undefined) throw new HttpProblem(404, `kasus ${caseId} tidak ditemukan`);
    const next = applyAction(version.doc, action, { at: isoNow(clock), via, ...(input.counterUrl !== undefined ? { counterUrl: input.counterUrl } : {}), ...(input.note !== undefined ? { note: input.note } : {}) });
    if (next === null) return { changed: false, doc: version.doc };
    await putCase(es, prefix, next, version);
    deskEvents.inc({ event: next.status });
    if (version.doc.seconds_to_acknowledge === null && next.seconds_to_acknowledge !== null) deskTimeToAcknowledge.observe({ unit: next.unit_id }, next.seconds_to_acknowledge);
    if (version.doc.seconds_to_counter === null && next.seconds_to_counter !== null) deskTimeToCounter.observe({ unit: next.unit_id }, next.seconds_to_counter);
    options.logger.info('case moved', { case: caseId, status: next.status, via });
    return { changed: true, doc: next };
  }

  function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
    const raw = params.get(name);
    if (raw === null) return fallback;
    if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new HttpProblem(400, `parameter "${name}" must be a whole number from 1 to ${max}, got "${raw.slice(0, 40)}"`);
    return Number(raw);
  }

  async function casePage(res: ServerResponse, token: string, notice?: string): Promise<void> {
    const secret = options.linkSecret;
    if (secret === undefined) return sendPage(res, 503, 'Tautan belum aktif', '<p>Server ini tidak punya kunci tautan (PANTAU_DESK_LINK_SECRET).</p>');
    const check = verifyLinkToken(token, secret, clock());
    if (!check.ok) {
      const why = check.reason === 'expired' ? 'Tautan ini sudah kedaluwarsa. Minta tautan baru dari peringatan terbaru atau ringkasan harian.' : 'Tautan ini tidak sah atau terpotong. Salin seluruh tautan dari peringatan.';
      return sendPage(res, check.reason === 'expired' ? 410 : 400, 'Tautan tidak berlaku', `<p>${esc(why)}</p>`);
    }
    const version = (await getCases(es, prefix, [check.caseId])).get(check.caseId);
    if (version === undefined) return sendPage(res, 404, 'Kasus tidak ditemukan', `<p>Kasus ${esc(check.caseId)} tidak ada (lagi).</p>`);
    const doc = version.doc;
    const cluster = (await getClusters(es, prefix, [doc.cluster_id])).get(doc.cluster_id)?.doc;
    const reach = cluster ? await clusterReach(es, prefix, cluster.narratives) : null;
    const rows: string[] = [
      `<p><strong>Narasi:</strong> ${esc(doc.summary)}</p>`,
      `<p><strong>Unit:</strong> ${esc(unitName(doc.unit_id))} · <strong>Status:</strong> ${esc(STATUS_ID[doc.status])} · <strong>Dibuka:</strong> ${esc(doc.opened_at)}</p>`,
    ];
    if (reach) rows.push(`<p><strong>Jangkauan:</strong> ${reach.posts} unggahan, ${Math.round(reach.engagement)} interaksi (tren ${esc(reach.trend)})</p>`);
    if (cluster?.clarification) {
      const c = cluster.clarification;
      const link = c.url && /^https?:\/\//i.test(c.url) ? ` — <a href="${esc(c.url)}" rel="noopener noreferrer">${esc(c.url)}</a>` : '';
      rows.push(`<p><strong>Klarifikasi (${esc(c.verdict)}):</strong> ${esc(c.claim)}${link}</p>`);
    } else rows.push('<p><strong>Belum ada klarifikasi.</strong></p>');
    if (doc.counter_url) rows.push(`<p><strong>Kontra-narasi:</strong> ${esc(doc.counter_url)}</p>`);
    if (notice) rows.unshift(`<p role="status"><strong>${esc(notice)}</strong></p>`);
    if (check.action !== 'view' && doc.status !== 'closed') {
      const extra =
        check.action === 'counter'
          ? '<p><label>Tautan kontra-narasi yang sudah terbit (wajib): <input name="counter_url" type="url" required maxlength="2000"></label></p>'
          : '';
      rows.push(
        `<form method="post" action="/kasus"><input type="hidden" name="t" value="${esc(token)}">${extra}<p><label>Catatan (opsional): <input name="note" maxlength="500"></label></p><p><button type="submit">${esc(ACTION_ID[check.action])}</button></p></form>`,
      );
    }
    sendPage(res, 200, ACTION_ID[check.action], rows.join(''));
  }

  /** Handles the desk's paths; false when the path is not the desk's. */
  return async function handle(req: IncomingMessage, res: ServerResponse, pathname: string, params: URLSearchParams): Promise<boolean> {
    const method = req.method ?? 'GET';
    try {
      if (pathname === '/kasus') {
        if (method === 'GET' || method === 'HEAD') await casePage(res, params.get('t') ?? '');
        else if (method === 'POST') {
          const form = await readForm(req);
          const token = form.get('t') ?? '';
          const check = options.linkSecret === undefined ? null : verifyLinkToken(token, options.linkSecret, clock());
          if (check === null || !check.ok || check.action === 'view') {
            await casePage(res, token);
            return true;
          }
          try {
            const counterUrl = form.get('counter_url') ?? undefined;
            const note = form.get('note') ?? undefined;
            const r = await move(check.caseId, check.action, 'link', { ...(counterUrl !== undefined ? { counterUrl } : {}), ...(note ? { note } : {}) });
            await casePage(res, token, r.changed ? `Tercatat: ${STATUS_ID[r.doc.status]}. Terima kasih.` : `Kasus ini sudah berstatus ${STATUS_ID[r.doc.status]}; tidak ada yang diubah.`);
          } catch (error) {
            if (error instanceof TransitionError) await casePage(res, token, `Tidak bisa: ${error.message}`);
            else throw error;
          }
        } else throw new HttpProblem(405, `${method} is not allowed here`);
        return true;
      }
      if (pathname === '/api/clarifications') {
        if (method !== 'POST') throw new HttpProblem(405, 'POST a knowledge-base entry here');
        requireKey(req);
        const parsed = clarificationInputSchema.safeParse(await readJson(req));
        if (!parsed.success) throw new HttpProblem(400, `not a knowledge-base entry: ${formatIssues(parsed.error)}`);
        const { docs } = mergeDuplicates([{ entry: parsed.data, origin: 'api' }], isoNow(clock));
        const stored = await storeClarifications(es, clarificationsIndex(prefix), docs);
        sendJson(res, stored.created > 0 ? 201 : 200, { claim_key: docs[0]!.claim_key, created: stored.created > 0 });
        return true;
      }
      if (pathname === '/api/cases') {
        if (method !== 'GET' && method !== 'HEAD') throw new HttpProblem(405, `${method} is not allowed here`);
        const unit = params.get('unit') ?? undefined;
        if (unit !== undefined && !unitIds.has(unit)) throw new HttpProblem(400, `unknown unit "${unit.slice(0, 60)}"; known: ${[...unitIds].join(', ')}`);
        const status = params.get('status') ?? undefined;
        if (status !== undefined && !(CASE_STATUSES as readonly string[]).includes(status)) throw new HttpProblem(400, `parameter "status" must be one of ${CASE_STATUSES.join(', ')}`);
        const page = intParam(params, 'page', 1, 500);
        const size = intParam(params, 'size', 20, 100);
        const found = await searchCases(es, prefix, { ...(unit ? { unit } : {}), ...(status ? { status: status as CaseStatus } : {}), page, size });
        sendJson(res, 200, { total: found.total, page, size, cases: await Promise.all(found.cases.map((c) => caseView(c.doc))) });
        return true;
      }
      const m = /^\/api\/cases\/([^/]+)(?:\/([a-z]+))?$/.exec(pathname);
      if (m === null) return false;
      const caseId = m[1]!;
      if (!CASE_ID_RE.test(caseId)) throw new HttpProblem(400, 'not a case id');
      if (m[2] === undefined) {
        if (method !== 'GET' && method !== 'HEAD') throw new HttpProblem(405, `${method} is not allowed here`);
        const version = (await getCases(es, prefix, [caseId])).get(caseId);
        if (version === undefined) throw new HttpProblem(404, `no case ${caseId}`);
        const cluster = (await getClusters(es, prefix, [version.doc.cluster_id])).get(version.doc.cluster_id)?.doc ?? null;
        const reach = cluster ? await clusterReach(es, prefix, cluster.narratives) : null;
        sendJson(res, 200, { case: await caseView(version.doc), cluster, reach, deliveries: await deliveriesOfCase(es, prefix, caseId) });
        return true;
      }
      const action = m[2] as CaseAction;
      if (!CASE_ACTIONS.includes(action)) throw new HttpProblem(404, `no action "${m[2]}"; one of ${CASE_ACTIONS.join(', ')}`);
      if (method !== 'POST') throw new HttpProblem(405, `POST to ${action} a case`);
      requireKey(req);
      const body = (await readJson(req)) as { counter_url?: unknown; note?: unknown } | null;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpProblem(400, 'the body must be a JSON object');
      if (body.counter_url !== undefined && typeof body.counter_url !== 'string') throw new HttpProblem(400, '"counter_url" must be a string');
      if (body.note !== undefined && typeof body.note !== 'string') throw new HttpProblem(400, '"note" must be a string');
      try {
        const r = await move(caseId, action, 'api', { ...(body.counter_url !== undefined ? { counterUrl: body.counter_url as string } : {}), ...(body.note !== undefined ? { note: body.note as string } : {}) });
        sendJson(res, 200, { changed: r.changed, case: await caseView(r.doc) });
      } catch (error) {
        if (error instanceof TransitionError) throw new HttpProblem(409, error.message);
        throw error;
      }
      return true;
    } catch (error) {
      if (error instanceof HttpProblem) {
        if (pathname === '/kasus') sendPage(res, error.status, 'Permintaan tidak bisa diproses', `<p>${esc(error.message)}</p>`);
        else sendJson(res, error.status, { error: error.message });
        return true;
      }
      throw error;
    }
  };
}
