import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { jsonBody } from "../../body.ts";
import { chooseParent } from "./choose-parent.ts";
import { connectToken } from "./connect-token.ts";
import { disconnect } from "./disconnect.ts";
import { getDocumentSync, resyncDocument } from "./document-sync.ts";
import { getStatus } from "./get-status.ts";
import { listPages } from "./list-pages.ts";
import { oauthCallback } from "./oauth-callback.ts";
import { oauthStart } from "./oauth-start.ts";
import { syncNow } from "./sync-now.ts";
import { disconnectForm, notionSettingsPage, parentForm, syncForm, tokenForm } from "./settings-page.ts";
import { asUser, dashboardForm } from "../dashboard/guard.ts";

type Server = { requestIP(r: Request): { address: string } | null } | null;
type Ctx = { request: Request; server: Server; body?: unknown; query: Record<string, string | undefined> };

const tags = ["notion"];

export const notionRoutes = (ctx: AppContext) => {
  /** Run `fn` as the signed-in user, or answer the login redirect. */
  const as = asUser<Ctx>(ctx);
  const form = dashboardForm(ctx);
  return new Elysia({ name: "routes:notion" })
    .use(authPlugin(ctx))
    .get("/api/v1/notion", ({ auth }) => getStatus(ctx, auth), { auth: true, detail: { tags, summary: "Notion connection and sync status" } })
    .delete("/api/v1/notion", ({ auth }) => disconnect(ctx, auth), { auth: true, detail: { tags, summary: "Disconnect Notion" } })
    .post("/api/v1/notion/token", ({ auth, body }) => connectToken(ctx, auth, body), {
      auth: true,
      parse: jsonBody(ctx, { gate: authGate(ctx) }),
      body: t.Object({ token: t.String({ minLength: 1, maxLength: 500 }) }),
      detail: { tags, summary: "Connect with an internal integration token" },
    })
    .get("/api/v1/notion/pages", ({ auth, query }) => listPages(ctx, auth, query), {
      auth: true,
      query: t.Object({ q: t.Optional(t.String({ maxLength: 200 })) }),
      detail: { tags, summary: "Pages shared with the integration (candidate parents)" },
    })
    .put("/api/v1/notion/parent", ({ auth, body }) => chooseParent(ctx, auth, body), {
      auth: true,
      parse: jsonBody(ctx, { gate: authGate(ctx) }),
      body: t.Object({ pageId: t.Optional(t.String({ maxLength: 300 })), databaseId: t.Optional(t.String({ maxLength: 300 })) }),
      detail: { tags, summary: "Choose the parent page (or an existing database) and start the first sync" },
    })
    .post("/api/v1/notion/sync", ({ auth }) => syncNow(ctx, auth), { auth: true, detail: { tags, summary: "Sync the whole library now" } })
    .get("/api/v1/notion/documents/:uuid", ({ auth, params }) => getDocumentSync(ctx, auth, params.uuid), { auth: true, detail: { tags, summary: "A notebook's Notion sync state" } })
    .post("/api/v1/notion/documents/:uuid/sync", ({ auth, params }) => resyncDocument(ctx, auth, params.uuid), { auth: true, detail: { tags, summary: "Rebuild one notebook in Notion" } })
    // Browser routes: not signed in → the login page, then back here.
    .get("/notion/oauth/start", as((a) => oauthStart(ctx, a)), { detail: { tags, summary: "Start Notion OAuth (redirect)" } })
    .get("/notion/oauth/callback", as((a, c) => oauthCallback(ctx, a, c.request, c.query)), {
      query: t.Object({ code: t.Optional(t.String({ maxLength: 1000 })), state: t.Optional(t.String({ maxLength: 300 })), error: t.Optional(t.String({ maxLength: 300 })) }),
      detail: { tags, summary: "Notion OAuth redirect target" },
    })
    .get("/settings/notion", as((a, c) => notionSettingsPage(ctx, a, c.query)), { detail: { hide: true } })
    .post("/settings/notion/token", as((a, c) => tokenForm(ctx, a, c.body)), form)
    .post("/settings/notion/parent", as((a, c) => parentForm(ctx, a, c.body)), form)
    .post("/settings/notion/sync", as((a) => syncForm(ctx, a)), form)
    .post("/settings/notion/disconnect", as((a) => disconnectForm(ctx, a)), form);
};
