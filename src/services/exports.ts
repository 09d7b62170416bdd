// Derived outputs rendered on demand and cached as blobs: page PNG, document PDF, Markdown.
// PNG: keyed by the page hash and options; PDF: keyed by the hashes of everything it is made of.
import { renderPng } from "../render/png.ts";
import { AppError } from "../server/errors.ts";
import { loadParsedPage } from "../jobs/workers/render-page.ts";
import { storeBytes } from "./blobs.ts";
import type { AppContext } from "./context.ts";
import { requirePage } from "./library.ts";
import { isRmFormatError } from "../rm/errors.ts";

export interface PngQuery {
  longEdge: number;
  grayscale: boolean;
  text: boolean;
}

export function parsePngQuery(q: Record<string, string | undefined>): PngQuery {
  const edge = q.width ?? q.longEdge;
  let longEdge = 1568;
  if (edge !== undefined) {
    if (!/^\d{1,5}$/.test(edge) || Number(edge) < 16 || Number(edge) > 4000) throw new AppError("bad_request", "longEdge must be an integer between 16 and 4000.");
    longEdge = Number(edge);
  }
  const flag = (v: string | undefined, d: boolean) => (v === undefined ? d : v === "1" || v === "true");
  return { longEdge, grayscale: flag(q.grayscale, false), text: flag(q.text, true) };
}

export async function pagePng(ctx: AppContext, userId: number, uuid: string, pageId: string, q: PngQuery): Promise<Blob> {
  const { page } = requirePage(ctx, userId, uuid, pageId);
  if (page.render_status === "failed") throw new AppError("render_failed", page.render_error ?? undefined);
  if (!page.sha256) throw new AppError("not_ready", "The page is blank.", { status: page.render_status });
  const source = `${page.sha256}:${q.longEdge}:${q.grayscale ? 1 : 0}:${q.text ? 1 : 0}`;
  if (page.png_source === source && page.png_sha256) {
    const cached = await ctx.blobs.stream(page.png_sha256);
    if (cached) return cached;
  }
  let parsed;
  try {
    parsed = await loadParsedPage(ctx, page);
  } catch (e) {
    if (isRmFormatError(e)) throw new AppError("render_failed", e.message);
    throw e;
  }
  if (!parsed) throw new AppError("not_ready", "The page's file has not been uploaded yet.", { status: "awaiting_blob" });
  const png = await renderPng(parsed, { longEdge: q.longEdge, grayscale: q.grayscale, text: q.text });
  const sha = await storeBytes(ctx, userId, png);
  ctx.store.setPagePng(page.id, sha, source);
  return new Blob([png as Uint8Array<ArrayBuffer>], { type: "image/png" });
}
