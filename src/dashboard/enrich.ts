/**
 * Names for a panel's rows: a narrative's text and where the desk stands on it, a province's name, a humas unit's
 * name. A narrative's text is its sample (the narrative document, else the desk cluster's summary, else its first
 * post's text) with mentions, links and long digit runs (phone numbers) removed and cut to 160 characters: enough
 * to know the story, nothing that names or reaches a person.
 */
import type { Client } from '@elastic/elasticsearch';
import type { HumasUnitsConfig } from '../config/humas-units.ts';
import { elasticsearchError } from '../store/elasticsearch-errors.ts';
import { deskCasesIndex, deskClustersIndex, postsAlias } from '../store/index-names.ts';
import { narrativesIndex } from '../store/narrative-documents.ts';
import { PROVINCES } from './provinces.ts';

/** Where the humas units stand on a narrative: the furthest any unit's case has come; `none` without a case. */
export const NARRATIVE_STATUSES = ['none', 'new', 'acknowledged', 'countered', 'closed'] as const;
export type NarrativeStatus = (typeof NARRATIVE_STATUSES)[number];

/** For the page, the brief and CSV files. */
export const NARRATIVE_STATUS_NAMES: Record<NarrativeStatus, string> = {
  none: 'Belum ada kasus',
  new: 'Baru',
  acknowledged: 'Diakui',
  countered: 'Sudah dilawan',
  closed: 'Ditutup',
};

const RANK: Record<NarrativeStatus, number> = { none: 0, new: 1, acknowledged: 2, countered: 3, closed: 3 };

const MAX_TEXT = 160;

/** The text without @mentions, links, e-mail addresses and phone-like digit runs, on one line, at most 160 characters. */
export function publicText(text: string): string {
  const cleaned = text
    .replace(/https?:\/\/\S+|www\.\S+/giu, '')
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/gu, '')
    .replace(/(^|\s)@\w+/gu, '$1')
    .replace(/\+?\d[\d\s-]{7,}\d/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = Array.from(cleaned);
  return chars.length <= MAX_TEXT ? cleaned : `${chars.slice(0, MAX_TEXT - 1).join('').trimEnd()}…`;
}

export async function nameNarratives(es: Client, prefix: string, ids: readonly string[]): Promise<Map<string, { name: string; status: NarrativeStatus }>> {
  const out = new Map<string, { name: string; status: NarrativeStatus }>();
  if (ids.length === 0) return out;
  try {
    const [narratives, clusters] = await Promise.all([
      es.mget<{ sample_text?: string }>({ index: narrativesIndex(prefix), ids: [...ids], _source: ['sample_text'] }).catch((error: unknown) => {
        if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return { docs: [] };
        throw error;
      }),
      es.search<{ cluster_id: string; narratives: string[]; summary?: string }>({
        index: deskClustersIndex(prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: ids.length,
        _source: ['cluster_id', 'narratives', 'summary'],
        query: { terms: { narratives: [...ids] } },
      }),
    ]);
    const clusterOf = new Map<string, { id: string; summary?: string | undefined }>();
    for (const h of clusters.hits.hits) for (const n of h._source?.narratives ?? []) clusterOf.set(n, { id: h._source!.cluster_id, summary: h._source!.summary });
    const statusOfCluster = new Map<string, NarrativeStatus>();
    const clusterIds = [...new Set([...clusterOf.values()].map((c) => c.id))];
    if (clusterIds.length > 0) {
      const cases = await es.search<{ cluster_id: string; status: NarrativeStatus }>({
        index: deskCasesIndex(prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: 1_000,
        _source: ['cluster_id', 'status'],
        query: { terms: { cluster_id: clusterIds } },
      });
      for (const h of cases.hits.hits) {
        const c = h._source!;
        const before = statusOfCluster.get(c.cluster_id) ?? 'none';
        if (RANK[c.status] > RANK[before] || (RANK[c.status] === RANK[before] && c.status === 'countered')) statusOfCluster.set(c.cluster_id, c.status);
      }
    }
    const sample = new Map<string, string>();
    for (const d of narratives.docs) if ('found' in d && d.found && typeof d._source?.sample_text === 'string') sample.set(d._id, d._source.sample_text);
    // Narratives without a document yet (the reach job writes them after the posts): their first post's text.
    const missing = ids.filter((id) => !sample.has(id) && clusterOf.get(id)?.summary === undefined);
    if (missing.length > 0) {
      const first = await es.search<{ text?: string; narrative_id?: string }>({
        index: postsAlias(prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: missing.length,
        _source: ['text', 'narrative_id'],
        query: { terms: { narrative_id: missing } },
        collapse: { field: 'narrative_id' },
        sort: [{ created_at: 'asc' }],
      });
      for (const h of first.hits.hits) if (h._source?.narrative_id && typeof h._source.text === 'string') sample.set(h._source.narrative_id, h._source.text);
    }
    for (const id of ids) {
      const cluster = clusterOf.get(id);
      const text = sample.get(id) ?? cluster?.summary;
      out.set(id, { name: text ? publicText(text) || `Narasi ${id.slice(0, 8)}` : `Narasi ${id.slice(0, 8)}`, status: cluster ? (statusOfCluster.get(cluster.id) ?? 'none') : 'none' });
    }
  } catch (error) {
    throw elasticsearchError('serving', 'naming the dashboard narratives', error);
  }
  return out;
}

export const nameProvinces = (codes: readonly string[]): Map<string, string> => new Map(codes.map((c) => [c, PROVINCES[c] ?? `Wilayah ${c}`]));

export const nameUnits = (ids: readonly string[], units: HumasUnitsConfig | undefined): Map<string, string> => {
  const byId = new Map((units?.units ?? []).map((u) => [u.id, u.name]));
  return new Map(ids.map((id) => [id, byId.get(id) ?? id]));
};
