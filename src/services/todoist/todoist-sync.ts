// To-dos (checkboxes in handwriting and typed text) pushed to a Todoist project: created once,
// updated in place, completed when ticked on the tablet, reopened when unticked, removed when the
// checkbox is gone from the page. Never duplicated, also across crashes:
//   - each task's row (with a fresh request id) is committed BEFORE the task is created;
//   - a row left "pending" by a crash is resolved first: the task is looked up by the marker in
//     its description, else created again with the same X-Request-Id, which Todoist discards
//     when it has processed it already.
// One job per user at a time, coalesced (idempotency key), debounced after changes.
import { RetryAfter, PermanentError } from "../../jobs/errors.ts";
import { openToken } from "../../notion/token-box.ts";
import type { CurrentTodoRow, TodoistTaskRow } from "../../storage/todoist.ts";
import { TodoistClient, TodoistError } from "../../todoist/client.ts";
import type { AppContext } from "../context.ts";

/** Key material for sealed tokens (the same as Notion tokens use: RMIRROR_NOTION_KEY, else the server secret). */
const tokenKeyMaterial = (ctx: AppContext): string => ctx.config.notion.key ?? ctx.secret;

export const TODOIST_SYNC = "todoist_sync";

export interface TodoistSyncPayload {
  userId: number;
}

export function parseTodoistSyncPayload(raw: unknown): TodoistSyncPayload {
  const o = raw as { userId?: unknown } | null;
  if (!o || typeof o.userId !== "number" || !Number.isSafeInteger(o.userId) || o.userId <= 0) throw new Error("todoist_sync payload needs a positive integer userId");
  return { userId: o.userId };
}

/** Queue a push of the user's to-dos (coalesced; synchronous, safe inside the caller's transaction). No-op without a ready connection. */
export function enqueueTodoistSync(ctx: AppContext, userId: number, opts: { delayMs?: number } = {}): boolean {
  if (!ctx.store.todoistReady(userId)) return false;
  return ctx.queue.enqueue(TODOIST_SYNC, { userId } satisfies TodoistSyncPayload, {
    userId,
    runAfter: ctx.queue.now() + (opts.delayMs ?? ctx.config.todoist.debounceMs),
    idempotencyKey: `todoist:${userId}`,
  }).created;
}

/** The marker in a task's description that names the row it belongs to. */
export const marker = (requestId: string) => `rmirror-todo:${requestId}`;

function normalise(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
}

interface Wanted {
  pageUuid: string;
  documentUuid: string;
  documentName: string;
  pageIdx: number;
  key: string;
  position: number;
  text: string;
  checked: boolean;
}

/** The to-dos as the pages say now, each with a key stable across ticking and reordering: source + text + occurrence. */
export function wantedTodos(rows: CurrentTodoRow[]): Map<string, Wanted[]> {
  const byPage = new Map<string, Wanted[]>();
  for (const r of rows) {
    const list = byPage.get(r.page_uuid) ?? [];
    byPage.set(r.page_uuid, list);
    const base = `${r.source}:${normalise(r.text)}`;
    const n = list.filter((w) => w.key.startsWith(`${base}#`)).length;
    list.push({ pageUuid: r.page_uuid, documentUuid: r.document_uuid, documentName: r.document_name, pageIdx: r.page_idx, key: `${base}#${n}`, position: list.length, text: r.text, checked: r.checked === 1 });
  }
  return byPage;
}

function description(w: Wanted, requestId: string, publicUrl: string): string {
  return `From “${w.documentName}”, page ${w.pageIdx + 1} — ${publicUrl}/documents/${w.documentUuid}\n${marker(requestId)}`;
}

export interface TodoistSyncReport {
  created: number;
  updated: number;
  closed: number;
  reopened: number;
  deleted: number;
}

/** Run one todoist_sync job. Throws RetryAfter (429), PermanentError (refused token, project gone). */
export async function runTodoistSync(ctx: AppContext, p: TodoistSyncPayload): Promise<TodoistSyncReport> {
  const report: TodoistSyncReport = { created: 0, updated: 0, closed: 0, reopened: 0, deleted: 0 };
  const conn = ctx.store.todoistConnection(p.userId);
  if (!conn || conn.status !== "ready" || !conn.project_id) return report;
  const projectId = conn.project_id;
  const token = await openToken(tokenKeyMaterial(ctx), p.userId, conn.token_enc, "todoist");
  const client = await TodoistClient.connect(token, ctx.config.todoist.apiBaseUrl);
  const s = ctx.store;
  try {
    // 1. Rows a crash left pending: find their task, or create it again under the same request id.
    let remote: Map<string, string> | null = null;
    for (const row of s.todoistTasks(p.userId).filter((r) => r.status === "pending")) {
      remote ??= new Map((await client.tasks(projectId)).flatMap((t) => [...t.description.matchAll(/rmirror-todo:([0-9a-f-]{36})/g)].map((m) => [m[1]!, t.id] as [string, string])));
      const found = remote.get(row.request_id);
      if (found) s.todoistTaskCreated(row.id, found);
      else {
        const t = await client.addTask({ content: row.text, description: marker(row.request_id), projectId }, row.request_id);
        s.todoistTaskCreated(row.id, t.id);
        report.created++;
      }
    }

    // 2. Diff the pages' to-dos against the rows, per page.
    const wanted = wantedTodos(s.currentTodos(p.userId));
    const rowsByPage = new Map<string, TodoistTaskRow[]>();
    for (const r of s.todoistTasks(p.userId)) rowsByPage.set(r.page_uuid, [...(rowsByPage.get(r.page_uuid) ?? []), r]);
    const pages = new Set([...wanted.keys(), ...rowsByPage.keys()]);
    for (const page of pages) {
      const want = wanted.get(page) ?? [];
      const rows = rowsByPage.get(page) ?? [];
      const unmatchedRows = new Map(rows.map((r) => [r.item_key, r]));
      const pairs: [Wanted, TodoistTaskRow][] = [];
      const fresh: Wanted[] = [];
      for (const w of want) {
        const r = unmatchedRows.get(w.key);
        if (r) {
          pairs.push([w, r]);
          unmatchedRows.delete(w.key);
        } else fresh.push(w);
      }
      // Same place on the page, different words: the text was corrected or re-read — update in place.
      const leftovers = [...unmatchedRows.values()];
      for (const w of [...fresh]) {
        const r = leftovers.find((x) => x.position === w.position);
        if (!r) continue;
        leftovers.splice(leftovers.indexOf(r), 1);
        fresh.splice(fresh.indexOf(w), 1);
        await tolerateGone(() => client.updateTask(r.task_id!, { content: w.text }));
        s.todoistTaskUpdated(r.id, { key: w.key, text: w.text, checked: r.checked === 1, position: w.position });
        report.updated++;
        pairs.push([w, { ...r, item_key: w.key, text: w.text }]);
      }
      for (const [w, r] of pairs) {
        if (w.checked !== (r.checked === 1)) {
          await tolerateGone(() => (w.checked ? client.closeTask(r.task_id!) : client.reopenTask(r.task_id!)));
          if (w.checked) report.closed++;
          else report.reopened++;
        }
        if (w.checked !== (r.checked === 1) || w.position !== r.position) s.todoistTaskUpdated(r.id, { key: w.key, text: w.text, checked: w.checked, position: w.position });
      }
      for (const w of fresh) {
        const requestId = crypto.randomUUID();
        const row = s.insertTodoistTask({ userId: p.userId, pageUuid: w.pageUuid, documentUuid: w.documentUuid, key: w.key, position: w.position, text: w.text, checked: false, requestId });
        const t = await client.addTask({ content: w.text, description: description(w, requestId, ctx.config.publicUrl), projectId }, requestId);
        s.todoistTaskCreated(row.id, t.id);
        report.created++;
        if (w.checked) {
          await client.closeTask(t.id);
          s.todoistTaskUpdated(row.id, { key: w.key, text: w.text, checked: true, position: w.position });
          report.closed++;
        }
      }
      // Gone from the page (erased, or the notebook was deleted): gone from Todoist.
      for (const r of leftovers) {
        if (r.task_id) await tolerateGone(() => client.deleteTask(r.task_id!));
        s.deleteTodoistTask(r.id);
        report.deleted++;
      }
    }
    s.todoistSynced(p.userId);
    return report;
  } catch (e) {
    throw steer(ctx, p.userId, e);
  }
}

/** A task the user deleted in Todoist is theirs to delete: the row follows the tablet, nothing is recreated. */
async function tolerateGone(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof TodoistError && e.kind === "not_found")) throw e;
  }
}

function steer(ctx: AppContext, userId: number, e: unknown): Error {
  if (!(e instanceof TodoistError)) return e as Error;
  if (e.kind === "rate_limited") return new RetryAfter(e.retryAfterMs ?? 60_000, e.message);
  if (e.kind === "unauthorized") {
    ctx.store.setTodoistStatus(userId, "revoked", "Todoist refused the token: paste a new API token in Settings → Todoist.");
    return new PermanentError(e.message);
  }
  if (e.kind === "not_found" || e.kind === "invalid") {
    ctx.store.setTodoistStatus(userId, "error", `Todoist refused a change (${e.message.replace(/^todoist: /, "")}); if the project was deleted, choose another in Settings → Todoist.`);
    return new PermanentError(e.message);
  }
  return e; // unavailable: the runner retries with backoff
}

/** The job's last attempt failed: say so on the connection (the dashboard shows it). */
export function todoistSyncFailed(ctx: AppContext, p: TodoistSyncPayload, reason: string): void {
  const c = ctx.store.todoistConnection(p.userId);
  if (c && c.status === "ready") ctx.store.setTodoistStatus(p.userId, "error", `Last push to Todoist failed: ${reason}`);
}
