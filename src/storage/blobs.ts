// Blob index: which content hashes are stored, and which user has each one.
import type { Database } from "bun:sqlite";

export function blobsRepo(db: Database) {
  const insert = db.prepare<unknown, [string, number, number]>("INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)");
  const byHash = db.prepare<{ sha256: string; size: number }, [string]>("SELECT sha256, size FROM blobs WHERE sha256 = ?");
  // A grant again (re-upload, re-render) refreshes used_at: garbage collection's grace counts from the last use.
  const grant = db.prepare<unknown, [number, string, number]>(
    "INSERT INTO user_blobs (user_id, sha256, created_at, used_at) VALUES (?1, ?2, ?3, ?3) ON CONFLICT (user_id, sha256) DO UPDATE SET used_at = excluded.used_at",
  );
  const userHas = db.prepare<{ one: number }, [number, string]>("SELECT 1 AS one FROM user_blobs WHERE user_id = ? AND sha256 = ?");
  return {
    insertBlob: (sha256: string, size: number) => insert.run(sha256, size, Date.now()),
    blobByHash: (sha256: string) => byHash.get(sha256),
    grantBlob: (userId: number, sha256: string, now = Date.now()) => grant.run(userId, sha256, now),
    userHasBlob: (userId: number, sha256: string) => userHas.get(userId, sha256) !== null,
    /** Hashes from `hashes` this user has not supplied yet (order kept, duplicates removed). */
    missingForUser(userId: number, hashes: Iterable<string>): string[] {
      const out: string[] = [];
      const seen = new Set<string>();
      for (const h of hashes) {
        if (seen.has(h)) continue;
        seen.add(h);
        if (userHas.get(userId, h) === null) out.push(h);
      }
      return out;
    },
  };
}
