// Thin client over the official Todoist SDK (@doist/todoist-sdk, API v1): only what the to-do sync
// needs, every failure as a TodoistError with a kind the caller can act on. No business logic.
// The SDK is loaded on first use, not when the server starts.
import type { TodoistApi } from "@doist/todoist-sdk";

export type TodoistErrorKind = "unauthorized" | "rate_limited" | "not_found" | "invalid" | "unavailable";

export class TodoistError extends Error {
  override readonly name = "TodoistError";
  constructor(
    message: string,
    readonly kind: TodoistErrorKind,
    readonly retryAfterMs?: number,
  ) {
    super(`todoist: ${message}`);
  }
}

export interface TodoistTask {
  id: string;
  content: string;
  description: string;
  checked: boolean;
}

function classify(e: unknown): TodoistError {
  if (e instanceof TodoistError) return e;
  const err = e as { httpStatusCode?: number; responseData?: unknown; message?: string };
  const status = err.httpStatusCode;
  const data = (err.responseData ?? {}) as { error?: string; error_extra?: { retry_after?: number } };
  const why = data.error ?? err.message ?? String(e);
  if (status === 401 || status === 403) return new TodoistError(`the token was refused (${status}): ${why}`, "unauthorized");
  if (status === 429) {
    const s = Number(data.error_extra?.retry_after);
    return new TodoistError("too many requests", "rate_limited", (Number.isFinite(s) && s > 0 ? s : 60) * 1000);
  }
  if (status === 404) return new TodoistError(why, "not_found");
  if (status !== undefined && status >= 400 && status < 500) return new TodoistError(`${status} ${why}`, "invalid");
  return new TodoistError(status ? `Todoist answered ${status}: ${why}` : `cannot reach Todoist: ${why}`, "unavailable");
}

export class TodoistClient {
  private constructor(private readonly api: TodoistApi) {}

  static async connect(token: string, baseUrl?: string): Promise<TodoistClient> {
    const { TodoistApi } = await import("@doist/todoist-sdk");
    return new TodoistClient(new TodoistApi(token, baseUrl ? { baseUrl } : {}));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw classify(e);
    }
  }

  async projects(): Promise<{ id: string; name: string }[]> {
    const out: { id: string; name: string }[] = [];
    let cursor: string | null = null;
    do {
      const r = await this.call(() => this.api.getProjects({ limit: 200, ...(cursor ? { cursor } : {}) }));
      for (const p of r.results) out.push({ id: p.id, name: p.name });
      cursor = r.nextCursor;
    } while (cursor);
    return out;
  }

  /** Active (open) tasks of a project. */
  async tasks(projectId: string): Promise<TodoistTask[]> {
    const out: TodoistTask[] = [];
    let cursor: string | null = null;
    do {
      const r = await this.call(() => this.api.getTasks({ projectId, limit: 200, ...(cursor ? { cursor } : {}) }));
      for (const t of r.results) out.push({ id: t.id, content: t.content, description: t.description, checked: t.checked });
      cursor = r.nextCursor;
    } while (cursor);
    return out;
  }

  /** Create a task; `requestId` (≤ 36 bytes) makes a repeated request apply once. */
  async addTask(a: { content: string; description: string; projectId: string }, requestId: string): Promise<TodoistTask> {
    const t = await this.call(() => this.api.addTask({ content: a.content, description: a.description, projectId: a.projectId }, requestId));
    return { id: t.id, content: t.content, description: t.description, checked: t.checked };
  }

  async updateTask(id: string, a: { content: string }): Promise<void> {
    await this.call(() => this.api.updateTask(id, { content: a.content }));
  }

  async closeTask(id: string): Promise<void> {
    await this.call(() => this.api.closeTask(id));
  }

  async reopenTask(id: string): Promise<void> {
    await this.call(() => this.api.reopenTask(id));
  }

  async deleteTask(id: string): Promise<void> {
    await this.call(() => this.api.deleteTask(id));
  }
}
