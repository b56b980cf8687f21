/** Index names, derived in one place. Posts go to one index per month (UTC) of their creation time. */
export function postsIndexFor(prefix: string, createdAt: string): string {
  return `${prefix}-posts-${monthSuffix(Date.parse(createdAt))}`;
}

/** `YYYY.MM` of the month (UTC) of `ms`: the suffix of the monthly indices. */
export function monthSuffix(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The alias every monthly posts index joins (see the template): what searches and dashboards read. */
export const postsAlias = (prefix: string) => `${prefix}-posts`;
export const alertsIndex = (prefix: string) => `${prefix}-alerts`;
export const clarificationsIndex = (prefix: string) => `${prefix}-clarifications`;
/** The counter-narrative desk: claim clusters, one case per cluster and unit, and every channel delivery. */
export const deskClustersIndex = (prefix: string) => `${prefix}-desk-clusters`;
export const deskCasesIndex = (prefix: string) => `${prefix}-desk-cases`;
export const deskDeliveriesIndex = (prefix: string) => `${prefix}-desk-deliveries`;
/** The analyst workspace: review state per queue item, the append-only audit log of decisions. */
export const reviewsIndex = (prefix: string) => `${prefix}-reviews`;
export const auditIndex = (prefix: string) => `${prefix}-audit`;
/** The model registry: versions trained from feedback, which one is active, promotions and rollbacks. */
export const modelsIndex = (prefix: string) => `${prefix}-models`;
/** Access control: users and API tokens (slow hashes only), sessions (ids stored hashed). */
export const usersIndex = (prefix: string) => `${prefix}-users`;
export const sessionsIndex = (prefix: string) => `${prefix}-sessions`;
