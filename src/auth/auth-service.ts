/**
 * Who is calling, for the router: a session cookie (people, via the login form) or an API token (machines:
 * `Authorization: Bearer pantau_<id>_<secret>`). Logins are counted per user: after `maxFailedLogins` wrong
 * passwords in a row the account is locked for `lockoutMs` (429 with Retry-After), whatever the password.
 * An unknown user costs the same scrypt time as a known one, so timing does not say who exists.
 *
 * Sessions end after `sessionIdleMs` without a request and after `sessionMaxMs` in any case; a disabled user
 * or a changed role takes effect on the next request (the user document is read each time). Token checks
 * are cached for TOKEN_CACHE_MS after a successful scrypt verification, so a revoked token stops working
 * within that time, and a token costs one scrypt per process and half minute, not per request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { IncomingMessage } from 'node:http';
import { isoNow, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { HttpError, type Principal } from '../api/route.ts';
import { dummySecretHash, hashSecret, verifySecret } from './passwords.ts';
import { createSession, csrfTokenFor, deleteSession, newSessionId, readSession, touchSession } from './session-store.ts';
import { getToken, getUser, putUser, type TokenDoc, type UserDoc } from './user-store.ts';

export interface AuthSettings {
  sessionIdleMs: number;
  sessionMaxMs: number;
  maxFailedLogins: number;
  lockoutMs: number;
  /** Mark the cookie Secure (the server is reached over https). */
  secureCookies: boolean;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  sessionIdleMs: 30 * 60_000,
  sessionMaxMs: 12 * 3_600_000,
  maxFailedLogins: 5,
  lockoutMs: 15 * 60_000,
  secureCookies: false,
};

export const SESSION_COOKIE = 'pantau_session';
const TOKEN_RE = /^pantau_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const TOKEN_CACHE_MS = 30_000;
const TOKEN_CACHE_MAX = 1_000;
/** last_seen_at is written at most this often per session (a write per request would be wasteful). */
const TOUCH_EVERY_MS = 60_000;

export interface Authenticated {
  principal: Principal;
  /** Present for cookie sessions: the CSRF token is derived from it. */
  sessionId?: string;
}

export interface LoginResult {
  sessionId: string;
  csrfToken: string;
  user: { username: string; role: Principal['role']; unit: string | null; display_name: string };
  expiresAt: string;
}

/** A new API token: `pantau_<16 hex id>_<43 base64url secret>`; the id is public, the secret is hashed. */
export function newApiToken(): { id: string; secret: string; token: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `pantau_${id}_${secret}` };
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export class AuthService {
  readonly #es: Client;
  readonly #prefix: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly settings: AuthSettings;
  readonly #verifiedTokens = new Map<string, number>();
  readonly #touched = new Map<string, number>();

  constructor(options: { es: Client; prefix: string; clock: Clock; logger: Logger; settings?: Partial<AuthSettings> }) {
    this.#es = options.es;
    this.#prefix = options.prefix;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.settings = { ...DEFAULT_AUTH_SETTINGS, ...options.settings };
  }

  /** The caller, or null when the request carries no valid session or token. Throws only when the store is unreachable. */
  async authenticate(req: IncomingMessage): Promise<Authenticated | null> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      return m ? this.#fromToken(m[1]!) : null;
    }
    const sessionId = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (sessionId === undefined || !/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return null;
    return this.#fromSession(sessionId);
  }

  async #fromSession(sessionId: string): Promise<Authenticated | null> {
    const session = await readSession(this.#es, this.#prefix, sessionId);
    if (session === undefined) return null;
    const now = this.#clock();
    if (Date.parse(session.expires_at) <= now || Date.parse(session.last_seen_at) + this.settings.sessionIdleMs <= now) {
      await deleteSession(this.#es, this.#prefix, sessionId);
      return null;
    }
    const user = (await getUser(this.#es, this.#prefix, session.username))?.doc;
    if (user === undefined || user.disabled) return null;
    const lastTouch = this.#touched.get(sessionId) ?? Date.parse(session.last_seen_at);
    if (now - lastTouch >= TOUCH_EVERY_MS) {
      this.#touched.set(sessionId, now);
      if (this.#touched.size > 10_000) this.#touched.clear();
      await touchSession(this.#es, this.#prefix, sessionId, isoNow(this.#clock));
    }
    return { principal: principalOf(user, 'session'), sessionId };
  }

  async #fromToken(token: string): Promise<Authenticated | null> {
    const m = TOKEN_RE.exec(token);
    if (m === null) return null;
    const doc = (await getToken(this.#es, this.#prefix, m[1]!))?.doc;
    const now = this.#clock();
    if (doc === undefined || doc.revoked_at !== null || (doc.expires_at !== null && Date.parse(doc.expires_at) <= now)) return null;
    const key = sha256(token).toString('hex');
    const verifiedUntil = this.#verifiedTokens.get(key);
    if (verifiedUntil === undefined || verifiedUntil <= now) {
      if (!(await verifySecret(m[2]!, doc.secret_hash))) return null;
      if (this.#verifiedTokens.size >= TOKEN_CACHE_MAX) this.#verifiedTokens.clear();
      this.#verifiedTokens.set(key, now + TOKEN_CACHE_MS);
    }
    return { principal: principalOf(doc, 'token') };
  }

  /**
   * Checks a password and opens a session. 401 for a wrong user or password (the same message for both),
   * 429 while the account is locked. Failed attempts are counted with optimistic concurrency, so parallel
   * guesses cannot slip past the limit.
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const wrong = () => new HttpError(401, 'Nama pengguna atau kata sandi salah.');
    const found = await getUser(this.#es, this.#prefix, username);
    if (found === undefined) {
      await verifySecret(password, await dummySecretHash());
      throw wrong();
    }
    const now = this.#clock();
    const user = found.doc;
    const lockedFor = user.locked_until === null ? 0 : Date.parse(user.locked_until) - now;
    if (lockedFor > 0) {
      throw new HttpError(429, `Akun dikunci sementara karena terlalu banyak percobaan gagal. Coba lagi dalam ${Math.ceil(lockedFor / 60_000)} menit.`, { 'retry-after': String(Math.ceil(lockedFor / 1000)) });
    }
    const ok = await verifySecret(password, user.password_hash);
    if (!ok || user.disabled) {
      await this.#countFailure(username);
      throw wrong();
    }
    if (user.failed_logins !== 0 || user.locked_until !== null) {
      await putUser(this.#es, this.#prefix, { ...user, failed_logins: 0, locked_until: null, updated_at: isoNow(this.#clock) });
    }
    const sessionId = newSessionId();
    const expiresAt = new Date(now + this.settings.sessionMaxMs).toISOString();
    await createSession(this.#es, this.#prefix, sessionId, { username, created_at: isoNow(this.#clock), last_seen_at: isoNow(this.#clock), expires_at: expiresAt });
    this.#logger.info('signed in', { user: username, role: user.role });
    return { sessionId, csrfToken: csrfTokenFor(sessionId), user: publicUser(user), expiresAt };
  }

  /** One more failed login; locks the account at the limit. Retried on a concurrent change, so no failure is lost. */
  async #countFailure(username: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await getUser(this.#es, this.#prefix, username);
      if (found === undefined) return;
      const now = this.#clock();
      const user = found.doc;
      const stillLocked = user.locked_until !== null && Date.parse(user.locked_until) > now;
      if (stillLocked) return;
      const failed = (user.locked_until === null ? user.failed_logins : 0) + 1;
      const lock = failed >= this.settings.maxFailedLogins;
      const next: UserDoc = { ...user, failed_logins: lock ? 0 : failed, locked_until: lock ? new Date(now + this.settings.lockoutMs).toISOString() : null, updated_at: isoNow(this.#clock) };
      if (await putUser(this.#es, this.#prefix, next, found)) {
        if (lock) this.#logger.warn('account locked after repeated failed logins', { user: username, minutes: this.settings.lockoutMs / 60_000 });
        return;
      }
    }
  }

  async logout(sessionId: string): Promise<void> {
    await deleteSession(this.#es, this.#prefix, sessionId);
    this.#touched.delete(sessionId);
  }

  /** The Set-Cookie value of a new session. */
  sessionCookie(sessionId: string): string {
    return `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.settings.sessionMaxMs / 1000)}${this.settings.secureCookies ? '; Secure' : ''}`;
  }

  clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${this.settings.secureCookies ? '; Secure' : ''}`;
  }

  /** The session's CSRF token matches the request's X-CSRF-Token header. */
  csrfValid(req: IncomingMessage, sessionId: string): boolean {
    const given = req.headers['x-csrf-token'];
    return typeof given === 'string' && sameToken(given, csrfTokenFor(sessionId));
  }

  /** The user as the login answer and GET /api/session show it. */
  async sessionView(auth: Authenticated): Promise<Omit<LoginResult, 'sessionId'> | null> {
    if (auth.sessionId === undefined) return null;
    const user = (await getUser(this.#es, this.#prefix, auth.principal.username))?.doc;
    const session = await readSession(this.#es, this.#prefix, auth.sessionId);
    if (user === undefined || session === undefined) return null;
    return { csrfToken: csrfTokenFor(auth.sessionId), user: publicUser(user), expiresAt: session.expires_at };
  }
}

function principalOf(doc: UserDoc | TokenDoc, via: Principal['via']): Principal {
  return { username: doc.type === 'user' ? doc.username : `token:${doc.token_id}`, role: doc.role, unit: doc.role === 'humas' ? doc.unit : null, via };
}

function publicUser(user: UserDoc): LoginResult['user'] {
  return { username: user.username, role: user.role, unit: user.unit, display_name: user.display_name };
}

export { hashSecret };
