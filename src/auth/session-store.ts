/**
 * Sessions of signed-in users in `<prefix>-sessions`. The session id (32 random bytes) lives only in the
 * user's HttpOnly cookie; the index keeps its SHA-256 as the document id, so reading the index does not let
 * anyone sign in. Several API processes share the index, so a session works on all of them.
 *
 * The CSRF token is derived from the session id (SHA-256 of "csrf:" + id): nothing more to store, the same
 * on every process, and unknowable without the cookie.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import { httpStatusOf } from '../store/elasticsearch-errors.ts';
import { sessionsIndex } from '../store/index-names.ts';

export interface SessionDoc {
  username: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute end: a session never lives longer, however active. */
  expires_at: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const newSessionId = () => randomBytes(32).toString('base64url');
export const csrfTokenFor = (sessionId: string) => sha256(`csrf:${sessionId}`);
const docId = (sessionId: string) => sha256(`session:${sessionId}`);

function storeError(cause: unknown): PantauError {
  return new PantauError('could not reach the sessions index', { stage: 'auth', code: 'sessions_unreachable', retriable: true, cause });
}

export async function createSession(es: Client, prefix: string, sessionId: string, doc: SessionDoc): Promise<void> {
  try {
    await es.index({ index: sessionsIndex(prefix), id: docId(sessionId), op_type: 'create', document: doc, refresh: 'wait_for' });
  } catch (error) {
    throw storeError(error);
  }
}

export async function readSession(es: Client, prefix: string, sessionId: string): Promise<SessionDoc | undefined> {
  try {
    const r = await es.get<SessionDoc>({ index: sessionsIndex(prefix), id: docId(sessionId) });
    return r.found ? r._source : undefined;
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw storeError(error);
  }
}

export async function touchSession(es: Client, prefix: string, sessionId: string, lastSeenAt: string): Promise<void> {
  try {
    await es.update({ index: sessionsIndex(prefix), id: docId(sessionId), doc: { last_seen_at: lastSeenAt } });
  } catch (error) {
    if (httpStatusOf(error) === 404) return; // ended meanwhile
    throw storeError(error);
  }
}

export async function deleteSession(es: Client, prefix: string, sessionId: string): Promise<void> {
  try {
    await es.delete({ index: sessionsIndex(prefix), id: docId(sessionId), refresh: 'wait_for' });
  } catch (error) {
    if (httpStatusOf(error) === 404) return;
    throw storeError(error);
  }
}

/**
 * Deletes the sessions a query finds. Search, then bulk delete: the Elasticsearch we run has no reindex
 * module, so no _delete_by_query. Sessions are few (one per signed-in person), so one page of ids suffices.
 */
async function deleteWhere(es: Client, prefix: string, query: object): Promise<number> {
  try {
    const found = await es.search({ index: sessionsIndex(prefix), ignore_unavailable: true, allow_no_indices: true, size: 10_000, _source: false, query });
    const ids = found.hits.hits.map((h) => h._id!);
    if (ids.length === 0) return 0;
    await es.bulk({ refresh: 'wait_for', operations: ids.map((id) => ({ delete: { _index: sessionsIndex(prefix), _id: id } })) });
    return ids.length;
  } catch (error) {
    throw storeError(error);
  }
}

/** Ends every session of a user (password changed, user disabled, role changed). */
export const deleteSessionsOf = (es: Client, prefix: string, username: string) => deleteWhere(es, prefix, { term: { username } });

/** Removes sessions whose absolute end has passed (idle ones are refused on use and removed then). */
export const deleteExpiredSessions = (es: Client, prefix: string, nowIso: string) => deleteWhere(es, prefix, { range: { expires_at: { lt: nowIso } } });
