// Pending Notion OAuth "state" values: stored hashed, single use, bound to the session that
// started the flow, short-lived.
import type { Database } from "bun:sqlite";

export interface NotionOauthStateRow {
  state_hash: string;
  user_id: number;
  binding: string;
  expires_at: number;
}

export function notionOauthStatesRepo(db: Database) {
  const insert = db.prepare<unknown, [string, number, string, number]>("INSERT INTO notion_oauth_states (state_hash, user_id, binding, expires_at) VALUES (?, ?, ?, ?)");
  const take = db.prepare<NotionOauthStateRow, [string]>("DELETE FROM notion_oauth_states WHERE state_hash = ? RETURNING *");
  const prune = db.prepare<unknown, [number]>("DELETE FROM notion_oauth_states WHERE expires_at < ?");
  return {
    insertNotionOauthState(stateHash: string, userId: number, binding: string, expiresAt: number): void {
      prune.run(Date.now());
      insert.run(stateHash, userId, binding, expiresAt);
    },
    /** Remove and return the state (single use), or null. */
    takeNotionOauthState: (stateHash: string) => take.get(stateHash),
  };
}
