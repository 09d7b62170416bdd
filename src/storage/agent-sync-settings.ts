// Per-computer sync settings (agent_sync_settings): what a device token's agent syncs
// (folders/notebooks excluded, or the only ones included) and its initial-sync limit.
import type { Database } from "bun:sqlite";

export interface SyncSettingsRow {
  token_id: number;
  user_id: number;
  mode: "exclude" | "include";
  items_json: string;
  initial_pages: number | null;
  updated_at: number;
}

export function agentSyncSettingsRepo(db: Database) {
  const byToken = db.prepare<SyncSettingsRow, [number]>("SELECT * FROM agent_sync_settings WHERE token_id = ?");
  const upsert = db.prepare<SyncSettingsRow, [number, number, string, string, number | null, number]>(
    `INSERT INTO agent_sync_settings (token_id, user_id, mode, items_json, initial_pages, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(token_id) DO UPDATE SET mode = excluded.mode, items_json = excluded.items_json, initial_pages = excluded.initial_pages, updated_at = excluded.updated_at
     RETURNING *`,
  );
  return {
    syncSettingsByToken: (tokenId: number) => byToken.get(tokenId) ?? undefined,
    saveSyncSettings: (s: { tokenId: number; userId: number; mode: "exclude" | "include"; items: string[]; initialPages: number | null }, now = Date.now()) =>
      upsert.get(s.tokenId, s.userId, s.mode, JSON.stringify(s.items), s.initialPages, now)!,
  };
}
