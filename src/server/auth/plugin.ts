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

type AuthInput = Parameters<typeof authenticate>[1];

function authInput(request: Request, server: { requestIP(r: Request): { address: string } | null } | null): AuthInput {
  return {
    method: request.method,
    authorization: request.headers.get("authorization"),
    sessionCookie: cookieValue(request, SESSION_COOKIE),
    csrfHeader: request.headers.get("x-csrf-token"),
    tailscaleLogin: headerText(request, "tailscale-user-login"),
    host: request.headers.get("host") ?? new URL(request.url).host,
    peerIp: peerIp(request, server),
    forwardedFor: request.headers.get("x-forwarded-for"),
  };
}

export async function resolveAuth(ctx: AppContext, request: Request, server: { requestIP(r: Request): { address: string } | null } | null, csrfOverride?: string | null): Promise<Auth | null> {
  const input = authInput(request, server);
  return authenticate(ctx, csrfOverride !== undefined ? { ...input, csrfHeader: csrfOverride } : input);
}

// Authentication runs in `transform` (before body validation, so an anonymous caller gets 401,
// not a schema error); routes with a body authenticate even earlier, in their body parser
// (server/body.ts `gate: authGate(ctx)`), so nothing is read from an anonymous caller. Either
// way the result is remembered per request and `resolve` hands it to the handler.
const authOf = new WeakMap<Request, Auth>();
type Server = { requestIP(r: Request): { address: string } | null } | null;

/** Who is calling (401 when nobody, 403 when `need` is "admin" and they are not); remembered per request. */
export async function authorize(ctx: AppContext, request: Request, server: Server, need: true | "admin"): Promise<Auth> {
  let auth = authOf.get(request);
  if (!auth) {
    auth = (await resolveAuth(ctx, request, server)) ?? undefined;
    if (!auth) throw new AppError("unauthorized");
    authOf.set(request, auth);
  }
  if (need === "admin" && auth.user.is_admin !== 1) throw new AppError("forbidden");
  return auth;
}

/** Whether the request carries a signed-in user at all (CSRF is checked later, with the form). */
export const signedIn =
  (ctx: AppContext) =>
  async (request: Request, server: Server): Promise<boolean> =>
    // identity only (as a GET): the form's CSRF field is not read yet
    (await authenticate(ctx, { ...authInput(request, server), method: "GET", csrfHeader: null }).catch(() => null)) !== null;

/** The gate a body parser runs before reading: authenticate first. */
export const authGate =
  (ctx: AppContext, need: true | "admin" = true) =>
  (request: Request, server: Server) =>
    authorize(ctx, request, server, need);

export function authPlugin(ctx: AppContext) {
  if (!seeds.has(ctx)) seeds.set(ctx, nextSeed++);
  return new Elysia({ name: "rmirror:auth", seed: seeds.get(ctx) }).macro({
    auth: (need: true | "admin") => ({
      async transform({ request, server }) {
        await authorize(ctx, request, server, need);
      },
      resolve({ request }) {
        const auth = authOf.get(request);
        if (!auth) throw new AppError("unauthorized");
        return { auth };
      },
    }),
  });
}
