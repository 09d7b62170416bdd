// The dashboard's Todoist page (GET /settings/todoist) and its plain forms (csrf field;
// post-redirect-get). Errors a user can fix re-show the page with the message.
import type { Auth } from "../../../services/accounts/accounts.ts";
import type { AppContext } from "../../../services/context.ts";
import { headerInfo } from "../../../services/library/dashboard.ts";
import { chooseTodoistProject, connectTodoist, disconnectTodoist, syncTodoistNow, todoistStatus } from "../../../services/todoist/todoist.ts";
import { TodoistPage } from "../../../../views/pages/todoist.tsx";
import { AppError } from "../../errors.ts";
import { dashboardHtml } from "../../http.ts";
import { redirect } from "../dashboard/guard.ts";

const DONE: Record<string, string> = {
  token: "Todoist is connected. Now choose the project your to-dos go to.",
  project: "To-dos are on their way to Todoist.",
  sync: "A push of your to-dos has been queued.",
  disconnect: "Todoist is disconnected. Tasks already there stay in Todoist.",
};

const str = (body: unknown, k: string): string => {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)[k] : undefined;
  return typeof v === "string" ? v : "";
};

/** GET /settings/todoist */
export async function todoistSettingsPage(ctx: AppContext, auth: Auth, query: Record<string, string | undefined>, error?: string, status = 200): Promise<Response> {
  const st = await todoistStatus(ctx, auth.user.id, true);
  return dashboardHtml(TodoistPage({ header: headerInfo(ctx, auth), status: st, message: DONE[query.done ?? ""], error }), status);
}

async function orError(ctx: AppContext, auth: Auth, fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError && e.code === "bad_request") return todoistSettingsPage(ctx, auth, {}, e.message, e.status);
    throw e;
  }
}

export const tokenForm = (ctx: AppContext, auth: Auth, body: unknown) =>
  orError(ctx, auth, async () => {
    await connectTodoist(ctx, auth.user.id, str(body, "token"));
    return redirect("/settings/todoist?done=token");
  });

export const projectForm = (ctx: AppContext, auth: Auth, body: unknown) =>
  orError(ctx, auth, async () => {
    await chooseTodoistProject(ctx, auth.user.id, str(body, "project"));
    return redirect("/settings/todoist?done=project");
  });

export const syncForm = (ctx: AppContext, auth: Auth) =>
  orError(ctx, auth, () => {
    syncTodoistNow(ctx, auth.user.id);
    return redirect("/settings/todoist?done=sync");
  });

export const disconnectForm = (ctx: AppContext, auth: Auth) =>
  orError(ctx, auth, () => {
    disconnectTodoist(ctx, auth.user.id);
    return redirect("/settings/todoist?done=disconnect");
  });
