// Webhooks: the JSON API (/api/v1/webhooks…) and the dashboard page (/settings/webhooks, plain
// forms with the csrf field, post-redirect-get).
import { Elysia, t } from "elysia";
import type { AppContext } from "../../../services/context.ts";
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, redeliver, webhookSecret } from "../../../services/integrations/webhooks.ts";
import { authGate, authPlugin } from "../../auth/plugin.ts";
import { jsonBody } from "../../body.ts";
import { asUser, dashboardForm } from "../dashboard/guard.ts";
import { addForm, deleteForm, idParam, redeliverForm, webhooksPage } from "./page.ts";

type Server = { requestIP(r: Request): { address: string } | null } | null;
type Ctx = { request: Request; server: Server; body?: unknown; params: Record<string, string>; query: Record<string, string | undefined> };

const tags = ["integrations"];

export const webhookRoutes = (ctx: AppContext) => {
  /** Run `fn` as the signed-in user, or answer the login redirect. */
  const as = asUser<Ctx>(ctx);
  const form = dashboardForm(ctx);
  return new Elysia({ name: "routes:webhooks" })
    .use(authPlugin(ctx))
    .get("/api/v1/webhooks", ({ auth }) => listWebhooks(ctx, auth.user.id), { auth: true, detail: { tags, summary: "Webhook endpoints and the events they can subscribe to" } })
    .post(
      "/api/v1/webhooks",
      async ({ auth, body }) => Response.json(await createWebhook(ctx, auth.user.id, body), { status: 201 }),
      {
        auth: true,
        parse: jsonBody(ctx, { gate: authGate(ctx) }),
        body: t.Object({ url: t.String({ minLength: 1, maxLength: 2000 }), events: t.Array(t.String({ maxLength: 40 }), { minItems: 1, maxItems: 10 }), description: t.Optional(t.String({ maxLength: 200 })) }),
        detail: { tags, summary: "Add a webhook endpoint (answers its whsec_ signing secret)" },
      },
    )
    .get("/api/v1/webhooks/:id/secret", ({ auth, params }) => ({ secret: webhookSecret(ctx, auth.user.id, idParam(params.id, "webhook_not_found")) }), {
      auth: true,
      detail: { tags, summary: "A webhook endpoint's signing secret" },
    })
    .delete("/api/v1/webhooks/:id", ({ auth, params }) => deleteWebhook(ctx, auth.user.id, idParam(params.id, "webhook_not_found")), {
      auth: true,
      detail: { tags, summary: "Delete a webhook endpoint (and its deliveries)" },
    })
    .get("/api/v1/webhooks/:id/deliveries", ({ auth, params, query }) => listDeliveries(ctx, auth.user.id, idParam(params.id, "webhook_not_found"), query.limit ? Number(query.limit) : 50), {
      auth: true,
      query: t.Object({ limit: t.Optional(t.String({ pattern: "^[0-9]{1,3}$" })) }),
      detail: { tags, summary: "An endpoint's recent deliveries, newest first" },
    })
    .post("/api/v1/webhooks/deliveries/:id/redeliver", ({ auth, params }) => redeliver(ctx, auth.user.id, idParam(params.id, "delivery_not_found")), {
      auth: true,
      detail: { tags, summary: "Send a delivery again (same webhook-id)" },
    })
    .get("/settings/webhooks", as((a, c) => webhooksPage(ctx, a, c.query)), { detail: { hide: true } })
    .post("/settings/webhooks", as((a, c) => addForm(ctx, a, c.body)), form)
    .post("/settings/webhooks/:id/delete", as((a, c) => deleteForm(ctx, a, c.params.id)), form)
    .post("/settings/webhooks/deliveries/:id/redeliver", as((a, c) => redeliverForm(ctx, a, c.params.id)), form);
};
