// Ownership checks every feature makes before touching a document or a page: the caller's own
// row for an id from the URL, or 404 (someone else's id is indistinguishable from a missing one).
import { AppError } from "../errors.ts";
import type { DocumentRow } from "../storage/documents.ts";
import type { PageRow } from "../storage/pages.ts";
import type { AppContext } from "./context.ts";
import { requirePageId, requireUuid } from "./ids.ts";

/** The user's document (deleted ones included only when asked). */
export function requireDocument(ctx: AppContext, userId: number, rawUuid: string, includeDeleted = false): DocumentRow {
  const doc = ctx.store.documentByUuid(userId, requireUuid(rawUuid));
  if (!doc || (doc.deleted_at !== null && !includeDeleted)) throw new AppError("document_not_found");
  return doc;
}

export function requirePage(ctx: AppContext, userId: number, rawUuid: string, rawPageId: string, includeDeleted = false): { doc: DocumentRow; page: PageRow } {
  const doc = requireDocument(ctx, userId, rawUuid, includeDeleted);
  const page = ctx.store.pageByUuid(userId, doc.id, requirePageId(rawPageId));
  if (!page) throw new AppError("page_not_found");
  return { doc, page };
}
