/**
 * Managing users and API tokens (what `pantau users …` does), as functions the CLI, the demo and tests share.
 * Every change that weakens a session (password, role, disabling) ends the user's sessions at once.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { isoNow, type Clock } from '../core/clock.ts';
import { PantauError } from '../core/errors.ts';
import type { Role } from '../api/route.ts';
import { newApiToken } from './auth-service.ts';
import { hashSecret, passwordProblem } from './passwords.ts';
import { deleteSessionsOf } from './session-store.ts';
import { createToken, createUser, getToken, getUser, putToken, putUser, USERNAME_RE, type TokenDoc, type UserDoc } from './user-store.ts';

function refuse(message: string, code = 'account_invalid'): PantauError {
  return new PantauError(message, { stage: 'auth', code, retriable: false });
}

/** A password people can type and nobody guesses: 4 groups of 5 from an unambiguous alphabet (~100 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

function checkRoleUnit(role: Role, unit: string | null, knownUnits: ReadonlySet<string> | undefined): void {
  if (role === 'humas' && !unit) throw refuse('a humas user or token needs --unit (a unit id of pipelines/humas-units.json)');
  if (role !== 'humas' && unit) throw refuse('only humas users and tokens belong to a unit; drop --unit');
  if (unit && knownUnits && !knownUnits.has(unit)) throw refuse(`unknown unit "${unit}"; known: ${[...knownUnits].join(', ')}`);
}

export interface NewUser {
  username: string;
  role: Role;
  unit?: string | null;
  displayName?: string;
  password: string;
}

export async function addUser(es: Client, prefix: string, clock: Clock, input: NewUser, knownUnits?: ReadonlySet<string>): Promise<UserDoc> {
  if (!USERNAME_RE.test(input.username)) throw refuse('username: 2–64 lowercase letters, digits, ".", "_" or "-"');
  const unit = input.unit ?? null;
  checkRoleUnit(input.role, unit, knownUnits);
  const problem = passwordProblem(input.password);
  if (problem) throw refuse(problem);
  const now = isoNow(clock);
  const doc: UserDoc = { type: 'user', username: input.username, display_name: input.displayName ?? input.username, role: input.role, unit, password_hash: await hashSecret(input.password), disabled: false, failed_logins: 0, locked_until: null, created_at: now, updated_at: now };
  if (!(await createUser(es, prefix, doc))) throw refuse(`user "${input.username}" exists already`, 'user_exists');
  return doc;
}

async function changeUser(es: Client, prefix: string, clock: Clock, username: string, change: (doc: UserDoc) => Promise<UserDoc> | UserDoc, endSessions: boolean): Promise<UserDoc> {
  const found = await getUser(es, prefix, username);
  if (found === undefined) throw refuse(`no user "${username}"`, 'user_unknown');
  const next = { ...(await change(found.doc)), updated_at: isoNow(clock) };
  await putUser(es, prefix, next);
  if (endSessions) await deleteSessionsOf(es, prefix, username);
  return next;
}

export async function setPassword(es: Client, prefix: string, clock: Clock, username: string, password: string): Promise<UserDoc> {
  const problem = passwordProblem(password);
  if (problem) throw refuse(problem);
  return changeUser(es, prefix, clock, username, async (doc) => ({ ...doc, password_hash: await hashSecret(password), failed_logins: 0, locked_until: null }), true);
}

export const setDisabled = (es: Client, prefix: string, clock: Clock, username: string, disabled: boolean) => changeUser(es, prefix, clock, username, (doc) => ({ ...doc, disabled }), disabled);

export const unlockUser = (es: Client, prefix: string, clock: Clock, username: string) => changeUser(es, prefix, clock, username, (doc) => ({ ...doc, failed_logins: 0, locked_until: null }), false);

export function setRole(es: Client, prefix: string, clock: Clock, username: string, role: Role, unit: string | null, knownUnits?: ReadonlySet<string>): Promise<UserDoc> {
  checkRoleUnit(role, unit, knownUnits);
  return changeUser(es, prefix, clock, username, (doc) => ({ ...doc, role, unit }), true);
}

export interface NewToken {
  name: string;
  role: Role;
  unit?: string | null;
  expiresInDays?: number;
  createdBy: string;
}

/** Creates an API token; the returned `token` is shown once and stored nowhere in clear. */
export async function addToken(es: Client, prefix: string, clock: Clock, input: NewToken, knownUnits?: ReadonlySet<string>): Promise<{ doc: TokenDoc; token: string }> {
  const unit = input.unit ?? null;
  checkRoleUnit(input.role, unit, knownUnits);
  if (!input.name.trim() || input.name.length > 100) throw refuse('a token needs --name (what it is for), at most 100 characters');
  const { id, secret, token } = newApiToken();
  const now = clock();
  const doc: TokenDoc = { type: 'token', token_id: id, name: input.name.trim(), role: input.role, unit, secret_hash: await hashSecret(secret), created_at: new Date(now).toISOString(), created_by: input.createdBy, expires_at: input.expiresInDays ? new Date(now + input.expiresInDays * 86_400_000).toISOString() : null, revoked_at: null };
  if (!(await createToken(es, prefix, doc))) throw refuse('token id collision; run the command again', 'token_collision');
  return { doc, token };
}

export async function revokeToken(es: Client, prefix: string, clock: Clock, id: string): Promise<TokenDoc> {
  const found = await getToken(es, prefix, id);
  if (found === undefined) throw refuse(`no token "${id}"`, 'token_unknown');
  const doc = { ...found.doc, revoked_at: found.doc.revoked_at ?? isoNow(clock) };
  await putToken(es, prefix, doc);
  return doc;
}
