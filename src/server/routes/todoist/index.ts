import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { chooseTodoistProject, connectTodoist, disconnectTodoist, syncTodoistNow, todoistStatus } from "../../../services/todoist/todoist.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { jsonBody } from "../../body.ts";
import { asUser, dashboardForm } from "../dashboard/guard.ts";
import { disconnectForm, projectForm, syncForm, todoistSettingsPage, tokenForm } from "./settings-page.ts";

type Server = { requestIP(r: Request): { address: string } | null } | null;
type Ctx = { request: Request; server: Server; body?: unknown; query: Record<string, string | undefined> };
const tags = ["integrations"];

export const todoistRoutes = (ctx: AppContext) => {
  /** Run `fn` as the signed-in user, or answer the login redirect. */
  const as = asUser<Ctx>(ctx);
  const form = dashboardForm(ctx);
  return new Elysia({ name: "routes:todoist" })
    .use(authPlugin(ctx))
    .get("/api/v1/todoist", ({ auth, query }) => todoistStatus(ctx, auth.user.id, query.projects === "1"), {
      auth: true,
      query: t.Object({ projects: t.Optional(t.String({ maxLength: 1 })) }),
      detail: { tags, summary: "Todoist connection status (projects=1: also the account's projects)" },
    })
    .put(
      "/api/v1/todoist",
      async ({ auth, body }) => {
        await connectTodoist(ctx, auth.user.id, body.token, body.project);
        return todoistStatus(ctx, auth.user.id);
      },
      {
        auth: true,
        parse: jsonBody(ctx, { gate: authGate(ctx) }),
        body: t.Object({ token: t.String({ minLength: 1, maxLength: 200 }), project: t.Optional(t.String({ minLength: 1, maxLength: 300 })) }),
        detail: { tags, summary: "Connect Todoist with an API token (checked with Todoist); optionally choose the project (id or name)" },
      },
    )
    .put(
      "/api/v1/todoist/project",
      async ({ auth, body }) => {
        await chooseTodoistProject(ctx, auth.user.id, body.project);
        return todoistStatus(ctx, auth.user.id);
      },
      {
        auth: true,
        parse: jsonBody(ctx, { gate: authGate(ctx) }),
        body: t.Object({ project: t.String({ minLength: 1, maxLength: 300 }) }),
        detail: { tags, summary: "Choose the Todoist project to-dos go to (id or name) and push" },
      },
    )
    .post("/api/v1/todoist/sync", ({ auth }) => ({ queued: syncTodoistNow(ctx, auth.user.id) }), { auth: true, detail: { tags, summary: "Push to-dos to Todoist now" } })
    .delete(
      "/api/v1/todoist",
      ({ auth }) => {
        disconnectTodoist(ctx, auth.user.id);
        return { connected: false };
      },
      { auth: true, detail: { tags, summary: "Disconnect Todoist (tasks stay in Todoist)" } },
    )
    .get("/settings/todoist", as((a, c) => todoistSettingsPage(ctx, a, c.query)), { detail: { hide: true } })
    .post("/settings/todoist/token", as((a, c) => tokenForm(ctx, a, c.body)), form)
    .post("/settings/todoist/project", as((a, c) => projectForm(ctx, a, c.body)), form)
    .post("/settings/todoist/sync", as((a) => syncForm(ctx, a)), form)
    .post("/settings/todoist/disconnect", as((a) => disconnectForm(ctx, a)), form);
};
