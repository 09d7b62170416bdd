import type { Database } from "bun:sqlite";

export interface PairingRow {
  id: number;
  code: string;
  secret_hash: string;
  device_name: string;
  status: "pending" | "approved" | "denied" | "completed";
  user_id: number | null;
  token_id: number | null;
  created_at: number;
  expires_at: number;
}

export function pairingsRepo(db: Database) {
  const insert = db.prepare<PairingRow, [string, string, string, number, number]>(
    "INSERT INTO pairings (code, secret_hash, device_name, status, created_at, expires_at) VALUES (?, ?, ?, 'pending', ?, ?) RETURNING *",
  );
  const byCode = db.prepare<PairingRow, [string]>("SELECT * FROM pairings WHERE code = ?");
  const decide = db.prepare<unknown, [string, number, string, number]>(
    "UPDATE pairings SET status = ?, user_id = ? WHERE code = ? AND status = 'pending' AND expires_at > ?",
  );
  const complete = db.prepare<unknown, [number, number]>("UPDATE pairings SET status = 'completed', token_id = ? WHERE id = ? AND status = 'approved'");
  const purge = db.prepare<unknown, [number]>("DELETE FROM pairings WHERE expires_at <= ? AND status <> 'approved'");
  return {
    insertPairing: (code: string, secretHash: string, deviceName: string, expiresAt: number) => insert.get(code, secretHash, deviceName, Date.now(), expiresAt)!,
    pairingByCode: (code: string) => byCode.get(code),
    /** pending → approved/denied; false when not pending or expired. */
    decidePairing: (code: string, userId: number, status: "approved" | "denied", now = Date.now()) => decide.run(status, userId, code, now).changes === 1,
    completePairing: (id: number, tokenId: number) => complete.run(tokenId, id).changes === 1,
    purgeExpiredPairings: (now = Date.now()) => purge.run(now).changes,
  };
}
