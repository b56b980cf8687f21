/**
 * The desk's HTTP side, for humas units (answers in Bahasa Indonesia where people read them):
 *
 *   GET  /api/cases              ?unit=&status=&page=&size=   cases, newest first, with time to acknowledge /
 *                                counter and, once countered, the spread per hour before and after the counter
 *   GET  /api/cases/<id>         one case: its cluster (examples, counter posts, clarification, reach per hour),
 *                                audit trail and delivery log
 *   POST /api/cases/<id>/<acknowledge|counter|close>   JSON {counter_url?, note?}
 *   POST /api/clarifications     JSON knowledge-base entry (kb/entry.ts): units add their clarifications
 *   GET  /kasus?t=<token>        the page an alert link opens: the case and a button for the link's action
 *   POST /kasus                  form (t, counter_url, note): does it. GET never changes anything (mail
 *                                scanners open links), and the token names one case and one action
 *
 * Who may: humas principals see and move the cases of their own unit only (another unit's case is 404 to
 * them); analysts read every case; admins do everything; leadership sees none (aggregates only). The alert
 * links are public: the signed token is the capability, for one case and one action.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { deskEvents, deskTimeToAcknowledge, deskTimeToCounter } from '../core/metrics.ts';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import { applyAction, CASE_ACTIONS, TransitionError, verifyLinkToken, type CaseAction } from '../desk/lifecycle.ts';
import { spreadAroundCounter, clusterReach, type SpreadAroundCounter } from '../desk/reach.ts';
import { CASE_STATUSES, type CaseStatus } from '../desk/types.ts';
import { clarificationInputSchema, mergeDuplicates } from '../kb/entry.ts';
import { storeClarifications } from '../kb/store.ts';
import { HttpError, route, unitScope, type Principal, type Reply, type RouteSpec } from './route.ts';
import { deliveriesOfCase, getCases, getClusters, putCase, searchCases, type CaseDoc } from '../store/desk-store.ts';
import { clarificationsIndex } from '../store/index-names.ts';

export interface DeskApiOptions {
  es: Client;
  prefix: string;
  units: HumasUnitsConfig;
  /** Verifies alert links; undefined: /kasus answers that links are not configured. */
  linkSecret: string | undefined;
  clock: Clock;
  logger: Logger;
}

const CASE_ID = z.string().regex(/^[A-Za-z0-9._:~-]{1,300}$/, 'not a case id');

/** A page of the desk: no script, no style sheet, forms only to this server. */
export const DESK_PAGE_CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(status: number, title: string, body: string): Reply {
  const html = `<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · pantau</title></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
  return { status, html, headers: { 'content-security-policy': DESK_PAGE_CSP } };
}

function errorPage(res: ServerResponse, error: HttpError): void {
  const reply = page(error.status, 'Permintaan tidak bisa diproses', `<p>${esc(error.message)}</p>`) as { status: number; html: string; headers: Record<string, string> };
  res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', ...reply.headers, ...error.headers });
  res.end(reply.html);
}

const STATUS_ID: Record<CaseStatus, string> = { new: 'baru', acknowledged: 'diterima', countered: 'sudah dikontra', closed: 'ditutup' };
const ACTION_ID: Record<CaseAction | 'view', string> = { acknowledge: 'Tandai diterima', counter: 'Laporkan kontra-narasi', close: 'Tutup kasus', view: 'Lihat kasus' };

const pageNumber = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `from 1 to ${max}`)
    .optional()
    .transform((n) => n ?? fallback);

const MAX_BODY = 64 * 1024;

export function createDeskRoutes(options: DeskApiOptions): RouteSpec<any, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { es, prefix, clock } = options;
  const unitIds = new Set(options.units.units.map((u) => u.id));
  const unitName = (id: string) => options.units.units.find((u) => u.id === id)?.name ?? id;


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
  async function move(caseId: string, action: CaseAction, via: 'link' | 'api', input: { counterUrl?: string; note?: string; by?: string }): Promise<{ changed: boolean; doc: CaseDoc }> {
    const version = (await getCases(es, prefix, [caseId])).get(caseId);
    if (version === undefined) throw new HttpError(404, `kasus ${caseId} tidak ditemukan`);
    const next = applyAction(version.doc, action, { at: isoNow(clock), via, ...(input.by ? { by: input.by } : {}), ...(input.counterUrl !== undefined ? { counterUrl: input.counterUrl } : {}), ...(input.note !== undefined ? { note: input.note } : {}) });
    if (next === null) return { changed: false, doc: version.doc };
    await putCase(es, prefix, next, version);
    deskEvents.inc({ event: next.status });
    if (version.doc.seconds_to_acknowledge === null && next.seconds_to_acknowledge !== null) deskTimeToAcknowledge.observe({ unit: next.unit_id }, next.seconds_to_acknowledge);
    if (version.doc.seconds_to_counter === null && next.seconds_to_counter !== null) deskTimeToCounter.observe({ unit: next.unit_id }, next.seconds_to_counter);
    options.logger.info('case moved', { case: caseId, status: next.status, via });
    return { changed: true, doc: next };
  }

  async function casePage(token: string, notice?: string): Promise<Reply> {
    const secret = options.linkSecret;
    if (secret === undefined) return page(503, 'Tautan belum aktif', '<p>Server ini tidak punya kunci tautan (PANTAU_DESK_LINK_SECRET).</p>');
    const check = verifyLinkToken(token, secret, clock());
    if (!check.ok) {
      const why = check.reason === 'expired' ? 'Tautan ini sudah kedaluwarsa. Minta tautan baru dari peringatan terbaru atau ringkasan harian.' : 'Tautan ini tidak sah atau terpotong. Salin seluruh tautan dari peringatan.';
      return page(check.reason === 'expired' ? 410 : 400, 'Tautan tidak berlaku', `<p>${esc(why)}</p>`);
    }
    const version = (await getCases(es, prefix, [check.caseId])).get(check.caseId);
    if (version === undefined) return page(404, 'Kasus tidak ditemukan', `<p>Kasus ${esc(check.caseId)} tidak ada (lagi).</p>`);
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
    return page(200, ACTION_ID[check.action], rows.join(''));
  }

  /** A humas principal may touch only its own unit's cases: another unit's case does not exist for it. */
  async function caseFor(principal: Principal | null, caseId: string): Promise<CaseDoc> {
    const version = (await getCases(es, prefix, [caseId])).get(caseId);
    const scope = unitScope(principal);
    if (version === undefined || (scope !== null && version.doc.unit_id !== scope)) throw new HttpError(404, `kasus ${caseId} tidak ditemukan`);
    return version.doc;
  }

  const listQuery = z
    .object({
      unit: z.string().max(100).optional(),
      status: z.enum(CASE_STATUSES).optional(),
      page: pageNumber(500, 1),
      size: pageNumber(100, 20),
    })
    .strict();
  const actionBody = z.object({ counter_url: z.string().max(2000).optional(), note: z.string().max(2000).optional() }).strict();
  const formBody = z.object({ t: z.string().max(2000).default(''), counter_url: z.string().max(2000).optional(), note: z.string().max(500).optional() }).strict();

  return [
    route({
      method: 'GET',
      path: '/api/cases',
      access: ['humas', 'analyst', 'admin'],
      summary: "Counter-narrative cases, newest first (a humas user sees its own unit's)",
      query: listQuery,
      handler: async ({ query, principal }) => {
        const scope = unitScope(principal);
        if (query.unit !== undefined && !unitIds.has(query.unit)) throw new HttpError(400, `unknown unit "${query.unit.slice(0, 60)}"; known: ${[...unitIds].join(', ')}`);
        if (scope !== null && query.unit !== undefined && query.unit !== scope) throw new HttpError(403, 'Anda hanya dapat melihat kasus unit Anda sendiri.');
        const unit = scope ?? query.unit;
        const found = await searchCases(es, prefix, { ...(unit ? { unit } : {}), ...(query.status ? { status: query.status } : {}), page: query.page, size: query.size });
        return { status: 200, json: { total: found.total, page: query.page, size: query.size, cases: await Promise.all(found.cases.map((c) => caseView(c.doc))) } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/cases/:id',
      access: ['humas', 'analyst', 'admin'],
      summary: 'One case: its cluster, reach per hour and delivery log',
      params: { id: CASE_ID },
      handler: async ({ params, principal }) => {
        const doc = await caseFor(principal, params.id!);
        const cluster = (await getClusters(es, prefix, [doc.cluster_id])).get(doc.cluster_id)?.doc ?? null;
        const reach = cluster ? await clusterReach(es, prefix, cluster.narratives) : null;
        return { status: 200, json: { case: await caseView(doc), cluster, reach, deliveries: await deliveriesOfCase(es, prefix, doc.case_id) } };
      },
    }),
    route({
      method: 'POST',
      path: '/api/cases/:id/:action',
      access: ['humas', 'admin'],
      summary: 'Acknowledge, counter (with the published link) or close a case',
      params: { id: CASE_ID, action: z.enum(CASE_ACTIONS) },
      body: actionBody,
      rateLimit: 'write',
      handler: async ({ params, body, principal }) => {
        await caseFor(principal, params.id!);
        try {
          const r = await move(params.id!, params.action as CaseAction, 'api', { ...(body.counter_url !== undefined ? { counterUrl: body.counter_url } : {}), ...(body.note !== undefined ? { note: body.note } : {}), by: principal!.username });
          return { status: 200, json: { changed: r.changed, case: await caseView(r.doc) } };
        } catch (error) {
          if (error instanceof TransitionError) throw new HttpError(409, error.message);
          throw error;
        }
      },
    }),
    route({
      method: 'POST',
      path: '/api/clarifications',
      access: ['humas', 'analyst', 'admin'],
      summary: "Add a clarification to the knowledge base (a unit's own)",
      body: clarificationInputSchema,
      rateLimit: 'write',
      handler: async ({ body }) => {
        const { docs } = mergeDuplicates([{ entry: body, origin: 'api' }], isoNow(clock));
        const stored = await storeClarifications(es, clarificationsIndex(prefix), docs);
        return { status: stored.created > 0 ? 201 : 200, json: { claim_key: docs[0]!.claim_key, created: stored.created > 0 } };
      },
    }),
    route({
      method: 'GET',
      path: '/kasus',
      access: 'public',
      summary: 'The page an alert link opens (the signed token names one case and one action)',
      query: z.object({ t: z.string().max(2000).default('') }).strict(),
      errorPage,
      handler: async ({ query }) => casePage(query.t),
    }),
    route({
      method: 'POST',
      path: '/kasus',
      access: 'public',
      summary: "Does the alert link's action (form: t, counter_url, note)",
      body: formBody,
      bodyType: 'form',
      maxBodyBytes: MAX_BODY,
      errorPage,
      handler: async ({ body }) => {
        const token = body.t;
        const check = options.linkSecret === undefined ? null : verifyLinkToken(token, options.linkSecret, clock());
        if (check === null || !check.ok || check.action === 'view') return casePage(token);
        try {
          const r = await move(check.caseId, check.action, 'link', { ...(body.counter_url !== undefined ? { counterUrl: body.counter_url } : {}), ...(body.note ? { note: body.note } : {}) });
          return casePage(token, r.changed ? `Tercatat: ${STATUS_ID[r.doc.status]}. Terima kasih.` : `Kasus ini sudah berstatus ${STATUS_ID[r.doc.status]}; tidak ada yang diubah.`);
        } catch (error) {
          if (error instanceof TransitionError) return casePage(token, `Tidak bisa: ${error.message}`);
          throw error;
        }
      },
    }),
  ];
}
