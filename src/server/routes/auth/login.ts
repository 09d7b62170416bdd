import { login, publicUser, SESSION_COOKIE } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { setCookieHeader } from "../../http.ts";

/** POST /api/v1/auth/login — password login; sets the HttpOnly session cookie. */
export async function loginApi(ctx: AppContext, body: { email: string; password: string }, ip: string): Promise<Response> {
  const s = await login(ctx, body.email, body.password, ip);
  return Response.json(
    { user: publicUser(s.user), csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString() },
    { headers: { "set-cookie": setCookieHeader(SESSION_COOKIE, s.sessionToken, { maxAgeSeconds: ctx.config.sessionDays * 86400, secure: ctx.config.secureCookies }) } },
  );
}
