import type { Database } from "bun:sqlite";

export interface DeviceTokenRow {
  id: number;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

export function deviceTokensRepo(db: Database) {
  const insert = db.prepare<DeviceTokenRow, [number, string, string, string, number]>(
    "INSERT INTO device_tokens (user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
  );
  const byHash = db.prepare<DeviceTokenRow, [string]>("SELECT * FROM device_tokens WHERE token_hash = ? AND revoked_at IS NULL");
  const byUser = db.prepare<DeviceTokenRow, [number]>("SELECT * FROM device_tokens WHERE user_id = ? ORDER BY id");
  const revoke = db.prepare<unknown, [number, number, number]>(
    "UPDATE device_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
  );
  const revokeAll = db.prepare<unknown, [number, number]>("UPDATE device_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL");
  const byIdForUser = db.prepare<DeviceTokenRow, [number, number]>("SELECT * FROM device_tokens WHERE id = ? AND user_id = ?");
  const touch = db.prepare<unknown, [number, number]>("UPDATE device_tokens SET last_seen_at = ? WHERE id = ?");
  return {
    insertDeviceToken: (userId: number, name: string, tokenHash: string, prefix: string) => insert.get(userId, name, tokenHash, prefix, Date.now())!,
    liveDeviceTokenByHash: (hash: string) => byHash.get(hash),
    deviceTokensByUser: (userId: number) => byUser.all(userId),
    deviceTokenById: (userId: number, id: number) => byIdForUser.get(id, userId),
    revokeDeviceToken: (userId: number, id: number) => revoke.run(Date.now(), id, userId).changes === 1,
    /** Revoke every live token of a user; returns how many. */
    revokeUserDeviceTokens: (userId: number) => revokeAll.run(Date.now(), userId).changes,
    touchDeviceToken: (id: number, now = Date.now()) => touch.run(now, id),
  };
}
