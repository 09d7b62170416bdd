// Pages of a document: identity (page_uuid), order, content hash and the render/extract status.
// Reads that come from the API are scoped by user_id; the job worker reads by id.
import type { Database } from "bun:sqlite";

export type RenderStatus = "pending" | "awaiting_blob" | "done" | "failed" | "blank";

export interface PageRow {
  id: number;
  document_id: number;
  user_id: number;
  page_uuid: string;
  idx: number;
  sha256: string | null;
  size: number;
  template: string | null;
  source_page: number | null;
  render_status: RenderStatus;
  render_error: string | null;
  rendered_sha256: string | null;
  svg_sha256: string | null;
  png_sha256: string | null;
  png_source: string | null;
  thumb_sha256: string | null;
  thumb_source: string | null;
  render_count: number;
  typed_text: string | null;
  highlights_json: string | null;
  created_at: number;
  updated_at: number;
}

export function pagesRepo(db: Database) {
  const byDoc = db.prepare<PageRow, [number]>("SELECT * FROM pages WHERE document_id = ? ORDER BY idx, id");
  const byId = db.prepare<PageRow, [number]>("SELECT * FROM pages WHERE id = ?");
  const byUuid = db.prepare<PageRow, [number, number, string]>("SELECT * FROM pages WHERE user_id = ? AND document_id = ? AND page_uuid = ?");
  const insert = db.prepare<PageRow, Record<string, string | number | null>>(
    `INSERT INTO pages (document_id, user_id, page_uuid, idx, sha256, size, template, source_page, render_status, created_at, updated_at)
     VALUES ($document_id, $user_id, $page_uuid, $idx, $sha256, $size, $template, $source_page, $render_status, $now, $now) RETURNING *`,
  );
  const updateLayout = db.prepare<unknown, Record<string, string | number | null>>(
    "UPDATE pages SET idx = $idx, template = $template, source_page = $source_page, updated_at = $now WHERE id = $id",
  );
  const updateContent = db.prepare<unknown, Record<string, string | number | null>>(
    `UPDATE pages SET sha256 = $sha256, size = $size, render_status = $render_status, render_error = NULL, updated_at = $now WHERE id = $id`,
  );
  const del = db.prepare<unknown, [number]>("DELETE FROM pages WHERE id = ?");
  const setStatus = db.prepare<unknown, [string, string | null, number, number]>(
    "UPDATE pages SET render_status = ?, render_error = ?, updated_at = ? WHERE id = ?",
  );
  const setRendered = db.prepare<unknown, Record<string, string | number | null>>(
    `UPDATE pages SET render_status = 'done', render_error = NULL, rendered_sha256 = $sha256, svg_sha256 = $svg_sha256,
       typed_text = $typed_text, highlights_json = $highlights_json, render_count = render_count + 1, updated_at = $now
     WHERE id = $id AND sha256 = $sha256`,
  );
  const setPng = db.prepare<unknown, [string, string, number]>("UPDATE pages SET png_sha256 = ?, png_source = ? WHERE id = ?");
  const setThumb = db.prepare<unknown, [string, string, number]>("UPDATE pages SET thumb_sha256 = ?, thumb_source = ? WHERE id = ?");
  const awaiting = db.prepare<PageRow, [number, string]>(
    "SELECT * FROM pages WHERE user_id = ? AND sha256 = ? AND render_status = 'awaiting_blob'",
  );
  const statusCounts = db.prepare<{ render_status: string; n: number }, [number]>(
    "SELECT render_status, count(*) AS n FROM pages WHERE user_id = ? GROUP BY render_status",
  );
  return {
    pagesByDocument: (documentId: number) => byDoc.all(documentId),
    pageById: (id: number) => byId.get(id),
    pageByUuid: (userId: number, documentId: number, pageUuid: string) => byUuid.get(userId, documentId, pageUuid),
    insertPage: (p: { documentId: number; userId: number; pageUuid: string; idx: number; sha256: string | null; size: number; template: string | null; sourcePage: number | null; status: RenderStatus }) =>
      insert.get({
        document_id: p.documentId,
        user_id: p.userId,
        page_uuid: p.pageUuid,
        idx: p.idx,
        sha256: p.sha256,
        size: p.size,
        template: p.template,
        source_page: p.sourcePage,
        render_status: p.status,
        now: Date.now(),
      })!,
    updatePageLayout: (id: number, idx: number, template: string | null, sourcePage: number | null) =>
      updateLayout.run({ id, idx, template, source_page: sourcePage, now: Date.now() }),
    updatePageContent: (id: number, sha256: string | null, size: number, status: RenderStatus) =>
      updateContent.run({ id, sha256, size, render_status: status, now: Date.now() }),
    deletePage: (id: number) => del.run(id),
    setPageStatus: (id: number, status: RenderStatus, error: string | null = null) => setStatus.run(status, error, Date.now(), id),
    /** Record a finished render; only applies while the page still has the hash that was rendered. */
    setPageRendered: (id: number, r: { sha256: string; svgSha256: string; typedText: string | null; highlightsJson: string | null }) =>
      setRendered.run({ id, sha256: r.sha256, svg_sha256: r.svgSha256, typed_text: r.typedText, highlights_json: r.highlightsJson, now: Date.now() }).changes === 1,
    setPagePng: (id: number, pngSha256: string, source: string) => setPng.run(pngSha256, source, id),
    /** Record the page's thumbnail blob and what it was drawn from (see services/library/thumbnails.ts). */
    setPageThumb: (id: number, thumbSha256: string, source: string) => setThumb.run(thumbSha256, source, id),
    pagesAwaitingBlob: (userId: number, sha256: string) => awaiting.all(userId, sha256),
    pageStatusCounts: (userId: number) => statusCounts.all(userId),
  };
}
