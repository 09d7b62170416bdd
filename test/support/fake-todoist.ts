// A loopback Todoist (API v1) for tests, driven by the official @doist/todoist-sdk pointed at it
// (baseUrl). It follows Todoist's documented behaviour where it matters to us:
//   - Bearer token auth; an unknown token is 401, JSON errors { error, error_code, error_extra, error_tag, http_code };
//   - lists are cursor-paginated ({ results, next_cursor }, `limit` ≤ 200, default 50);
//   - POST bodies are JSON, at most 1 MB (413 above);
//   - "POST requests may provide an X-Request-Id header (≤ 36 bytes) to ensure modifications apply
//     only once: requests having the same ID as a previously processed request will be discarded";
//   - request limits per user (a configurable budget here, 429 with error_extra.retry_after);
//   - task ids are opaque strings; closing a task hides it from the active-task list, reopen brings it back.
import type { Server } from "bun";

export interface FakeTask {
  id: string;
  project_id: string;
  content: string;
  description: string;
  checked: boolean;
  is_deleted: boolean;
  added_at: string;
  updated_at: string;
  completed_at: string | null;
  child_order: number;
}

export interface FakeTodoist {
  url: string;
  token: string;
  projects: { id: string; name: string }[];
  tasks: Map<string, FakeTask>;
  /** Every request as "METHOD path". */
  log: string[];
  /** Requests left before 429 (Infinity: unlimited). */
  budget: number;
  /** Seconds a 429 asks to wait. */
  retryAfter: number;
  /** When set, each mutating request awaits this first (to kill the client mid-flight). */
  hold: (() => Promise<void>) | null;
  /** When set, a task create is applied and then awaits this before answering (the client may die meanwhile). */
  holdAfter: (() => Promise<void>) | null;
  /** The active (not deleted) tasks of a project. */
  live(projectId?: string): FakeTask[];
  close(): Promise<void>;
}

const ERR = (status: number, tag: string, error: string, extra: Record<string, unknown> = {}) =>
  Response.json({ error, error_code: status === 401 ? 401 : status, error_extra: extra, error_tag: tag, http_code: status }, { status });

function apiTask(t: FakeTask) {
  return {
    id: t.id,
    user_id: "2671355",
    project_id: t.project_id,
    section_id: null,
    parent_id: null,
    added_by_uid: "2671355",
    assigned_by_uid: null,
    responsible_uid: null,
    labels: [],
    deadline: null,
    duration: null,
    checked: t.checked,
    is_deleted: t.is_deleted,
    added_at: t.added_at,
    completed_at: t.completed_at,
    updated_at: t.updated_at,
    due: null,
    priority: 1,
    child_order: t.child_order,
    content: t.content,
    description: t.description,
    day_order: -1,
    is_collapsed: false,
  };
}

function apiProject(p: { id: string; name: string }, i: number) {
  return {
    id: p.id,
    can_assign_tasks: false,
    child_order: i,
    color: "charcoal",
    created_at: "2026-01-01T00:00:00Z",
    is_archived: false,
    is_deleted: false,
    is_favorite: false,
    is_frozen: false,
    name: p.name,
    updated_at: "2026-01-01T00:00:00Z",
    view_style: "list",
    default_order: 0,
    description: "",
    is_collapsed: false,
    is_shared: false,
    parent_id: null,
    inbox_project: i === 0,
  };
}

function page<T>(items: T[], url: URL): Response {
  const limit = Math.min(200, Math.max(1, Number(url.searchParams.get("limit") ?? 50) || 50));
  const start = Number(url.searchParams.get("cursor") ?? 0) || 0;
  const results = items.slice(start, start + limit);
  return Response.json({ results, next_cursor: start + limit < items.length ? String(start + limit) : null });
}

export function startFakeTodoist(): FakeTodoist {
  let nextId = 6_000_000_000;
  const processed = new Map<string, Response>(); // X-Request-Id → the first answer
  const fake: FakeTodoist = {
    url: "",
    token: `todoist-${crypto.randomUUID().replaceAll("-", "")}`,
    projects: [
      { id: "6Jf8VQXxpwv56VQ7", name: "Inbox" },
      { id: "6Jf8VQXxpwv56VQ8", name: "reMarkable" },
    ],
    tasks: new Map(),
    log: [],
    budget: Infinity,
    retryAfter: 2,
    hold: null,
    holdAfter: null,
    live(projectId?: string) {
      return [...fake.tasks.values()].filter((t) => !t.is_deleted && (!projectId || t.project_id === projectId));
    },
    close: async () => {
      await server.stop(true);
    },
  };

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const path = url.pathname.replace(/^\/api\/v1/, "");
      fake.log.push(`${req.method} ${path}`);
      if (req.headers.get("authorization") !== `Bearer ${fake.token}`) return ERR(401, "AUTH_INVALID_TOKEN", "Invalid token");
      if (fake.budget <= 0) return ERR(429, "LIMITS_REACHED", "Too many requests", { retry_after: fake.retryAfter });
      fake.budget--;
      const mutating = req.method === "POST" || req.method === "DELETE";
      let body: Record<string, unknown> = {};
      if (req.method === "POST") {
        const raw = await req.text();
        if (raw.length > 1024 * 1024) return ERR(413, "REQUEST_TOO_LARGE", "Request entity too large");
        if (raw) body = JSON.parse(raw) as Record<string, unknown>;
      }
      const rid = req.headers.get("x-request-id");
      if (rid && rid.length > 36) return ERR(400, "INVALID_ARGUMENT_VALUE", "X-Request-Id is longer than 36 bytes");
      if (mutating && rid && processed.has(rid)) return processed.get(rid)!.clone(); // discarded: applied once
      if (mutating && fake.hold) await fake.hold();
      const remember = (r: Response) => {
        if (mutating && rid && r.ok) processed.set(rid, r.clone());
        return r;
      };
      const now = new Date().toISOString();

      if (req.method === "GET" && path === "/projects") return page(fake.projects.map(apiProject), url);
      if (req.method === "GET" && path === "/tasks") {
        const pid = url.searchParams.get("project_id");
        return page([...fake.tasks.values()].filter((t) => !t.is_deleted && !t.checked && (!pid || t.project_id === pid)).map(apiTask), url);
      }
      if (req.method === "POST" && path === "/tasks") {
        if (typeof body.content !== "string" || !body.content.trim()) return ERR(400, "ARGUMENT_MISSING", "Required argument is missing", { argument: "content" });
        const pid = (body.project_id as string | undefined) ?? fake.projects[0]!.id;
        if (!fake.projects.some((p) => p.id === pid)) return ERR(404, "NOT_FOUND", "Project not found");
        const t: FakeTask = { id: String(nextId++), project_id: pid, content: body.content, description: String(body.description ?? ""), checked: false, is_deleted: false, added_at: now, updated_at: now, completed_at: null, child_order: fake.tasks.size + 1 };
        fake.tasks.set(t.id, t);
        const answer = remember(Response.json(apiTask(t)));
        if (fake.holdAfter) await fake.holdAfter();
        return answer;
      }
      const m = /^\/tasks\/([^/]+)(?:\/(close|reopen))?$/.exec(path);
      if (m) {
        const t = fake.tasks.get(m[1]!);
        if (!t || t.is_deleted) return ERR(404, "NOT_FOUND", "Task not found");
        if (req.method === "GET" && !m[2]) return Response.json(apiTask(t));
        if (req.method === "DELETE" && !m[2]) {
          t.is_deleted = true;
          return remember(new Response(null, { status: 204 }));
        }
        if (req.method === "POST" && m[2] === "close") {
          t.checked = true;
          t.completed_at = now;
          return remember(new Response(null, { status: 204 }));
        }
        if (req.method === "POST" && m[2] === "reopen") {
          t.checked = false;
          t.completed_at = null;
          return remember(new Response(null, { status: 204 }));
        }
        if (req.method === "POST" && !m[2]) {
          if (typeof body.content === "string") t.content = body.content;
          if (typeof body.description === "string") t.description = body.description;
          t.updated_at = now;
          return remember(Response.json(apiTask(t)));
        }
      }
      return ERR(404, "NOT_FOUND", "Not found");
    },
  });

  fake.url = `http://127.0.0.1:${server.port}`;
  return fake;
}
