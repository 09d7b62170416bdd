// The user's Todoist connection: an API token (Todoist → Settings → Integrations → Developer),
// checked against Todoist and stored sealed; the project to-dos go to; status for the dashboard.
import { AppError } from "../../errors.ts";
import { openToken, sealToken } from "../../notion/token-box.ts";
import { TodoistClient, TodoistError } from "../../todoist/client.ts";
import type { AppContext } from "../context.ts";

/** Key material for sealed tokens (the same as Notion tokens use: RMIRROR_NOTION_KEY, else the server secret). */
const tokenKeyMaterial = (ctx: AppContext): string => ctx.config.notion.key ?? ctx.secret;
import { enqueueTodoistSync } from "./todoist-sync.ts";

function refused(e: unknown): never {
  if (e instanceof TodoistError) {
    if (e.kind === "unauthorized") throw new AppError("bad_request", "Todoist refused this token. Copy the API token from Todoist → Settings → Integrations → Developer.");
    if (e.kind === "rate_limited") throw new AppError("bad_request", "Todoist is limiting requests right now; try again in a minute.");
    throw new AppError("bad_request", `Todoist could not be reached or refused the request: ${e.message.replace(/^todoist: /, "")}`);
  }
  throw e;
}

async function clientFor(ctx: AppContext, userId: number): Promise<TodoistClient | null> {
  const c = ctx.store.todoistConnection(userId);
  if (!c) return null;
  return TodoistClient.connect(await openToken(tokenKeyMaterial(ctx), userId, c.token_enc, "todoist"), ctx.config.todoist.apiBaseUrl);
}

/** Check the token with Todoist and store it; with a project (id or exact name) to-dos start flowing. */
export async function connectTodoist(ctx: AppContext, userId: number, token: string, project?: string): Promise<void> {
  const t = token.trim();
  if (!/^[\x21-\x7e]{8,200}$/.test(t)) throw new AppError("bad_request", "That does not look like a Todoist API token.");
  const client = await TodoistClient.connect(t, ctx.config.todoist.apiBaseUrl);
  const projects = await client.projects().catch(refused);
  const chosen = project ? projects.find((p) => p.id === project || p.name === project) : undefined;
  if (project && !chosen) throw new AppError("bad_request", `No Todoist project "${project}" in this account.`);
  ctx.store.saveTodoistConnection({ userId, tokenEnc: await sealToken(tokenKeyMaterial(ctx), userId, t, "todoist"), projectId: chosen?.id ?? null, projectName: chosen?.name ?? null });
  if (chosen) enqueueTodoistSync(ctx, userId, { delayMs: 0 });
}

export async function chooseTodoistProject(ctx: AppContext, userId: number, project: string): Promise<void> {
  const client = await clientFor(ctx, userId);
  if (!client) throw new AppError("bad_request", "Connect Todoist first.");
  const chosen = (await client.projects().catch(refused)).find((p) => p.id === project || p.name === project);
  if (!chosen) throw new AppError("bad_request", `No Todoist project "${project}" in this account.`);
  ctx.store.setTodoistProject(userId, chosen.id, chosen.name);
  enqueueTodoistSync(ctx, userId, { delayMs: 0 });
}

/** Stop pushing; tasks already in Todoist stay there. */
export function disconnectTodoist(ctx: AppContext, userId: number): void {
  ctx.store.deleteTodoistConnection(userId);
}

export function syncTodoistNow(ctx: AppContext, userId: number): boolean {
  const c = ctx.store.todoistConnection(userId);
  if (!c) throw new AppError("bad_request", "Connect Todoist first.");
  if (c.status !== "ready") throw new AppError("bad_request", c.status === "needs_project" ? "Choose a Todoist project first." : (c.last_error ?? "The Todoist connection needs attention."));
  return enqueueTodoistSync(ctx, userId, { delayMs: 0 });
}

export interface TodoistStatusView {
  connected: boolean;
  status: string | null;
  project: { id: string; name: string } | null;
  lastError: string | null;
  syncedAt: string | null;
  tasks: number;
  /** The account's projects (only when asked: one request to Todoist). */
  projects?: { id: string; name: string }[];
}

export async function todoistStatus(ctx: AppContext, userId: number, withProjects = false): Promise<TodoistStatusView> {
  const c = ctx.store.todoistConnection(userId);
  if (!c) return { connected: false, status: null, project: null, lastError: null, syncedAt: null, tasks: 0 };
  const view: TodoistStatusView = {
    connected: true,
    status: c.status,
    project: c.project_id ? { id: c.project_id, name: c.project_name ?? c.project_id } : null,
    lastError: c.last_error,
    syncedAt: c.synced_at ? new Date(c.synced_at).toISOString() : null,
    tasks: ctx.store.todoistTasks(userId).length,
  };
  if (withProjects && c.status !== "revoked") {
    const client = await clientFor(ctx, userId);
    view.projects = client ? await client.projects().catch(() => []) : [];
  }
  return view;
}
