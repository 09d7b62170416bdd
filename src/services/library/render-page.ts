// The render_page job as the library sees it: its kind, payload and enqueue (a page's content hash
// changed), and loading a page's parsed strokes (shared by the render and OCR workers and the
// exports). The worker that runs the job is src/jobs/workers/render-page.ts.
import { parseContent } from "../../rm/content.ts";
import { RmFormatError } from "../../rm/errors.ts";
import { parseLayerNames } from "../../rm/layer-names.ts";
import { parsePage } from "../../rm/page.ts";
import type { DocContent, Page } from "../../rm/model.ts";
import type { PageRow } from "../../storage/pages.ts";
import type { AppContext } from "../context.ts";
import { readOwnedBlob } from "./owned-blobs.ts";

export const RENDER_PAGE = "render_page";

/** The render job's payload schema: ids only. */
export interface RenderPagePayload {
  pageId: number;
}

export function parseRenderPagePayload(p: unknown): RenderPagePayload {
  const id = (p as { pageId?: unknown } | null)?.pageId;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) throw new Error("render_page payload needs a positive integer pageId");
  return { pageId: id };
}

/** Queue a render of `pageId` at content `sha256` (synchronous; safe inside a transaction). */
export function enqueueRender(ctx: AppContext, userId: number, pageId: number, sha256: string): boolean {
  return ctx.queue.enqueue(RENDER_PAGE, { pageId } satisfies RenderPagePayload, { userId, idempotencyKey: `render:${pageId}:${sha256}` }).created;
}

/**
 * Parse a page row's blob, with layer names from a `<page>-metadata.json` file when present.
 * Only bytes the page's owner uploaded are read: null when the owner has not supplied them yet,
 * whatever other users hold.
 */
export async function loadParsedPage(ctx: AppContext, page: PageRow): Promise<Page | null> {
  if (!page.sha256) return null;
  const bytes = await readOwnedBlob(ctx, page.user_id, page.sha256);
  if (!bytes) return null;
  let layerNames: string[] | undefined;
  const meta = ctx.store.filesByDocument(page.document_id).find((f) => f.path.endsWith(`/${page.page_uuid}-metadata.json`));
  if (meta) {
    const json = await readOwnedBlob(ctx, page.user_id, meta.sha256);
    if (json) {
      try {
        layerNames = parseLayerNames(json, meta.path);
      } catch {
        layerNames = undefined;
      }
    }
  }
  const file = `${page.page_uuid}.rm`;
  try {
    return parsePage(bytes, file, layerNames ? { layerNames } : {});
  } catch (e) {
    // Whatever a page's bytes make the parser throw is that page's fault, reported as such.
    if (e instanceof RmFormatError) throw e;
    throw new RmFormatError("corrupt", file, -1, "a page this reader can parse", e instanceof Error ? e.message : String(e));
  }
}

/**
 * The orientation of the page's document, from the owner's `.content` (landscape pages are stored
 * in portrait coordinates and drawn turned): undefined when there is none or it cannot be read.
 */
export async function pageOrientation(ctx: AppContext, page: PageRow): Promise<DocContent["orientation"] | undefined> {
  const file = ctx.store.filesByDocument(page.document_id).find((f) => f.path.endsWith(".content"));
  if (!file) return undefined;
  const bytes = await readOwnedBlob(ctx, page.user_id, file.sha256);
  if (!bytes) return undefined;
  try {
    return parseContent(bytes, file.path).orientation;
  } catch {
    return undefined;
  }
}
