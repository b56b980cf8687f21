/**
 * Keeps narrative reach current without slowing the indexer: the index stage reports which narratives its
 * acknowledged bulks touched, and every `intervalMs` their reach is recomputed from the posts index (the
 * source of truth, so replays cannot double-count). Reach lags the index by at most one interval plus a
 * refresh. Ids whose refresh failed are kept for the next round.
 */
import type { Client } from '@elastic/elasticsearch';
import { describeError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { refreshNarrativeReach } from '../store/narrative-documents.ts';
import { postsAlias } from '../store/index-names.ts';

export interface ReachRefresher {
  touched(ids: Iterable<string | null>): void;
  /** Refreshes what is pending now (also called by the timer). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function startReachRefresher(client: Client, prefix: string, intervalMs: number, logger: Logger): ReachRefresher {
  let pending = new Set<string>();
  let running: Promise<void> = Promise.resolve();

  const flush = () => {
    running = running.then(async () => {
      if (pending.size === 0) return;
      const ids = pending;
      pending = new Set();
      try {
        // The newest posts must be searchable for the aggregation to count them.
        await client.indices.refresh({ index: postsAlias(prefix), ignore_unavailable: true, allow_no_indices: true });
        const { updated, single } = await refreshNarrativeReach(client, prefix, ids);
        logger.debug('narrative reach refreshed', { updated, single });
      } catch (error) {
        for (const id of ids) pending.add(id);
        logger.warn('narrative reach refresh failed; will retry', { narratives: ids.size, error: describeError(error) });
      }
    });
    return running;
  };

  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    touched: (ids) => {
      for (const id of ids) if (id) pending.add(id);
    },
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
