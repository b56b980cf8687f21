/**
 * `pantau kb import`: read entries (files or the public debunks) → validate → merge duplicates by claim key →
 * create them in the knowledge-base index. Returns what happened to every line, for the command's report.
 */
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { clarificationsIndex } from '../store/index-names.ts';
import { mergeDuplicates } from './entry.ts';
import type { ReadResult } from './readers.ts';
import { storeClarifications } from './store.ts';

export interface ImportSummary {
  /** Valid entries read. */
  read: number;
  /** Lines refused, with their line numbers and reasons. */
  rejected: ReadResult['rejected'];
  /** Entries folded into another of the same claim (across files and sources). */
  merged: number;
  created: number;
  alreadyPresent: number;
  index: string;
}

export async function importKnowledgeBase(options: { es: Client; prefix: string; input: ReadResult; clock: Clock; onProgress?: (done: number, total: number) => void }): Promise<ImportSummary> {
  const index = clarificationsIndex(options.prefix);
  const { docs, merged } = mergeDuplicates(options.input.entries, isoNow(options.clock));
  const stored = await storeClarifications(options.es, index, docs, options.onProgress);
  return { read: options.input.entries.length, rejected: options.input.rejected, merged, ...stored, index };
}

/** The command's report in Indonesian-friendly plain lines (counts, then up to 20 refused lines). */
export function formatImportSummary(s: ImportSummary): string[] {
  const lines = [
    `${s.read} entri terbaca, ${s.merged} digabung sebagai duplikat klaim yang sama, ${s.created} baru di ${s.index}, ${s.alreadyPresent} sudah ada, ${s.rejected.length} baris ditolak`,
  ];
  for (const r of s.rejected.slice(0, 20)) lines.push(`  ditolak ${r.origin}:${r.line}: ${r.reason}`);
  if (s.rejected.length > 20) lines.push(`  … dan ${s.rejected.length - 20} baris lain`);
  return lines;
}
