// Lifecycle in one place: config → db → migrate → workers → http → (after the server answers)
// crons and housekeeping; shutdown stops accepting, drains in-flight requests and jobs, then
// closes the database.
import type { ScheduledTask } from "node-cron";
import type { Server } from "bun";
import type { BlobStore } from "../blobs/store.ts";
import type { Config } from "../config/schema.ts";
import { createRunner } from "../composition/workers.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";
import { ensureAdminFromConfig } from "../services/accounts/accounts.ts";
import { createContext } from "../composition/context.ts";
import type { AppContext } from "../services/context.ts";
import { purgeJobHistory } from "../services/library/jobs.ts";
import { compactChanges } from "../services/integrations/changes.ts";
import { collectGarbage } from "../services/operations/blob-gc.ts";
import { purgeDeleted } from "../services/library/sync.ts";
import { compressResponse } from "./compression.ts";
import { createApp, type App } from "./app.ts";
import { AppError, errorResponse } from "./errors.ts";

export interface RunningServer {
  ctx: AppContext;
  app: App;
  runner: JobRunner;
  server: Server<undefined>;
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  blobs?: BlobStore;
  /** Start the job runner (default true). */
  jobs?: boolean;
  /** The first housekeeping runs this long after the server listens (default 10 s), then daily at 03:17. */
  housekeepingDelayMs?: number;
  /** The quota month's catch-up and the crons start this long after the server listens (default 1 s). */
  cronDelayMs?: number;
}

/** Start-up housekeeping waits this long: no request ever waits for it (issue 18: first request < 300 ms). */
export const BOOT_HOUSEKEEPING_DELAY_MS = 10_000;
/** The quota month's catch-up (and loading node-cron) waits this long: the first requests do not share the CPU with it. */
export const BOOT_CRON_DELAY_MS = 1_000;

/**
 * Daily housekeeping: purge documents past the trash grace period, expired sessions/pairings
 * (synchronously, at the call), then job history past its retention (in batches; `signal` stops
 * it between batches at shutdown), then compact the change feed, then collect blobs nothing refers to any more (a failure is
 * logged; the next run retries).
 */
export async function housekeeping(ctx: AppContext, signal?: AbortSignal, now = Date.now()): Promise<void> {
  const docs = purgeDeleted(ctx, now);
  const sessions = ctx.store.purgeExpiredSessions(now);
  const pairings = ctx.store.purgeExpiredPairings(now) + ctx.store.purgeExpiredInstallCodes(now);
  const jobs = await purgeJobHistory(ctx, now, signal ? { signal } : {});
  const changes = await compactChanges(ctx, now, signal ? { signal } : {});
  if (docs || sessions || pairings || jobs || changes)
    ctx.log.info("housekeeping", { purgedDocuments: docs, expiredSessions: sessions, expiredPairings: pairings, deletedJobs: jobs, droppedChanges: changes });
  if (signal?.aborted) return;
  try {
    const gc = await collectGarbage(ctx, { now });
    if (gc.deleted || gc.unindexed || gc.tempFiles) ctx.log.info("garbage collection", { ...gc });
  } catch (e) {
    ctx.log.error("garbage collection failed (retried at the next housekeeping)", { error: e as Error });
  }
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const ctx = createContext(config, opts);
  const log = ctx.log;
  await ensureAdminFromConfig(ctx);
  const runner = createRunner(ctx);
  if (opts.jobs !== false) runner.start();
  // One housekeeping at a time; shutdown stops it between batches and waits for it before closing the database.
  const housekeepingStop = new AbortController();
  let housekeepingRun: Promise<void> = Promise.resolve();
  const runHousekeeping = () =>
    (housekeepingRun = housekeepingRun
      .then(() => housekeeping(ctx, housekeepingStop.signal))
      .catch((e) => log.error("housekeeping failed", { error: e })));

  let draining = false;
  const app = createApp(ctx, { draining: () => draining });
  const httpLog = log.child({ component: "http" });
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    maxRequestBodySize: Math.max(config.maxBlobBytes, config.maxImportBytes) + 1024 * 1024,
    idleTimeout: 120,
    async fetch(req) {
      // A Host header that is not a host (e.g. "evil@name") leaves Bun with a relative req.url.
      if (!URL.canParse(req.url)) return errorResponse(new AppError("bad_request", "The Host header is not a valid host."));
      const t0 = performance.now();
      const res = await app.handle(req);
      const path = new URL(req.url).pathname;
      if (path !== "/healthz" || res.status !== 200)
        httpLog[res.status >= 500 ? "error" : "info"]("request", { method: req.method, path, status: res.status, ms: Math.round((performance.now() - t0) * 10) / 10 });
      return compressResponse(req, res);
    },
  });
  (app as unknown as { server: Server<undefined> }).server = server;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`;
  log.info("rmirror serving", { url, storage: ctx.blobs.kind, db: config.dbPath });

  // Work no request needs starts after the server answers, each after a delay: the quota month's
  // catch-up and crons (node-cron is loaded then, not at start; ~70 ms of CPU that used to run
  // alongside the first request), and the first housekeeping (job history retention and blob GC
  // can take a while on a large library). stop() cuts the waits short.
  let cron: ScheduledTask | null = null;
  let quotaCron: { stop(): Promise<void> } | null = null;
  let stopped = false;
  const cronWait = Promise.withResolvers<void>();
  const cronTimer = setTimeout(cronWait.resolve, opts.cronDelayMs ?? BOOT_CRON_DELAY_MS);
  const scheduling = (async () => {
    await cronWait.promise;
    if (stopped) return;
    const [{ schedule }, { startQuotaCron }] = await Promise.all([import("node-cron"), import("../services/ocr/quota-cron.ts")]);
    if (stopped) return;
    quotaCron = startQuotaCron(ctx);
    cron = schedule("17 3 * * *", () => void runHousekeeping(), { name: "housekeeping" });
  })().catch((e) => log.error("cannot schedule housekeeping and the quota cron", { error: e as Error }));
  const firstHousekeeping = setTimeout(runHousekeeping, opts.housekeepingDelayMs ?? BOOT_HOUSEKEEPING_DELAY_MS);
  firstHousekeeping.unref();

  // The export folder (RMIRROR_EXPORT_DIR): every user's vault follows the change feed, one pass at a time.
  let exportRun: Promise<unknown> = Promise.resolve();
  let exporting = false;
  const runExport = () => {
    if (exporting || stopped || !config.exportDir) return;
    exporting = true;
    exportRun = import("./export-folder.ts")
      .then(({ exportFolders }) => exportFolders(ctx, app, config.exportDir!))
      .catch((e) => log.error("export folder failed", { error: e as Error }))
      .finally(() => (exporting = false));
  };
  const exportTimers = config.exportDir
    ? [setTimeout(runExport, opts.housekeepingDelayMs ?? BOOT_HOUSEKEEPING_DELAY_MS), setInterval(runExport, config.exportMinutes * 60_000)]
    : [];

  let stopping: Promise<void> | null = null;
  return {
    ctx,
    app,
    runner,
    server,
    url,
    stop() {
      stopping ??= (async () => {
        draining = true;
        log.info("shutting down: stop accepting, drain requests and jobs");
        stopped = true;
        clearTimeout(cronTimer);
        cronWait.resolve();
        clearTimeout(firstHousekeeping);
        for (const t of exportTimers) clearTimeout(t);
        await exportRun;
        await scheduling;
        await cron?.stop();
        await quotaCron?.stop();
        housekeepingStop.abort();
        await housekeepingRun;
        await server.stop(false);
        await runner.stop();
        ctx.store.db.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}
