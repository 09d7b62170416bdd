import { logout, SESSION_COOKIE, type Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { cookieValue, setCookieHeader } from "../../http.ts";

/** POST /api/v1/auth/logout — end the cookie session. */
export function logoutApi(ctx: AppContext, _auth: Auth, request: Request): Response {
  const token = cookieValue(request, SESSION_COOKIE);
  if (token) logout(ctx, token);
  return Response.json({ ok: true }, { headers: { "set-cookie": setCookieHeader(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: ctx.config.secureCookies }) } });
}
