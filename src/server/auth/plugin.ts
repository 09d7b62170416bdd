// Authentication as an Elysia macro: a route declares `{ auth: true }` (any user) or
// `{ auth: "admin" }` and its handler receives `auth` (user, how they authenticated, CSRF token).
// Token auth (Authorization: Bearer) is exempt from CSRF; cookie and trusted-header auth must
// send X-CSRF-Token on state-changing requests (checked in services/accounts/accounts.ts).
import { Elysia } from "elysia";
import { authenticate, SESSION_COOKIE, type Auth } from "../../services/accounts/accounts.ts";
import type { AppContext } from "../../services/context.ts";
import { AppError } from "../errors.ts";
import { cookieValue, peerIp } from "../http.ts";
import { decodeRfc2047 } from "./rfc2047.ts";

/** A header's value with RFC 2047 encoded-words decoded (Tailscale sends non-ASCII that way); null when absent or malformed. */
function headerText(request: Request, name: string): string | null {
  const raw = request.headers.get(name);
  return raw === null ? null : decodeRfc2047(raw);
}

const seeds = new WeakMap<AppContext, number>();
let nextSeed = 1;

export async function resolveAuth(ctx: AppContext, request: Request, server: { requestIP(r: Request): { address: string } | null } | null, csrfOverride?: string | null): Promise<Auth | null> {
  return authenticate(ctx, {
    method: request.method,
    authorization: request.headers.get("authorization"),
    sessionCookie: cookieValue(request, SESSION_COOKIE),
    csrfHeader: csrfOverride !== undefined ? csrfOverride : request.headers.get("x-csrf-token"),
    tailscaleLogin: headerText(request, "tailscale-user-login"),
    host: request.headers.get("host") ?? new URL(request.url).host,
    peerIp: peerIp(request, server),
  });
}

// Authentication runs in `transform` (before body validation, so an anonymous caller gets 401,
// not a schema error); `resolve` then hands the result to the handler.
const authOf = new WeakMap<Request, Auth>();

export function authPlugin(ctx: AppContext) {
  if (!seeds.has(ctx)) seeds.set(ctx, nextSeed++);
  return new Elysia({ name: "rmirror:auth", seed: seeds.get(ctx) }).macro({
    auth: (need: true | "admin") => ({
      async transform({ request, server }) {
        const auth = await resolveAuth(ctx, request, server);
        if (!auth) throw new AppError("unauthorized");
        if (need === "admin" && auth.user.is_admin !== 1) throw new AppError("forbidden");
        authOf.set(request, auth);
      },
      resolve({ request }) {
        const auth = authOf.get(request);
        if (!auth) throw new AppError("unauthorized");
        return { auth };
      },
    }),
  });
}
