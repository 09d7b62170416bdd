// SQL for blob garbage collection and for the writers it must never race: pins (a write in
// flight), deletions in progress (tombstones), and the "is this blob still wanted?" test.
// A blob is wanted when one of its owners still refers to it (a page's file or render, a
// document file, a document's PDF export, a page thumbnail), when an owner used it within the grace period, or
// while a write of it is pinned. References by users who do not own the bytes do not count:
// they cannot read them either.
import type { Database } from "bun:sqlite";

/** The shared condition: `?1` is the hash, `?2` the grace cutoff, `?3` the stale-pin cutoff. */
const WANTED = `(
  EXISTS (SELECT 1 FROM user_blobs ub WHERE ub.sha256 = ?1 AND ub.used_at >= ?2)
  OR EXISTS (SELECT 1 FROM blob_pins bp WHERE bp.sha256 = ?1 AND bp.created_at >= ?3)
  OR EXISTS (SELECT 1 FROM user_blobs ub WHERE ub.sha256 = ?1 AND (
       EXISTS (SELECT 1 FROM pages p WHERE p.user_id = ub.user_id AND p.sha256 = ?1)
    OR EXISTS (SELECT 1 FROM pages p WHERE p.svg_sha256 = ?1 AND p.user_id = ub.user_id)
    OR EXISTS (SELECT 1 FROM pages p WHERE p.png_sha256 = ?1 AND p.user_id = ub.user_id)
    OR EXISTS (SELECT 1 FROM pages p WHERE p.thumb_sha256 = ?1 AND p.user_id = ub.user_id)
    OR EXISTS (SELECT 1 FROM documents d WHERE d.pdf_sha256 = ?1 AND d.user_id = ub.user_id)
    OR EXISTS (SELECT 1 FROM document_files f CROSS JOIN documents d ON d.id = f.document_id WHERE f.sha256 = ?1 AND d.user_id = ub.user_id)
  ))
)`;

export interface GcCutoffs {
  /** Blobs used (uploaded, rendered) at or after this instant are kept. */
  grace: number;
  /** Pins older than this are left over from a crashed process and ignored. */
  stalePin: number;
}

export function blobGcRepo(db: Database) {
  const page = db.prepare<{ sha256: string; size: number }, [string, number]>("SELECT sha256, size FROM blobs WHERE sha256 > ? ORDER BY sha256 LIMIT ?");
  const wanted = db.prepare<{ yes: number }, [string, number, number]>(`SELECT ${WANTED} AS yes`);
  const indexed = db.prepare<{ one: number }, [string]>("SELECT 1 AS one FROM blobs WHERE sha256 = ?");
  const livePin = db.prepare<{ one: number }, [string, number]>("SELECT 1 AS one FROM blob_pins WHERE sha256 = ? AND created_at >= ?");
  const tombstone = db.prepare<{ started_at: number }, [string]>("SELECT started_at FROM blob_deletions WHERE sha256 = ?");
  const addTombstone = db.prepare<unknown, [string, number]>("INSERT INTO blob_deletions (sha256, started_at) VALUES (?, ?)");
  const dropTombstone = db.prepare<unknown, [string]>("DELETE FROM blob_deletions WHERE sha256 = ?");
  const dropGrants = db.prepare<unknown, [string]>("DELETE FROM user_blobs WHERE sha256 = ?");
  const dropBlob = db.prepare<unknown, [string]>("DELETE FROM blobs WHERE sha256 = ?");
  const addPin = db.prepare<{ id: number }, [string, number]>("INSERT INTO blob_pins (sha256, created_at) VALUES (?, ?) RETURNING id");
  const dropPin = db.prepare<unknown, [number]>("DELETE FROM blob_pins WHERE id = ?");
  const dropStalePins = db.prepare<unknown, [number]>("DELETE FROM blob_pins WHERE created_at < ?");
  const staleTombstones = db.prepare<{ sha256: string }, [number]>("SELECT sha256 FROM blob_deletions WHERE started_at < ?");
  const touch = db.prepare<unknown, [number, number, string]>("UPDATE user_blobs SET used_at = ? WHERE user_id = ? AND sha256 = ?");

  const isWanted = (sha256: string, c: GcCutoffs) => wanted.get(sha256, c.grace, c.stalePin)!.yes === 1;

  return {
    /** Indexed blobs in hash order after `after`, `limit` at a time (keyset paging). */
    indexedBlobsAfter: (after: string, limit: number) => page.all(after, limit),
    /** True when garbage collection must keep the indexed blob `sha256`. */
    blobWanted: isWanted,
    /**
     * Garbage collection's decision for one indexed blob, inside the caller's transaction: when
     * it is not wanted, unindex it (grants and row) and record the deletion in progress. Returns
     * true when the bytes may now be deleted.
     */
    claimIndexedBlobForDeletion(sha256: string, c: GcCutoffs, now: number): boolean {
      if (indexed.get(sha256) === null || tombstone.get(sha256) !== null || isWanted(sha256, c)) return false;
      dropGrants.run(sha256);
      dropBlob.run(sha256);
      addTombstone.run(sha256, now);
      return true;
    },
    /** The same for bytes in the store that no row indexes (left by a crash): only when unpinned. */
    claimUnindexedBlobForDeletion(sha256: string, c: GcCutoffs, now: number): boolean {
      if (indexed.get(sha256) !== null || tombstone.get(sha256) !== null || livePin.get(sha256, c.stalePin) !== null) return false;
      addTombstone.run(sha256, now);
      return true;
    },
    blobIndexed: (sha256: string) => indexed.get(sha256) !== null,
    blobPinnedSince: (sha256: string, since: number) => livePin.get(sha256, since) !== null,
    /** When garbage collection started deleting `sha256`, or null. */
    blobDeletionStarted: (sha256: string) => tombstone.get(sha256)?.started_at ?? null,
    finishBlobDeletion: (sha256: string) => dropTombstone.run(sha256),
    /**
     * Pin `sha256` for a write, unless a deletion of it is in progress (null: wait and retry).
     * A deletion older than `staleDeletion` was abandoned by a crashed collector: taken over.
     */
    pinBlob(sha256: string, now: number, staleDeletion: number): number | null {
      const t = tombstone.get(sha256);
      if (t && t.started_at >= staleDeletion) return null;
      if (t) dropTombstone.run(sha256);
      return addPin.get(sha256, now)!.id;
    },
    unpinBlob: (id: number) => dropPin.run(id),
    /** Record that the user used a blob they own again (an upload of bytes they already had). */
    touchUserBlob: (userId: number, sha256: string, now: number) => touch.run(now, userId, sha256).changes > 0,
    dropStaleBlobPins: (before: number) => dropStalePins.run(before).changes,
    staleBlobDeletions: (before: number) => staleTombstones.all(before).map((r) => r.sha256),
  };
}
