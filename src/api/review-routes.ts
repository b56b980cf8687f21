/**
 * The analyst workspace's queue routes (api-contract.md, "Queue"), the audit log and the humas units for the
 * escalate picker. Declarations only: the router (api/router.ts) authenticates, checks roles and CSRF, and
 * validates params, query and body with the schemas given here.
 */
import { z } from 'zod';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import { searchAudit } from '../review/audit-log.ts';
import { decide } from '../review/decide.ts';
import { decisionInputSchema, QUEUE_REASONS, REVIEW_ACTIONS } from '../review/decision.ts';
import { explainPost, type ModelCatalog } from '../review/explain.ts';
import { getClarifications, getQueueItem, itemPosts, listQueue, type QueueSource } from '../review/queue.ts';
import { CLAIM_MS, claimItem, releaseItem } from '../review/review-store.ts';
import { isCalendarDay } from './dates.ts';
import { HttpError, ROLES, route, type Principal, type RouteSpec } from './route.ts';

export interface ReviewRouteDeps {
  queue: QueueSource;
  catalog: ModelCatalog;
  units: HumasUnitsConfig;
  /** How long opening an item holds it (default CLAIM_MS, 5 minutes). */
  claimMs?: number;
}

const ANALYSTS = ['analyst', 'admin'] as const;

const day = z.string().refine(isCalendarDay, 'a calendar day YYYY-MM-DD');
const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));
const keyword = z.string().trim().min(1).max(200);
const ordered = (q: { from?: string | undefined; to?: string | undefined }) => q.from === undefined || q.to === undefined || q.from <= q.to;

export const queueQuerySchema = z
  .object({
    status: z.enum(['open', 'decided', 'all']).optional(),
    label: z.string().regex(/^[a-z_]{1,40}$/, 'a label such as "hoax"').optional(),
    region: z.string().regex(/^\d{2}(\d{2})?$/, 'a BPS code (2 or 4 digits)').optional(),
    platform: keyword.optional(),
    source: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:]{0,99}$/, 'a source: the part of post ids before the first "-"').optional(),
    narrative: keyword.optional(),
    from: day.optional(),
    to: day.optional(),
    model: keyword.optional(),
    q: z.string().trim().min(1).max(500).optional(),
    reason: z.enum(QUEUE_REASONS).optional(),
    page: positiveInt(10_000).optional(),
    size: positiveInt(100).optional(),
  })
  .strict()
  .refine(ordered, { path: ['from'], message: '"from" must not be after "to"' });

export const auditQuerySchema = z
  .object({
    item: keyword.optional(),
    actor: keyword.optional(),
    action: z.enum(REVIEW_ACTIONS).optional(),
    from: day.optional(),
    to: day.optional(),
    page: positiveInt(10_000).optional(),
    size: positiveInt(100).optional(),
  })
  .strict()
  .refine(ordered, { path: ['from'], message: '"from" must not be after "to"' });

const emptyQuery = z.object({}).strict();

function who(principal: Principal | null): Principal {
  // The router never calls a non-public handler without one; this guards a miswired route.
  if (principal === null) throw new HttpError(401, 'Silakan masuk terlebih dahulu.');
  return principal;
}

// One list of routes with different query and body types: the router validates each with its own schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reviewRoutes(deps: ReviewRouteDeps): RouteSpec<any, any>[] {
  const { queue, catalog, units } = deps;
  const { es, prefix } = queue;
  const mustExist = async (itemId: string) => {
    const item = await getQueueItem(queue, itemId);
    if (item === null) throw new HttpError(404, 'Item antrean tidak ditemukan.');
    return item;
  };

  return [
    route({
      method: 'GET',
      path: '/api/queue',
      access: ANALYSTS,
      summary: 'Review queue: flagged narratives and a sample of uncertain ones, highest priority first',
      query: queueQuerySchema,
      handler: async ({ query }) => ({ status: 200, json: await listQueue(queue, query) }),
    }),
    route({
      method: 'GET',
      path: '/api/queue/:item',
      access: ANALYSTS,
      summary: "One queue item: its posts with why each was flagged, claim suggestions and the item's audit trail",
      query: emptyQuery,
      handler: async ({ params }) => {
        const item = await mustExist(params.item!);
        const posts = await itemPosts(es, prefix, item.item_id);
        const claims = new Map<string, number>();
        for (const p of posts) if (p.claim) claims.set(p.claim.id, Math.max(p.claim.probability, claims.get(p.claim.id) ?? 0));
        const kb = await getClarifications(es, prefix, [...claims.keys()]);
        const suggestions = [...claims]
          .filter(([id]) => kb.has(id))
          .map(([id, probability]) => ({ clarification_id: id, claim: kb.get(id)!.claim, verdict: kb.get(id)!.verdict, url: kb.get(id)!.url ?? null, probability }))
          .sort((a, b) => b.probability - a.probability);
        const audit = await searchAudit(es, prefix, { item: item.item_id, page: 1, size: 100 });
        return {
          status: 200,
          json: {
            item,
            posts: posts.map((p) => ({
              id: p.id,
              text: p.text,
              author: p.author ?? null,
              platform: p.platform,
              url: p.url ?? null,
              created_at: p.created_at,
              region: p.region ?? null,
              engagement: p.engagement ?? {},
              scores: p.scores,
              flags: p.flags,
              review_flags: p.review_flags ?? [],
              model_version: p.model_version,
              narrative_id: p.narrative_id ?? null,
              explanation: explainPost(p, catalog),
            })),
            suggestions,
            audit: audit.items,
          },
        };
      },
    }),
    route({
      method: 'POST',
      path: '/api/queue/:item/claim',
      access: ANALYSTS,
      summary: 'Claim a queue item for 5 minutes (the same analyst renews); 409 while another analyst holds it',
      rateLimit: 'write',
      handler: async ({ params, principal, clock }) => {
        await mustExist(params.item!);
        return { status: 200, json: await claimItem(es, prefix, params.item!, who(principal).username, clock, deps.claimMs ?? CLAIM_MS) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/queue/:item/release',
      access: ANALYSTS,
      summary: 'Give a claimed queue item back (its holder, or an admin)',
      rateLimit: 'write',
      handler: async ({ params, principal, clock }) => {
        const p = who(principal);
        await releaseItem(es, prefix, params.item!, p.username, clock, p.role === 'admin');
        return { status: 204 };
      },
    }),
    route({
      method: 'POST',
      path: '/api/queue/:item/decision',
      access: ANALYSTS,
      summary: 'Decide a queue item (confirm, dismiss, relabel, escalate to a humas unit, link a clarification); appends to the audit log',
      rateLimit: 'write',
      body: decisionInputSchema,
      handler: async ({ params, principal, body }) => {
        const result = await decide({ queue, catalog, units }, who(principal), params.item!, body);
        return { status: 200, json: { item: result.item, audit: result.audit } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/audit',
      access: ANALYSTS,
      summary: 'The audit log of decisions, newest first (read only: no route edits or deletes it)',
      query: auditQuerySchema,
      handler: async ({ query }) => ({ status: 200, json: await searchAudit(es, prefix, { ...query, page: query.page ?? 1, size: query.size ?? 20 }) }),
    }),
    route({
      method: 'GET',
      path: '/api/units',
      access: ROLES,
      summary: 'The humas units (id, name), for the escalate picker',
      query: emptyQuery,
      handler: async () => ({ status: 200, json: { units: units.units.map((u) => ({ id: u.id, name: u.name })) } }),
    }),
  ];
}
