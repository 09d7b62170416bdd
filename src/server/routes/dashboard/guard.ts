// Dashboard authentication: the session cookie (or trusted header); state-changing requests need
// the CSRF token, from X-CSRF-Token (htmx, hx-headers on <body>) or the form field `csrf`.
// Nobody signed in → 303 to /login?next=<this page> (htmx requests: HX-Redirect).
import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { resolveAuth, signedIn } from "../../auth/plugin.ts";
import { formBody } from "../../body.ts";
import { AppError } from "../../errors.ts";

type Server = { requestIP(r: Request): { address: string } | null } | null;

export function loginRedirect(request: Request): Response {
  const url = new URL(request.url);
  const back = request.method === "GET" ? url.pathname + url.search : "/";
  const location = `/login?next=${encodeURIComponent(back)}`;
  if (request.headers.get("hx-request") === "true") return new Response(null, { status: 401, headers: { "hx-redirect": location } });
  return new Response(null, { status: 303, headers: { location } });
}

export async function userOrLogin(ctx: AppContext, request: Request, server: Server, form?: unknown): Promise<Auth | Response> {
  const field = form && typeof form === "object" ? (form as Record<string, unknown>).csrf : undefined;
  const auth = await resolveAuth(ctx, request, server, typeof field === "string" ? field : undefined);
  return auth ?? loginRedirect(request);
}

export function requireAdmin(auth: Auth): void {
  if (auth.user.is_admin !== 1) throw new AppError("forbidden");
}

export function isHtmx(request: Request): boolean {
  return request.headers.get("hx-request") === "true";
}

export function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

/** Dashboard handlers: `as(fn)` runs `fn` as the signed-in user (CSRF from the form's field), else answers the login redirect. */
export function asUser<C extends { request: Request; server: Server; body?: unknown }>(ctx: AppContext) {
  return (fn: (auth: Auth, c: C) => Response | Promise<Response>) =>
    async (c: C): Promise<Response> => {
      const auth = await userOrLogin(ctx, c.request, c.server, c.body);
      return auth instanceof Response ? auth : fn(auth, c);
    };
}

/** Route options of a dashboard form post: the body is read only from a signed-in user; hidden from the API docs. */
export const dashboardForm = (ctx: AppContext) => ({ parse: formBody(signedIn(ctx)), detail: { hide: true } });
