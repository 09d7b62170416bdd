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
  const all = db.prepare<{ sha256: string; size: number }, []>("SELECT sha256, size FROM blobs ORDER BY sha256");
  // Forgetting a damaged blob: pages whose source it is wait for it again; renders made from it
  // (SVG, PNG, thumbnail, document PDF) are dropped so they are made again; nobody holds it any more.
  const sourcePagesAwait = db.prepare<unknown, [number, string]>("UPDATE pages SET render_status = 'awaiting_blob', render_error = NULL, updated_at = ? WHERE sha256 = ?");
  const svgPages = db.prepare<{ id: number; user_id: number; sha256: string }, [string]>("SELECT id, user_id, sha256 FROM pages WHERE svg_sha256 = ? AND sha256 IS NOT NULL");
  const dropSvg = db.prepare<unknown, [number, string]>(
    "UPDATE pages SET svg_sha256 = NULL, rendered_sha256 = NULL, render_status = 'pending', updated_at = ? WHERE svg_sha256 = ? AND sha256 IS NOT NULL",
  );
  const dropPng = db.prepare<unknown, [string]>("UPDATE pages SET png_sha256 = NULL, png_source = NULL WHERE png_sha256 = ?");
  const dropThumb = db.prepare<unknown, [string]>("UPDATE pages SET thumb_sha256 = NULL, thumb_source = NULL WHERE thumb_sha256 = ?");
  const dropPdf = db.prepare<unknown, [string]>("UPDATE documents SET pdf_sha256 = NULL, pdf_key = NULL WHERE pdf_sha256 = ?");
  const ungrant = db.prepare<unknown, [string]>("DELETE FROM user_blobs WHERE sha256 = ?");
  const unindex = db.prepare<unknown, [string]>("DELETE FROM blobs WHERE sha256 = ?");
  return {
    /** Every indexed blob (hash and size), in hash order. */
    allBlobs: () => all.all(),
    /**
     * Drop a damaged blob from the index (call inside a transaction): its owners are asked for it
     * again, source pages wait for it, renders made from it are dropped. Returns the pages whose
     * SVG must be rendered again.
     */
    forgetBlob(sha256: string): { id: number; user_id: number; sha256: string }[] {
      const now = Date.now();
      sourcePagesAwait.run(now, sha256);
      const rerender = svgPages.all(sha256);
      dropSvg.run(now, sha256);
      dropPng.run(sha256);
      dropThumb.run(sha256);
      dropPdf.run(sha256);
      ungrant.run(sha256);
      unindex.run(sha256);
      return rerender;
    },
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
