// Wires the job workers into a runner for this context.
import type { AppContext } from "../services/context.ts";
import { JobRunner, type RunnerOptions } from "../jobs/runner.ts";
import { notifyEmailWorker } from "../jobs/workers/notify-email.ts";
import { ocrClaimGuard, ocrWorker, OCR } from "../jobs/workers/ocr.ts";
import { renderPageWorker } from "../jobs/workers/render-page.ts";
import { notionSyncWorker } from "../jobs/workers/notion-sync.ts";
import { todoistSyncWorker } from "../jobs/workers/todoist-sync.ts";
import { webhookDeliveryWorker, webhookFanoutWorker } from "../jobs/workers/webhooks.ts";
import { pdfTextWorker } from "../jobs/workers/pdf-text.ts";

export function createRunner(ctx: AppContext, opts: Partial<RunnerOptions> = {}): JobRunner {
  ctx.queue.onClaim(OCR, ocrClaimGuard(ctx));
  return new JobRunner(ctx.queue, { pollMs: ctx.config.jobs.pollMs, log: ctx.log.child({ component: "jobs" }), ...opts })
    .register(renderPageWorker(ctx))
    .register(ocrWorker(ctx))
    .register(notifyEmailWorker(ctx))
    .register(notionSyncWorker(ctx))
    .register(todoistSyncWorker(ctx))
    .register(webhookFanoutWorker(ctx))
    .register(webhookDeliveryWorker(ctx))
    .register(pdfTextWorker(ctx));
}
