/** Index names, derived in one place. Posts go to one index per month (UTC) of their creation time. */
export function postsIndexFor(prefix: string, createdAt: string): string {
  const d = new Date(createdAt);
  return `${prefix}-posts-${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The alias every monthly posts index joins (see the template): what searches and dashboards read. */
export const postsAlias = (prefix: string) => `${prefix}-posts`;
export const alertsIndex = (prefix: string) => `${prefix}-alerts`;
