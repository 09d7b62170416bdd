import { login, needsSetup, SESSION_COOKIE } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { AppError } from "../../errors.ts";
import { dashboardHtml, sameOrigin, setCookieHeader } from "../../http.ts";
import { LoginPage } from "../../../../views/pages/auth.tsx";

/** Only same-site relative paths, so `next` cannot redirect elsewhere. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : "/";
}

function form(next: string, error?: string, email = "", notice?: string): string {
  return LoginPage({ next, error, email, notice });
}

/** GET /login — the login form (`?next=` a same-site path; `?done=password` after a password change). */
export function loginPage(ctx: AppContext, query: Record<string, string | undefined>): Response {
  if (needsSetup(ctx)) return new Response(null, { status: 303, headers: { location: "/setup" } });
  return dashboardHtml(form(safeNext(query.next), undefined, "", query.done === "password" ? "Password changed: log in with the new one." : query.done === "setup" ? "Administrator created: log in." : undefined));
}

/** POST /login — form login; sets the session cookie and redirects to `next`. */
export async function loginSubmit(ctx: AppContext, request: Request, body: Record<string, unknown>, ip: string): Promise<Response> {
  if (!sameOrigin(request)) throw new AppError("forbidden", "Cross-site form submission refused.");
  const next = safeNext(body.next);
  const email = typeof body.email === "string" ? body.email : "";
  try {
    const s = await login(ctx, email, typeof body.password === "string" ? body.password : "", ip);
    return new Response(null, {
      status: 303,
      headers: {
        location: next,
        "set-cookie": setCookieHeader(SESSION_COOKIE, s.sessionToken, { maxAgeSeconds: ctx.config.sessionDays * 86400, secure: ctx.config.secureCookies }),
      },
    });
  } catch (e) {
    if (e instanceof AppError && (e.code === "invalid_credentials" || e.code === "rate_limited" || e.code === "login_busy")) return dashboardHtml(form(next, e.message, email), e.status, e.headers ?? {});
    throw e;
  }
}
