import type { Database } from "bun:sqlite";

export interface HeartbeatRow {
  token_id: number;
  user_id: number;
  received_at: number;
  version: string;
  platform: string;
  folder: "ok" | "missing" | "unreadable";
  queue: number;
  last_sync_at: number | null;
  last_error: string | null;
  stopped: number;
  in_sync_at: number | null;
}

/** What a heartbeat reports: the row's fields but the times the store sets. */
export type HeartbeatInput = Omit<HeartbeatRow, "received_at" | "stopped" | "in_sync_at"> & {
  stopped: boolean;
  /** The agent is caught up: in_sync_at becomes now. */
  inSync: boolean;
};

export function agentHeartbeatsRepo(db: Database) {
  const upsert = db.prepare<unknown, [number, number, number, string, string, string, number, number | null, string | null, number, number | null]>(
    `INSERT INTO agent_heartbeats (token_id, user_id, received_at, version, platform, folder, queue, last_sync_at, last_error, stopped, in_sync_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(token_id) DO UPDATE SET user_id = excluded.user_id, received_at = excluded.received_at, version = excluded.version,
       platform = excluded.platform, folder = excluded.folder, queue = excluded.queue,
       last_sync_at = COALESCE(excluded.last_sync_at, agent_heartbeats.last_sync_at), last_error = excluded.last_error,
       stopped = excluded.stopped, in_sync_at = COALESCE(excluded.in_sync_at, agent_heartbeats.in_sync_at)`,
  );
  const byUser = db.prepare<HeartbeatRow, [number]>(
    "SELECT h.* FROM agent_heartbeats h JOIN device_tokens t ON t.id = h.token_id WHERE h.user_id = ? AND t.revoked_at IS NULL ORDER BY h.token_id",
  );
  return {
    saveHeartbeat: (h: HeartbeatInput, now = Date.now()) =>
      upsert.run(h.token_id, h.user_id, now, h.version, h.platform, h.folder, h.queue, h.last_sync_at, h.last_error, h.stopped ? 1 : 0, h.inSync ? now : null),
    /** The last heartbeat of each of the user's live (not revoked) device tokens. */
    heartbeatsByUser: (userId: number) => byUser.all(userId),
  };
}
