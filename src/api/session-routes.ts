/**
 * Signing in and out (people; machines use API tokens):
 *   POST   /api/session   {username, password} → the user, the CSRF token, the session's end; sets the cookie
 *   GET    /api/session   the same for the current session (so a reloaded page gets its CSRF token back)
 *   DELETE /api/session   ends the session, clears the cookie
 */
import { z } from 'zod';
import type { AuthService } from '../auth/auth-service.ts';
import { HttpError, ROLES, route, type RouteSpec } from './route.ts';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();

export function sessionRoutes(auth: AuthService): RouteSpec<any, any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return [
    route({
      method: 'POST',
      path: '/api/session',
      access: 'public',
      summary: 'Sign in with a username and password; sets the session cookie',
      body: loginSchema,
      noCsrf: true,
      rateLimit: 'login',
      handler: async ({ body }) => {
        const r = await auth.login(body.username.trim().toLowerCase(), body.password);
        return { status: 200, json: { user: r.user, csrf_token: r.csrfToken, expires_at: r.expiresAt }, headers: { 'set-cookie': auth.sessionCookie(r.sessionId) } };
      },
    }),
    route({
      method: 'GET',
      path: '/api/session',
      access: ROLES,
      summary: 'The signed-in user, role, unit and CSRF token',
      handler: async ({ req }) => {
        const caller = await auth.authenticate(req);
        if (caller === null) throw new HttpError(401, 'Silakan masuk terlebih dahulu.');
        const view = await auth.sessionView(caller);
        // An API token has no session: it sees who it is, without a CSRF token (it needs none).
        if (view === null) return { status: 200, json: { user: { username: caller.principal.username, role: caller.principal.role, unit: caller.principal.unit, display_name: caller.principal.username }, csrf_token: null, expires_at: null } };
        return { status: 200, json: { user: view.user, csrf_token: view.csrfToken, expires_at: view.expiresAt } };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/session',
      access: ROLES,
      summary: 'Sign out: ends the session and clears the cookie',
      handler: async ({ req }) => {
        const caller = await auth.authenticate(req);
        if (caller?.sessionId !== undefined) await auth.logout(caller.sessionId);
        return { status: 204, headers: { 'set-cookie': auth.clearCookie() } };
      },
    }),
  ];
}
