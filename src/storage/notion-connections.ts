// Notion connections, one per user (migrations 0004, 0005). The token columns hold ciphertext only.
import type { Database } from "bun:sqlite";

export type NotionMode = "oauth" | "internal";
export type NotionStatus = "needs_parent" | "ready" | "error" | "revoked";

export interface NotionConnectionRow {
  user_id: number;
  mode: NotionMode;
  token_enc: string;
  /** The OAuth refresh token, sealed (null: internal token, or none issued). */
  refresh_token_enc: string | null;
  workspace_id: string | null;
  workspace_name: string | null;
  bot_id: string | null;
  parent_page_id: string | null;
  database_id: string | null;
  data_source_id: string | null;
  property_ids: string | null;
  todo_database_id: string | null;
  todo_data_source_id: string | null;
  todo_property_ids: string | null;
  status: NotionStatus;
  last_error: string | null;
  initial_done: number;
  last_sync_at: number | null;
  created_at: number;
  updated_at: number;
}

export function notionConnectionsRepo(db: Database) {
  const byUser = db.prepare<NotionConnectionRow, [number]>("SELECT * FROM notion_connections WHERE user_id = ?");
  const upsert = db.prepare<NotionConnectionRow, Record<string, string | number | null>>(
    `INSERT INTO notion_connections (user_id, mode, token_enc, refresh_token_enc, workspace_id, workspace_name, bot_id, status, created_at, updated_at)
     VALUES ($user_id, $mode, $token_enc, $refresh_token_enc, $workspace_id, $workspace_name, $bot_id, 'needs_parent', $now, $now)
     ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode, token_enc = excluded.token_enc, refresh_token_enc = excluded.refresh_token_enc, workspace_id = excluded.workspace_id,
       workspace_name = excluded.workspace_name, bot_id = excluded.bot_id, status = 'needs_parent', last_error = NULL,
       parent_page_id = NULL, database_id = NULL, data_source_id = NULL, property_ids = NULL,
       todo_database_id = NULL, todo_data_source_id = NULL, todo_property_ids = NULL, initial_done = 0, updated_at = excluded.updated_at
     RETURNING *`,
  );
  const setParent = db.prepare<unknown, [string | null, string | null, number, number]>(
    "UPDATE notion_connections SET parent_page_id = ?, database_id = ?, data_source_id = NULL, property_ids = NULL, todo_database_id = NULL, todo_data_source_id = NULL, todo_property_ids = NULL, status = 'ready', last_error = NULL, initial_done = 0, updated_at = ? WHERE user_id = ?",
  );
  const setDatabase = db.prepare<unknown, [string, string, string, number, number]>(
    "UPDATE notion_connections SET database_id = ?, data_source_id = ?, property_ids = ?, updated_at = ? WHERE user_id = ?",
  );
  const clearDatabase = db.prepare<unknown, [number, number]>(
    "UPDATE notion_connections SET database_id = NULL, data_source_id = NULL, property_ids = NULL, todo_database_id = NULL, todo_data_source_id = NULL, todo_property_ids = NULL, updated_at = ? WHERE user_id = ?",
  );
  const setTodoDatabase = db.prepare<unknown, [string | null, string | null, string | null, number, number]>(
    "UPDATE notion_connections SET todo_database_id = ?, todo_data_source_id = ?, todo_property_ids = ?, updated_at = ? WHERE user_id = ?",
  );
  const setTokens = db.prepare<unknown, [string, string | null, number, number, string]>(
    "UPDATE notion_connections SET token_enc = ?, refresh_token_enc = ?, updated_at = ? WHERE user_id = ? AND token_enc = ?",
  );
  const setStatus = db.prepare<unknown, [string, string | null, number, number]>("UPDATE notion_connections SET status = ?, last_error = ?, updated_at = ? WHERE user_id = ?");
  const setError = db.prepare<unknown, [string | null, number, number]>("UPDATE notion_connections SET last_error = ?, updated_at = ? WHERE user_id = ?");
  const markSynced = db.prepare<unknown, [number, number]>("UPDATE notion_connections SET last_sync_at = ?1, last_error = NULL, updated_at = ?1 WHERE user_id = ?2");
  const markInitial = db.prepare<unknown, [number, number]>("UPDATE notion_connections SET initial_done = 1, updated_at = ? WHERE user_id = ?");
  const del = db.prepare<unknown, [number]>("DELETE FROM notion_connections WHERE user_id = ?");
  const ready = db.prepare<{ user_id: number }, [number]>("SELECT user_id FROM notion_connections WHERE user_id = ? AND status = 'ready'");
  return {
    notionConnectionByUser: (userId: number) => byUser.get(userId),
    /** Whether the user has a usable connection (cheap; called on every document change). */
    notionReady: (userId: number) => ready.get(userId) !== null,
    upsertNotionConnection: (c: { userId: number; mode: NotionMode; tokenEnc: string; refreshTokenEnc?: string | null; workspaceId: string | null; workspaceName: string | null; botId: string | null }) =>
      upsert.get({ user_id: c.userId, mode: c.mode, token_enc: c.tokenEnc, refresh_token_enc: c.refreshTokenEnc ?? null, workspace_id: c.workspaceId, workspace_name: c.workspaceName, bot_id: c.botId, now: Date.now() })!,
    setNotionParent: (userId: number, parentPageId: string | null, databaseId: string | null) => setParent.run(parentPageId, databaseId, Date.now(), userId).changes === 1,
    setNotionDatabase: (userId: number, databaseId: string, dataSourceId: string, propertyIds: Record<string, string>) =>
      setDatabase.run(databaseId, dataSourceId, JSON.stringify(propertyIds), Date.now(), userId),
    setNotionTodoDatabase: (userId: number, db: { databaseId: string; dataSourceId: string; propertyIds: Record<string, string> } | null) =>
      setTodoDatabase.run(db?.databaseId ?? null, db?.dataSourceId ?? null, db ? JSON.stringify(db.propertyIds) : null, Date.now(), userId),
    clearNotionDatabase: (userId: number) => clearDatabase.run(Date.now(), userId),
    /**
     * Store refreshed tokens, only if the connection still holds `previousTokenEnc` (a reconnect
     * meanwhile wins); true when stored.
     */
    setNotionTokens: (userId: number, tokenEnc: string, refreshTokenEnc: string | null, previousTokenEnc: string) =>
      setTokens.run(tokenEnc, refreshTokenEnc, Date.now(), userId, previousTokenEnc).changes === 1,
    setNotionStatus: (userId: number, status: NotionStatus, error: string | null) => setStatus.run(status, error, Date.now(), userId),
    setNotionError: (userId: number, error: string | null) => setError.run(error, Date.now(), userId),
    markNotionSynced: (userId: number) => markSynced.run(Date.now(), userId),
    markNotionInitialDone: (userId: number) => markInitial.run(Date.now(), userId),
    deleteNotionConnection: (userId: number) => del.run(userId).changes === 1,
  };
}
