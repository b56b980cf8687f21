/**
 * One page of a JSON API into what the poller needs: the items mapped to posts or dead letters, the next
 * page's cursor, and the newest item id. Pure, so every mapping case is unit-tested without a server.
 */
import { createHash } from 'node:crypto';
import { PantauError } from '../../core/errors.ts';
import { toPostOrDeadLetter, type EdgeResult } from '../edge-validate.ts';
import { mapRecord, nativeIdOf } from '../field-mapping.ts';
import { resolvePointer } from '../json-pointer.ts';
import type { JsonApiSourceConfig } from './config.ts';

export interface PageItem {
  /** The post id, or null when the item has no usable id (it is dead-lettered then). */
  postId: string | null;
  /** What the seen-set remembers: the post id, else a hash of the item (so a bad item is dead-lettered once). */
  seenKey: string;
  nativeId: string | null;
  result: EdgeResult;
}

export interface ReadPage {
  items: PageItem[];
  /** null on the last page. */
  nextCursor: string | null;
  /** The page's newest id (from `newestIdPointer`, else the largest item id); null for an empty page. */
  newestId: string | null;
}

/** Orders ids numerically when both are digit strings (platform ids outgrow 2^53), else as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function newerId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareIds(a, b) >= 0 ? a : b;
}

/** Fills `{cursor}` and `{since_id}` of the URL template (URL-encoded; empty when null). */
export function renderUrl(template: string, values: { cursor: string | null; sinceId: string | null }): string {
  return template.replaceAll('{cursor}', encodeURIComponent(values.cursor ?? '')).replaceAll('{since_id}', encodeURIComponent(values.sinceId ?? ''));
}

export function readPage(page: unknown, config: JsonApiSourceConfig, pageUrl: string): ReadPage {
  const list = resolvePointer(page, config.itemsPointer);
  if (!Array.isArray(list)) {
    throw new PantauError(`${pageUrl}: no item array at "${config.itemsPointer}"`, { stage: 'receiving', code: 'unexpected_page', retriable: false });
  }
  const idPrefix = config.idPrefix ?? config.name;
  const defaults = { idPrefix, platform: config.platform, language: config.language, region: config.region };
  let newest: string | null = null;
  const items = list.map((item, index): PageItem => {
    const { nativeId, candidate } = mapRecord((ref) => resolvePointer(item, ref), config.fields, defaults, item);
    newest = newerId(newest, nativeId);
    const postId = typeof candidate.id === 'string' ? candidate.id : null;
    const bytes = Buffer.from(JSON.stringify(item) ?? 'null');
    const result = toPostOrDeadLetter(candidate, { source: `json_api:${config.name}`, label: `item ${nativeId ?? `#${index}`}`, bytes, key: postId });
    const seenKey = postId ?? `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
    return { postId, seenKey, nativeId, result };
  });
  const next = config.nextCursorPointer === undefined ? null : nativeIdOf(resolvePointer(page, config.nextCursorPointer));
  const pageNewest = config.newestIdPointer === undefined ? null : nativeIdOf(resolvePointer(page, config.newestIdPointer));
  return { items, nextCursor: next, newestId: newerId(pageNewest, newest) };
}
