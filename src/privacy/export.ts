/**
 * Everything pantau holds about one author, for a request from that person (or on their behalf): their
 * posts, found under the handle as written and under its pseudonym with the key in use (posts from before
 * pseudonyms were on carry the handle; later ones the pseudonym), the alert-ledger entries of those posts,
 * and the desk clusters whose stored examples are theirs, with those clusters' cases.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Clock } from '../core/clock.ts';
import { isoNow } from '../core/clock.ts';
import { pseudonymiseAuthor } from '../core/pseudonymise.ts';
import type { ExamplePost } from '../desk/types.ts';
import type { CaseDoc, ClusterDoc } from '../store/desk-store.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { alertsIndex, deskCasesIndex, deskClustersIndex, postsAlias } from '../store/index-names.ts';

export interface AuthorExport {
  generated_at: string;
  /** The handle as asked for, and every form it was looked up under. */
  author: string;
  looked_up: { handles: string[]; pseudonyms: string[]; key: string };
  posts: Array<Record<string, unknown>>;
  alerts: Array<Record<string, unknown>>;
  desk: {
    clusters: Array<Pick<ClusterDoc, 'cluster_id' | 'claim_id' | 'summary' | 'labels'> & { examples: ExamplePost[]; counter_examples: ExamplePost[] }>;
    cases: CaseDoc[];
  };
  counts: { posts_by_handle: number; posts_by_pseudonym: number; alerts: number; desk_clusters: number; desk_examples: number; desk_cases: number };
}

const esError = (what: string, cause: unknown) => elasticsearchError('serving', `author export: ${what} in Elasticsearch`, cause);

/** The forms a handle is stored under: as written, without and with "@" (sources differ). */
export function handleForms(handle: string): string[] {
  const plain = handle.trim().replace(/^@/, '');
  return [...new Set([handle.trim(), plain, `@${plain}`])].filter((h) => h !== '' && h !== '@');
}

async function searchAll<T>(es: Client, index: string, query: estypes.QueryDslQueryContainer, sort: estypes.Sort, source?: string[]): Promise<Array<{ _id: string; _source: T }>> {
  const out: Array<{ _id: string; _source: T }> = [];
  let after: unknown[] | undefined;
  for (;;) {
    let r;
    try {
      r = await es.search<T>({ index, ignore_unavailable: true, allow_no_indices: true, size: 1_000, query, sort, ...(source ? { _source: source } : {}), ...(after ? { search_after: after } : {}) });
    } catch (error) {
      throw esError(index, error);
    }
    const hits = r.hits.hits;
    for (const h of hits) if (h._source !== undefined) out.push({ _id: h._id!, _source: h._source });
    if (hits.length < 1_000) return out;
    after = hits[hits.length - 1]!.sort;
  }
}

/**
 * Collects the author's data. `authorKey` undefined: pseudonyms are off here, and only the handle is looked
 * up (the caller says so). Throws a PantauError (stage `serving`) when Elasticsearch fails.
 */
export async function exportAuthor(options: { es: Client; prefix: string; handle: string; authorKey: string | undefined; keyDescription: string; clock: Clock }): Promise<AuthorExport> {
  const { es, prefix } = options;
  const handles = handleForms(options.handle);
  const pseudonyms = options.authorKey ? [...new Set(handles.map((h) => pseudonymiseAuthor(h, options.authorKey)!))] : [];
  const lowerHandles = new Set(handles.map((h) => h.toLowerCase()));
  const pseudonymSet = new Set(pseudonyms);

  const posts = await searchAll<Record<string, unknown>>(
    es,
    postsAlias(prefix),
    {
      bool: {
        should: [...handles.map((h) => ({ term: { author: { value: h, case_insensitive: true } } })), ...(pseudonyms.length > 0 ? [{ terms: { author: pseudonyms } }] : [])],
        minimum_should_match: 1,
      },
    },
    [{ created_at: 'asc' }, { id: 'asc' }],
  );
  const postIds = new Set(posts.map((p) => String(p._source.id)));
  const byPseudonym = posts.filter((p) => pseudonymSet.has(String(p._source.author))).length;

  const alerts: Array<Record<string, unknown>> = [];
  const ids = [...postIds];
  for (let i = 0; i < ids.length; i += 1_000) {
    const page = await searchAll<Record<string, unknown>>(es, alertsIndex(prefix), { terms: { post_id: ids.slice(i, i + 1_000) } }, [{ post_id: 'asc' }]);
    alerts.push(...page.map((h) => h._source));
  }

  // Examples are stored unindexed, so clusters are read and their examples compared here.
  const isTheirs = (e: ExamplePost) => postIds.has(e.id) || (e.author !== null && (lowerHandles.has(e.author.toLowerCase()) || pseudonymSet.has(e.author)));
  const clusters: AuthorExport['desk']['clusters'] = [];
  for (const { _source: c } of await searchAll<ClusterDoc>(es, deskClustersIndex(prefix), { match_all: {} }, [{ cluster_id: 'asc' }], ['cluster_id', 'claim_id', 'summary', 'labels', 'examples', 'counter_examples'])) {
    const examples = (c.examples ?? []).filter(isTheirs);
    const counter = (c.counter_examples ?? []).filter(isTheirs);
    if (examples.length + counter.length > 0) clusters.push({ cluster_id: c.cluster_id, claim_id: c.claim_id, summary: c.summary, labels: c.labels, examples, counter_examples: counter });
  }
  const cases =
    clusters.length === 0 ? [] : (await searchAll<CaseDoc>(es, deskCasesIndex(prefix), { terms: { cluster_id: clusters.map((c) => c.cluster_id) } }, [{ opened_at: 'asc' }, { case_id: 'asc' }])).map((h) => h._source);

  return {
    generated_at: isoNow(options.clock),
    author: options.handle,
    looked_up: { handles, pseudonyms, key: options.keyDescription },
    posts: posts.map((p) => p._source),
    alerts,
    desk: { clusters, cases },
    counts: {
      posts_by_handle: posts.length - byPseudonym,
      posts_by_pseudonym: byPseudonym,
      alerts: alerts.length,
      desk_clusters: clusters.length,
      desk_examples: clusters.reduce((n, c) => n + c.examples.length + c.counter_examples.length, 0),
      desk_cases: cases.length,
    },
  };
}

export function formatExportSummary(e: AuthorExport, file: string): string {
  const c = e.counts;
  return `export: ${c.posts_by_handle + c.posts_by_pseudonym} posts (${c.posts_by_handle} under the handle, ${c.posts_by_pseudonym} under its pseudonym), ${c.alerts} alerts, ${c.desk_examples} desk examples in ${c.desk_clusters} clusters, ${c.desk_cases} cases → ${file}`;
}
