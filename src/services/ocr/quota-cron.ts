// Lifecycle of the quota month: at start-up, queue pages that waited for an OCR engine and run a
// reset that was missed while the server was down; then node-cron fires at midnight on the 1st
// in the quota time zone (and hourly as a safety net; the reset runs once per month).
import { schedule, type ScheduledTask } from "node-cron";
import type { AppContext } from "../context.ts";
import { monthlyReset, resumePendingOcr } from "./ocr.ts";

export function startQuotaCron(ctx: AppContext): { stop(): Promise<void> } {
  const run = (why: string) => {
    try {
      monthlyReset(ctx);
    } catch (e) {
      ctx.log.error("quota reset failed", { why, error: e });
    }
  };
  const resumed = resumePendingOcr(ctx);
  if (resumed) ctx.log.info("OCR engine configured: queued pages that were waiting for it", { pages: resumed });
  run("start-up");
  const tz = ctx.config.quota.timezone;
  const tasks: ScheduledTask[] = [
    schedule("0 0 1 * *", () => run("monthly"), { name: "quota-reset", timezone: tz }),
    schedule("7 * * * *", () => run("hourly check"), { name: "quota-reset-check", timezone: tz }),
  ];
  return {
    async stop() {
      for (const t of tasks) await t.stop();
    },
  };
}
