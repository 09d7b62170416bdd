import type { Database } from "bun:sqlite";

export interface InstallCodeRow {
  id: number;
  user_id: number;
  code_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  token_id: number | null;
}

export function installCodesRepo(db: Database) {
  const insert = db.prepare<InstallCodeRow, [number, string, number, number]>("INSERT INTO install_codes (user_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING *");
  const use = db.prepare<InstallCodeRow, [number, string]>("UPDATE install_codes SET used_at = ?1 WHERE code_hash = ?2 AND used_at IS NULL AND expires_at > ?1 RETURNING *");
  const setToken = db.prepare<unknown, [number, number]>("UPDATE install_codes SET token_id = ? WHERE id = ?");
  const purge = db.prepare<unknown, [number]>("DELETE FROM install_codes WHERE expires_at <= ?");
  return {
    insertInstallCode: (userId: number, codeHash: string, expiresAt: number, now = Date.now()) => insert.get(userId, codeHash, now, expiresAt)!,
    /** Marks an unused, unexpired code used and returns it; undefined otherwise (unknown, used, expired). */
    useInstallCode: (codeHash: string, now = Date.now()) => use.get(now, codeHash) ?? undefined,
    setInstallCodeToken: (id: number, tokenId: number) => setToken.run(tokenId, id),
    purgeExpiredInstallCodes: (now = Date.now()) => purge.run(now).changes,
  };
}
