/**
 * The knowledge base of clarifications as a classify worker holds it: every entry in memory, for the claim
 * matcher. Re-read when it changed (an import, a unit's new clarification through the API), checked at most
 * every `refreshMs`: a count and the newest `imported_at` are one cheap request, a full read of 8,000 entries
 * about a second.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../core/clock.ts';
import type { ClarificationDoc } from '../kb/entry.ts';
import { allClarifications } from '../kb/store.ts';
import { totalHits } from './queries.ts';
import { elasticsearchError } from './elasticsearch-errors.ts';
import { clarificationsIndex } from './index-names.ts';

export class KnowledgeBaseView {
  private readonly es: Client;
  private readonly index: string;
  private readonly refreshMs: number;
  private readonly clock: Clock;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private version = '';
  private docs: ClarificationDoc[] = [];

  constructor(es: Client, prefix: string, options: { refreshMs: number; clock: Clock }) {
    this.es = es;
    this.index = clarificationsIndex(prefix);
    this.refreshMs = options.refreshMs;
    this.clock = options.clock;
  }

  get entries(): readonly ClarificationDoc[] {
    return this.docs;
  }

  /** True when a check is due (the last one is `refreshMs` old). */
  get due(): boolean {
    return this.clock() - this.checkedAt >= this.refreshMs;
  }

  /** Re-reads the entries when they changed since the last read; returns true when they did. */
  async sync(): Promise<boolean> {
    let version: string;
    try {
      const r = await this.es.search({
        index: this.index,
        size: 0,
        track_total_hits: true,
        ignore_unavailable: true,
        allow_no_indices: true,
        aggs: { newest: { max: { field: 'imported_at' } } },
      });
      const total = totalHits(r);
      const newest = (r.aggregations?.newest as { value?: number | null } | undefined)?.value ?? 0;
      version = `${total}:${newest}`;
    } catch (error) {
      throw elasticsearchError('classifying', 'knowledge base of clarifications', error);
    }
    this.checkedAt = this.clock();
    if (version === this.version) return false;
    const docs: ClarificationDoc[] = [];
    if (!version.startsWith('0:')) for await (const doc of allClarifications(this.es, this.index)) docs.push(doc);
    this.docs = docs;
    this.version = version;
    return true;
  }
}
