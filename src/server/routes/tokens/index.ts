import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { jsonBody } from "../../body.ts";
import { createToken } from "./create-token.ts";
import { listTokens } from "./list-tokens.ts";
import { revokeToken } from "./revoke-token.ts";
import { getTokenSyncSettings, putTokenSyncSettings } from "./sync-settings.ts";

export const tokenRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:tokens", prefix: "/api/v1/tokens" })
    .use(authPlugin(ctx))
    .get("/", ({ auth }) => listTokens(ctx, auth), { auth: true, detail: { tags: ["devices"], summary: "List device tokens" } })
    .post("/", ({ auth, body }) => createToken(ctx, auth, body), {
      auth: true,
      parse: jsonBody(ctx, { gate: authGate(ctx) }),
      body: t.Object({ name: t.String({ maxLength: 200 }) }),
      detail: { tags: ["devices"], summary: "Create a device token (value shown once)" },
    })
    .delete("/:id", ({ auth, params }) => revokeToken(ctx, auth, params.id), { auth: true, detail: { tags: ["devices"], summary: "Revoke a device token" } })
    .get("/:id/sync-settings", ({ auth, params }) => getTokenSyncSettings(ctx, auth, params.id), {
      auth: true,
      detail: { tags: ["devices"], summary: "A computer's sync settings (what its agent syncs, initial-sync limit)" },
    })
    .put("/:id/sync-settings", ({ auth, params, body }) => putTokenSyncSettings(ctx, auth, params.id, body), {
      auth: true,
      parse: jsonBody(ctx, { gate: authGate(ctx) }),
      body: t.Object({
        mode: t.Union([t.Literal("exclude"), t.Literal("include")]),
        items: t.Array(t.String({ maxLength: 1000 }), { maxItems: 1000 }),
        initialPages: t.Union([t.Integer({ minimum: 1 }), t.Null()]),
      }),
      detail: { tags: ["devices"], summary: "Set a computer's sync settings: folders/notebooks excluded or the only ones included, initial-sync limit" },
    });
