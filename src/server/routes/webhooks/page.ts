// The dashboard's webhooks page (GET /settings/webhooks) and its forms. Errors a user can fix
// re-show the page with the message (and what they typed).
import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { createWebhook, deleteWebhook, deliveryView, endpointView, redeliver, WEBHOOK_EVENTS } from "../../../services/integrations/webhooks.ts";
import { WebhooksPage, type WebhooksPageProps } from "../../../../views/pages/webhooks.tsx";
import { AppError } from "../../errors.ts";
import { dashboardHtml } from "../../http.ts";
import { redirect } from "../dashboard/guard.ts";

export function idParam(v: string | undefined, code: "webhook_not_found" | "delivery_not_found"): number {
  if (!v || !/^\d{1,15}$/.test(v)) throw new AppError(code);
  return Number(v);
}

const DONE: Record<string, string> = {
  added: "The endpoint was added. Its signing secret is below (Show); events from now on are sent to it.",
  deleted: "The endpoint was deleted.",
  redeliver: "The delivery was queued again.",
};

const str = (body: unknown, k: string): string => {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)[k] : undefined;
  return typeof v === "string" ? v : "";
};

/** GET /settings/webhooks */
export function webhooksPage(ctx: AppContext, auth: Auth, query: Record<string, string | undefined>, error?: string, form?: WebhooksPageProps["form"], status = 200): Response {
  const uid = auth.user.id;
  const endpoints = ctx.store.webhookEndpoints(uid).map((e) => ({ endpoint: endpointView(e), secret: e.secret, deliveries: ctx.store.webhookDeliveries(uid, e.id, 20).map(deliveryView) }));
  return dashboardHtml(
    WebhooksPage({ header: headerInfo(ctx, auth), events: WEBHOOK_EVENTS, endpoints, allowPrivate: ctx.config.webhooks.allowPrivate, message: DONE[query.done ?? ""], error, form }),
    status,
  );
}

function userError(e: unknown): e is AppError {
  return e instanceof AppError && e.code !== "forbidden" && e.code !== "csrf_failed" && e.code !== "internal";
}

/** POST /settings/webhooks */
export async function addForm(ctx: AppContext, auth: Auth, body: unknown): Promise<Response> {
  const events = WEBHOOK_EVENTS.filter((e) => str(body, `ev_${e}`) !== "");
  const input = { url: str(body, "url"), events, description: str(body, "description") };
  try {
    await createWebhook(ctx, auth.user.id, input);
    return redirect("/settings/webhooks?done=added");
  } catch (e) {
    if (userError(e)) return webhooksPage(ctx, auth, {}, e.message, input, e.status);
    throw e;
  }
}

/** POST /settings/webhooks/:id/delete */
export function deleteForm(ctx: AppContext, auth: Auth, id: string | undefined): Response {
  deleteWebhook(ctx, auth.user.id, idParam(id, "webhook_not_found"));
  return redirect("/settings/webhooks?done=deleted");
}

/** POST /settings/webhooks/deliveries/:id/redeliver */
export function redeliverForm(ctx: AppContext, auth: Auth, id: string | undefined): Response {
  redeliver(ctx, auth.user.id, idParam(id, "delivery_not_found"));
  return redirect("/settings/webhooks?done=redeliver");
}
