// Wires the job workers into a runner for this context.
import type { AppContext } from "../services/context.ts";
import { JobRunner } from "./runner.ts";
import { notifyEmailWorker } from "./workers/notify-email.ts";
import { ocrClaimGuard, ocrWorker, OCR } from "./workers/ocr.ts";
import { renderPageWorker } from "./workers/render-page.ts";
import { notionSyncWorker } from "./workers/notion-sync.ts";

export function createRunner(ctx: AppContext): JobRunner {
  ctx.queue.onClaim(OCR, ocrClaimGuard(ctx));
  return new JobRunner(ctx.queue, { pollMs: ctx.config.jobs.pollMs, log: ctx.log.child({ component: "jobs" }) })
    .register(renderPageWorker(ctx))
    .register(ocrWorker(ctx))
    .register(notifyEmailWorker(ctx))
    .register(notionSyncWorker(ctx));
}
