// The dashboard's Notion page (GET /settings/notion) and its plain forms (csrf field;
// post-redirect-get). Errors a user can fix re-show the page with the message.
import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { chooseParent, connectInternalToken, disconnect, listParentPages, notionStatus, syncNow } from "../../../services/notion/notion.ts";
import { NotionPage } from "../../../../views/pages/notion.tsx";
import { AppError, ERRORS } from "../../errors.ts";
import { dashboardHtml } from "../../http.ts";
import { redirect } from "../dashboard/guard.ts";

const DONE: Record<string, string> = {
  "1": "Notion is connected. Now choose where the database should live.",
  token: "Notion is connected. Now choose where the database should live.",
  parent: "The first sync has started; notebooks appear in Notion within minutes.",
  sync: "A sync of the whole library has been queued.",
  disconnect: "Notion is disconnected. What was synced stays in Notion.",
};

const str = (body: unknown, k: string): string => {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)[k] : undefined;
  return typeof v === "string" ? v : "";
};

/** GET /settings/notion */
export async function notionSettingsPage(ctx: AppContext, auth: Auth, query: Record<string, string | undefined>, error?: string, status = 200): Promise<Response> {
  const code = query.error ?? "";
  if (!error && Object.hasOwn(ERRORS, code) && code.startsWith("notion_")) error = ERRORS[code as keyof typeof ERRORS][1];
  const st = notionStatus(ctx, auth.user.id);
  let pages: { id: string; title: string }[] | null = null;
  if (st.connection?.status === "needs_parent") {
    try {
      pages = (await listParentPages(ctx, auth.user.id)).pages;
    } catch (e) {
      error ??= (e as Error).message;
    }
  }
  const message = DONE[query.connected ? "1" : (query.done ?? "")];
  return dashboardHtml(NotionPage({ header: headerInfo(ctx, auth), status: st, pages, message, error }), status);
}

async function orError(ctx: AppContext, auth: Auth, fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError && e.code !== "forbidden" && e.code !== "csrf_failed" && e.code !== "internal") return notionSettingsPage(ctx, auth, {}, e.message, e.status);
    throw e;
  }
}

/** POST /settings/notion/token */
export const tokenForm = (ctx: AppContext, auth: Auth, body: unknown) =>
  orError(ctx, auth, async () => {
    await connectInternalToken(ctx, auth.user.id, str(body, "token"));
    return redirect("/settings/notion?done=token");
  });

/** POST /settings/notion/parent */
export const parentForm = (ctx: AppContext, auth: Auth, body: unknown) =>
  orError(ctx, auth, () => {
    const databaseId = str(body, "databaseId").trim();
    chooseParent(ctx, auth.user.id, databaseId ? { databaseId } : { pageId: str(body, "pageId") });
    return redirect("/settings/notion?done=parent");
  });

/** POST /settings/notion/sync */
export const syncForm = (ctx: AppContext, auth: Auth) =>
  orError(ctx, auth, () => {
    syncNow(ctx, auth.user.id);
    return redirect("/settings/notion?done=sync");
  });

/** POST /settings/notion/disconnect */
export const disconnectForm = (ctx: AppContext, auth: Auth) =>
  orError(ctx, auth, () => {
    disconnect(ctx, auth.user.id);
    return redirect("/settings/notion?done=disconnect");
  });
