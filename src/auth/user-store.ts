/**
 * Users and API tokens, in one small index (`<prefix>-users`, template pipelines/elasticsearch/users.template.json):
 * `user:<username>` and `token:<token id>` documents. Passwords and token secrets are stored only as slow hashes
 * (auth/passwords.ts). Managed with `pantau users …`; the HTTP API never writes here except the login counters.
 */
import type { Client } from '@elastic/elasticsearch';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { httpStatusOf } from '../store/elasticsearch-errors.ts';
import { usersIndex } from '../store/index-names.ts';
import { ROLES, type Role } from '../api/route.ts';

export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,63}$/;
export const usernameSchema = z.string().regex(USERNAME_RE, 'username: 2–64 lowercase letters, digits, ".", "_" or "-"');
export const roleSchema = z.enum(ROLES);

export interface UserDoc {
  type: 'user';
  username: string;
  display_name: string;
  role: Role;
  /** The humas unit of a `humas` user; null for other roles. */
  unit: string | null;
  password_hash: string;
  disabled: boolean;
  /** Consecutive failed logins; reset by a successful one. */
  failed_logins: number;
  /** Set when failed_logins reached the limit: no login until then. */
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface TokenDoc {
  type: 'token';
  token_id: string;
  /** What the token is for ("ingest server", "prometheus"). */
  name: string;
  role: Role;
  unit: string | null;
  secret_hash: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface Versioned<T> {
  doc: T;
  seqNo: number;
  primaryTerm: number;
}

const userId = (username: string) => `user:${username}`;
const tokenId = (id: string) => `token:${id}`;

function storeError(message: string, code: string, cause: unknown): PantauError {
  return new PantauError(message, { stage: 'auth', code, retriable: true, cause });
}

async function getDoc<T>(es: Client, prefix: string, id: string): Promise<Versioned<T> | undefined> {
  try {
    const r = await es.get<T>({ index: usersIndex(prefix), id });
    if (!r.found || r._source === undefined) return undefined;
    return { doc: r._source, seqNo: r._seq_no!, primaryTerm: r._primary_term! };
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw storeError('could not read the users index', 'users_unreadable', error);
  }
}

export const getUser = (es: Client, prefix: string, username: string) => getDoc<UserDoc>(es, prefix, userId(username));
export const getToken = (es: Client, prefix: string, id: string) => getDoc<TokenDoc>(es, prefix, tokenId(id));

/** Creates a user or a token; false when one with that id exists already. */
async function createDoc(es: Client, prefix: string, id: string, doc: UserDoc | TokenDoc): Promise<boolean> {
  try {
    await es.index({ index: usersIndex(prefix), id, op_type: 'create', document: doc, refresh: 'wait_for' });
    return true;
  } catch (error) {
    if (httpStatusOf(error) === 409) return false;
    throw storeError('could not write the users index', 'users_unwritable', error);
  }
}

export const createUser = (es: Client, prefix: string, doc: UserDoc) => createDoc(es, prefix, userId(doc.username), doc);
export const createToken = (es: Client, prefix: string, doc: TokenDoc) => createDoc(es, prefix, tokenId(doc.token_id), doc);

/**
 * Writes a changed user or token. With `version`, only if nobody changed it since it was read (false then);
 * without, unconditionally (the CLI's admin changes).
 */
async function putDoc(es: Client, prefix: string, id: string, doc: UserDoc | TokenDoc, version?: { seqNo: number; primaryTerm: number }): Promise<boolean> {
  try {
    await es.index({ index: usersIndex(prefix), id, document: doc, refresh: 'wait_for', ...(version ? { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm } : {}) });
    return true;
  } catch (error) {
    if (httpStatusOf(error) === 409) return false;
    throw storeError('could not write the users index', 'users_unwritable', error);
  }
}

export const putUser = (es: Client, prefix: string, doc: UserDoc, version?: { seqNo: number; primaryTerm: number }) => putDoc(es, prefix, userId(doc.username), doc, version);
export const putToken = (es: Client, prefix: string, doc: TokenDoc) => putDoc(es, prefix, tokenId(doc.token_id), doc);

async function listDocs<T>(es: Client, prefix: string, type: 'user' | 'token'): Promise<T[]> {
  try {
    const r = await es.search<T>({ index: usersIndex(prefix), ignore_unavailable: true, allow_no_indices: true, size: 10_000, query: { term: { type } }, sort: [{ created_at: 'asc' }] });
    return r.hits.hits.map((h) => h._source!);
  } catch (error) {
    throw storeError('could not read the users index', 'users_unreadable', error);
  }
}

export const listUsers = (es: Client, prefix: string) => listDocs<UserDoc>(es, prefix, 'user');
export const listTokens = (es: Client, prefix: string) => listDocs<TokenDoc>(es, prefix, 'token');

/** How many users and live tokens exist: the server refuses to bind beyond 127.0.0.1 while this is 0. */
export async function countPrincipals(es: Client, prefix: string): Promise<number> {
  try {
    const r = await es.count({ index: usersIndex(prefix), ignore_unavailable: true, allow_no_indices: true, query: { bool: { should: [{ bool: { filter: [{ term: { type: 'user' } }, { term: { disabled: false } }] } }, { bool: { filter: [{ term: { type: 'token' } }], must_not: [{ exists: { field: 'revoked_at' } }] } }], minimum_should_match: 1 } } });
    return r.count;
  } catch (error) {
    throw storeError('could not read the users index', 'users_unreadable', error);
  }
}
