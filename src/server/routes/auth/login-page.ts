import { login, needsSetup, SESSION_COOKIE } from "../../../services/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { AppError } from "../../errors.ts";
import { escapeHtml, html, page, sameOrigin, setCookieHeader } from "../../http.ts";

/** Only same-site relative paths, so `next` cannot redirect elsewhere. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : "/api/v1/auth/me";
}

function form(next: string, error?: string, email = ""): string {
  return page(
    "Log in",
    `${error ? `<p class="err">${escapeHtml(error)}</p>` : ""}<form method="post" action="/login"><input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Email<input name="email" type="email" required value="${escapeHtml(email)}"></label><label>Password<input name="password" type="password" required></label><button>Log in</button></form>`,
  );
}

/** GET /login — minimal login form (the dashboard replaces it). */
export function loginPage(ctx: AppContext, query: Record<string, string | undefined>): Response {
  if (needsSetup(ctx)) return new Response(null, { status: 303, headers: { location: "/setup" } });
  return html(form(safeNext(query.next)));
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
    if (e instanceof AppError && (e.code === "invalid_credentials" || e.code === "rate_limited")) return html(form(next, e.message, email), e.status, e.headers ?? {});
    throw e;
  }
}
