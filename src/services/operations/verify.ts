// Scrub: read every indexed blob back from the store and check it against its hash and size.
// A damaged copy (0 bytes or short after a crash, changed content, gone) is reported and, with
// `repair`, deleted and forgotten: its owners are asked for those bytes again at their next sync
// (the hash is "missing" for them), the pages made from it wait for it, and renders made from a
// damaged derived blob are made again. A re-upload of the hash then stores a sound copy.
import type { ScrubResult } from "../../blobs/store.ts";
import { enqueueRender } from "../library/render-page.ts";
import type { AppContext } from "../context.ts";

export interface DamagedBlob {
  sha256: string;
  problem: Exclude<ScrubResult, "ok">;
  /** The size the index records. */
  size: number;
}

export interface VerifyReport {
  checked: number;
  ok: number;
  bytes: number;
  damaged: DamagedBlob[];
  /** Damaged blobs deleted and forgotten (0 without `repair`). */
  repaired: number;
  /** Pages queued to be rendered again because their SVG was damaged. */
  rerenders: number;
  ms: number;
}

export async function verifyBlobs(ctx: AppContext, opts: { repair?: boolean; progress?: (msg: string) => void } = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  const report: VerifyReport = { checked: 0, ok: 0, bytes: 0, damaged: [], repaired: 0, rerenders: 0, ms: 0 };
  for (const { sha256, size } of ctx.store.allBlobs()) {
    report.checked++;
    const found = await ctx.blobs.scrub(sha256, size);
    if (found === "ok") {
      report.ok++;
      report.bytes += size;
    } else {
      report.damaged.push({ sha256, problem: found, size });
      if (opts.repair && (await repair(ctx, sha256, size, report))) report.repaired++;
    }
    if (report.checked % 1000 === 0) opts.progress?.(`${report.checked} blobs checked, ${report.damaged.length} damaged`);
  }
  report.ms = Math.round(performance.now() - t0);
  return report;
}

/** Delete a damaged copy and forget it, unless a sound copy arrived meanwhile (a live server). */
async function repair(ctx: AppContext, sha256: string, size: number, report: VerifyReport): Promise<boolean> {
  if ((await ctx.blobs.scrub(sha256, size)) === "ok") return false;
  await ctx.blobs.delete(sha256);
  const rerender = ctx.store.tx(() => {
    const pages = ctx.store.forgetBlob(sha256);
    for (const p of pages) enqueueRender(ctx, p.user_id, p.id, p.sha256);
    return pages.length;
  });
  report.rerenders += rerender;
  ctx.log.warn("damaged blob forgotten; its owners will upload it again", { sha256, size });
  return true;
}
