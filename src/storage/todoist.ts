// Todoist: the user's connection and the task each to-do became (see migration "Todoist").
import type { Database } from "bun:sqlite";

export type TodoistStatus = "needs_project" | "ready" | "error" | "revoked";

export interface TodoistConnectionRow {
  user_id: number;
  token_enc: string;
  project_id: string | null;
  project_name: string | null;
  status: TodoistStatus;
  last_error: string | null;
  synced_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TodoistTaskRow {
  id: number;
  user_id: number;
  page_uuid: string;
  document_uuid: string;
  item_key: string;
  position: number;
  text: string;
  checked: number;
  task_id: string | null;
  request_id: string;
  status: "pending" | "synced";
  updated_at: number;
}

/** A to-do as the pages say it is now (from the todos table). */
export interface CurrentTodoRow {
  page_uuid: string;
  document_uuid: string;
  document_name: string;
  page_idx: number;
  source: string;
  position: number;
  text: string;
  checked: number;
}

export function todoistRepo(db: Database) {
  const conn = db.prepare<TodoistConnectionRow, [number]>("SELECT * FROM todoist_connections WHERE user_id = ?");
  const upsertConn = db.prepare<unknown, Record<string, string | number | null>>(
    `INSERT INTO todoist_connections (user_id, token_enc, project_id, project_name, status, last_error, created_at, updated_at)
     VALUES ($user_id, $token_enc, $project_id, $project_name, $status, NULL, $now, $now)
     ON CONFLICT (user_id) DO UPDATE SET token_enc = excluded.token_enc, project_id = excluded.project_id, project_name = excluded.project_name,
       status = excluded.status, last_error = NULL, updated_at = excluded.updated_at`,
  );
  const setProject = db.prepare<unknown, [string, string, number, number]>("UPDATE todoist_connections SET project_id = ?, project_name = ?, status = 'ready', last_error = NULL, updated_at = ? WHERE user_id = ?");
  const setStatus = db.prepare<unknown, [string, string | null, number, number]>("UPDATE todoist_connections SET status = ?, last_error = ?, updated_at = ? WHERE user_id = ?");
  const setSynced = db.prepare<unknown, [number, number]>("UPDATE todoist_connections SET synced_at = ?, status = 'ready', last_error = NULL WHERE user_id = ?");
  const delConn = db.prepare<unknown, [number]>("DELETE FROM todoist_connections WHERE user_id = ?");
  const delTasks = db.prepare<unknown, [number]>("DELETE FROM todoist_tasks WHERE user_id = ?");
  const tasks = db.prepare<TodoistTaskRow, [number]>("SELECT * FROM todoist_tasks WHERE user_id = ? ORDER BY page_uuid, position, id");
  const insertTask = db.prepare<TodoistTaskRow, Record<string, string | number | null>>(
    `INSERT INTO todoist_tasks (user_id, page_uuid, document_uuid, item_key, position, text, checked, task_id, request_id, status, updated_at)
     VALUES ($user_id, $page_uuid, $document_uuid, $item_key, $position, $text, $checked, NULL, $request_id, 'pending', $now) RETURNING *`,
  );
  const taskCreated = db.prepare<unknown, [string, number, number]>("UPDATE todoist_tasks SET task_id = ?, status = 'synced', updated_at = ? WHERE id = ?");
  const taskUpdated = db.prepare<unknown, [string, string, number, number, number, number]>(
    "UPDATE todoist_tasks SET item_key = ?, text = ?, checked = ?, position = ?, updated_at = ? WHERE id = ?",
  );
  const delTask = db.prepare<unknown, [number]>("DELETE FROM todoist_tasks WHERE id = ?");
  const current = db.prepare<CurrentTodoRow, [number]>(
    `SELECT p.page_uuid, d.uuid AS document_uuid, d.name AS document_name, p.idx AS page_idx, t.source, t.position, t.text, t.checked
     FROM todos t JOIN pages p ON p.id = t.page_id JOIN documents d ON d.id = t.document_id
     WHERE t.user_id = ? AND d.deleted_at IS NULL AND d.parent != 'trash'
     ORDER BY p.page_uuid, t.source, t.position`,
  );
  const ready = db.prepare<{ n: number }, [number]>("SELECT count(*) AS n FROM todoist_connections WHERE user_id = ? AND status = 'ready'");
  return {
    todoistConnection: (userId: number) => conn.get(userId),
    todoistReady: (userId: number) => (ready.get(userId)?.n ?? 0) > 0,
    saveTodoistConnection(c: { userId: number; tokenEnc: string; projectId: string | null; projectName: string | null }): void {
      upsertConn.run({ user_id: c.userId, token_enc: c.tokenEnc, project_id: c.projectId, project_name: c.projectName, status: c.projectId ? "ready" : "needs_project", now: Date.now() });
    },
    setTodoistProject: (userId: number, id: string, name: string) => void setProject.run(id, name, Date.now(), userId),
    setTodoistStatus: (userId: number, status: TodoistStatus, error: string | null) => void setStatus.run(status, error, Date.now(), userId),
    todoistSynced: (userId: number) => void setSynced.run(Date.now(), userId),
    /** Forget the connection and every task mapping (the tasks stay in Todoist). */
    deleteTodoistConnection(userId: number): void {
      delTasks.run(userId);
      delConn.run(userId);
    },
    todoistTasks: (userId: number) => tasks.all(userId),
    currentTodos: (userId: number) => current.all(userId),
    insertTodoistTask: (t: { userId: number; pageUuid: string; documentUuid: string; key: string; position: number; text: string; checked: boolean; requestId: string }) =>
      insertTask.get({ user_id: t.userId, page_uuid: t.pageUuid, document_uuid: t.documentUuid, item_key: t.key, position: t.position, text: t.text, checked: t.checked ? 1 : 0, request_id: t.requestId, now: Date.now() })!,
    todoistTaskCreated: (id: number, taskId: string) => void taskCreated.run(taskId, Date.now(), id),
    todoistTaskUpdated: (id: number, t: { key: string; text: string; checked: boolean; position: number }) => void taskUpdated.run(t.key, t.text, t.checked ? 1 : 0, t.position, Date.now(), id),
    deleteTodoistTask: (id: number) => void delTask.run(id),
  };
}
