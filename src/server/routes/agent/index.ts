// The running agent reports to the server (issue 15): heartbeats for the Devices page; it reads
// its sync settings (choose what syncs) from the heartbeat's answer and at start.
import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { recordHeartbeat } from "../../../services/agent/heartbeats.ts";
import { agentSyncSettings } from "../../../services/agent/sync-settings.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { jsonBody } from "../../body.ts";

export const agentRoutes = (ctx: AppContext) =>
  new Elysia({ name: "routes:agent" })
    .use(authPlugin(ctx))
    .get("/api/v1/agent/settings", ({ auth }) => ({ settings: agentSyncSettings(ctx, auth) }), {
      auth: true,
      detail: { tags: ["devices"], summary: "The calling agent's sync settings: folders/notebooks excluded or included, initial-sync limit (device token)" },
    })
    .post("/api/v1/agent/heartbeat", ({ auth, body }) => recordHeartbeat(ctx, auth, body), {
    auth: true,
    parse: jsonBody(ctx, { gate: authGate(ctx) }),
    body: t.Object({
      version: t.String({ maxLength: 100 }),
      platform: t.String({ maxLength: 100 }),
      folder: t.Union([t.Literal("ok"), t.Literal("missing"), t.Literal("unreadable")]),
      queue: t.Integer({ minimum: 0 }),
      lastSyncAt: t.Optional(t.Union([t.String({ maxLength: 40 }), t.Null()])),
      lastError: t.Optional(t.Union([t.String({ maxLength: 2000 }), t.Null()])),
      stopping: t.Optional(t.Boolean()),
    }),
    detail: { tags: ["devices"], summary: "An agent's heartbeat: version, platform, folder state, queue, last sync, last error (device token); answers the server version and the computer's sync settings" },
  });
