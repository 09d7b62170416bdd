import type { Database } from "bun:sqlite";

export interface SessionRow {
  id_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

export function sessionsRepo(db: Database) {
  const insert = db.prepare<unknown, [string, number, number, number, number]>(
    "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
  );
  const byHash = db.prepare<SessionRow, [string, number]>("SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?");
  const touch = db.prepare<unknown, [number, string]>("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?");
  const del = db.prepare<unknown, [string]>("DELETE FROM sessions WHERE id_hash = ?");
  const delUser = db.prepare<unknown, [number]>("DELETE FROM sessions WHERE user_id = ?");
  const delOthers = db.prepare<unknown, [number, string]>("DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?");
  const purge = db.prepare<unknown, [number]>("DELETE FROM sessions WHERE expires_at <= ?");
  return {
    insertSession: (idHash: string, userId: number, expiresAt: number) => {
      const now = Date.now();
      insert.run(idHash, userId, now, expiresAt, now);
    },
    liveSessionByHash: (idHash: string, now = Date.now()) => byHash.get(idHash, now),
    touchSession: (idHash: string, now = Date.now()) => touch.run(now, idHash),
    deleteSession: (idHash: string) => del.run(idHash),
    deleteUserSessions: (userId: number) => delUser.run(userId),
    /** End every session of a user except the one with this hash. */
    deleteOtherUserSessions: (userId: number, keepHash: string) => delOthers.run(userId, keepHash).changes,
    purgeExpiredSessions: (now = Date.now()) => purge.run(now).changes,
  };
}
