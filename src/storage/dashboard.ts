// Read-only queries for the dashboard views: paginated library listings (pinned first, then the
// chosen order) with each document's first page, and pages joined with their OCR state.
// Every statement is scoped by user_id.
import type { Database } from "bun:sqlite";
import type { DocumentRow } from "./documents.ts";
import type { PageRow } from "./pages.ts";

export type LibrarySort = "modified" | "opened" | "name";

export interface LibraryRow extends DocumentRow {
  first_page_uuid: string | null;
  first_page_status: string | null;
}

export interface PageWithOcrRow extends PageRow {
  ocr_status: string | null;
  ocr_error: string | null;
  /** 1 when the page has typed text or highlights (read from the file, no OCR needed). */
  has_text: number;
  /**
   * While OCR is queued: when its job may run (the settle delay, or a provider's retry-after).
   * Found through the live jobs' idempotency keys (`ocr:<page id>:…`, a range of the jobs_idempotency index).
   */
  ocr_run_after: number | null;
}

// Folders first, as on the tablet and in every file manager: 'CollectionType' sorts before
// 'DocumentType'. Then pinned items, then the chosen order.
const ORDER: Record<LibrarySort, string> = {
  modified: "coalesce(d.last_modified, d.updated_at) DESC",
  opened: "coalesce(d.last_opened, 0) DESC, coalesce(d.last_modified, d.updated_at) DESC",
  name: "d.name COLLATE NOCASE",
};

export function dashboardRepo(db: Database) {
  const listing = Object.fromEntries(
    (Object.keys(ORDER) as LibrarySort[]).map((sort) => [
      sort,
      db.prepare<LibraryRow, [number, string, number, number]>(
        `SELECT d.*,
           (SELECT p.page_uuid FROM pages p WHERE p.document_id = d.id ORDER BY p.idx, p.id LIMIT 1) AS first_page_uuid,
           (SELECT p.render_status FROM pages p WHERE p.document_id = d.id ORDER BY p.idx, p.id LIMIT 1) AS first_page_status
         FROM documents d
         WHERE d.user_id = ?1 AND d.parent = ?2 AND d.deleted_at IS NULL
         ORDER BY d.type, d.pinned DESC, ${ORDER[sort]}, d.uuid
         LIMIT ?3 OFFSET ?4`,
      ),
    ]),
  ) as Record<LibrarySort, ReturnType<typeof db.prepare<LibraryRow, [number, string, number, number]>>>;
  const count = db.prepare<{ n: number }, [number, string]>("SELECT count(*) AS n FROM documents WHERE user_id = ? AND parent = ? AND deleted_at IS NULL");
  const pagesOcr = db.prepare<PageWithOcrRow, [number, number]>(
    `SELECT p.*, o.status AS ocr_status, o.error AS ocr_error, EXISTS (SELECT 1 FROM page_texts t WHERE t.page_id = p.id AND t.source IN ('typed','highlight')) AS has_text,
       CASE WHEN o.status = 'queued' THEN (SELECT min(j.run_after) FROM jobs j WHERE j.idempotency_key >= 'ocr:' || p.id || ':' AND j.idempotency_key < 'ocr:' || p.id || ';' AND j.status IN ('queued','running') AND j.status = 'queued') END AS ocr_run_after
     FROM pages p LEFT JOIN page_ocr o ON o.page_id = p.id
     WHERE p.user_id = ? AND p.document_id = ? ORDER BY p.idx, p.id`,
  );
  const pageAt = db.prepare<PageWithOcrRow, [number, number, number]>(
    `SELECT p.*, o.status AS ocr_status, o.error AS ocr_error, EXISTS (SELECT 1 FROM page_texts t WHERE t.page_id = p.id AND t.source IN ('typed','highlight')) AS has_text,
       CASE WHEN o.status = 'queued' THEN (SELECT min(j.run_after) FROM jobs j WHERE j.idempotency_key >= 'ocr:' || p.id || ':' AND j.idempotency_key < 'ocr:' || p.id || ';' AND j.status IN ('queued','running') AND j.status = 'queued') END AS ocr_run_after
     FROM pages p LEFT JOIN page_ocr o ON o.page_id = p.id
     WHERE p.user_id = ? AND p.document_id = ? ORDER BY p.idx, p.id LIMIT 1 OFFSET ?`,
  );
  const location = db.prepare<{ uuid: string; name: string; n: number }, [number, number]>(
    `SELECT d.uuid, d.name, (SELECT count(*) FROM pages q WHERE q.document_id = p.document_id AND (q.idx < p.idx OR (q.idx = p.idx AND q.id < p.id))) + 1 AS n
     FROM pages p JOIN documents d ON d.id = p.document_id WHERE p.id = ? AND p.user_id = ? AND d.deleted_at IS NULL`,
  );
  const pageCount = db.prepare<{ n: number }, [number]>("SELECT count(*) AS n FROM pages WHERE document_id = ?");
  // The trash: items the tablet moved to its trash (parent 'trash', not deleted) and deleted ones
  // whose tombstone is newer than the purge cutoff (?2), most recently removed first.
  const TRASH = "d.user_id = ?1 AND ((d.deleted_at IS NULL AND d.parent = 'trash') OR d.deleted_at > ?2)";
  const trash = db.prepare<LibraryRow, [number, number, number, number]>(
    `SELECT d.*,
       (SELECT p.page_uuid FROM pages p WHERE p.document_id = d.id ORDER BY p.idx, p.id LIMIT 1) AS first_page_uuid,
       (SELECT p.render_status FROM pages p WHERE p.document_id = d.id ORDER BY p.idx, p.id LIMIT 1) AS first_page_status
     FROM documents d WHERE ${TRASH}
     ORDER BY coalesce(d.deleted_at, d.updated_at) DESC, d.uuid
     LIMIT ?3 OFFSET ?4`,
  );
  const trashN = db.prepare<{ n: number }, [number, number]>(`SELECT count(*) AS n FROM documents d WHERE ${TRASH}`);
  // What changes when work happens for a user: the job counts by kind and status (a handful of
  // rows), the newest job, and the documents (count, last update). Cheap enough to ask every 2 s.
  const live = db.prepare<{ jobs: string | null; last_job: number | null; docs: string }, [number]>(
    `SELECT (SELECT group_concat(kind || ':' || status || ':' || n, ',') FROM job_counts WHERE user_id = ?1 AND n > 0) AS jobs,
            (SELECT max(id) FROM jobs WHERE user_id = ?1) AS last_job,
            (SELECT count(*) || ':' || coalesce(max(updated_at), 0) FROM documents WHERE user_id = ?1) AS docs`,
  );
  return {
    /** A fingerprint of the user's jobs and documents: it changes whenever work is queued, runs or ends, or a document syncs. */
    liveState: (userId: number) => {
      const r = live.get(userId)!;
      return `${r.jobs ?? ""}|${r.last_job ?? 0}|${r.docs}`;
    },
    /** One page of a folder's children: folders first, pinned first, then by `sort`. */
    libraryListing: (userId: number, parent: string, sort: LibrarySort, limit: number, offset: number) => listing[sort].all(userId, parent, limit, offset),
    libraryCount: (userId: number, parent: string) => count.get(userId, parent)!.n,
    pagesWithOcr: (userId: number, documentId: number) => pagesOcr.all(userId, documentId),
    /** The page at 0-based position `n` of a document. */
    pageWithOcrAt: (userId: number, documentId: number, n: number) => pageAt.get(userId, documentId, n),
    /** Where a page is shown: its document and 1-based position (for links from jobs). */
    pageLocation: (userId: number, pageId: number) => location.get(pageId, userId),
    documentPageCount: (documentId: number) => pageCount.get(documentId)!.n,
    /** One page of the trash: tablet-trashed items and documents deleted after `deletedAfter` (epoch ms). */
    trashListing: (userId: number, deletedAfter: number, limit: number, offset: number) => trash.all(userId, deletedAfter, limit, offset),
    trashCount: (userId: number, deletedAfter: number) => trashN.get(userId, deletedAfter)!.n,
  };
}
