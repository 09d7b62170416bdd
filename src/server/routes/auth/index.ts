import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { formBody, jsonBody } from "../../body.ts";
import { peerIp } from "../../http.ts";
import { changePasswordApi } from "./change-password.ts";
import { loginApi } from "./login.ts";
import { loginPage, loginSubmit } from "./login-page.ts";
import { logoutApi } from "./logout.ts";
import { me } from "./me.ts";

const Credentials = t.Object({ email: t.String({ maxLength: 320 }), password: t.String({ maxLength: 1024 }) });

export const authRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:auth" })
    .use(authPlugin(ctx))
    .post("/api/v1/auth/login", ({ body, request, server }) => loginApi(ctx, body, peerIp(request, server) ?? "in-process"), {
      parse: jsonBody(ctx),
      body: Credentials,
      detail: { tags: ["accounts"], summary: "Log in with email and password (sets the session cookie; rate limited)" },
    })
    .post("/api/v1/auth/logout", ({ auth, request }) => logoutApi(ctx, auth, request), {
      auth: true,
      detail: { tags: ["accounts"], summary: "Log out (cookie sessions need X-CSRF-Token)" },
    })
    .post("/api/v1/auth/password", ({ auth, body }) => changePasswordApi(ctx, auth, body), {
      auth: true,
      parse: jsonBody(ctx, { gate: authGate(ctx) }),
      body: t.Object({ current: t.Optional(t.String({ maxLength: 1024 })), password: t.String({ maxLength: 1024 }), revokeDeviceTokens: t.Optional(t.Boolean()) }),
      detail: { tags: ["accounts"], summary: "Change the password (other sessions end; optionally revoke every device token; not with a device token)" },
    })
    .get("/api/v1/auth/me", ({ auth }) => me(auth), { auth: true, detail: { tags: ["accounts"], summary: "The current user and CSRF token" } })
    .get("/login", ({ query }) => loginPage(ctx, query), { detail: { hide: true } })
    .post("/login", ({ request, body, server }) => loginSubmit(ctx, request, (body ?? {}) as Record<string, unknown>, peerIp(request, server) ?? "in-process"), {
      parse: formBody(),
      detail: { hide: true },
    });
