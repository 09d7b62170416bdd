import { logout, SESSION_COOKIE } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { cookieValue, setCookieHeader } from "../../http.ts";

/** POST /logout — end the session (CSRF-checked by the guard) and go to the login page. */
export function logoutForm(ctx: AppContext, request: Request): Response {
  const token = cookieValue(request, SESSION_COOKIE);
  if (token) logout(ctx, token);
  return new Response(null, {
    status: 303,
    headers: { location: "/login", "set-cookie": setCookieHeader(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: ctx.config.secureCookies }) },
  });
}
